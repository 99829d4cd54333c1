"""HTTP routes of the stop: check (one or a batch), hits and their confirmation, receipts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select

from alcabala.accounts.models import Role
from alcabala.api.deps import Db, Principal, Reading, RecordId, actor_of, require
from alcabala.api.runtime import Runtime
from alcabala.checkpoints.models import Checkpoint
from alcabala.checks import services
from alcabala.checks.models import Check
from alcabala.checks.recorder import hit_out, stored_verdict
from alcabala.checks.schemas import (
    BatchIn,
    BatchOut,
    HitDecisionIn,
    HitOut,
    ReceiptOut,
    StopIn,
    VerdictOut,
)
from alcabala.db.base import utcnow
from alcabala.db.engine import unit_of_work
from alcabala.errors import NotFoundError

router = APIRouter(prefix="/v1", tags=["checks"])
public = APIRouter(prefix="/v1", tags=["public"])
Officer = Annotated[Principal, Depends(require(Role.OFFICER, Role.SUPERVISOR))]
CheckReader = Annotated[Principal, Depends(require(Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR))]
HitAnswerer = Annotated[Principal, Depends(require(Role.REGISTRAR, Role.SUPERVISOR))]


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _json(model: VerdictOut | BatchOut) -> Response:
    # Already-validated models: serialize once, skip FastAPI's response re-validation.
    return Response(content=model.model_dump_json(), media_type="application/json")


@router.post(
    "/checks",
    response_model=VerdictOut,
    summary="Check one stop and record it (idempotent on check_id)",
)
async def check(stop: StopIn, user: Officer, request: Request) -> Response:
    """The verdict (clear, hit or irregular) with its reasons and the driver's receipt.

    The answer comes once the check is durably recorded; the same ``check_id`` sent again
    returns the stored verdict and receipt and records nothing new."""
    (result,) = await _runtime(request).check([stop], user.id)
    return _json(result)


@router.post("/checks/batch", response_model=BatchOut, summary="Check and record up to 1,000 stops")
async def check_batch(batch: BatchIn, user: Officer, request: Request) -> Response:
    results = await _runtime(request).check(batch.stops, user.id)
    return _json(BatchOut.model_construct(results=results))


@router.get("/checks/{check_id}", summary="A recorded check")
def get_check(check_id: str, user: CheckReader, session: Reading) -> VerdictOut:
    row = session.execute(
        select(Check, Checkpoint.code)
        .join(Checkpoint, Check.checkpoint_id == Checkpoint.id)
        .where(Check.check_id == check_id)
    ).first()
    if row is None:
        raise NotFoundError(f"No check with id {check_id}.", field="check_id")
    return stored_verdict(row[0], row[1])


@router.get("/hits", summary="Hits awaiting confirmation by your agency")
def list_hits(user: HitAnswerer, session: Reading) -> list[HitOut]:
    agency = None if user.role == Role.ADMIN else user.agency_id
    now = utcnow()
    return [hit_out(h, now) for h in services.pending_hits(session, agency)]


def _decide(
    hit_id: RecordId, body: HitDecisionIn, user: Principal, db: Db, confirm: bool
) -> HitOut:
    with unit_of_work(db) as s:
        hit = services.decide_hit(s, hit_id, actor_of(s, user), confirm, body.reason, body.version)
        return hit_out(hit)


@router.post("/hits/{hit_id}/confirm", summary="Confirm a hit (owning agency)")
def confirm_hit(hit_id: RecordId, body: HitDecisionIn, user: HitAnswerer, db: Db) -> HitOut:
    return _decide(hit_id, body, user, db, True)


@router.post("/hits/{hit_id}/deny", summary="Deny a hit (owning agency; reason needed)")
def deny_hit(hit_id: RecordId, body: HitDecisionIn, user: HitAnswerer, db: Db) -> HitOut:
    return _decide(hit_id, body, user, db, False)


@public.get("/receipts/{code}", summary="Verify a stop receipt (no login)")
def get_receipt(code: str, session: Reading, request: Request) -> ReceiptOut:
    _runtime(request).public_limit.check(request)
    return services.receipt(session, code)
