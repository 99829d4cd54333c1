"""Waking every process when the change sequence grows: PostgreSQL ``LISTEN/NOTIFY``.

Each API process keeps its own in-memory hotlist and follows the ``changes`` table
(:class:`~alcabala.checks.hotlist.HotlistLoader`). Polling that table every second bounds
how stale another process can be; a notification makes it almost immediate.

Sending: :func:`install` hooks every PostgreSQL engine made by
:func:`~alcabala.db.engine.make_engine`. The first statement of a transaction that writes
``changes`` rows (an ORM flush, a Core ``insert``, an ``executemany``, a ``COPY changes``
issued through SQLAlchemy) is followed by ``SELECT pg_notify('alcabala_changes', '')`` on
the same connection, once per transaction. ``NOTIFY`` is transactional: PostgreSQL delivers
it at commit, after the rows are visible, and drops it on rollback. Code that writes
``changes`` behind SQLAlchemy's back (``COPY`` on the raw psycopg connection) calls
:func:`announce` itself; if it forgets, the other processes still catch up by polling.

Receiving: :class:`ChangeListener` is one thread with its own autocommit psycopg connection
that ``LISTEN``\\s and calls ``wake`` on every notification (and after every reconnection,
for whatever was missed while it was down). Errors never stop it: it reconnects with a
doubling back-off.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import URL, make_url

log = logging.getLogger("alcabala.notify")

CHANNEL = "alcabala_changes"
NOTIFY_SQL = f"SELECT pg_notify('{CHANNEL}', '')"
_SENT = "alcabala_changes_notified"  # Connection.info flag: this transaction has notified
_WRITES_CHANGES = re.compile(r'\s*(?:INSERT\s+INTO|COPY)\s+(?:\w+\.)?"?changes"?[\s(]', re.I)
#: How long one wait for notifications lasts: the most a stop request waits.
WAIT_SECONDS = 0.5
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 30.0


# -- sending ------------------------------------------------------------------------------------
def install(engine: Engine) -> None:
    """Make every transaction on ``engine`` that writes ``changes`` rows notify at commit."""
    event.listen(engine, "after_cursor_execute", _after_cursor_execute)
    for name in ("commit", "rollback"):
        event.listen(engine, name, _forget)
    event.listen(engine, "rollback_savepoint", _forget_savepoint)
    event.listen(engine.pool, "reset", _forget_pooled)


def announce(connection: Connection) -> None:
    """Notify at commit of ``connection``'s transaction that ``changes`` rows were written
    (for writers that bypass SQLAlchemy's execution, e.g. ``COPY`` through psycopg)."""
    if connection.dialect.name == "postgresql" and not connection.info.get(_SENT):
        connection.exec_driver_sql(NOTIFY_SQL)
        connection.info[_SENT] = True


def _after_cursor_execute(
    conn: Connection,
    cursor: Any,
    statement: str,
    parameters: Any,
    context: Any,
    executemany: bool,
) -> None:
    if conn.info.get(_SENT) or not _WRITES_CHANGES.match(statement):
        return
    # A cursor of its own on the same DBAPI connection: the same transaction, and the
    # INSERT's cursor (whose RETURNING rows the ORM still reads) is left untouched.
    cursor.connection.execute(NOTIFY_SQL).close()
    conn.info[_SENT] = True


def _forget(conn: Connection) -> None:
    conn.info.pop(_SENT, None)


def _forget_savepoint(conn: Connection, name: str, context: Any) -> None:
    # PostgreSQL drops a rolled-back savepoint's notification: send again if needed (a
    # duplicate in one transaction is folded into one by PostgreSQL).
    conn.info.pop(_SENT, None)


def _forget_pooled(dbapi_connection: Any, record: Any, reset_state: Any) -> None:
    record.info.pop(_SENT, None)


# -- receiving ----------------------------------------------------------------------------------
def conninfo(url: str | URL) -> str:
    """A libpq connection string for the SQLAlchemy ``url`` (``postgresql+psycopg://...``)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class ChangeListener:
    """A daemon thread listening on :data:`CHANNEL`; calls ``wake`` from that thread."""

    def __init__(self, url: str | URL, wake: Callable[[], None]) -> None:
        self.conninfo = conninfo(url)
        self.wake = wake
        #: Set while the connection is listening (tests and monitoring wait on it).
        self.listening = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="alcabala-listen", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening: returns within :data:`WAIT_SECONDS` (plus a connection attempt)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        delay = BACKOFF_FIRST
        while not self._stop.is_set():
            try:
                self._listen()
                delay = BACKOFF_FIRST
            except Exception as exc:  # any failure: the database is down, or the network
                self.listening.clear()
                log.warning("change listener: %s; reconnecting in %.1f s", exc, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, BACKOFF_MAX)
        self.listening.clear()

    def _listen(self) -> None:
        import psycopg

        with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self.listening.set()
            self.wake()  # whatever changed while nobody listened
            while not self._stop.is_set():
                for _ in conn.notifies(timeout=WAIT_SECONDS):
                    self.wake()
