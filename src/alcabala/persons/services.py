"""Use cases of persons and warrants: the only code that changes them.

A warrant is ``active`` until it is executed, cancelled (with a reason) or reaches
``expires_at``. Expiry is automatic twice over: the sweeper :func:`expire_warrants` records
the transition, and until it runs the warrant's *effective* status is already ``expired``, so
an expired warrant can neither hit at a checkpoint nor be executed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala.accounts.models import User
from alcabala.accounts.services import get_agency
from alcabala.config import Settings
from alcabala.db.base import utcnow
from alcabala.db.history import record_change
from alcabala.db.lifecycle import Lifecycle, actor_id, log_creation, transition
from alcabala.errors import ConflictError, NotFoundError
from alcabala.persons.models import Person, Warrant, WarrantStatus, WarrantTransition
from alcabala.persons.schemas import PersonIn, WarrantIn

S = WarrantStatus
WARRANT = Lifecycle(
    entity="warrant",
    label="warrant",
    moves={S.ACTIVE: frozenset({S.EXECUTED, S.CANCELLED, S.EXPIRED, S.ACTIVE})},
    needs_reason=frozenset({S.CANCELLED}),
)


def find_person(session: Session, national_id: str, country: str) -> Person | None:
    return session.scalar(
        select(Person).where(Person.country == country, Person.national_id == national_id)
    )


def register_person(session: Session, data: PersonIn) -> Person:
    if find_person(session, data.national_id, data.country) is not None:
        raise ConflictError(
            f"Person {data.country} {data.national_id} is already registered.",
            field="national_id",
        )
    person = Person(**data.model_dump())
    session.add(person)
    session.flush()
    record_change(session, "person", person.id)
    return person


def get_or_register_person(session: Session, national_id: str, country: str) -> Person:
    """The person with this (normalized) ID, registered with no names if unknown."""
    person = find_person(session, national_id, country)
    if person is None:
        person = register_person(session, PersonIn(national_id=national_id, country=country))
    return person


def issue_warrant(
    session: Session, data: WarrantIn, actor: User | None, settings: Settings | None = None
) -> Warrant:
    settings = settings or Settings.from_env()
    if session.scalar(select(Warrant.id).where(Warrant.number == data.number)) is not None:
        raise ConflictError(f"Warrant {data.number} already exists.", field="number")
    agency = get_agency(session, data.agency)
    person = get_or_register_person(session, data.national_id, data.country)
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
        validate_by=utcnow().date() + dt.timedelta(days=settings.first_validation_days),
    )
    session.add(warrant)
    log_creation(
        session,
        warrant,
        WARRANT,
        history=WarrantTransition,
        history_fk="warrant_id",
        actor_id=actor_id(actor),
    )
    return warrant


def get_warrant(session: Session, warrant_id: int) -> Warrant:
    warrant = session.get(Warrant, warrant_id)
    if warrant is None:
        raise NotFoundError(f"No warrant with id {warrant_id}.", field="id")
    return warrant


def _move(
    session: Session,
    warrant_id: int,
    target: str,
    actor: User | None,
    reason: str,
    expected_version: int | None,
) -> Warrant:
    warrant = get_warrant(session, warrant_id)
    transition(
        session,
        warrant,
        WARRANT,
        target,
        history=WarrantTransition,
        history_fk="warrant_id",
        actor_id=actor_id(actor),
        reason=reason,
        # Time may already have expired it, whatever the row says; the sweeper itself moves
        # from the stored status.
        current=warrant.status if target == S.EXPIRED else warrant.effective_status(utcnow()),
        expected_version=expected_version,
        updates={} if target == S.ACTIVE else {"validate_by": None},
    )
    return warrant


def execute_warrant(
    session: Session,
    warrant_id: int,
    actor: User | None,
    reason: str = "",
    expected_version: int | None = None,
) -> Warrant:
    """The person was arrested on this warrant: it leaves the hotlist."""
    return _move(session, warrant_id, S.EXECUTED, actor, reason, expected_version)


def cancel_warrant(
    session: Session,
    warrant_id: int,
    actor: User | None,
    reason: str,
    expected_version: int | None = None,
) -> Warrant:
    """The court withdrew the warrant (a reason is required)."""
    return _move(session, warrant_id, S.CANCELLED, actor, reason, expected_version)


def expire_warrants(session: Session, now: dt.datetime | None = None) -> int:
    """Record the expiry of every active warrant past ``expires_at``; returns how many."""
    now = now or utcnow()
    due = session.scalars(
        select(Warrant).where(
            Warrant.status == S.ACTIVE, Warrant.expires_at.is_not(None), Warrant.expires_at <= now
        )
    ).all()
    for warrant in due:
        _move(session, warrant.id, S.EXPIRED, None, "expired automatically at expires_at", None)
    return len(due)
