"""Changes to persons and warrants: the only code making them.

A warrant is ``active`` until it is executed, cancelled (with a reason) or reaches
``expires_at``. Expiry is automatic twice over: the sweeper :func:`expire_warrants` records
the transition, and until it runs the warrant's *effective* status is already ``expired``, so
an expired warrant can neither hit at a checkpoint nor be executed. Audited reads are in
:mod:`.lookups`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala.accounts.authority import acting_agency, must_own
from alcabala.context import Ctx
from alcabala.db.history import record_change
from alcabala.db.lifecycle import Lifecycle, transition
from alcabala.db.lifecycle import log_creation as _log_creation
from alcabala.errors import NotFoundError
from alcabala.persons.models import Person, Warrant, WarrantStatus, WarrantTransition
from alcabala.persons.schemas import PersonIn, WarrantIn
from alcabala.rules import unique

S = WarrantStatus
WARRANT = Lifecycle(
    entity="warrant",
    label="warrant",
    moves={S.ACTIVE: frozenset({S.EXECUTED, S.CANCELLED, S.EXPIRED, S.ACTIVE})},
    needs_reason=frozenset({S.CANCELLED}),
)


def find_person(session: Session, national_id: str, country: str) -> Person | None:
    """The person with this normalized ID, or None. Not audited: for services only."""
    return session.scalar(
        select(Person).where(Person.country == country, Person.national_id == national_id)
    )


def register_person(ctx: Ctx, data: PersonIn) -> Person:
    s = ctx.session
    exists = find_person(s, data.national_id, data.country) is not None
    unique("Person", f"{data.country} {data.national_id}", exists, field="national_id")
    person = Person(**data.model_dump())
    s.add(person)
    s.flush()
    record_change(s, "person", person, ctx.now(), "created")
    return person


def get_or_register_person(ctx: Ctx, national_id: str, country: str) -> Person:
    """The person with this (normalized) ID, registered with no names if unknown."""
    person = find_person(ctx.session, national_id, country)
    if person is None:
        person = register_person(ctx, PersonIn(national_id=national_id, country=country))
    return person


def issue_warrant(ctx: Ctx, data: WarrantIn) -> Warrant:
    s = ctx.session
    taken = s.scalar(select(Warrant.id).where(Warrant.number == data.number)) is not None
    unique("Warrant", data.number, taken)
    agency = acting_agency(ctx, data.agency)
    person = get_or_register_person(ctx, data.national_id, data.country)
    now = ctx.now()
    warrant = Warrant(
        number=data.number,
        person=person,
        agency=agency,
        court=data.court,
        case_number=data.case_number,
        offence=data.offence,
        issued_at=data.issued_at,
        expires_at=data.expires_at,
        urgent=data.urgent,
        status=S.ACTIVE.value,
        validate_by=now.date() + dt.timedelta(days=ctx.settings.first_validation_days),
    )
    s.add(warrant)
    _log_creation(
        s,
        warrant,
        WARRANT,
        history=WarrantTransition,
        history_fk="warrant_id",
        actor_id=ctx.actor_id,
        at=now,
    )
    from alcabala.sightings.retro import warrant_leads  # sightings read the registry

    s.flush()
    warrant_leads(ctx, warrant)
    return warrant


def get_warrant(session: Session, warrant_id: int) -> Warrant:
    """A warrant by id, for services (not audited: see :func:`.lookups.warrant`)."""
    warrant = session.get(Warrant, warrant_id)
    if warrant is None:
        raise NotFoundError(f"No warrant with id {warrant_id}.", field="id")
    return warrant


def _move(
    ctx: Ctx, warrant: Warrant, target: str, reason: str, expected_version: int | None
) -> Warrant:
    now = ctx.now()
    must_own(ctx, warrant.agency_id, f"warrant {warrant.number}")
    transition(
        ctx.session,
        warrant,
        WARRANT,
        target,
        history=WarrantTransition,
        history_fk="warrant_id",
        actor_id=ctx.actor_id,
        at=now,
        reason=reason,
        # Time may already have expired it, whatever the row says; the sweeper itself moves
        # from the stored status.
        current=warrant.status if target == S.EXPIRED else warrant.effective_status(now),
        expected_version=expected_version,
        updates={} if target == S.ACTIVE else {"validate_by": None},
    )
    return warrant


def execute_warrant(
    ctx: Ctx, warrant_id: int, reason: str = "", expected_version: int | None = None
) -> Warrant:
    """The person was arrested on this warrant: it leaves the hotlist."""
    return _move(ctx, get_warrant(ctx.session, warrant_id), S.EXECUTED, reason, expected_version)


def cancel_warrant(
    ctx: Ctx, warrant_id: int, reason: str, expected_version: int | None = None
) -> Warrant:
    """The court withdrew the warrant (a reason is required)."""
    return _move(ctx, get_warrant(ctx.session, warrant_id), S.CANCELLED, reason, expected_version)


def revalidate_warrant(ctx: Ctx, warrant: Warrant, reason: str, next_date: dt.date) -> None:
    """The warrant still stands: its next re-validation is due on ``next_date``."""
    transition(
        ctx.session,
        warrant,
        WARRANT,
        S.ACTIVE,
        history=WarrantTransition,
        history_fk="warrant_id",
        actor_id=ctx.actor_id,
        at=ctx.now(),
        reason=reason,
        current=warrant.effective_status(ctx.now()),
        updates={"validate_by": next_date},
    )


def expire_warrants(ctx: Ctx) -> int:
    """Record the expiry of every active warrant past ``expires_at``; returns how many."""
    now = ctx.now()
    due = ctx.session.scalars(
        select(Warrant).where(
            Warrant.status == S.ACTIVE, Warrant.expires_at.is_not(None), Warrant.expires_at <= now
        )
    ).all()
    for warrant in due:
        _move(ctx, warrant, S.EXPIRED, "expired automatically at expires_at", None)
    return len(due)
