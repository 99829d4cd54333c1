"""One Settings from the environment, and the session key kept in the data directory."""

from __future__ import annotations

import multiprocessing
import os
import stat
from pathlib import Path

import pytest

from alcabala.accounts.deps import TokenCache
from alcabala.config import Settings, read_or_create_secret
from alcabala.context import Actor
from alcabala.errors import ValidationError


def test_settings_come_from_the_given_environment_only(tmp_path: Path) -> None:
    env = {
        "ALCABALA_DATABASE_URL": "sqlite:///x.db",
        "ALCABALA_DATA_DIR": str(tmp_path),
        "ALCABALA_FIRST_VALIDATION_DAYS": "30",
        "ALCABALA_SECURE_COOKIES": "yes",
        "ALCABALA_NOTIFIER": "smtp",
        "ALCABALA_SMTP_PORT": "2525",
        "ALCABALA_READ_DATABASE_URL": "postgresql://ro@replica/x",
    }
    s = Settings.from_env(env)
    assert s.read_database_url == "postgresql://ro@replica/x"
    assert (s.database_url, s.data_dir, s.first_validation_days) == ("sqlite:///x.db", tmp_path, 30)
    assert s.secure_cookies and s.notifier == "smtp" and s.smtp_port == 2525
    assert Settings.from_env({}) == Settings()


@pytest.mark.parametrize(
    ("env", "field"),
    [
        ({"ALCABALA_REVALIDATION_DAYS": "a year"}, "ALCABALA_REVALIDATION_DAYS"),
        ({"ALCABALA_NOTIFIER": "pigeon"}, "ALCABALA_NOTIFIER"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError) as err:
        Settings.from_env(env)
    assert err.value.field == field


def test_the_session_key_is_created_once_private_and_reused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = settings.with_secret()
    path = tmp_path / "data" / "secret_key"
    assert len(first.secret_key) >= 48
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert settings.with_secret().secret_key == first.secret_key  # survives a restart
    given = Settings(data_dir=tmp_path / "other", secret_key="configured")
    assert given.with_secret().secret_key == "configured"
    assert not (tmp_path / "other").exists()


def _key(path: str, out: multiprocessing.Queue[str]) -> None:
    out.put(read_or_create_secret(Path(path)))


def test_processes_starting_at_once_agree_on_one_key(tmp_path: Path) -> None:
    path = str(tmp_path / "secret_key")
    out: multiprocessing.Queue[str] = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_key, args=(path, out)) for _ in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=30)
    keys = {out.get(timeout=5) for _ in workers}
    assert len(keys) == 1
    assert os.listdir(tmp_path) == ["secret_key"]  # no temporary file left behind


def test_token_cache_expires_and_clears(monkeypatch: pytest.MonkeyPatch) -> None:
    import alcabala.accounts.deps as deps

    now = [1000.0]
    monkeypatch.setattr(deps.time, "monotonic", lambda: now[0])
    cache = TokenCache()
    actor = Actor(1, "ana", "officer", None)
    cache.put("t", actor)
    assert cache.get("t") == actor
    now[0] += deps.TOKEN_CACHE_SECONDS + 1
    assert cache.get("t") is None
    cache.put("t", actor)
    cache.clear()
    assert cache.get("t") is None


def test_settings_hand_down_to_workers_exactly(tmp_path: Path) -> None:
    """``serve --workers`` hands its resolved settings to its workers: the round trip is
    exact, paths and tuples included, and a worker without them refuses to start."""
    import json
    import os

    from alcabala.config import INHERITED_ENV

    original = Settings(
        database_url="postgresql+psycopg://x@db/y",
        data_dir=tmp_path,
        trusted_proxies=("10.0.0.1", "10.0.0.2"),
        log_key_file=tmp_path / "k",
        workers=3,
        secure_cookies=True,
    )
    assert Settings.from_json(original.to_json()) == original
    assert json.loads(original.to_json())["workers"] == 3
    saved = os.environ.pop(INHERITED_ENV, None)
    try:
        with pytest.raises(Exception, match=INHERITED_ENV):
            Settings.inherited()
        os.environ[INHERITED_ENV] = original.to_json()
        assert Settings.inherited() == original
    finally:
        os.environ.pop(INHERITED_ENV, None)
        if saved is not None:
            os.environ[INHERITED_ENV] = saved
