"""Hits: the owning agency confirms or denies them, time outs and dead records close them.

A hit matched a record that was in force at the stop. Before anyone is detained on it, the
agency that owns the record must confirm it, and the record must *still* be in force: a
warrant executed, cancelled or expired, or a stolen report recovered, returned or cancelled
since the stop, makes confirmation impossible. Trying closes the hit as ``record_inactive``
(that change stands) and answers 409 saying why, so an officer never reads "confirmed" on a
dead record. The sweep closes such hits too, and times out the unanswered ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala.accounts.audit import audit_lookup
from alcabala.accounts.models import Role
from alcabala.checks.models import Hit, HitStatus, HitTransition
from alcabala.context import Ctx
from alcabala.db.lifecycle import Lifecycle, transition
from alcabala.errors import ForbiddenError, NotFoundError, RecordInactiveError
from alcabala.livestock.models import LivestockTheft
from alcabala.persons.models import Warrant
from alcabala.vehicles.models import StolenReport

H = HitStatus
HIT = Lifecycle(
    entity="hit",
    label="hit",
    moves={H.PENDING: frozenset({H.CONFIRMED, H.DENIED, H.TIMED_OUT, H.RECORD_INACTIVE})},
    needs_reason=frozenset({H.DENIED}),
)
IN_FORCE = "active"


@dataclass(frozen=True)
class RecordState:
    """The matched record as it stands now: its number and effective status."""

    kind: str
    number: str
    status: str

    @property
    def in_force(self) -> bool:
        return self.status == IN_FORCE


def record_state(session: Session, hit: Hit, now: dt.datetime) -> RecordState:
    """The current state of the record ``hit`` matched."""
    kind, number = hit.record_kind, str(hit.record.get("number", ""))
    if kind == "warrant":
        warrant = session.get(Warrant, hit.record_id)
        status = warrant.effective_status(now) if warrant else "missing"
    elif kind == "stolen_vehicle_report":
        report = session.get(StolenReport, hit.record_id)
        status = report.status if report else "missing"
    elif kind == "livestock_theft_report":
        theft = session.get(LivestockTheft, hit.record_id)
        status = theft.status if theft else "missing"
    else:
        status = "unknown"
    return RecordState(kind, number, status)


def get_hit(session: Session, hit_id: int) -> Hit:
    hit = session.get(Hit, hit_id)
    if hit is None:
        raise NotFoundError(f"No hit with id {hit_id}.", field="id")
    return hit


def _close(ctx: Ctx, hit: Hit, target: str, reason: str) -> None:
    transition(
        ctx.session,
        hit,
        HIT,
        target,
        history=HitTransition,
        history_fk="hit_id",
        actor_id=ctx.actor_id,
        at=ctx.now(),
        reason=reason,
    )


def decide_hit(
    ctx: Ctx,
    hit_id: int,
    confirm: bool,
    reason: str = "",
    expected_version: int | None = None,
) -> Hit:
    """Confirm or deny a hit. Only the agency that owns the matched record may answer, only
    before the deadline (after it the hit has timed out), and a hit is confirmed only while
    its record is still in force."""
    now = ctx.now()
    hit = get_hit(ctx.session, hit_id)
    actor = ctx.actor
    if actor.role != Role.ADMIN and (hit.agency_id is None or actor.agency_id != hit.agency_id):
        raise ForbiddenError("Only the agency that owns the matched record can answer this hit.")
    state = record_state(ctx.session, hit, now)
    if confirm and hit.effective_status(now) == H.PENDING and not state.in_force:
        _close(ctx, hit, H.RECORD_INACTIVE, f"record {state.number} is {state.status}")
        raise RecordInactiveError(
            f"The {state.kind.replace('_', ' ')} {state.number} is {state.status}: it is no "
            "longer in force, so this hit cannot be confirmed. Do not detain on it.",
            field="id",
        )
    transition(
        ctx.session,
        hit,
        HIT,
        H.CONFIRMED if confirm else H.DENIED,
        history=HitTransition,
        history_fk="hit_id",
        actor_id=actor.id,
        at=now,
        reason=reason,
        current=hit.effective_status(now),
        expected_version=expected_version,
    )
    return hit


def sweep_hits(ctx: Ctx) -> int:
    """Close every pending hit that time or its record decided: ``timed_out`` past its
    deadline, ``record_inactive`` once its record left force. Returns how many."""
    now = ctx.now()
    pending = ctx.session.scalars(select(Hit).where(Hit.status == H.PENDING)).all()
    closed = 0
    for hit in pending:
        if hit.deadline <= now:
            _close(ctx, hit, H.TIMED_OUT, "no answer before the deadline")
            closed += 1
            continue
        state = record_state(ctx.session, hit, now)
        if not state.in_force:
            _close(ctx, hit, H.RECORD_INACTIVE, f"record {state.number} is {state.status}")
            closed += 1
    return closed


@dataclass(frozen=True)
class PendingHit:
    hit: Hit
    record: RecordState


def pending_hits(ctx: Ctx) -> list[PendingHit]:
    """Hits awaiting an answer from the actor's agency (every agency's for an admin),
    soonest deadline first, with their record's current state. The queue names wanted
    people and vehicles: each subject shown is audited."""
    now = ctx.now()
    query = select(Hit).where(Hit.status == H.PENDING, Hit.deadline > now)
    if ctx.actor.role != Role.ADMIN:
        query = query.where(Hit.agency_id == ctx.actor.agency_id)
    rows = [
        PendingHit(hit, record_state(ctx.session, hit, now))
        for hit in ctx.session.scalars(query.order_by(Hit.deadline))
    ]
    for row in rows:
        subject, kind = _subject(row.hit)
        if subject:
            audit_lookup(ctx, "list", kind, subject, check_id=None, reason="hits queue")
    return rows


def _subject(hit: Hit) -> tuple[str, str]:
    record = hit.record
    if hit.record_kind == "warrant":
        return str(record.get("national_id", "")), "person"
    if hit.record_kind == "stolen_vehicle_report":
        return str(record.get("vin", "")), "vehicle"
    return "", "livestock"
