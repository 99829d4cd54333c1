"""Private files: the SQLite database (and its WAL and shared-memory files) and the session
key are created mode 0600, whatever the umask; an existing database keeps its mode."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from alcabala.config import Settings
from alcabala.db.engine import make_engine
from alcabala.db.migrate import upgrade


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The loosest umask: whatever is private is so by its own mode."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_a_new_sqlite_database_is_private(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "alcabala.db"
    engine = make_engine(f"sqlite:///{path}")
    assert path.exists() and mode(path) == 0o600  # before SQLite ever opened it
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO changes (entity, entity_id, at) VALUES ('x', 1, '2030-01-01')")
        )
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            assert side.exists() and mode(side) == 0o600, suffix
    engine.dispose()
    assert mode(path) == 0o600


def test_an_existing_database_keeps_its_mode_and_memory_is_untouched(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    path.touch(mode=0o640)
    path.chmod(0o640)
    make_engine(f"sqlite:///{path}").dispose()
    assert mode(path) == 0o640
    make_engine("sqlite://").dispose()
    make_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}").dispose()  # SQLite says so
    assert list(tmp_path.iterdir()) == [path]


def test_the_app_creates_its_database_and_key_private(tmp_path: Path, open_umask: None) -> None:
    from alcabala.api.app import create_app

    data = tmp_path / "data"
    db = tmp_path / "app.db"
    settings = Settings(database_url=f"sqlite:///{db}", data_dir=data)
    app = create_app(settings)
    assert mode(db) == 0o600 and mode(data / "secret_key") == 0o600
    assert app.state.door.settings.secret_key == (data / "secret_key").read_text().strip()
    app.state.door.engine.dispose()
    create_app(settings).state.door.engine.dispose()  # a restart reuses both, unchanged
    assert mode(db) == 0o600 and mode(data / "secret_key") == 0o600
