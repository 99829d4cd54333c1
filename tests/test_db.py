"""The schema and migrations: one Alembic history that runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect, text

from alcabala.db.migrate import current_revision
from alcabala.db.models import Base


def test_migrations_create_every_table(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert current_revision(engine) is not None


def test_sqlite_runs_in_wal_with_full_sync(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite-only pragmas")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        # A big page cache and memory-mapped reads, for registries far beyond 2 MiB.
        assert conn.execute(text("PRAGMA cache_size")).scalar() == -64 * 1024
        assert conn.execute(text("PRAGMA mmap_size")).scalar() == 1 << 30


def test_postgresql_commits_durably(engine: Engine) -> None:
    """Nothing is acknowledged before it is durable, even on a database whose default is
    ``synchronous_commit = off``: every session of ours asks for ``on``."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL-only setting")
    import uuid

    from sqlalchemy import create_engine

    from alcabala.db.engine import make_engine

    name = f"alcabala_durable_{uuid.uuid4().hex[:8]}"
    admin = create_engine(engine.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    url = engine.url.set(database=name)
    ours, plain = make_engine(url.render_as_string(hide_password=False)), create_engine(url)
    try:
        with plain.connect() as conn:  # the database's default really is "off" ...
            assert conn.execute(text("SHOW synchronous_commit")).scalar() == "off"
        with ours.connect() as conn:  # ... and our sessions override it
            assert conn.execute(text("SHOW synchronous_commit")).scalar() == "on"
            assert conn.execute(text("SHOW fsync")).scalar() == "on"
    finally:
        ours.dispose()
        plain.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
