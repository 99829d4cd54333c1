"""Many rows into one table, inside the caller's transaction, as fast as each database allows.

On PostgreSQL rows go through ``COPY ... FROM STDIN`` on the session's own psycopg 3
connection (the same transaction: a later error rolls them back with everything else);
``COPY`` skips the per-statement planning and the round trips of ``executemany`` and is the
documented fastest way to load rows. On SQLite, where the database is in-process and a
prepared ``executemany`` is already the fast path, they go through Core ``executemany``.

Values are converted exactly as an ordinary insert would convert them: every column's
SQLAlchemy bind processor runs first (aware datetimes become naive UTC, JSON becomes text),
so a row reads back the same whichever path wrote it. A unique or foreign-key violation
during ``COPY`` surfaces as SQLAlchemy's :class:`~sqlalchemy.exc.IntegrityError`, as it
does from ``executemany``, so callers handle one error whatever the database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.exc import IntegrityError

Row = Mapping[str, Any]


def insert_rows(conn: Connection, table: Table, rows: Sequence[Row]) -> None:
    """Insert ``rows`` (all with the same keys) into ``table`` within ``conn``'s transaction."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        _copy(conn, table, rows)
    else:
        conn.execute(insert(table), list(rows))


def _copy(conn: Connection, table: Table, rows: Sequence[Row]) -> None:
    import psycopg

    names = list(rows[0].keys())
    columns = [table.c[name] for name in names]
    processors: list[Callable[[Any], Any] | None] = [
        c.type._cached_bind_processor(conn.dialect) for c in columns
    ]
    quoted = ", ".join(conn.dialect.identifier_preparer.quote(name) for name in names)
    statement = f"COPY {conn.dialect.identifier_preparer.format_table(table)} ({quoted}) FROM STDIN"
    raw = conn.connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    [
                        value if process is None or value is None else process(value)
                        for value, process in zip((row[n] for n in names), processors, strict=True)
                    ]
                )
    except psycopg.errors.IntegrityError as exc:
        raise IntegrityError(statement, None, exc) from exc
