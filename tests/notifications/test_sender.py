"""The outbox sender thread, on SQLite and PostgreSQL: it sends soon after start, stops
promptly, survives failing runs, drains a backlog, and two senders at once never send one
message twice."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from alcabala.clock import FixedClock
from alcabala.config import Settings
from alcabala.db.engine import make_engine, read_session, unit_of_work
from alcabala.db.migrate import upgrade
from alcabala.notifications.models import Notification
from alcabala.notifications.notifiers import LogNotifier, OutgoingMessage
from alcabala.notifications.sender import OutboxSender
from alcabala.notifications.services import enqueue, pending, send_pending

Queue = Callable[..., int]
NOW = dt.datetime(2026, 3, 14, 9, 30, tzinfo=dt.UTC)
PARAMS = {
    "plate": "AB123CD",
    "make": "Toyota",
    "model": "Corolla",
    "vin": "JTDBR32E720123456",
    "number": "CICPC-2026-0042",
    "agency_name": "CICPC",
    "recovered_at": "2026-03-14 09:30 UTC",
}


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll ``condition`` until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout}s")
        time.sleep(0.01)


def test_start_sends_at_once_and_stop_is_prompt(
    engine: Engine, recipients: dict[str, int], queue: Queue
) -> None:
    nid = queue(person_id=recipients["es"])
    notifier = LogNotifier()
    # A long interval: the first run comes at start, and stop must not wait the interval out.
    sender = OutboxSender(engine, Settings(outbox_interval_seconds=60), FixedClock(NOW), notifier)
    sender.start()
    try:
        wait_until(lambda: len(notifier.sent) == 1)
    finally:
        started = time.monotonic()
        sender.stop()
    assert time.monotonic() - started < 2
    assert not sender.running
    with read_session(engine) as s:
        n = s.get(Notification, nid)
        assert n is not None and n.sent_at == NOW


def test_messages_queued_later_go_out_on_a_later_tick(
    engine: Engine, recipients: dict[str, int], queue: Queue
) -> None:
    notifier = LogNotifier()
    settings = Settings(outbox_interval_seconds=0.05)
    with OutboxSender(engine, settings, FixedClock(NOW), notifier) as sender:
        assert sender.running
        sender.start()  # a second start does nothing
        ids = [queue(person_id=recipients["en"]) for _ in range(3)]
        wait_until(lambda: len(notifier.sent) == 3)
    assert [m.notification_id for m in notifier.sent] == ids
    assert not sender.running


def test_a_backlog_drains_without_waiting_for_the_interval(
    engine: Engine, recipients: dict[str, int], queue: Queue
) -> None:
    for _ in range(5):
        queue(person_id=recipients["es"])
    notifier = LogNotifier()
    sender = OutboxSender(
        engine, Settings(outbox_interval_seconds=60), FixedClock(NOW), notifier, batch_size=2
    )
    sender.start()
    try:
        wait_until(lambda: len(notifier.sent) == 5)
    finally:
        sender.stop()


def test_a_failing_run_is_logged_and_the_sender_carries_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # no tables yet: runs fail
    notifier = LogNotifier()
    sender = OutboxSender(engine, Settings(outbox_interval_seconds=0.02), FixedClock(NOW), notifier)
    caplog.set_level(logging.INFO, logger="alcabala.notifications")
    sender.start()
    try:
        wait_until(lambda: sum(r.levelno == logging.ERROR for r in caplog.records) >= 2)
        assert sender.running
        upgrade(engine)  # the database becomes usable: the same thread now sends
        with unit_of_work(engine) as s:
            enqueue(s, "vehicle_recovered", PARAMS, now=NOW)
        wait_until(lambda: len(notifier.sent) == 1)
    finally:
        sender.stop()
        engine.dispose()
    assert "a run failed" in caplog.text


class SlowRecorder(LogNotifier):
    """Records what it sends, slowly enough that two senders' batches overlap."""

    def send(self, message: OutgoingMessage) -> None:
        time.sleep(0.002)
        super().send(message)


def test_two_senders_at_once_never_send_a_message_twice(
    db_url: str, recipients: dict[str, int], queue: Queue
) -> None:
    ids = [queue(person_id=recipients["es"]) for _ in range(120)]
    # Two engines, as two processes would have.
    engines = [make_engine(db_url), make_engine(db_url)]
    notifiers = [SlowRecorder(), SlowRecorder()]
    senders = [
        OutboxSender(e, Settings(), FixedClock(NOW), n, batch_size=10)
        for e, n in zip(engines, notifiers, strict=True)
    ]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def drain(sender: OutboxSender) -> None:
        try:
            barrier.wait()
            while sender.run_once():
                pass
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=drain, args=(s,)) for s in senders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for e in engines:
        e.dispose()
    assert errors == []
    sent = [m.notification_id for n in notifiers for m in n.sent]
    assert sorted(sent) == ids  # every message, each once
    if engines[0].dialect.name == "postgresql":
        # Both took part (SKIP LOCKED); SQLite's one write lock may let one sender win them all.
        assert all(n.sent for n in notifiers)


def test_a_second_sender_skips_what_the_first_is_sending(
    db_url: str, engine: Engine, recipients: dict[str, int], queue: Queue
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serializes writers: the second sender waits instead of skipping")
    first_id, second_id = queue(person_id=recipients["es"]), queue(person_id=recipients["en"])
    inside, release = threading.Event(), threading.Event()

    class Blocking(LogNotifier):
        def send(self, message: OutgoingMessage) -> None:
            super().send(message)
            if message.notification_id == first_id:
                inside.set()
                release.wait(10)

    blocking = Blocking()
    first = threading.Thread(
        target=lambda: OutboxSender(engine, Settings(), FixedClock(NOW), blocking).run_once()
    )
    first.start()
    try:
        assert inside.wait(10)  # the first sender holds both messages, mid-batch
        other = make_engine(db_url)
        try:
            started = time.monotonic()
            with unit_of_work(other) as s:
                assert send_pending(s, LogNotifier(), NOW) == 0  # skips, does not wait
            assert time.monotonic() - started < 5
        finally:
            other.dispose()
    finally:
        release.set()
        first.join(10)
    assert [m.notification_id for m in blocking.sent] == [first_id, second_id]
    with read_session(engine) as s:
        assert pending(s) == []
