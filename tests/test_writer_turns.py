"""SQLite writers of one process take turns first come, first served (alcabala.db.turns):
a thread writing transaction after transaction cannot starve another writer."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from alcabala.db.engine import make_engine, unit_of_work
from alcabala.db.turns import FairLock
from alcabala.errors import ConflictError


def test_the_lock_is_granted_in_the_order_asked() -> None:
    lock = FairLock()
    assert lock.acquire(1)
    order: list[int] = []
    asked = []

    def waiter(n: int) -> None:
        asked[n].set()
        assert lock.acquire(5)
        order.append(n)
        lock.release()

    threads = []
    for n in range(5):
        asked.append(threading.Event())
        threads.append(threading.Thread(target=waiter, args=(n,)))
        threads[-1].start()
        asked[n].wait()
        time.sleep(0.02)  # in the queue before the next one asks
    lock.release()
    for thread in threads:
        thread.join()
    assert order == [0, 1, 2, 3, 4]


def _in_another_thread(fn: object) -> list[object]:
    """What ``fn()`` returned or raised, run in a thread of its own."""
    out: list[object] = []

    def run() -> None:
        try:
            out.append(fn())  # type: ignore[operator]
        except Exception as exc:
            out.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return out


def test_the_lock_is_reentrant_and_only_its_holder_releases_it() -> None:
    lock = FairLock()
    assert lock.acquire(1) and lock.acquire(1)
    lock.release()
    assert _in_another_thread(lambda: lock.acquire(0.05)) == [False]  # still held once
    [refused] = _in_another_thread(lock.release)
    assert isinstance(refused, RuntimeError) and "does not hold" in str(refused)
    lock.release()
    assert _in_another_thread(lambda: lock.acquire(0.05)) == [True]  # free; timed-out waiters left


def test_a_stream_of_writes_does_not_starve_another_writer(tmp_path: Path) -> None:
    """While one thread commits write after write (each holding the lock 10 ms), another
    thread's write gets in after at most the one in progress: before the queue it slept in
    SQLite's busy handler and woke, nearly always, to find the lock taken again."""
    engine = make_engine(f"sqlite:///{tmp_path / 'turns.db'}")
    with unit_of_work(engine) as session:
        session.execute(text("CREATE TABLE t (who TEXT)"))
    stop = threading.Event()
    streamed = [0]

    def stream() -> None:
        while not stop.is_set():
            with unit_of_work(engine) as session:
                session.execute(text("INSERT INTO t VALUES ('stream')"))
                time.sleep(0.01)
            streamed[0] += 1

    thread = threading.Thread(target=stream)
    thread.start()
    try:
        passed = []
        for _ in range(10):
            time.sleep(0.005)
            before = streamed[0]
            with unit_of_work(engine) as session:
                session.execute(text("INSERT INTO t VALUES ('other')"))
            passed.append(streamed[0] - before)
    finally:
        stop.set()
        thread.join()
    assert max(passed) <= 1, passed
    engine.dispose()


def test_a_turn_not_had_in_time_is_a_conflict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alcabala.db import engine as module

    monkeypatch.setattr(module, "SQLITE_BUSY_TIMEOUT_MS", 50)
    engine = make_engine(f"sqlite:///{tmp_path / 'busy.db'}")
    refused: list[Exception] = []
    with unit_of_work(engine):

        def other() -> None:
            try:
                with unit_of_work(engine):
                    pass
            except ConflictError as exc:
                refused.append(exc)

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
    assert refused and "busy" in str(refused[0])
    engine.dispose()
