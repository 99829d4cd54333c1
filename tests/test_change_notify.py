"""The change sequence's notifications on PostgreSQL, in one test process.

A transaction that writes ``changes`` rows (ORM or Core) notifies ``alcabala_changes`` at
its commit, once, and not at all if rolled back; :class:`ChangeListener` wakes on it, and
reconnects when its connection is killed; a running app's hotlist follows a change written
through another engine at once, long before its polling interval. On SQLite there is no
listener and polling alone refreshes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, text

from alcabala.checks import runtime as runtime_module
from alcabala.config import Settings
from alcabala.context import SYSTEM, Door
from alcabala.db import notify
from alcabala.db.engine import make_engine
from alcabala.db.history import Change

ON_POSTGRES = pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


@pytest.fixture
def listening(engine: Engine) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit psycopg connection listening on the channel, as another process would."""
    conn = psycopg.connect(notify.conninfo(engine.url), autocommit=True)
    conn.execute(f"LISTEN {notify.CHANNEL}")
    yield conn
    conn.close()


def received(conn: psycopg.Connection[Any], wait: float = 0.5) -> int:
    return sum(1 for _ in conn.notifies(timeout=wait))


def write_changes(door: Door, count: int, fail: bool = False) -> None:
    with door.write(SYSTEM) as ctx:
        for i in range(count):
            ctx.session.add(Change(entity="vehicle", entity_id=i + 1, at=ctx.now()))
            ctx.session.flush()  # several flushes: still one notification
        if fail:
            raise RuntimeError("rolled back")


@ON_POSTGRES
def test_a_committed_change_notifies_once_and_a_rolled_back_one_never(
    door: Door, listening: psycopg.Connection[Any]
) -> None:
    write_changes(door, 3)
    assert received(listening) == 1
    with pytest.raises(RuntimeError):
        write_changes(door, 2, fail=True)
    assert received(listening) == 0
    with door.write(SYSTEM) as ctx:  # a write that changes nothing on the hotlist is quiet
        ctx.session.execute(text("SELECT 1"))
    assert received(listening) == 0


@ON_POSTGRES
def test_core_inserts_and_savepoints_notify(
    engine: Engine, listening: psycopg.Connection[Any]
) -> None:
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    rows = [{"entity": "vehicle", "entity_id": i, "at": now} for i in range(5)]
    with engine.begin() as conn:  # Core executemany
        conn.execute(insert(Change), rows)
    assert received(listening) == 1
    with engine.begin() as conn:  # a rolled-back savepoint drops its notification...
        savepoint = conn.begin_nested()
        conn.execute(insert(Change), rows[:1])
        savepoint.rollback()
        conn.execute(insert(Change), rows[1:2])  # ...so this one sends again
    assert received(listening) == 1
    with engine.begin() as conn:  # explicit, for writers behind SQLAlchemy's back
        notify.announce(conn)
        notify.announce(conn)
    assert received(listening) == 1


@ON_POSTGRES
def test_the_listener_wakes_and_survives_a_lost_connection(door: Door) -> None:
    woken = threading.Event()
    listener = notify.ChangeListener(door.engine.url, woken.set)
    listener.start()
    try:
        assert listener.listening.wait(10)
        assert woken.wait(5)  # the first wake, for what may have changed before
        woken.clear()
        write_changes(door, 1)
        assert woken.wait(2)
        woken.clear()
        with door.engine.connect() as conn:  # the database drops the listener's connection
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE query = :q AND pid <> pg_backend_pid()"
                ),
                {"q": f"LISTEN {notify.CHANNEL}"},
            )
        deadline = time.monotonic() + 15
        while listener.listening.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert listener.listening.wait(15), "the listener did not reconnect"
        woken.clear()
        write_changes(door, 1)
        assert woken.wait(2)
    finally:
        listener.stop()
    assert not listener.listening.is_set()


def app_seq_within(client: TestClient, target: int, seconds: float) -> float | None:
    start = time.monotonic()
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    while time.monotonic() - start < seconds:
        if runtime.hotlist.seq >= target:
            return time.monotonic() - start
        time.sleep(0.01)
    return None


def newest_seq(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT max(seq) FROM changes")).scalar_one())


@pytest.mark.parametrize("notified", [True, False])
def test_a_running_app_follows_another_process_at_once(
    db_url: str,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    notified: bool,
) -> None:
    """Polling made slow (30 s): only a notification can bring the change in time."""
    from alcabala.api.app import create_app

    monkeypatch.setattr(runtime_module, "REFRESH_SECONDS", 30.0)
    other = Door(make_engine(db_url), settings)  # "another process": its own engine
    app = create_app(settings.replace(change_notify=notified))
    try:
        with TestClient(app) as client:
            runtime = app.state.runtime
            listener = runtime._listener
            postgres = other.engine.dialect.name == "postgresql"
            assert (listener is not None) == (postgres and notified)
            if listener is not None:
                assert listener.listening.wait(10)
            write_changes(other, 1)
            took = app_seq_within(client, newest_seq(other.engine), 1.5)
            if listener is not None:
                assert took is not None and took < 1.0, took
            else:
                assert took is None  # nothing but the (slowed) polling would bring it
    finally:
        other.engine.dispose()


@ON_POSTGRES
def test_a_burst_of_notifications_gives_few_refreshes(
    db_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alcabala.api.app import create_app

    monkeypatch.setattr(runtime_module, "REFRESH_SECONDS", 30.0)
    other = Door(make_engine(db_url), settings)
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            runtime = app.state.runtime
            assert runtime._listener.listening.wait(10)
            time.sleep(0.3)  # the first wake's refresh is done
            refreshes = []
            refresh = runtime.hotlist.refresh

            def counted() -> int:
                refreshes.append(time.monotonic())
                return int(refresh())

            runtime.hotlist.refresh = counted
            burst = 50
            for _ in range(burst):  # 50 transactions, 50 notifications
                write_changes(other, 1)
            assert app_seq_within(client, newest_seq(other.engine), 2.0) is not None
            time.sleep(0.3)
            assert 1 <= len(refreshes) <= burst // 2, len(refreshes)
    finally:
        other.engine.dispose()
