"""Use cases of the stop: turning a request into an engine query and a record, reading a
recorded check (audited; only by its officer, the supervisors of that officer's agency and
auditors), and the public receipt. Hits are in :mod:`.hits`."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from alcabala.accounts.audit import audit_lookup
from alcabala.accounts.models import Role, User
from alcabala.checkpoints.models import Checkpoint
from alcabala.checks.models import Check
from alcabala.checks.pending import PendingCheck, stored_verdict
from alcabala.checks.receipts import normalize_receipt
from alcabala.checks.schemas import ReceiptOut, StopIn, VerdictOut
from alcabala.checks.verdict import LivestockLine, Person, Stop, Verdict
from alcabala.context import Actor, Ctx
from alcabala.errors import NotFoundError


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
    actor: Actor,
    now: dt.datetime,
    offline: bool = False,
    token_hash: str | None = None,
    check_id_field: str = "check_id",
) -> PendingCheck:
    """What the recorder stores for ``stop``, checked by ``actor`` (signed in with the token
    of digest ``token_hash``, if through the API)."""
    assert actor.id is not None
    at = (stop.at or now).replace(microsecond=0)
    return PendingCheck(
        check_id=str(stop.check_id),
        checkpoint_id=checkpoint.id,
        checkpoint_code=checkpoint.code,
        lat=checkpoint.lat,
        lon=checkpoint.lon,
        officer_id=actor.id,
        at=at,
        recorded_at=now,
        role=actor.role,
        agency_id=actor.agency_id,
        client=actor.client,
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
        token_hash=token_hash,
        check_id_field=check_id_field,
    )


@dataclass(frozen=True)
class RecordedCheck:
    """A check as stored, with its checkpoint's name and the inputs as the officer gave them."""

    verdict: VerdictOut
    checkpoint_name: str
    inputs: dict[str, object]


def readable_by(actor: Actor) -> ColumnElement[bool]:
    """Which checks ``actor`` may read: an auditor all of them; anyone else those they
    recorded, and a supervisor also those recorded by the officers of their agency (its
    users now). A ``check_id`` is not a capability: knowing one shows nothing more."""
    if actor.role == Role.AUDITOR:
        return true()
    mine = Check.officer_id == actor.id
    if actor.role == Role.SUPERVISOR and actor.agency_id is not None:
        colleagues = select(User.id).where(User.agency_id == actor.agency_id)
        return mine | Check.officer_id.in_(colleagues.scalar_subquery())
    return mine


def _not_found(check_id: str) -> NotFoundError:
    return NotFoundError(f"No check with id {check_id[:40]}.", field="check_id")


def find_check(session: Session, actor: Actor, check_id: str) -> Check:
    """The check ``check_id`` if ``actor`` may read it; else 404, exactly as for an id
    that does not exist (a 403 would confirm that it does)."""
    try:
        key = str(uuid.UUID(check_id))
    except ValueError:
        raise _not_found(check_id) from None
    check = session.scalar(select(Check).where(Check.check_id == key, readable_by(actor)))
    if check is None:
        raise _not_found(check_id)
    return check


def read_check(ctx: Ctx, check_id: str) -> RecordedCheck:
    """A recorded check (audited: it names the vehicle and the people of the stop), shown
    only to whom :func:`readable_by` admits."""
    check = find_check(ctx.session, ctx.actor, check_id)
    checkpoint = ctx.session.get(Checkpoint, check.checkpoint_id)
    assert checkpoint is not None
    check_id = check.check_id
    why = f"reading check {check_id}"
    for subject in (check.vin, check.plate):
        if subject:
            audit_lookup(ctx, "read", "vehicle", subject, check_id=check_id, reason=why)
    for person in check.inputs.get("people", []) or []:
        national_id = str(person.get("national_id", ""))
        if national_id:
            audit_lookup(ctx, "read", "person", national_id, check_id=check_id, reason=why)
    return RecordedCheck(stored_verdict(check, checkpoint.code), checkpoint.name, check.inputs)


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
