"""Persons and warrants: active until executed, cancelled or expired; on SQLite and PostgreSQL.

Time is the test's :class:`~alcabala.clock.FixedClock`: history rows and change rows carry its
time, and expiry is tested by moving it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from alcabala.accounts.models import AuditEntry, User
from alcabala.accounts.services import add_user
from alcabala.clock import FixedClock
from alcabala.context import SYSTEM, Actor, Door
from alcabala.db.history import Change
from alcabala.errors import ConflictError, NotFoundError, TransitionError, ValidationError
from alcabala.persons import lookups, services
from alcabala.persons.models import Person, Warrant, WarrantTransition
from alcabala.persons.schemas import PersonIn, WarrantIn
from alcabala.schemas import validate

DAY = dt.timedelta(days=1)
Moves = list[tuple[str | None, str, int | None, str, dt.datetime]]


def as_actor(door: Door, user_id: int) -> Actor:
    """The user as the services see them (through the API)."""
    with door.read(SYSTEM) as ctx:
        user = ctx.session.get(User, user_id)
        assert user is not None
        return Actor(user.id, user.username, user.role, user.agency_id, "api")


@pytest.fixture
def clerk(door: Door, actors: dict[str, int]) -> Actor:
    """A registrar of the court (TSJ-GUA), which issues the warrants."""
    return as_actor(door, actors["clerk"])


def issue(
    door: Door, actor: Actor, number: str = "W-1", expires_in: dt.timedelta | None = None
) -> int:
    now = door.clock.now()
    data = validate(
        WarrantIn,
        {
            "number": number,
            "agency": "TSJ-GUA",
            "national_id": "V-12.345.678",
            "court": "Tribunal Tercero de Control del estado Guárico",
            "case_number": "3C-12345-24",
            "offence": "Hurto de ganado (abigeato)",
            "issued_at": (now - 10 * DAY).isoformat(),
            "expires_at": (now + expires_in).isoformat() if expires_in else None,
        },
    )
    with door.write(actor) as ctx:
        return services.issue_warrant(ctx, data).id


def state(door: Door, wid: int) -> tuple[str, int, Moves]:
    with door.read(SYSTEM) as ctx:
        w = ctx.session.get(Warrant, wid)
        assert w is not None
        moves = ctx.session.scalars(
            select(WarrantTransition)
            .where(WarrantTransition.warrant_id == wid)
            .order_by(WarrantTransition.id)
        )
        return (
            w.status,
            w.version,
            [(t.from_state, t.to_state, t.actor_id, t.reason, t.at) for t in moves],
        )


def changes(door: Door, entity: str, entity_id: int | None = None) -> list[dt.datetime]:
    query = select(Change.at).where(Change.entity == entity).order_by(Change.seq)
    if entity_id is not None:
        query = query.where(Change.entity_id == entity_id)
    with door.read(SYSTEM) as ctx:
        return list(ctx.session.scalars(query))


def audit(door: Door) -> list[tuple[Any, ...]]:
    with door.read(SYSTEM) as ctx:
        rows = ctx.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [
            (e.user_id, e.role, e.agency_id, e.client, e.action, e.subject, e.reason, e.at)
            for e in rows
        ]


def test_register_person_normalizes_and_refuses_duplicates(
    door: Door, clock: FixedClock, clerk: Actor
) -> None:
    registered = clock.now()
    with door.write(clerk) as ctx:
        p = services.register_person(ctx, validate(PersonIn, {"national_id": "v-1.234.567"}))
        assert (p.national_id, p.country) == ("V1234567", "VE")
    clock.advance(DAY)
    with pytest.raises(ConflictError) as err, door.write(clerk) as ctx:
        services.register_person(ctx, validate(PersonIn, {"national_id": "V1234567"}))
    assert (err.value.code, err.value.field) == ("duplicate", "national_id")
    with door.read(SYSTEM) as ctx:
        stored = ctx.session.scalars(select(Person)).all()
        assert [(x.national_id, x.created_at) for x in stored] == [("V1234567", registered)]
    assert changes(door, "person") == [registered]


def test_bad_national_id_names_the_field() -> None:
    with pytest.raises(ValidationError) as err:
        validate(PersonIn, {"national_id": "X-12", "country": "VE"})
    assert err.value.field == "national_id"


def test_issue_sets_the_first_validation_date_from_the_clock(
    door: Door, clock: FixedClock, clerk: Actor
) -> None:
    clock.advance(40 * DAY)
    issued = clock.now()
    wid = issue(door, clerk)
    with door.read(SYSTEM) as ctx:
        w = ctx.session.get(Warrant, wid)
        assert w is not None
        assert w.validate_by == issued.date() + dt.timedelta(
            days=door.settings.first_validation_days
        )
    assert state(door, wid) == ("active", 1, [(None, "active", clerk.id, "", issued)])
    assert changes(door, "warrant", wid) == [issued]
    with pytest.raises(ConflictError) as err:
        issue(door, clerk)
    assert (err.value.code, err.value.field) == ("duplicate", "number")


def test_issue_then_execute(door: Door, clock: FixedClock, clerk: Actor) -> None:
    issued = clock.now()
    wid = issue(door, clerk)
    executed = clock.advance(DAY)
    with door.write(clerk) as ctx:
        services.execute_warrant(ctx, wid, "arrested at Puente Aldao", 1)
    assert state(door, wid) == (
        "executed",
        2,
        [
            (None, "active", clerk.id, "", issued),
            ("active", "executed", clerk.id, "arrested at Puente Aldao", executed),
        ],
    )
    assert changes(door, "warrant", wid) == [issued, executed]
    with door.read(SYSTEM) as ctx:
        w = ctx.session.get(Warrant, wid)
        assert w is not None and w.validate_by is None  # off the re-validation queue
    with pytest.raises(TransitionError) as err, door.write(clerk) as ctx:
        services.execute_warrant(ctx, wid)
    assert err.value.code == "illegal_transition"
    assert state(door, wid)[1] == 2
    assert len(changes(door, "warrant", wid)) == 2


def test_a_stale_version_is_a_conflict(door: Door, clerk: Actor) -> None:
    wid = issue(door, clerk)
    with pytest.raises(ConflictError) as err, door.write(clerk) as ctx:
        services.execute_warrant(ctx, wid, "arrested", 5)
    assert (err.value.code, err.value.field) == ("conflict", "version")
    assert state(door, wid)[:2] == ("active", 1)
    with pytest.raises(NotFoundError), door.write(clerk) as ctx:
        services.execute_warrant(ctx, 404)


def test_cancel_needs_reason(door: Door, clock: FixedClock, clerk: Actor) -> None:
    wid = issue(door, clerk)
    with pytest.raises(ValidationError) as err, door.write(clerk) as ctx:
        services.cancel_warrant(ctx, wid, "")
    assert err.value.field == "reason"
    assert state(door, wid)[:2] == ("active", 1)
    cancelled = clock.advance(DAY)
    with door.write(clerk) as ctx:
        services.cancel_warrant(ctx, wid, "revoked by the court", 1)
    status, version, moves = state(door, wid)
    assert (status, version) == ("cancelled", 2)
    assert moves[-1] == ("active", "cancelled", clerk.id, "revoked by the court", cancelled)


def test_expired_warrant_cannot_be_executed_even_before_the_sweep(
    door: Door, clock: FixedClock, clerk: Actor
) -> None:
    wid = issue(door, clerk, expires_in=DAY)
    clock.advance(DAY + dt.timedelta(hours=1))  # time passes; the sweeper has not run
    with door.read(SYSTEM) as ctx:
        w = ctx.session.get(Warrant, wid)
        assert w is not None and w.status == "active"
        assert w.effective_status(clock.now()) == "expired"
    with pytest.raises(TransitionError) as err, door.write(clerk) as ctx:
        services.execute_warrant(ctx, wid)
    assert err.value.code == "illegal_transition"
    assert "expired" in err.value.message
    assert state(door, wid)[:2] == ("active", 1)


def test_sweeper_records_expiry_by_the_system(door: Door, clock: FixedClock, clerk: Actor) -> None:
    issued = clock.now()
    past = issue(door, clerk, "W-PAST", expires_in=DAY)
    future = issue(door, clerk, "W-FUTURE", expires_in=30 * DAY)
    with door.write(SYSTEM) as ctx:
        assert services.expire_warrants(ctx) == 0  # nothing is due yet
    swept = clock.advance(2 * DAY)
    with door.write(SYSTEM) as ctx:
        assert services.expire_warrants(ctx) == 1
    status, _, moves = state(door, past)
    assert status == "expired"
    assert moves[-1] == ("active", "expired", None, "expired automatically at expires_at", swept)
    assert changes(door, "warrant", past) == [issued, swept]
    assert state(door, future)[:2] == ("active", 1)
    with door.write(SYSTEM) as ctx:  # idempotent
        assert services.expire_warrants(ctx) == 0
    assert len(state(door, past)[2]) == 2


def test_expiry_before_issue_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        validate(
            WarrantIn,
            {
                "number": "W",
                "agency": "X",
                "national_id": "V1",
                "court": "c",
                "case_number": "1",
                "offence": "o",
                "issued_at": "2026-01-02T00:00:00Z",
                "expires_at": "2026-01-01T00:00:00Z",
            },
        )
    assert err.value.field == "expires_at"


# Audited reads (lookups) -----------------------------------------------------------------------


def test_person_file_is_audited_and_a_registrar_must_say_why(
    door: Door, clock: FixedClock, clerk: Actor, actors: dict[str, int]
) -> None:
    first = issue(door, clerk, "W-1")
    second = issue(door, clerk, "W-2")
    registrar = as_actor(door, actors["registrar"])
    with pytest.raises(ValidationError) as err, door.lookup(registrar) as ctx:
        lookups.person_file(ctx, "V-12.345.678", "VE", " ")
    assert err.value.field == "reason"
    assert audit(door) == []
    looked = clock.advance(DAY)
    with door.lookup(registrar) as ctx:
        found = lookups.person_file(ctx, "v-12.345.678", "VE", "case 3C-12345-24")
        assert found.person.national_id == "V12345678"
        assert [w.id for w in found.warrants] == [second, first]  # same day: newest id first
    # Finding nobody is still a lookup: audited, and the audit row stands.
    with pytest.raises(NotFoundError) as missing, door.lookup(registrar) as ctx:
        lookups.person_file(ctx, "V-7.654.321", "VE", "a tip")
    assert missing.value.field == "national_id"
    row = (registrar.id, "registrar", registrar.agency_id, "api", "search")
    assert audit(door) == [
        (*row, "V12345678", "case 3C-12345-24", looked),
        (*row, "V7654321", "a tip", looked),
    ]


def test_warrant_lookup_is_audited_under_the_national_id(
    door: Door, clock: FixedClock, clerk: Actor
) -> None:
    wid = issue(door, clerk)
    with door.write(SYSTEM) as ctx:
        user, _ = add_user(ctx.session, "sup", "supervisor", "CICPC")
        supervisor = Actor(user.id, user.username, user.role, user.agency_id, "web")
    with pytest.raises(ValidationError) as err, door.lookup(clerk) as ctx:
        lookups.warrant(ctx, wid, "")
    assert err.value.field == "reason"
    with pytest.raises(NotFoundError), door.lookup(clerk) as ctx:
        lookups.warrant(ctx, 404, "validation")
    assert audit(door) == []
    with door.lookup(clerk) as ctx:
        assert lookups.warrant(ctx, wid, "  validation  ").number == "W-1"
    read = clock.advance(DAY)
    with door.lookup(supervisor) as ctx:  # a supervisor needs no reason
        assert lookups.warrant(ctx, wid, "").id == wid
    clerk_row = (clerk.id, "registrar", clerk.agency_id, "api", "read", "V12345678")
    supervisor_row = (supervisor.id, "supervisor", supervisor.agency_id, "web", "read")
    assert audit(door) == [
        (*clerk_row, "validation", read - DAY),
        (*supervisor_row, "V12345678", "", read),
    ]
