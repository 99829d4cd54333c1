"""Writers of one SQLite database in one process take turns, first come first served.

Why: SQLite has one write lock, and a writer that finds it taken sleeps in SQLite's busy
handler (1, 2, 5 ... then 100 ms at a time) and retries. A thread that writes one
transaction after another — a bulk import, a busy API — releases the lock and takes it
back within microseconds, so a waiting writer almost never wakes in the gap: the log's
integrator, for one, waited seconds for its turn behind a stream of writes, and the
checkpoint covering a commit came late. Within a process a queue fixes this: every write
unit of work on SQLite waits here for its turn before ``BEGIN IMMEDIATE``, and a writer
coming back joins the end of the queue. Writers in other processes still meet on SQLite's
lock and its busy timeout.

The turn is reentrant: a thread already holding it passes (its nested ``BEGIN`` then
waits on SQLite's busy timeout and fails as it did before, instead of deadlocking here).
PostgreSQL needs none of this: it locks rows, not the database.
"""

from __future__ import annotations

import collections
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from alcabala.errors import ConflictError

__all__ = ["FairLock", "writer_turn"]


class FairLock:
    """A reentrant lock granted in the order it was asked for."""

    def __init__(self) -> None:
        self._changed = threading.Condition(threading.Lock())
        self._queue: collections.deque[object] = collections.deque()
        self._owner: int | None = None
        self._depth = 0

    def acquire(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the lock, behind those who asked before."""
        me = threading.get_ident()
        deadline = time.monotonic() + timeout
        with self._changed:
            if self._owner == me:
                self._depth += 1
                return True
            ticket = object()
            self._queue.append(ticket)
            while self._owner is not None or self._queue[0] is not ticket:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._queue.remove(ticket)
                    self._changed.notify_all()  # the next in line may be first now
                    return False
                self._changed.wait(remaining)
            self._queue.popleft()
            self._owner, self._depth = me, 1
            return True

    def release(self) -> None:
        with self._changed:
            if self._owner != threading.get_ident():
                raise RuntimeError("release of a turn this thread does not hold")
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._changed.notify_all()


_locks: dict[str, FairLock] = {}
_locks_guard = threading.Lock()


def _key(engine: Engine) -> str:
    """One queue per database file, whichever engine opens it (an in-memory database is
    its engine's own)."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return f"engine:{id(engine)}"
    return os.path.realpath(database)


@contextmanager
def writer_turn(engine: Engine, timeout: float) -> Iterator[None]:
    """Hold this process's write turn on ``engine``'s SQLite database for the block, or
    raise :class:`ConflictError` after ``timeout`` seconds (as SQLite's busy timeout would)."""
    with _locks_guard:
        lock = _locks.setdefault(_key(engine), FairLock())
    if not lock.acquire(timeout):
        raise ConflictError("The database is busy with another write; try again.")
    try:
        yield
    finally:
        lock.release()
