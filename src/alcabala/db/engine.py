"""Engines and units of work for SQLite (the default) and PostgreSQL.

SQLite runs in WAL mode with ``synchronous=FULL`` and foreign keys on. Its writes are
serialized: a write unit of work opens with ``BEGIN IMMEDIATE`` so that it holds the one write
lock from its first read, and concurrent writers queue on the busy timeout instead of failing
half-way (the approach Datasette takes); within one process they queue first come, first
served (:mod:`alcabala.db.turns`). PostgreSQL uses ordinary READ COMMITTED transactions;
lost updates are prevented by the ``version`` columns of stateful records.

A SQLite database file is created private (mode 0600) before SQLite opens it, and SQLite
gives its ``-wal`` and ``-shm`` files the same mode: the file holds password hashes, audit
rows and everything else, and must not be readable by other users of the machine.

A PostgreSQL engine's sessions run with ``synchronous_commit = on`` whatever the server's
default, and it notifies the other processes at the commit of every transaction that
writes the change sequence (:mod:`alcabala.db.notify`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from alcabala.db import notify
from alcabala.db.turns import writer_turn
from alcabala.errors import ConflictError, Error, ValidationError

SQLITE_BUSY_TIMEOUT_MS = 10_000
#: Page cache per connection (KiB) and memory-mapped reads: a registry of millions of checks
#: has indexes far beyond SQLite's 2 MiB default cache, and every check inserts into several
#: of them at random places (its UUID, its receipt). Neither setting touches durability.
SQLITE_CACHE_KIB = 64 * 1024
SQLITE_MMAP_BYTES = 1 << 30


def _normalize_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` (``Settings.database_url``; sqlite or postgresql)."""
    url = _normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _create_private(parsed)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        _configure_sqlite(engine)
        return engine
    # Every session commits durably, whatever the server's default: a check is acknowledged
    # only once its commit is on disk (``synchronous_commit = off`` would lose the last
    # acknowledged checks in a crash).
    connect_args = {"options": "-c synchronous_commit=on", **kwargs.pop("connect_args", {})}
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)
    notify.install(engine)
    return engine


def is_sqlite_url(url: str) -> bool:
    """Whether ``url`` (``Settings.database_url``) names a SQLite database."""
    return make_url(_normalize_url(url)).get_backend_name() == "sqlite"


def _create_private(url: URL) -> None:
    """Create the SQLite file of ``url``, empty and mode 0600, if it is missing (an empty
    file is a valid empty database); in-memory and ``file:`` URI databases are left alone."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        fd = os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except (FileExistsError, FileNotFoundError):  # there already, or no such directory
        return
    os.close(fd)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        cursor.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (services return them)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One write transaction: commit on success, roll back everything on any error.

    A concurrent change to the same record surfaces as :class:`ConflictError`, never as a
    partial write.
    """
    sqlite = is_sqlite(engine)
    bind = engine.execution_options(sqlite_begin="IMMEDIATE") if sqlite else engine
    turn = writer_turn(engine, SQLITE_BUSY_TIMEOUT_MS / 1000) if sqlite else nullcontext()
    session = Session(bind=bind, expire_on_commit=False)
    try:
        with turn, session.begin():
            try:
                yield session
            except Error as exc:
                if not exc.keeps_changes:
                    raise
                session.commit()  # what led to the error stands (see Error.keeps_changes)
                raise
    except StaleDataError as exc:
        raise ConflictError(
            "The record was changed by someone else meanwhile; reload it and try again."
        ) from exc
    except OperationalError as exc:
        if "locked" in str(exc.orig) or "busy" in str(exc.orig):
            raise ConflictError("The database is busy with another write; try again.") from exc
        raise
    except DataError as exc:
        # A value the schema let through but the database cannot hold (a last line of
        # defence: schemas should have refused it with a precise field).
        raise ValidationError("A value is out of range or not storable.") from exc
    except IntegrityError as exc:
        # Services check uniqueness first with a precise message; this is the race they lose.
        raise ConflictError(
            "The change conflicts with a record stored meanwhile; reload and try again."
        ) from exc
    finally:
        session.close()


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A read-only session; closing it ends its transaction without expiring what it loaded,
    so objects read stay usable (detached) afterwards."""
    session = Session(bind=engine, expire_on_commit=False)
    try:
        yield session
    except DataError as exc:  # e.g. a NUL byte in a looked-up value, on PostgreSQL
        raise ValidationError("A value is out of range or not storable.") from exc
    finally:
        session.close()
