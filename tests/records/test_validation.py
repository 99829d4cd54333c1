"""Stale records surface: the re-validation queue and its renewal, on both databases.

Only the agency that owns a record vouches for it: a user of another agency is refused and
nothing changes. Listing the queue names VINs and national IDs, so it is audited. Time is the
test's :class:`~alcabala.clock.FixedClock`, moved to make records due.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from alcabala.accounts.models import AuditEntry, User
from alcabala.clock import FixedClock
from alcabala.context import SYSTEM, Actor, Door
from alcabala.db.history import Change
from alcabala.errors import ForbiddenError, NotFoundError, TransitionError, ValidationError
from alcabala.persons.models import Warrant, WarrantTransition
from alcabala.persons.schemas import WarrantIn
from alcabala.persons.services import issue_warrant
from alcabala.records import services
from alcabala.schemas import validate
from alcabala.vehicles.models import StolenReport, StolenReportTransition
from alcabala.vehicles.schemas import StolenReportIn, VehicleIn
from alcabala.vehicles.services import recover, register_vehicle, report_stolen

VIN = "1M8GDM9AXKP042788"
DAY = dt.timedelta(days=1)


def as_actor(door: Door, user_id: int) -> Actor:
    """The user as the services see them (through the API)."""
    with door.read(SYSTEM) as ctx:
        user = ctx.session.get(User, user_id)
        assert user is not None
        return Actor(user.id, user.username, user.role, user.agency_id, "api")


@pytest.fixture
def police(door: Door, actors: dict[str, int]) -> Actor:
    """A registrar of CICPC, which owns the stolen-vehicle report R-OLD."""
    return as_actor(door, actors["registrar"])


@pytest.fixture
def court(door: Door, actors: dict[str, int]) -> Actor:
    """A registrar of TSJ-GUA, which owns the warrant W-OLD."""
    return as_actor(door, actors["clerk"])


def seed(
    door: Door, police: Actor, court: Actor, warrant_expires_in: dt.timedelta | None = None
) -> None:
    """Report R-OLD (CICPC) on a vehicle and warrant W-OLD (TSJ-GUA), entered now."""
    now = door.clock.now()
    with door.write(police) as ctx:
        register_vehicle(ctx, validate(VehicleIn, {"vin": VIN, "plate": "AB123CD"}))
        report_stolen(ctx, VIN, StolenReportIn(number="R-OLD", agency="CICPC"))
    with door.write(court) as ctx:
        issue_warrant(
            ctx,
            validate(
                WarrantIn,
                {
                    "number": "W-OLD",
                    "agency": "TSJ-GUA",
                    "national_id": "V123",
                    "court": "c",
                    "case_number": "1",
                    "offence": "o",
                    "issued_at": (now - 30 * DAY).isoformat(),
                    "expires_at": (
                        (now + warrant_expires_in).isoformat() if warrant_expires_in else None
                    ),
                },
            ),
        )


def snapshot(door: Door) -> dict[str, Any]:
    """Everything a re-validation changes: both records and their history and changes."""
    with door.read(SYSTEM) as ctx:
        s = ctx.session
        report = s.scalars(select(StolenReport)).one()
        warrant = s.scalars(select(Warrant)).one()
        return {
            "report": (report.status, report.version, report.validate_by),
            "warrant": (warrant.status, warrant.version, warrant.validate_by),
            "report_moves": s.scalar(select(func.count()).select_from(StolenReportTransition)),
            "warrant_moves": s.scalar(select(func.count()).select_from(WarrantTransition)),
            "changes": s.scalar(select(func.count()).select_from(Change)),
        }


def audit(door: Door) -> list[tuple[Any, ...]]:
    with door.read(SYSTEM) as ctx:
        rows = ctx.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [
            (
                e.user_id,
                e.role,
                e.agency_id,
                e.client,
                e.action,
                e.subject_kind,
                e.subject,
                e.reason,
            )
            for e in rows
        ]


def test_new_records_are_due_after_90_days(
    door: Door, clock: FixedClock, police: Actor, court: Actor
) -> None:
    seed(door, police, court)
    first = door.settings.first_validation_days
    assert first == 90
    with door.lookup(police) as ctx:
        assert services.due(ctx) == []
    clock.advance(first * DAY)
    with door.lookup(police) as ctx:
        due = services.due(ctx)
    assert [(r.number, r.days_overdue) for r in due] == [("R-OLD", 0), ("W-OLD", 0)]
    clock.advance(DAY)
    with door.lookup(police) as ctx:
        due = services.due(ctx, reason="monthly review")
    assert sorted(r.number for r in due) == ["R-OLD", "W-OLD"]
    assert all(r.days_overdue == 1 for r in due)
    # An empty list names nobody; each listed subject is audited as read by the actor.
    row = (police.id, "registrar", police.agency_id, "api", "list")
    assert audit(door) == [
        (*row, "vehicle", VIN, "re-validation queue"),
        (*row, "person", "V123", "re-validation queue"),
        (*row, "vehicle", VIN, "monthly review"),
        (*row, "person", "V123", "monthly review"),
    ]


def test_validation_renews_for_a_year_with_actor(
    door: Door, clock: FixedClock, police: Actor, court: Actor
) -> None:
    seed(door, police, court)
    validated = clock.advance(100 * DAY)
    with door.write(police) as ctx:
        record = services.validate(ctx, "r-old", note="owner called")
    year = door.settings.revalidation_days
    assert year == 365
    assert record.validate_by == validated.date() + dt.timedelta(days=year)
    assert (record.kind, record.number, record.agency, record.subject) == (
        "stolen-report",
        "R-OLD",
        "CICPC",
        VIN,
    )
    with door.read(SYSTEM) as ctx:
        report = ctx.session.scalars(select(StolenReport)).one()
        assert (report.status, report.version) == ("active", 2)
        assert report.validate_by == record.validate_by
        last = ctx.session.scalars(
            select(StolenReportTransition).order_by(StolenReportTransition.id.desc())
        ).first()
        assert last is not None
        assert (last.from_state, last.to_state, last.actor_id, last.reason, last.at) == (
            "active",
            "active",
            police.id,
            "re-validated: owner called",
            validated,
        )
        assert (
            ctx.session.scalars(
                select(Change.at).where(Change.entity == "stolen_report").order_by(Change.seq)
            ).all()[-1]
            == validated
        )
    with door.lookup(police) as ctx:
        assert [r.number for r in services.due(ctx)] == ["W-OLD"]
    with door.write(court) as ctx:
        renewed = services.validate(ctx, "W-OLD", kind="warrant")
    assert (renewed.kind, renewed.validate_by) == ("warrant", record.validate_by)
    with door.lookup(court) as ctx:
        assert services.due(ctx) == []
    clock.advance((year + 1) * DAY)
    with door.lookup(court) as ctx:
        assert [(r.number, r.days_overdue) for r in services.due(ctx)] == [
            ("R-OLD", 1),
            ("W-OLD", 1),
        ]


def test_another_agency_cannot_validate_and_nothing_changes(
    door: Door, clock: FixedClock, police: Actor, court: Actor
) -> None:
    seed(door, police, court)
    clock.advance(100 * DAY)
    before = snapshot(door)
    for actor, number in [(police, "W-OLD"), (court, "R-OLD"), (SYSTEM, "R-OLD")]:
        with pytest.raises(ForbiddenError) as err, door.write(actor) as ctx:
            services.validate(ctx, number, note="not ours")
        assert (err.value.code, err.value.http_status, err.value.field) == (
            "not_owner",
            403,
            "number",
        ), (actor.username, number)
        assert snapshot(door) == before
    with door.lookup(police) as ctx:
        assert sorted(r.number for r in services.due(ctx)) == ["R-OLD", "W-OLD"]


def test_closed_records_leave_the_queue_and_cannot_be_validated(
    door: Door, clock: FixedClock, police: Actor, court: Actor
) -> None:
    seed(door, police, court, warrant_expires_in=30 * DAY)
    with door.write(police) as ctx:
        report = ctx.session.scalars(select(StolenReport)).one()
        recover(ctx, report.id)
    clock.advance(400 * DAY)  # the warrant expired long ago; the sweeper has not run
    with door.lookup(police) as ctx:
        assert services.due(ctx) == []
    before = snapshot(door)
    with pytest.raises(TransitionError) as closed, door.write(police) as ctx:
        services.validate(ctx, "R-OLD")
    assert closed.value.code == "illegal_transition"
    with pytest.raises(TransitionError) as expired, door.write(court) as ctx:
        services.validate(ctx, "W-OLD")
    assert expired.value.code == "illegal_transition"
    assert "expired" in expired.value.message
    with pytest.raises(NotFoundError) as missing, door.write(court) as ctx:
        services.validate(ctx, "NOPE")
    assert missing.value.field == "number"
    with pytest.raises(ValidationError) as bad_kind, door.write(court) as ctx:
        services.validate(ctx, "W-OLD", kind="vehicle")
    assert bad_kind.value.field == "kind"
    assert snapshot(door) == before
