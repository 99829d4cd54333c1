"""HTTP routes of custody: seizures and their public receipt, transfers, storage,
releases and disposals, detentions, vehicle inventories, oversight and location audits.

Public (no login, rate-limited per address): ``GET /v1/seizures/{code}/receipt`` (what
was taken, no names) and ``…/proof`` (its tlog proof). Everything else needs a role; the
services check the rest (holder, receiver, agency). No route edits or deletes a custody
record: every change is a new event.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse, Response

from alcabala.accounts.deps import DoorDep, RecordId, public_limit, require
from alcabala.accounts.models import Role
from alcabala.context import SYSTEM, Actor
from alcabala.custody import (
    conditions,
    core,
    detentions,
    locations,
    outcomes,
    oversight,
    proofs,
    seizing,
    transfers,
    views,
)
from alcabala.custody.outputs import (
    AuditOut,
    DashboardRow,
    DetentionOut,
    EventOut,
    InventoriesOut,
    ItemOut,
    OutcomeOut,
    OversightOut,
    ReceiptOut,
    SeizureOut,
    TransferOut,
)
from alcabala.custody.schemas import (
    AnswerIn,
    ConditionIn,
    CountIn,
    DisposalIn,
    LocationIn,
    LocationOut,
    ReceiveIn,
    ReleaseIn,
    SeizureIn,
    StoreIn,
    TransferIn,
)
from alcabala.ledger.provable import RETRY_AFTER, NotLoggedYet

router = APIRouter(prefix="/v1", tags=["custody"])
PUBLIC = SYSTEM.via("api")
R = Role
Seizer = Annotated[Actor, Depends(require(R.OFFICER, R.SUPERVISOR))]
Holder = Annotated[Actor, Depends(require(R.OFFICER, R.SUPERVISOR, R.CUSTODIAN))]
Keeper = Annotated[Actor, Depends(require(R.SUPERVISOR, R.CUSTODIAN))]
Reader = Annotated[
    Actor, Depends(require(R.OFFICER, R.SUPERVISOR, R.CUSTODIAN, R.OVERSIGHT, R.AUDITOR))
]
Overseer = Annotated[Actor, Depends(require(R.SUPERVISOR, R.CUSTODIAN, R.OVERSIGHT, R.AUDITOR))]
Supervisor = Annotated[Actor, Depends(require(R.SUPERVISOR))]
Founder = Annotated[Actor, Depends(require(R.ADMIN, R.SUPERVISOR))]
Recorder = Annotated[Actor, Depends(require(R.OFFICER, R.SUPERVISOR, R.CUSTODIAN, R.REGISTRAR))]
CodePath = Annotated[
    str, Path(alias="seizure", max_length=20, description="The seizure's code (I-…)")
]
NO_STORE = {"Cache-Control": "no-store"}


@router.post("/custody/locations", status_code=201, summary="Add a storage location")
def add_location(data: LocationIn, user: Founder, door: DoorDep) -> LocationOut:
    with door.write(user) as ctx:
        location = locations.add_location(ctx, data)
        return LocationOut(code=location.code, name=location.name, agency=data.agency)


@router.get("/custody/locations", summary="Storage locations")
def list_locations(user: Reader, door: DoorDep) -> list[LocationOut]:
    with door.read(user) as ctx:
        return [
            LocationOut(code=loc.code, name=loc.name, agency=agency)
            for loc, agency in locations.listing(ctx)
        ]


@router.post("/seizures", status_code=201, summary="Record a seizure (items, seals, detainees)")
def seize(data: SeizureIn, user: Seizer, door: DoorDep) -> SeizureOut:
    """What was taken at a stop (``check_id``) or on its own. The items start with the
    officer; the driver's receipt is at ``receipt_url``, its tlog proof at ``proof_url``."""
    with door.write(user) as ctx:
        seizure = seizing.seize(ctx, data)
        return views.seizure_out(ctx, seizure)


