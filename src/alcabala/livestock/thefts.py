"""Livestock theft reports: ``active`` → ``recovered`` | ``cancelled`` (with a reason).

A report names the stolen animals by brand and/or ear tags; it is on the hotlist while
``active`` and leaves it the moment the animals are recovered.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala.accounts.authority import acting_agency, must_own
from alcabala.context import Ctx
from alcabala.db.lifecycle import Lifecycle, log_creation, transition
from alcabala.errors import NotFoundError
from alcabala.livestock.models import LivestockTheft, LivestockTheftTransition, TheftStatus
from alcabala.livestock.permits import get_premises
from alcabala.livestock.rules import needs_marks
from alcabala.livestock.schemas import LivestockTheftIn
from alcabala.rules import unique

T = TheftStatus
LIVESTOCK_THEFT = Lifecycle(
    entity="livestock_theft",
    label="livestock theft report",
    moves={T.ACTIVE: frozenset({T.RECOVERED, T.CANCELLED})},
    needs_reason=frozenset({T.CANCELLED}),
)


def report_livestock_theft(ctx: Ctx, data: LivestockTheftIn) -> LivestockTheft:
    session = ctx.session
    needs_marks(data.brand, data.ear_tags)
    taken = session.scalar(select(LivestockTheft.id).where(LivestockTheft.number == data.number))
    unique("Livestock theft report", data.number, taken is not None)
    theft = LivestockTheft(
        number=data.number,
        agency=acting_agency(ctx, data.agency),
        premises=get_premises(session, data.premises) if data.premises else None,
        brand=data.brand or "",
        ear_tags=" ".join(data.ear_tags),
        head_count=data.head_count,
        species=data.species.value,
        reported_at=data.reported_at or ctx.now(),
        status=T.ACTIVE.value,
    )
    session.add(theft)
    log_creation(
        session,
        theft,
        LIVESTOCK_THEFT,
        history=LivestockTheftTransition,
        history_fk="theft_id",
        actor_id=ctx.actor_id,
        at=ctx.now(),
    )
    return theft


def get_livestock_theft(session: Session, theft_id: int) -> LivestockTheft:
    theft = session.get(LivestockTheft, theft_id)
    if theft is None:
        raise NotFoundError(f"No livestock theft report with id {theft_id}.", field="id")
    return theft


def _move(
    ctx: Ctx, theft_id: int, target: str, reason: str, expected_version: int | None
) -> LivestockTheft:
    theft = get_livestock_theft(ctx.session, theft_id)
    must_own(ctx, theft.agency_id, f"livestock theft report {theft.number}")
    transition(
        ctx.session,
        theft,
        LIVESTOCK_THEFT,
        target,
        history=LivestockTheftTransition,
        history_fk="theft_id",
        actor_id=ctx.actor_id,
        at=ctx.now(),
        reason=reason,
        expected_version=expected_version,
    )
    return theft


def recover_livestock(
    ctx: Ctx, theft_id: int, reason: str = "", expected_version: int | None = None
) -> LivestockTheft:
    """The stolen animals were found: the report leaves the hotlist now."""
    return _move(ctx, theft_id, T.RECOVERED, reason, expected_version)


def cancel_livestock_theft(
    ctx: Ctx, theft_id: int, reason: str, expected_version: int | None = None
) -> LivestockTheft:
    """The report was entered in error (a reason is required): off the hotlist, not recovered."""
    return _move(ctx, theft_id, T.CANCELLED, reason, expected_version)
