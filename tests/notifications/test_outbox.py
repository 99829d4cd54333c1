"""The outbox on SQLite and PostgreSQL: enqueue in the caller's transaction, render in the
recipient's language at send time, send once, and bound the retries of a failing message.

Also checks that migration 0003 and the models agree, since every test database is built
by ``alembic upgrade``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, func, insert, select

from alcabala.accounts.models import Agency
from alcabala.config import Settings
from alcabala.db.base import table_of
from alcabala.db.engine import read_session, unit_of_work
from alcabala.db.models import Base
from alcabala.notifications.messages import MessageError
from alcabala.notifications.models import Notification
from alcabala.notifications.notifiers import LogNotifier, OutgoingMessage, SmtpNotifier
from alcabala.notifications.services import (
    MAX_ATTEMPTS,
    abandoned,
    enqueue,
    pending,
    send_pending,
)
from alcabala.persons.models import Person

Queue = Callable[..., int]


def count(engine: Engine) -> int:
    with read_session(engine) as s:
        return s.scalar(select(func.count()).select_from(Notification)) or 0


def load(engine: Engine, notification_id: int) -> Notification:
    with read_session(engine) as s:
        n = s.get(Notification, notification_id)
        assert n is not None
        return n


class Boom(Exception):
    pass


def test_enqueue_in_a_rolled_back_transaction_leaves_nothing(
    engine: Engine, recipients: dict[str, int], params: dict[str, str], now: dt.datetime
) -> None:
    with pytest.raises(Boom), unit_of_work(engine) as s:
        enqueue(s, "vehicle_recovered", params, person_id=recipients["es"], now=now)
        s.flush()
        raise Boom
    assert count(engine) == 0
    with unit_of_work(engine) as s:
        assert send_pending(s, LogNotifier(), now) == 0


def test_enqueue_stores_kind_params_and_the_spanish_text(
    engine: Engine, recipients: dict[str, int], queue: Queue, params: dict[str, str]
) -> None:
    n = load(engine, queue(person_id=recipients["en"]))
    assert (n.kind, n.params, n.person_id, n.agency_id) == (
        "vehicle_recovered",
        params,
        recipients["en"],
        None,
    )
    # Even for an English speaker: the stored columns are the Spanish rendering.
    assert n.subject == "Su vehículo AB123CD (Toyota Corolla) fue recuperado"
    assert n.body.startswith("Denuncia CICPC-2026-0042")
    assert n.created_at == dt.datetime(2026, 3, 14, 9, 30, tzinfo=dt.UTC)
    assert (n.sent_at, n.attempts, n.last_error) == (None, 0, "")


def test_an_unknown_kind_fails_at_enqueue_time(
    engine: Engine, recipients: dict[str, int], params: dict[str, str], now: dt.datetime
) -> None:
    unknown = pytest.raises(MessageError, match="Unknown notification kind 'car_found'")
    with unknown, unit_of_work(engine) as s:
        enqueue(s, "car_found", params, person_id=recipients["es"], now=now)
    partial = {k: v for k, v in params.items() if k != "vin"}
    with pytest.raises(MessageError, match="needs params: vin"), unit_of_work(engine) as s:
        enqueue(s, "vehicle_recovered", partial, person_id=recipients["es"], now=now)
    assert count(engine) == 0


def test_spanish_by_default_english_for_en_rendered_at_send_time(
    engine: Engine, recipients: dict[str, int], queue: Queue, now: dt.datetime
) -> None:
    ids = {name: queue(person_id=recipients[name]) for name in ("es", "default", "en")}
    ids["agency"] = queue(agency_id=recipients["agency"])
    changed = queue(person_id=recipients["es"], plate="XY987ZW")
    with unit_of_work(engine) as s:  # she asks for English after the message was queued
        person = s.get(Person, recipients["es"])
        assert person is not None
        person.language = "en-GB"
    notifier = LogNotifier()
    with unit_of_work(engine) as s:
        assert send_pending(s, notifier, now) == 5
    by_id = {m.notification_id: m for m in notifier.sent}
    assert by_id[ids["es"]].language == "en"  # language as of sending, not of queueing
    assert by_id[changed].subject == "Your vehicle XY987ZW (Toyota Corolla) was recovered"
    assert by_id[ids["default"]].language == "es"
    assert by_id[ids["default"]].subject.startswith("Su vehículo AB123CD")
    assert by_id[ids["en"]].subject == "Your vehicle AB123CD (Toyota Corolla) was recovered"
    agency_message = by_id[ids["agency"]]
    assert (agency_message.language, agency_message.to_address) == ("en", "flota@cicpc.example")
    assert agency_message.recipient == f"agency {recipients['agency']}"


def test_the_log_notifier_sends_each_message_once(
    engine: Engine, recipients: dict[str, int], queue: Queue, now: dt.datetime
) -> None:
    first, second = queue(person_id=recipients["es"]), queue(person_id=recipients["noemail"])
    notifier = LogNotifier()
    with unit_of_work(engine) as s:
        assert send_pending(s, notifier, now) == 2
    with unit_of_work(engine) as s:
        assert send_pending(s, notifier, now) == 0
    assert [m.notification_id for m in notifier.sent] == [first, second]
    assert notifier.sent[1].to_address is None  # the log needs no address
    for nid in (first, second):
        n = load(engine, nid)
        assert (n.sent_at, n.attempts, n.last_error) == (now, 1, "")
    with read_session(engine) as s:
        assert pending(s) == []


def test_the_limit_bounds_a_batch(
    engine: Engine, recipients: dict[str, int], queue: Queue, now: dt.datetime
) -> None:
    for _ in range(5):
        queue(person_id=recipients["es"])
    with unit_of_work(engine) as s:
        assert send_pending(s, LogNotifier(), now, limit=3) == 3
    with unit_of_work(engine) as s:
        assert send_pending(s, LogNotifier(), now, limit=3) == 2


def test_no_email_address_stays_unsent_and_stops_after_max_attempts(
    engine: Engine,
    recipients: dict[str, int],
    queue: Queue,
    now: dt.datetime,
    unreachable_smtp: Settings,
) -> None:
    # Nothing listens on the SMTP port: the message fails on its address before connecting.
    notifier = SmtpNotifier(unreachable_smtp)
    stuck = queue(person_id=recipients["noemail"])
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with unit_of_work(engine) as s:
            assert send_pending(s, notifier, now) == 0
        n = load(engine, stuck)
        assert (n.sent_at, n.attempts, n.last_error) == (None, attempt, "no e-mail address")
    with read_session(engine) as s:
        assert pending(s) == []
        assert [n.id for n in abandoned(s)] == [stuck]
    # A message after it is not blocked by it.
    later = queue(person_id=recipients["es"])
    log = LogNotifier()
    with unit_of_work(engine) as s:
        assert send_pending(s, log, now) == 1
    assert [m.notification_id for m in log.sent] == [later]
    assert load(engine, stuck).attempts == MAX_ATTEMPTS


def test_one_failing_message_does_not_stop_the_others(
    engine: Engine, recipients: dict[str, int], queue: Queue, now: dt.datetime
) -> None:
    class Picky(LogNotifier):
        def send(self, message: OutgoingMessage) -> None:
            if message.person_id == recipients["en"]:
                raise RuntimeError("cannot say it in English today")
            super().send(message)

    ids = [queue(person_id=recipients[name]) for name in ("es", "en", "default")]
    notifier = Picky()
    with unit_of_work(engine) as s:
        assert send_pending(s, notifier, now) == 2
    assert [m.notification_id for m in notifier.sent] == [ids[0], ids[2]]
    failed = load(engine, ids[1])
    assert (failed.sent_at, failed.attempts) == (None, 1)
    assert failed.last_error == "cannot say it in English today"


def test_a_row_without_params_is_sent_as_stored(
    engine: Engine, recipients: dict[str, int], now: dt.datetime
) -> None:
    """A message queued before 0003 has no params: its stored subject and body go out."""
    with engine.begin() as conn:
        conn.execute(
            insert(table_of(Notification)).values(
                kind="vehicle_recovered",
                person_id=recipients["en"],
                subject="Your vehicle AB123CD was recovered",
                body="old text",
                created_at=now,
            )
        )
    notifier = LogNotifier()
    with unit_of_work(engine) as s:
        assert send_pending(s, notifier, now) == 1
    (message,) = notifier.sent
    assert (message.subject, message.body) == ("Your vehicle AB123CD was recovered", "old text")


def test_migration_0003_and_the_models_agree(engine: Engine, now: dt.datetime) -> None:
    tables = {"notifications", "persons", "agencies"}
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, Base.metadata) if _table_of(d) in tables]
    assert diffs == []
    # Server defaults, by what the database does with a row that leaves them out.
    with engine.begin() as conn:
        conn.execute(
            insert(table_of(Agency)).values(
                code="X", name="X", kind="police", state="", created_at=now
            )
        )
        conn.execute(
            insert(table_of(Person)).values(
                national_id="V9", country="VE", given_names="", surnames="", created_at=now
            )
        )
        conn.execute(
            insert(table_of(Notification)).values(kind="k", subject="s", body="b", created_at=now)
        )
    with read_session(engine) as s:
        agency = s.scalars(select(Agency)).one()
        person = s.scalars(select(Person)).one()
        n = s.scalars(select(Notification)).one()
        assert (agency.email, agency.language) == (None, "es")
        assert (person.email, person.language) == (None, "es")
        assert (n.params, n.attempts, n.last_error) == ({}, 0, "")


def _table_of(diff: object) -> str | None:
    """The table a ``compare_metadata`` diff is about (a tuple, or a list of tuples)."""
    item = diff[0] if isinstance(diff, list) else diff
    assert isinstance(item, tuple)
    if item[0] in {"add_table", "remove_table"}:
        return str(item[1].name)
    table = getattr(item[1], "table", None)  # an index or a constraint
    if table is not None:
        return str(table.name)
    return str(item[2])  # (op, schema, table, column...)