@router.get("/seizures/{seizure}", summary="A seizure, for staff (audited)")
def get_seizure(code: CodePath, user: Reader, door: DoorDep) -> SeizureOut:
    with door.lookup(user) as ctx:
        return views.seizure_out(ctx, core.read_seizure(ctx, code))


@router.get("/seizures/{seizure}/receipt", summary="The driver's seizure receipt (no login)")
def get_receipt(code: CodePath, request: Request, door: DoorDep) -> ReceiptOut:
    """Every item and seal as seized; no names, and only the end of a VIN or serial."""
    public_limit(request)
    with door.read(PUBLIC) as ctx:
        return views.receipt_out(ctx, core.find_seizure(ctx, code))


@router.get(
    "/seizures/{seizure}/proof",
    summary="The seizure's tlog proof, to verify offline (no login)",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {}}, "description": "The .tlog-proof file"},
        503: {"description": "Recorded, not in a checkpoint yet (`not_logged_yet`)"},
    },
)
def get_proof(code: CodePath, request: Request, door: DoorDep) -> Response:
    public_limit(request)
    try:
        with door.lookup(PUBLIC) as ctx:
            seizure, text = proofs.seizure_proof(ctx, code)
    except NotLoggedYet as exc:
        retry = {"Retry-After": str(RETRY_AFTER), **NO_STORE}
        return JSONResponse(exc.to_dict(), status_code=exc.http_status, headers=retry)
    headers = {
        **NO_STORE,
        "Content-Disposition": f'attachment; filename="seizure-{seizure}.tlog-proof"',
    }
    return Response(text, media_type="text/plain; charset=utf-8", headers=headers)


@router.post("/custody/transfers", status_code=201, summary="Offer items to another holder")
def offer(data: TransferIn, user: Holder, door: DoorDep) -> TransferOut:
    """The items stay yours until the receiver confirms with their own login."""
    with door.write(user) as ctx:
        return views.transfer_view(transfers.offer(ctx, data), views.Names(ctx))


@router.get("/custody/transfers", summary="Transfers waiting for you, or offered by you")
def pending_transfers(user: Holder, door: DoorDep) -> list[TransferOut]:
    with door.read(user) as ctx:
        names = views.Names(ctx)
        found = transfers.pending(ctx)
        return [views.transfer_view(t, names) for t in found]


@router.post("/custody/transfers/{transfer_id}/receive", summary="Confirm you received them")
def receive(transfer_id: RecordId, data: ReceiveIn, user: Holder, door: DoorDep) -> TransferOut:
    with door.write(user) as ctx:
        return views.transfer_view(transfers.receive(ctx, transfer_id, data), views.Names(ctx))


@router.post(
    "/custody/transfers/{transfer_id}/decline", summary="Refuse (receiver) or withdraw (sender)"
)
def decline(transfer_id: RecordId, data: AnswerIn, user: Holder, door: DoorDep) -> TransferOut:
    with door.write(user) as ctx:
        return views.transfer_view(transfers.decline(ctx, transfer_id, data), views.Names(ctx))


@router.post("/custody/store", summary="Put items you hold in a storage location")
def store(data: StoreIn, user: Holder, door: DoorDep) -> list[ItemOut]:
    with door.write(user) as ctx:
        names = views.Names(ctx)
        return [views.item_out(i, names) for i in transfers.store(ctx, data)]


@router.get(
    "/custody/items/{seizure}/{item}/history",
    summary="An item's custody history, each step with its tlog proof (audited)",
)
def history(
    code: CodePath,
    number: Annotated[int, Path(alias="item", ge=1, le=999, description="The item's number")],
    user: Reader,
    door: DoorDep,
) -> dict[str, object]:
    label = f"{core.normalize_code(code) or code}/{number}"
    with door.lookup(user) as ctx:
        item, steps = proofs.history_proofs(ctx, label)
        names = views.Names(ctx)
        events = [views.event_out(e, names) for e in proofs.events_of(ctx, item)]
        return {
            "item": views.item_out(item, names),
            "events": [EventOut.model_validate(e).model_dump(mode="json") for e in events],
            "proofs": [{"what": what, "proof": text} for what, text in steps],
        }


