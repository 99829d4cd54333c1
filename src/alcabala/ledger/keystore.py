"""The log's keys on disk: the private signer key file, and the old verifier keys beside it.

What: the log signs its checkpoints with one Ed25519 key, kept as Go's x/mod signer string
(``PRIVATE+KEY+<origin>+<keyid>+<base64>``, :mod:`alcabala.ledger.keys`) in one file,
``Settings.log_key_file`` (default ``<data_dir>/log_key``), mode 0600. Replacing it
(``alcabala keys generate --force``) appends the replaced key's verifier key to
``<file>.old``, one vkey a line, so checkpoints signed before the rotation still verify:
:func:`verifier_keys` is the current key and every old one. A witness's key file has the
same format and the same rules (:func:`read_signer`, :func:`write_signer`).

Why this way: the key file is written as ``read_or_create_secret`` in
:mod:`alcabala.config` writes the session key — whole, to a private temporary file (0600
from its creation, never briefly readable), fsynced, then linked into place, which fails
if a key is already there — so two commands racing cannot both win, and nobody reads half
a key. A file readable by group or others is refused rather than used: a leaked log key
lets anyone forge checkpoints. Every refusal is a :class:`KeyFileError`, one line naming
the file, which the CLI prints without a traceback. Unlike the rest of the ledger this
module does file I/O; it reads ``Settings`` but nothing else of alcabala.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from alcabala.config import Settings
from alcabala.ledger.errors import KeyFormatError
from alcabala.ledger.keys import ED25519, Signer, Verifier

__all__ = [
    "KeyFileError",
    "key_path",
    "load_signer",
    "old_keys_path",
    "old_verifier_keys",
    "read_signer",
    "verifier_keys",
    "write_signer",
]

KEY_FILE = "log_key"


class KeyFileError(KeyFormatError):
    """A key file that is missing, unreadable, too open, malformed, or in the way."""

    code = "key_file"


def key_path(settings: Settings) -> Path:
    """Where the log's signer key lives: ``Settings.log_key_file``, else ``<data_dir>/log_key``."""
    return settings.log_key_file or settings.data_dir / KEY_FILE


def old_keys_path(path: Path) -> Path:
    """The list of verifier keys that ``path`` held before (``<path>.old``)."""
    return path.with_name(path.name + ".old")


def read_signer(path: Path) -> Signer:
    """The signer key in ``path``: a regular file, not readable by group or others."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise KeyFileError(f"{path} is not a regular file", field="key")
        if info.st_mode & 0o077:
            mode = stat.S_IMODE(info.st_mode)
            raise KeyFileError(
                f"{path} has mode {mode:04o}: a private key must be 0600 (chmod 600 {path})",
                field="key",
            )
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise KeyFileError(
            f"no key at {path}: create one with `alcabala keys generate`", field="key"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"cannot read {path}: {_reason(exc)}", field="key") from None
    try:
        return Signer.parse(text)
    except KeyFormatError as exc:
        raise KeyFileError(f"{path} is not a signer key: {exc.message}", field="key") from None


def write_signer(
    path: Path, signer: Signer, *, force: bool = False, sig_type: int = ED25519
) -> str:
    """Write ``signer`` to ``path`` (0600) and return its verifier key of ``sig_type``.

    An existing key is refused unless ``force``; then its verifier key (of the same type,
    and only if it has the same name: another name is another log) is appended to
    :func:`old_keys_path` *before* the new key replaces it, so a crash in between leaves
    the old key current and listed, never lost.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _install(path, signer, force=force, sig_type=sig_type)
        _fsync_dir(path.parent)
    except OSError as exc:
        raise KeyFileError(f"cannot write {path}: {_reason(exc)}", field="key") from None
    return signer.verifier_key(sig_type)


def _install(path: Path, signer: Signer, *, force: bool, sig_type: int) -> None:
    tmp = _private_file(path, signer.key_string() + "\n")
    try:
        os.link(tmp, path)
    except FileExistsError:
        if not force:
            raise KeyFileError(
                f"a key already exists at {path}: --force replaces it "
                "(its verifier key stays valid for what it signed)",
                field="key",
            ) from None
        old = read_signer(path)
        if old.name != signer.name:
            raise KeyFileError(
                f"{path} holds the key of {old.name!r}, not {signer.name!r}: another "
                "origin is another log; move the file aside instead",
                field="key",
            ) from None
        _keep_old(old_keys_path(path), old.verifier_key(sig_type))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def old_verifier_keys(path: Path) -> list[str]:
    """The verifier keys listed in ``<path>.old``, oldest first (none if there is no list)."""
    listing = old_keys_path(path)
    try:
        lines = listing.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"cannot read {listing}: {_reason(exc)}", field="key") from None
    keys = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            keys.append(Verifier.parse(line.strip()).key_string())
        except KeyFormatError as exc:
            raise KeyFileError(f"{listing}, line {number}: {exc.message}", field="key") from None
    return keys


def load_signer(settings: Settings) -> Signer:
    """The log's signer key, which must be named ``settings.log_origin`` (its identity)."""
    path = key_path(settings)
    signer = read_signer(path)
    if signer.name != settings.log_origin:
        raise KeyFileError(
            f"{path} is the key of {signer.name!r}, but ALCABALA_LOG_ORIGIN is "
            f"{settings.log_origin!r}",
            field="key",
        )
    return signer


def verifier_keys(settings: Settings) -> list[str]:
    """The log's verifier keys: the current one first, then the old ones, newest first.

    Checkpoints of any age verify against this list (rotation keeps old keys valid).
    """
    current = load_signer(settings).verifier_key()
    keys = [current]
    for vkey in reversed(old_verifier_keys(key_path(settings))):
        if vkey not in keys:
            keys.append(vkey)
    return keys


def _keep_old(listing: Path, vkey: str) -> None:
    """Rewrite ``listing`` with ``vkey`` appended, atomically and durably."""
    try:
        before = listing.read_text(encoding="utf-8")
    except FileNotFoundError:
        before = ""
    if vkey in before.splitlines():
        return
    if before and not before.endswith("\n"):
        before += "\n"
    tmp = _private_file(listing, before + vkey + "\n")
    try:
        os.replace(tmp, listing)
    finally:
        tmp.unlink(missing_ok=True)


def _private_file(path: Path, text: str) -> Path:
    """A new temporary file beside ``path``, mode 0600 from birth, holding ``text``, fsynced."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), 0o600)
            out.write(text.encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _reason(exc: Exception) -> str:
    return exc.strerror or str(exc) if isinstance(exc, OSError) else str(exc)
