"""One ``Settings``, built once per process (:meth:`Settings.from_env`) and passed down.

Nothing else in alcabala reads the environment: services, the app, the console, the CLI and
the sweepers get their configuration from the ``Settings`` they are handed, so an app built
with its own settings (a test, a second process) never silently mixes in the environment.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from alcabala.errors import ValidationError

DEFAULT_DATABASE_URL = "sqlite:///alcabala.db"
SECRET_FILE = "secret_key"
NOTIFIERS = ("log", "smtp")
#: A placeholder under the reserved ``.example`` domain (RFC 2606): every deployment sets its
#: own ``ALCABALA_LOG_ORIGIN`` before generating the log key.
DEFAULT_LOG_ORIGIN = "alcabala.example/log"
#: The shape of a verifier key (``name+hex(keyID)+base64``); the key itself is checked by
#: :func:`alcabala.ledger.witness_client.witness_policy`, since config imports no domain.
_VKEY_SHAPE = re.compile(r"[^\s+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+={0,2}")
#: Settings that must be at least 1 (a zero would disable a limit or lock everyone out).
POSITIVE = (
    "offline_window_days",
    "login_hash_workers",
    "session_idle_minutes",
    "session_max_hours",
    "login_backoff_after",
    "login_lock_after",
    "login_address_backoff_after",
    "login_address_lock_after",
    "login_backoff_seconds",
    "login_lock_minutes",
    "workers",
    "complaint_overdue_days",
    "complaints_per_hour",
    "certificate_valid_hours",
    "certificates_per_hour",
    "detention_approval_hours",
    "travel_window_minutes",
    "sighting_retention_days",
    "passed_checkpoints",
)


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValidationError(f"{name} must be a whole number, not {raw!r}.", field=name) from None


def _witnesses(raw: str) -> tuple[tuple[str, str], ...]:
    """``ALCABALA_WITNESSES``: ``URL=VKEY`` entries separated by commas, read strictly.

    The URL is the witness's submission prefix (``http(s)://host[:port][/path]``, without
    query, fragment or ``=``: the first ``=`` ends it); the VKEY its cosignature key.
    """
    name = "ALCABALA_WITNESSES"
    if not raw.strip():
        return ()
    found: list[tuple[str, str]] = []
    for number, entry in enumerate(raw.split(","), 1):
        url, equals, vkey = entry.strip().partition("=")
        url = url.rstrip("/")
        parts = urlsplit(url)
        if not equals or not _VKEY_SHAPE.fullmatch(vkey):
            problem = "is not URL=VKEY"
        elif parts.scheme not in ("http", "https") or not parts.netloc or "?" in url or "#" in url:
            problem = "needs an http:// or https:// URL without query or fragment"
        elif any(url == u or vkey == v for u, v in found):
            problem = "repeats a witness URL or key"
        else:
            found.append((url, vkey))
            continue
        raise ValidationError(f"{name}: entry {number} {problem}: {entry.strip()!r}.", field=name)
    return tuple(found)


#: Where ``serve --workers`` puts its resolved settings for the worker processes.
INHERITED_ENV = "ALCABALA_SETTINGS_JSON"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    #: A streaming replica for the dashboard's aggregate reads (``Door.report``); empty means
    #: the primary. Never used for writes, sign-in, sessions or audited lookups.
    read_database_url: str = ""
    #: Where the process keeps what it must not lose between restarts (the session key).
    data_dir: Path = Path(".")
    #: Derives the console's CSRF tokens; empty means "read or create ``<data_dir>/secret_key``".
    secret_key: str = ""
    secure_cookies: bool = False
    # Days an active stolen report or warrant stays valid before its agency must re-validate
    # it, then the period of every later re-validation.
    first_validation_days: int = 90
    revalidation_days: int = 365
    # Outbox: how messages leave (``log`` or ``smtp``) and how often the sender runs.
    notifier: str = "log"
    outbox_interval_seconds: float = 5.0
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_sender: str = "alcabala@localhost"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    # Password hashing (argon2id); tests lower these to keep the suite fast.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    #: How old a stop's ``at`` may be when it reaches the server (offline checkpoints sync
    #: late); older is refused, as is more than 5 minutes ahead of the server's clock.
    offline_window_days: int = 7
    #: Threads hashing passwords, at low CPU priority: a sign-in flood queues there instead
    #: of taking the CPU from checks.
    login_hash_workers: int = 1
    # Console sessions end after this long without a request, and this long after sign-in.
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    # Sign-in throttling, per account and (looser) per client address: after ``*backoff_after``
    # failures each further one waits ``login_backoff_seconds``, doubling; ``*lock_after``
    # failures lock for ``login_lock_minutes``. Counts restart after that long without failure.
    login_backoff_after: int = 3
    login_lock_after: int = 10
    login_address_backoff_after: int = 10
    login_address_lock_after: int = 30
    login_backoff_seconds: int = 2
    login_lock_minutes: int = 15
    #: Addresses of reverse proxies whose X-Forwarded-For/-Proto are believed; none by default.
    trusted_proxies: tuple[str, ...] = ()
    #: API worker processes ``alcabala serve`` runs (more than 1 needs PostgreSQL).
    workers: int = 1
    #: Whether the server listens for PostgreSQL change notifications to refresh its hotlist
    #: at once (off: it polls the change sequence every second only).
    change_notify: bool = True
    #: The log's identity: the first line of each of its checkpoints and the name of its key
    #: (c2sp.org/tlog-checkpoint). The default is a placeholder; a deployment sets its own,
    #: e.g. ``registro.example.gob/alcabala``, once: another origin is another log.
    log_origin: str = DEFAULT_LOG_ORIGIN
    #: The log's private signer key (mode 0600); unset means ``<data_dir>/log_key``. The
    #: verifier keys of the keys it replaced are listed beside it, in ``<file>.old``.
    log_key_file: Path | None = None
    #: The witnesses each checkpoint goes to, as (submission URL, cosignature vkey) pairs:
    #: ``ALCABALA_WITNESSES="https://w1.example=w1.example+1234abcd+BA…,…"``.
    witnesses: tuple[tuple[str, str], ...] = ()
    #: How many of ``witnesses`` must cosign a checkpoint for it to count as witnessed (k of
    #: n); 0, the default, means all of them.
    witness_quorum: int = 0
    #: Days a complaint may stay open (received or under review) before it is overdue and
    #: surfaces on the oversight dashboard.
    complaint_overdue_days: int = 30
    #: Complaints one client address may file per hour (a burst of as many, then a steady
    #: trickle); the same text from the same address within an hour is refused as well.
    complaints_per_hour: int = 5
    #: Hours a pre-purchase certificate is valid from its issue (Argentina's certificado de
    #: dominio runs 15 days, Mexico's REPUVE advises a new look after 48 hours).
    certificate_valid_hours: int = 72
    #: Certificates one client address may request per hour (a burst, then a trickle).
    certificates_per_hour: int = 10
    #: Hours a supervisor has to approve a detention on a stated reason (not a confirmed
    #: hit); an unapproved one surfaces to oversight after that.
    detention_approval_hours: int = 4
    #: Minutes back the impossible-travel detector pairs each sighting with (all pairs).
    travel_window_minutes: int = 360
    #: Seconds of camera clock drift forgiven when judging a pair's time.
    camera_skew_seconds: int = 120
    #: Camera sightings with no finding are purged after this many days (the UK's rule).
    sighting_retention_days: int = 90
    #: A wanted vehicle seen by cameras at this many checkpoints without a stop is an alert.
    passed_checkpoints: int = 3
    #: Seconds between two runs of the server's sighting detector; 0 runs none (tests run
    #: it by hand, ``alcabala sightings detect`` does too).
    detection_seconds: int = 1

    def __post_init__(self) -> None:
        if self.notifier not in NOTIFIERS:
            raise ValidationError(
                f"ALCABALA_NOTIFIER must be one of {', '.join(NOTIFIERS)}, not {self.notifier!r}.",
                field="ALCABALA_NOTIFIER",
            )
        for name in POSITIVE:
            if getattr(self, name) < 1:
                variable = f"ALCABALA_{name.upper()}"
                raise ValidationError(f"{variable} must be at least 1.", field=variable)
        origin = self.log_origin
        if not origin or "+" in origin or any(c.isspace() or ord(c) < 0x20 for c in origin):
            raise ValidationError(
                "ALCABALA_LOG_ORIGIN must be one word, without spaces or +.",
                field="ALCABALA_LOG_ORIGIN",
            )
        if not 0 <= self.witness_quorum <= len(self.witnesses):
            raise ValidationError(
                f"ALCABALA_WITNESS_QUORUM must be from 0 (all) to the {len(self.witnesses)} "
                "witnesses of ALCABALA_WITNESSES.",
                field="ALCABALA_WITNESS_QUORUM",
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``ALCABALA_*`` variables (``env`` defaults to the process's)."""
        env = os.environ if env is None else env
        d = cls()
        limits = {
            name: _int(env, f"ALCABALA_{name.upper()}", getattr(d, name)) for name in POSITIVE
        }
        return cls(
            database_url=env.get("ALCABALA_DATABASE_URL", "") or d.database_url,
            read_database_url=env.get("ALCABALA_READ_DATABASE_URL", ""),
            data_dir=Path(env.get("ALCABALA_DATA_DIR", "") or d.data_dir),
            secret_key=env.get("ALCABALA_SECRET_KEY", ""),
            secure_cookies=_flag(env.get("ALCABALA_SECURE_COOKIES", "")),
            first_validation_days=_int(
                env, "ALCABALA_FIRST_VALIDATION_DAYS", d.first_validation_days
            ),
            revalidation_days=_int(env, "ALCABALA_REVALIDATION_DAYS", d.revalidation_days),
            notifier=env.get("ALCABALA_NOTIFIER", "") or d.notifier,
            outbox_interval_seconds=float(
                _int(env, "ALCABALA_OUTBOX_SECONDS", int(d.outbox_interval_seconds))
            ),
            smtp_host=env.get("ALCABALA_SMTP_HOST", "") or d.smtp_host,
            smtp_port=_int(env, "ALCABALA_SMTP_PORT", d.smtp_port),
            smtp_sender=env.get("ALCABALA_SMTP_FROM", "") or d.smtp_sender,
            smtp_username=env.get("ALCABALA_SMTP_USERNAME", ""),
            smtp_password=env.get("ALCABALA_SMTP_PASSWORD", ""),
            smtp_starttls=_flag(env.get("ALCABALA_SMTP_STARTTLS", "")),
            trusted_proxies=tuple(
                a.strip() for a in env.get("ALCABALA_TRUSTED_PROXIES", "").split(",") if a.strip()
            ),
            change_notify=_flag(env.get("ALCABALA_CHANGE_NOTIFY", "") or "on"),
            log_origin=env.get("ALCABALA_LOG_ORIGIN", "").strip() or d.log_origin,
            log_key_file=Path(env["ALCABALA_LOG_KEY_FILE"])
            if env.get("ALCABALA_LOG_KEY_FILE", "").strip()
            else None,
            witnesses=_witnesses(env.get("ALCABALA_WITNESSES", "")),
            witness_quorum=_int(env, "ALCABALA_WITNESS_QUORUM", d.witness_quorum),
            camera_skew_seconds=_int(env, "ALCABALA_CAMERA_SKEW_SECONDS", d.camera_skew_seconds),
            detection_seconds=_int(env, "ALCABALA_DETECTION_SECONDS", d.detection_seconds),
        ).replace(**limits)

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def to_json(self) -> str:
        """These settings, exactly, as one JSON text: how a process hands its resolved
        settings to the worker processes it starts (``serve --workers``), so that every
        worker runs with the parent's settings instead of resolving its own."""
        return json.dumps(dataclasses.asdict(self), default=str, sort_keys=True)

    @classmethod
    def inherited(cls) -> Settings:
        """The settings the parent process handed down in ``ALCABALA_SETTINGS_JSON``
        (:meth:`to_json`); a worker started without them is a mistake, not a default."""
        text = os.environ.get(INHERITED_ENV)
        if not text:
            raise ValidationError(
                f"{INHERITED_ENV} is not set: worker processes are started by "
                "`alcabala serve --workers N`, which hands them its settings.",
                field=INHERITED_ENV,
            )
        return cls.from_json(text)

    @classmethod
    def from_json(cls, text: str) -> Settings:
        """The settings :meth:`to_json` wrote (paths and tuples restored)."""
        data = json.loads(text)
        data["data_dir"] = Path(data["data_dir"])
        if data.get("log_key_file") is not None:
            data["log_key_file"] = Path(data["log_key_file"])
        data["trusted_proxies"] = tuple(data["trusted_proxies"])
        data["witnesses"] = tuple(tuple(pair) for pair in data["witnesses"])
        return cls(**data)

    def with_secret(self) -> Settings:
        """These settings with a session key: the configured one, else the one in
        ``<data_dir>/secret_key``, written (mode 0600) with a random key on the first run.
        Every process on the same data directory thus signs with the same key, and sessions
        survive restarts."""
        if self.secret_key:
            return self
        return self.replace(secret_key=read_or_create_secret(self.data_dir / SECRET_FILE))


def read_or_create_secret(path: Path) -> str:
    """The key in ``path``, created if missing: written whole to a private temporary file
    (mode 0600), then linked into place, which fails if another process got there first; so
    processes starting at once agree on one key and nobody reads a half-written one."""
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key + "\n")
    try:
        os.link(tmp, path)
    except FileExistsError:  # another process won the race: use its key
        key = path.read_text(encoding="ascii").strip()
    finally:
        tmp.unlink()
    return key