@router.post("/seizures/{seizure}/releases", status_code=201, summary="Release items")
def release(code: CodePath, data: ReleaseIn, user: Keeper, door: DoorDep) -> OutcomeOut:
    """To the owner or to a court, compared item by item with the seizure: any
    difference needs an explanation and goes to oversight."""
    with door.write(user) as ctx:
        return views.outcome_out(ctx, outcomes.release(ctx, code, data))


@router.post("/seizures/{seizure}/disposals", status_code=201, summary="Dispose of items")
def dispose(code: CodePath, data: DisposalIn, user: Keeper, door: DoorDep) -> OutcomeOut:
    """Only on a court order's reference, before a witness."""
    with door.write(user) as ctx:
        return views.outcome_out(ctx, outcomes.dispose(ctx, code, data))


@router.get("/custody/outcomes/{outcome_id}", summary="A release or disposal (audited)")
def get_outcome(outcome_id: RecordId, user: Reader, door: DoorDep) -> OutcomeOut:
    with door.lookup(user) as ctx:
        return views.outcome_out(ctx, outcomes.read_outcome(ctx, outcome_id))


@router.post("/custody/detentions/{detention_id}/approve", summary="Approve a detention")
def approve(
    detention_id: RecordId, data: AnswerIn, user: Supervisor, door: DoorDep
) -> DetentionOut:
    with door.write(user) as ctx:
        return views.detention_out(detentions.decide(ctx, detention_id, True, data), ctx)


@router.post("/custody/detentions/{detention_id}/reject", summary="Reject a detention")
def reject(detention_id: RecordId, data: AnswerIn, user: Supervisor, door: DoorDep) -> DetentionOut:
    with door.write(user) as ctx:
        return views.detention_out(detentions.decide(ctx, detention_id, False, data), ctx)


@router.post(
    "/custody/vehicle-conditions", status_code=201, summary="A recovered vehicle's condition"
)
def record_condition(data: ConditionIn, user: Recorder, door: DoorDep) -> InventoriesOut:
    """At recovery, then at return: the return is compared with the recovery, any part
    missing is flagged, and the owner gets both inventories."""
    with door.write(user) as ctx:
        report, _ = conditions.record_condition(ctx, data)
        return views.inventories_out(ctx, report)


@router.get("/custody/oversight", summary="Discrepancies and unapproved detentions")
def get_oversight(user: Overseer, door: DoorDep) -> OversightOut:
    with door.lookup(user) as ctx:
        rows, recent = oversight.dashboard(ctx)
        names = views.Names(ctx)
        late = oversight.overdue_detentions(ctx)
        return OversightOut(
            rows=[
                DashboardRow(
                    agency=names.agency(agency).code,
                    location=names.location(location),
                    discrepancies=sum(kinds.values()),
                    by_kind=dict(kinds),
                    last_at=last,
                )
                for agency, location, kinds, last in rows
            ],
            recent=views.discrepancies_out(ctx, recent),
            unapproved_detentions=[views.detention_out(d, ctx) for d in late],
        )


@router.post("/custody/audits", status_code=201, summary="Audit a location against a count")
def audit_location(data: CountIn, user: Overseer, door: DoorDep) -> AuditOut:
    """Every difference between the records and the count becomes a discrepancy."""
    with door.write(user) as ctx:
        on_record, counted, matched, found = oversight.audit_location(ctx, data)
        return AuditOut(
            location=data.location,
            on_record=on_record,
            counted=counted,
            matched=matched,
            differences=views.discrepancies_out(ctx, found),
        )
