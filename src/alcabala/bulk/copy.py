"""Storing bulk rows fast, inside the import's one transaction.

What: a :class:`RowWriter` writes tuples of column values into one table through the
session's own connection, so the rows are part of the same transaction as everything else
the import writes (change-sequence entries, history), and are gone if it rolls back:

* through :func:`alcabala.db.bulk_insert.store_tuples`, the one storing path of the bulk
  writes (the recorder's too): ``COPY`` on PostgreSQL, the driver's ``executemany`` on
  SQLite, unique violations as SQLAlchemy's ``IntegrityError`` on both.

Values are bound as SQLAlchemy would bind them (each column type's bind processor: aware
UTC times become naive UTC...); a codec passes constant columns (the import's time stamp)
already converted with :meth:`RowWriter.db_value`, once per import instead of once per row.

:func:`bulk_load` tunes SQLite for the duration of a large import: a 256 MiB page cache
instead of 2 MiB (random B-tree inserts into four indexes otherwise thrash it), and, when
the import is at least as large as the table, the table's secondary indexes dropped first
and rebuilt from their stored definitions at the end (sorting once is far cheaper than a
million random inserts). Both happen inside the transaction: a failed import rolls the
indexes back with the rows. PostgreSQL keeps its indexes: dropping one would lock every
reader of the table out for the whole import.

:class:`Storer` stores batches in a background thread, in order, so that the importing
process reads, resolves and hands out the next chunks while the database takes the last
one (psycopg waits for the server, and sqlite3 runs its statements, without the GIL). Only
that thread touches the session until :meth:`Storer.close`; the first error it meets is
raised in the importing thread.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import Connection, Table, func, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from alcabala.db.bulk_insert import store_tuples

SQLITE_CACHE_KIB = 256 * 1024
REBUILD_MIN_ROWS = 50_000


def _processor(table: Table, column: str, dialect: Dialect) -> Callable[[Any], Any] | None:
    """The function SQLAlchemy binds ``column``'s values with on ``dialect`` (or None)."""
    type_ = table.c[column].type
    return type_.dialect_impl(dialect).bind_processor(dialect)


class RowWriter:
    """Writes tuples of ``columns`` values into ``table`` in the session's transaction."""

    def __init__(
        self, session: Session, table: Table, columns: Sequence[str], raw: Sequence[str] = ()
    ) -> None:
        self.session, self.table, self.columns = session, table, tuple(columns)
        self.dialect = session.get_bind().dialect
        processors = [
            None if name in raw else _processor(table, name, self.dialect) for name in self.columns
        ]
        self.processors = [(i, p) for i, p in enumerate(processors) if p is not None]

    def db_value(self, column: str, value: Any) -> Any:
        """``value`` as the database is sent it for ``column`` (for constant columns)."""
        processor = _processor(self.table, column, self.dialect)
        return value if processor is None else processor(value)

    def _bound(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        if not self.processors:
            return rows
        out = []
        for row in rows:
            values = list(row)
            for i, processor in self.processors:
                values[i] = processor(values[i])
            out.append(tuple(values))
        return out

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        """Store ``rows`` (tuples in :attr:`columns` order) through
        :func:`alcabala.db.bulk_insert.store_tuples` (COPY / executemany)."""
        if rows:
            store_tuples(self.session.connection(), self.table, self.columns, self._bound(rows))


def _sqlite_indexes(conn: Connection, table: Table) -> list[tuple[str, str]]:
    """``(name, CREATE INDEX ...)`` of the table's droppable indexes (not the automatic
    ones of UNIQUE and PRIMARY KEY constraints, which have no SQL of their own)."""
    rows = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL ORDER BY name",
        (table.name,),
    )
    return [(str(name), str(sql)) for name, sql in rows]


class BulkLoad:
    """What :func:`bulk_load` changed, so that :meth:`finish` can put it back."""

    def __init__(self, conn: Connection, cache: int | None, indexes: list[tuple[str, str]]):
        self.conn, self.cache, self.indexes = conn, cache, indexes

    def rebuild(self) -> None:
        """Create the dropped indexes again (once every row is stored)."""
        for _name, sql in self.indexes:
            self.conn.exec_driver_sql(sql)
        self.indexes = []

    def restore(self) -> None:
        if self.cache is not None:
            self.conn.exec_driver_sql(f"PRAGMA cache_size = {int(self.cache)}")
            self.cache = None


@contextmanager
def bulk_load(
    session: Session, table: Table, rows_hint: int | None, rebuild: bool
) -> Iterator[BulkLoad]:
    """SQLite tuned for a bulk import into ``table`` (see the module's docstring). The caller
    calls ``rebuild()`` when the rows are stored; without it (the import is abandoned and
    will be rolled back) the dropped indexes come back with the rollback."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        yield BulkLoad(conn, None, [])
        return
    cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    indexes: list[tuple[str, str]] = []
    if rebuild and rows_hint is not None and rows_hint >= REBUILD_MIN_ROWS:
        existing = session.scalar(select(func.count()).select_from(table)) or 0
        if rows_hint >= existing:
            indexes = _sqlite_indexes(conn, table)
            quote = conn.dialect.identifier_preparer
            for name, _sql in indexes:
                conn.exec_driver_sql(f"DROP INDEX {quote.quote(name)}")
    load = BulkLoad(conn, int(cache) if cache is not None else None, indexes)
    try:
        yield load
    finally:
        with suppress(Exception):  # a broken connection is discarded anyway
            load.restore()


class Storer:
    """Calls ``store(batch)`` for each :meth:`put` batch, in order, in one background
    thread (or at once, in the caller's thread, if ``background`` is false)."""

    def __init__(self, store: Callable[[list[Any]], None], background: bool = True) -> None:
        self.store, self.stored = store, 0
        self.error: BaseException | None = None
        self._queue: queue.Queue[list[Any] | None] = queue.Queue(maxsize=2)
        self._thread: threading.Thread | None = None
        if background:
            self._thread = threading.Thread(target=self._run, name="bulk-store", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while (batch := self._queue.get()) is not None:
            if self.error is None:
                try:
                    self.store(batch)
                    self.stored += len(batch)
                except BaseException as exc:  # raised again in the importing thread
                    self.error = exc

    def _raise(self) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def put(self, batch: list[Any]) -> None:
        """Store ``batch`` after those before it (blocks while two are waiting)."""
        self._raise()
        if self._thread is None:
            self.store(batch)
            self.stored += len(batch)
        else:
            self._queue.put(batch)

    def close(self) -> None:
        """Wait until every batch is stored; raise the error storing one met, if any."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        self._raise()
