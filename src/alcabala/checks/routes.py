"""HTTP routes of the stop: check (one or a batch), hits and their confirmation, receipts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from alcabala.accounts.deps import DoorDep, PublicLimit, Reading, RecordId, require, token_hash
from alcabala.accounts.models import Role
from alcabala.checks import hits, proofs, services
from alcabala.checks.pending import hit_out
from alcabala.checks.runtime import Runtime
from alcabala.checks.schemas import (
    BatchIn,
    BatchOut,
    HitDecisionIn,
    HitOut,
    ReceiptOut,
    StopIn,
    VerdictOut,
)
from alcabala.context import SYSTEM, Actor

router = APIRouter(prefix="/v1", tags=["checks"])
public = APIRouter(prefix="/v1", tags=["public"])
Officer = Annotated[Actor, Depends(require(Role.OFFICER, Role.SUPERVISOR))]
CheckReader = Annotated[Actor, Depends(require(Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR))]
HitAnswerer = Annotated[Actor, Depends(require(Role.REGISTRAR, Role.SUPERVISOR))]


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

    The answer comes once the check is durably recorded; the same stop sent again with the
    same ``check_id`` returns the stored verdict and receipt and records nothing new. A
    ``check_id`` already used for another stop (another body, another officer) is 409
    ``check_id_conflict``. ``at`` must lie within 7 days before and 5 minutes after the
    server's clock (422 ``at_too_old`` / ``at_in_future``)."""
    (result,) = await _runtime(request).check([stop], user, token_hash=token_hash(request))
    return _json(result)


@router.post("/checks/batch", response_model=BatchOut, summary="Check and record up to 1,000 stops")
async def check_batch(batch: BatchIn, user: Officer, request: Request) -> Response:
    """Every stop as ``POST /v1/checks`` would take it, in one transaction. One stop that
    cannot be taken refuses the whole batch, naming it by position (``stops.N.at``)."""
    runtime = _runtime(request)
    results = await runtime.check(batch.stops, user, batch=True, token_hash=token_hash(request))
    return _json(BatchOut.model_construct(results=results))


@router.get("/checks/{check_id}", summary="A recorded check (audited)")
def get_check(check_id: str, user: CheckReader, door: DoorDep) -> VerdictOut:
    """Shown to the officer who recorded it, to supervisors of that officer's agency and to
    auditors; to anyone else it does not exist (404)."""
    with door.lookup(user) as ctx:
        return services.read_check(ctx, check_id).verdict


@router.get("/hits", summary="Hits awaiting confirmation by your agency (audited)")
def list_hits(user: HitAnswerer, door: DoorDep) -> list[HitOut]:
    with door.lookup(user) as ctx:
        return [hit_out(p.hit, ctx.now(), p.record.status) for p in hits.pending_hits(ctx)]


def _decide(hit_id: int, body: HitDecisionIn, user: Actor, door: DoorDep, confirm: bool) -> HitOut:
    with door.write(user) as ctx:
        hit = hits.decide_hit(ctx, hit_id, confirm, body.reason, body.version)
        return hit_out(hit, ctx.now())


@router.post("/hits/{hit_id}/confirm", summary="Confirm a hit (owning agency; record in force)")
def confirm_hit(hit_id: RecordId, body: HitDecisionIn, user: HitAnswerer, door: DoorDep) -> HitOut:
    return _decide(hit_id, body, user, door, True)


@router.post("/hits/{hit_id}/deny", summary="Deny a hit (owning agency; reason needed)")
def deny_hit(hit_id: RecordId, body: HitDecisionIn, user: HitAnswerer, door: DoorDep) -> HitOut:
    return _decide(hit_id, body, user, door, False)


@public.get(
    "/receipts/{code}", summary="Verify a stop receipt (no login)", dependencies=[PublicLimit]
)
def get_receipt(code: str, session: Reading) -> ReceiptOut:
    return services.receipt(session, code)


PUBLIC = SYSTEM.via("api")


@public.get(
    "/receipts/{code}/proof",
    summary="A stop receipt's proof, to verify offline (no login; c2sp.org/tlog-proof)",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {}}, "description": "The .tlog-proof file"},
        404: {"description": "No stop has this receipt code (`not_found`, field `code`)"},
        503: {"description": "Recorded, not in a checkpoint yet (`not_logged_yet`, Retry-After)"},
    },
    dependencies=[PublicLimit],
)
def get_receipt_proof(code: str, door: DoorDep, download: bool = False) -> Response:
    """The C2SP tlog proof that the stop's record is in the log: the record and its salt,
    the entry's index, its inclusion proof and the latest signed checkpoint with its
    witnesses' cosignatures. Check it with ``alcabala log verify-proof FILE --vkey VKEY``.
    ``?download=1`` names it ``receipt-<code>.tlog-proof``. A stop recorded a moment ago
    may not be in a checkpoint yet: 503 ``not_logged_yet`` with ``Retry-After: 1``. The
    proof's record holds the plate and VIN: each proof given is an audited read."""
    try:
        with door.lookup(PUBLIC) as ctx:
            proof = proofs.receipt_proof(ctx, code)
    except proofs.NotLoggedYet as exc:
        retry = {"Retry-After": str(proofs.RETRY_AFTER), "Cache-Control": "no-store"}
        return JSONResponse(exc.to_dict(), status_code=exc.http_status, headers=retry)
    headers = {"Cache-Control": "no-store"}
    if download:
        headers["Content-Disposition"] = f'attachment; filename="{proof.filename}"'
    return Response(proof.text, media_type="text/plain; charset=utf-8", headers=headers)
