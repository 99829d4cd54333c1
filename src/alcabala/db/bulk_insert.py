"""Many rows into one table, inside the caller's transaction, as fast as each database allows.

On PostgreSQL rows go through ``COPY ... FROM STDIN`` on the session's own psycopg 3
connection (the same transaction: a later error rolls them back with everything else);
``COPY`` skips the per-statement planning and the round trips of ``executemany`` and is the
documented fastest way to load rows. On SQLite, where the database is in-process, they go
through the driver's own ``executemany`` of one prepared ``INSERT`` on the session's
connection: Core's ``executemany`` spends more time building parameters than SQLite spends
storing them.

Values are converted exactly as an ordinary insert would convert them: every column's
SQLAlchemy bind processor runs first (aware datetimes become naive UTC, JSON becomes text),
so a row reads back the same whichever path wrote it. A batch of checks repeats the same
few times and places, so a repeated value is converted once per call. A unique or
foreign-key violation surfaces as SQLAlchemy's :class:`~sqlalchemy.exc.IntegrityError`, as
it does from Core, so callers handle one error whatever the database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.exc import IntegrityError

Row = Mapping[str, Any]


def insert_rows(conn: Connection, table: Table, rows: Sequence[Row]) -> None:
    """Insert ``rows`` (all with the same keys) into ``table`` within ``conn``'s transaction."""
    if not rows:
        return
    names = list(rows[0].keys())
    if conn.dialect.name not in ("postgresql", "sqlite"):  # any other database SQLAlchemy speaks
        conn.execute(insert(table), list(rows))
        return
    store_tuples(conn, table, names, _converted(conn, table, names, rows))


def store_tuples(
    conn: Connection, table: Table, names: Sequence[str], values: Sequence[tuple[Any, ...]]
) -> None:
    """Store ``values``, tuples of database values (bind processors already applied) in
    ``names`` order, into ``table``: ``COPY`` on PostgreSQL, the driver's ``executemany`` on
    SQLite. For callers that build tuples themselves (the bulk import's ``RowWriter``)."""
    if not values:
        return
    preparer = conn.dialect.identifier_preparer
    quoted = ", ".join(preparer.quote(name) for name in names)
    target = preparer.format_table(table)
    if conn.dialect.name == "postgresql":
        _copy(conn, f"COPY {target} ({quoted}) FROM STDIN", values)
        return
    marks = ", ".join("?" for _ in names)
    statement = f"INSERT INTO {target} ({quoted}) VALUES ({marks})"
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(statement, values)
    except sqlite3.IntegrityError as exc:
        raise IntegrityError(statement, None, exc) from exc
    finally:
        cursor.close()


def bound(conn: Connection, table: Table, name: str, value: Any) -> Any:
    """``value`` as the database stores it in ``table.name`` (its bind processor applied),
    for callers that build tuples for :func:`store_tuples` and convert one shared value."""
    process = table.c[name].type._cached_bind_processor(conn.dialect)
    return value if process is None or value is None else process(value)


def _converted(
    conn: Connection, table: Table, names: list[str], rows: Sequence[Row]
) -> list[tuple[Any, ...]]:
    """Each row as the tuple of its database values (bind processors applied)."""
    processors: list[Callable[[Any], Any] | None] = [
        table.c[name].type._cached_bind_processor(conn.dialect) for name in names
    ]
    memo: dict[tuple[int, Any], Any] = {}  # (column, value) -> converted, for hashable values

    def convert(i: int, value: Any) -> Any:
        process = processors[i]
        if process is None or value is None:
            return value
        if isinstance(value, dict | list):
            return process(value)
        key = (i, value)
        found = memo.get(key, memo)
        if found is memo:
            found = memo[key] = process(value)
        return found

    indexes = range(len(names))
    return [tuple(convert(i, row[names[i]]) for i in indexes) for row in rows]


def _copy(conn: Connection, statement: str, values: Sequence[tuple[Any, ...]]) -> None:
    import psycopg

    raw = conn.connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in values:
                copy.write_row(row)
    except psycopg.errors.IntegrityError as exc:
        raise IntegrityError(statement, None, exc) from exc
