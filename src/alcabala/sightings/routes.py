"""HTTP routes of sightings and alerts.

``POST /v1/sightings/batch`` takes camera reads (the ``camera`` role), all or nothing.
``GET /v1/alerts`` is the owning agency's queue (oversight and auditors see every alert;
an audited read: alerts name plates and people), ``GET /v1/alerts/{alert_id}`` one alert
with its sightings in order; ``POST …/acknowledge`` and ``…/close`` move it, with a reason.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from alcabala.accounts.deps import DoorDep, RecordId, require
from alcabala.accounts.models import Role
from alcabala.context import Actor
from alcabala.sightings import alerts, ingest, views
from alcabala.sightings.schemas import AlertOut, AlertRow, BatchIn, BatchOut, MoveIn

router = APIRouter(prefix="/v1", tags=["sightings"])
R = Role
Camera = Annotated[Actor, Depends(require(R.CAMERA))]
Reader = Annotated[
    Actor, Depends(require(R.REGISTRAR, R.SUPERVISOR, R.COURT, R.OVERSIGHT, R.AUDITOR))
]
Owner = Annotated[Actor, Depends(require(R.REGISTRAR, R.SUPERVISOR, R.COURT))]
KINDS = "^(impossible_travel|dead_identity|vin_two_plates|plate_two_vehicles|fleet_identity|lead|passed_without_action)$"  # noqa: E501


@router.post("/sightings/batch", status_code=201, summary="Camera reads (camera role)")
def batch(data: BatchIn, user: Camera, door: DoorDep) -> BatchOut:
    """Up to 10,000 reads, stored all or nothing; a read sent twice is stored once. Alerts
    they raise appear within seconds."""
    with door.write(user) as ctx:
        stored, duplicates = ingest.ingest(ctx, data.reads)
    return BatchOut(stored=stored, duplicates=duplicates)


@router.get("/alerts", summary="The alert queue (audited)")
def queue(
    user: Reader,
    door: DoorDep,
    status: Annotated[str | None, Query(pattern="^(open|acknowledged|closed)$")] = "open",
    kind: Annotated[str | None, Query(pattern=KINDS)] = None,
) -> list[AlertRow]:
    with door.lookup(user) as ctx:
        return views.rows_of(ctx, alerts.queue(ctx, status=status, kind=kind))


@router.get("/alerts/{alert_id}", summary="An alert with its sightings in order (audited)")
def get_alert(alert_id: RecordId, user: Reader, door: DoorDep) -> AlertOut:
    with door.lookup(user) as ctx:
        alert, seen = alerts.read(ctx, alert_id)
        return views.alert_out(ctx, alert, seen)


def _move(door: DoorDep, user: Actor, alert_id: int, target: str, data: MoveIn) -> AlertOut:
    with door.write(user) as ctx:
        alerts.move(ctx, alert_id, target, data.reason, data.version)
        alert, seen = alerts.read(ctx, alert_id)
        return views.alert_out(ctx, alert, seen)


@router.post("/alerts/{alert_id}/acknowledge", summary="Acknowledge an alert")
def acknowledge(alert_id: RecordId, data: MoveIn, user: Owner, door: DoorDep) -> AlertOut:
    return _move(door, user, alert_id, "acknowledged", data)


@router.post("/alerts/{alert_id}/close", summary="Close an alert, with a reason")
def close(alert_id: RecordId, data: MoveIn, user: Owner, door: DoorDep) -> AlertOut:
    return _move(door, user, alert_id, "closed", data)
