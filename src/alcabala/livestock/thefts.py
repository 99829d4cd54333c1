"""Livestock theft reports: ``active`` → ``recovered`` | ``cancelled`` (with a reason).

A report names the stolen animals by brand and/or ear tags; it is on the hotlist while
``active`` and leaves it the moment the animals are recovered.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala.accounts.models import User
from alcabala.accounts.services import get_agency
from alcabala.db.base import utcnow
from alcabala.db.lifecycle import Lifecycle, actor_id, log_creation, transition
from alcabala.errors import ConflictError, NotFoundError, ValidationError
from alcabala.livestock.models import LivestockTheft, LivestockTheftTransition, TheftStatus
from alcabala.livestock.permits import get_premises
from alcabala.livestock.schemas import LivestockTheftIn

T = TheftStatus
LIVESTOCK_THEFT = Lifecycle(
    entity="livestock_theft",
    label="livestock theft report",
    moves={T.ACTIVE: frozenset({T.RECOVERED, T.CANCELLED})},
    needs_reason=frozenset({T.CANCELLED}),
)


def report_livestock_theft(
    session: Session, data: LivestockTheftIn, actor: User | None
) -> LivestockTheft:
    if not data.brand and not data.ear_tags:
        raise ValidationError(
            "A livestock theft report needs a brand or at least one ear tag.", field="brand"
        )
    if session.scalar(select(LivestockTheft.id).where(LivestockTheft.number == data.number)):
        raise ConflictError(f"Livestock theft report {data.number} already exists.", field="number")
    theft = LivestockTheft(
        number=data.number,
        agency=get_agency(session, data.agency),
        premises=get_premises(session, data.premises) if data.premises else None,
        brand=data.brand or "",
        ear_tags=" ".join(data.ear_tags),
        head_count=data.head_count,
        species=data.species.value,
        reported_at=data.reported_at or utcnow(),
        status=T.ACTIVE.value,
    )
    session.add(theft)
    log_creation(
        session,
        theft,
        LIVESTOCK_THEFT,
        history=LivestockTheftTransition,
        history_fk="theft_id",
        actor_id=actor_id(actor),
    )
    return theft


def get_livestock_theft(session: Session, theft_id: int) -> LivestockTheft:
    theft = session.get(LivestockTheft, theft_id)
    if theft is None:
        raise NotFoundError(f"No livestock theft report with id {theft_id}.", field="id")
    return theft


def recover_livestock(
    session: Session,
    theft_id: int,
    actor: User | None,
    reason: str = "",
    expected_version: int | None = None,
) -> LivestockTheft:
    """The stolen animals were found: the report leaves the hotlist now."""
    theft = get_livestock_theft(session, theft_id)
    transition(
        session,
        theft,
        LIVESTOCK_THEFT,
        T.RECOVERED,
        history=LivestockTheftTransition,
        history_fk="theft_id",
        actor_id=actor_id(actor),
        reason=reason,
        expected_version=expected_version,
    )
    return theft


def cancel_livestock_theft(
    session: Session,
    theft_id: int,
    actor: User | None,
    reason: str,
    expected_version: int | None = None,
) -> LivestockTheft:
    """The report was entered in error (a reason is required): off the hotlist, not recovered."""
    theft = get_livestock_theft(session, theft_id)
    transition(
        session,
        theft,
        LIVESTOCK_THEFT,
        T.CANCELLED,
        history=LivestockTheftTransition,
        history_fk="theft_id",
        actor_id=actor_id(actor),
        reason=reason,
        expected_version=expected_version,
    )
    return theft
