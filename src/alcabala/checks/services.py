"""Use cases of the stop: turning a request into an engine query and a record, and the
confirmation of hits by the agency that owns the matched record."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala.accounts.models import Role, User
from alcabala.checkpoints.models import Checkpoint
from alcabala.checks.models import Check, Hit, HitStatus, HitTransition
from alcabala.checks.receipts import normalize_receipt
from alcabala.checks.recorder import PendingCheck
from alcabala.checks.schemas import ReceiptOut, StopIn
from alcabala.checks.verdict import LivestockLine, Person, Stop, Verdict
from alcabala.db.base import utcnow
from alcabala.db.lifecycle import Lifecycle, transition
from alcabala.errors import ForbiddenError, NotFoundError

H = HitStatus
HIT = Lifecycle(
    entity="hit",
    label="hit",
    moves={H.PENDING: frozenset({H.CONFIRMED, H.DENIED, H.TIMED_OUT})},
    needs_reason=frozenset({H.DENIED}),
)


def engine_stop(stop: StopIn) -> Stop:
    """The engine's view of a validated stop."""
    livestock = stop.livestock
    return Stop(
        plate=stop.plate,
        plate_country=stop.plate_country,
        vin=stop.vin,
        engine_number=stop.engine_number,
        declared_year=stop.declared_year,
        people=tuple(Person(p.national_id, p.country) for p in stop.people),
        permit_number=livestock.permit_number if livestock else None,
        lines=tuple(
            LivestockLine(ln.species.value, ln.head_count, ln.brand, ln.category)
            for ln in (livestock.lines if livestock else [])
        ),
        ear_tags=tuple(livestock.ear_tags) if livestock else (),
    )


class CheckpointLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def lat(self) -> float | None: ...
    @property
    def lon(self) -> float | None: ...


def pending_check(
    stop: StopIn,
    verdict: Verdict,
    checkpoint: CheckpointLike,
    officer_id: int,
    now: dt.datetime,
    offline: bool = False,
) -> PendingCheck:
    """What the recorder stores for ``stop``."""
    at = (stop.at or now).replace(microsecond=0)
    return PendingCheck(
        check_id=str(stop.check_id),
        checkpoint_id=checkpoint.id,
        checkpoint_code=checkpoint.code,
        lat=checkpoint.lat,
        lon=checkpoint.lon,
        officer_id=officer_id,
        at=at,
        inputs=stop.model_dump(mode="json", exclude={"check_id", "checkpoint"}),
        plate=stop.plate,
        plate_country=stop.plate_country if stop.plate else None,
        vin=stop.vin,
        national_ids=[p.national_id for p in stop.people],
        reason=stop.reason,
        verdict=verdict.verdict,
        hits=[
            {
                "category": h.category,
                "certainty": h.certainty,
                "matched_on": h.matched_on,
                "record": h.record,
                "urgency": h.confirmation.urgency,
                "deadline": (h.confirmation.deadline or now).replace(microsecond=0),
            }
            for h in verdict.hits
        ],
        irregularities=[{"code": i.code, "detail": i.detail} for i in verdict.irregularities],
        offline=offline,
    )


def get_hit(session: Session, hit_id: int) -> Hit:
    hit = session.get(Hit, hit_id)
    if hit is None:
        raise NotFoundError(f"No hit with id {hit_id}.", field="id")
    return hit


def decide_hit(
    session: Session,
    hit_id: int,
    actor: User,
    confirm: bool,
    reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Hit:
    """Confirm or deny a hit. Only the agency that owns the matched record may answer, and
    only before the deadline: after it, the hit has timed out."""
    now = now or utcnow()
    hit = get_hit(session, hit_id)
    if actor.role != Role.ADMIN and (hit.agency_id is None or actor.agency_id != hit.agency_id):
        raise ForbiddenError("Only the agency that owns the matched record can answer this hit.")
    transition(
        session,
        hit,
        HIT,
        H.CONFIRMED if confirm else H.DENIED,
        history=HitTransition,
        history_fk="hit_id",
        actor_id=actor.id,
        reason=reason,
        current=hit.effective_status(now),
        expected_version=expected_version,
    )
    return hit


def sweep_hits(session: Session, now: dt.datetime | None = None) -> int:
    """Record ``timed_out`` on every pending hit past its deadline."""
    now = now or utcnow()
    due = session.scalars(select(Hit).where(Hit.status == H.PENDING, Hit.deadline <= now)).all()
    for hit in due:
        transition(
            session,
            hit,
            HIT,
            H.TIMED_OUT,
            history=HitTransition,
            history_fk="hit_id",
            actor_id=None,
            reason="no answer before the deadline",
        )
    return len(due)


def pending_hits(session: Session, agency_id: int | None) -> list[Hit]:
    """Hits awaiting an answer (of one agency, or all), soonest deadline first."""
    query = select(Hit).where(Hit.status == H.PENDING, Hit.deadline > utcnow())
    if agency_id is not None:
        query = query.where(Hit.agency_id == agency_id)
    return list(session.scalars(query.order_by(Hit.deadline)))


def receipt(session: Session, code: str) -> ReceiptOut:
    """What a receipt shows to anyone: date, checkpoint and verdict class; nothing personal."""
    normalized = normalize_receipt(code)
    row = (
        session.execute(
            select(Check.receipt, Check.at, Check.verdict, Checkpoint.code, Checkpoint.name)
            .join(Checkpoint, Check.checkpoint_id == Checkpoint.id)
            .where(Check.receipt == normalized)
        ).first()
        if normalized
        else None
    )
    if row is None:
        raise NotFoundError("No stop has this receipt code.", field="code")
    code_, at, verdict, checkpoint, name = row
    return ReceiptOut(
        receipt=code_,
        date=at.date(),
        checkpoint=checkpoint,
        checkpoint_name=name,
        verdict=verdict,
    )
