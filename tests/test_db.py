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
