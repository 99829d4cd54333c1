"""HTTP routes of vehicles, stolen-vehicle reports and retirements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from alcabala.accounts.deps import DoorDep, PublicLimit, RecordId, require
from alcabala.accounts.models import Role
from alcabala.context import SYSTEM, Actor
from alcabala.schemas import TransitionIn
from alcabala.vehicles import lookups, services
from alcabala.vehicles.models import Retirement, StolenReport, Vehicle
from alcabala.vehicles.schemas import (
    PublicVehicleStatus,
    RetirementIn,
    RetirementOut,
    StolenReportIn,
    StolenReportOut,
    VehicleDetail,
    VehicleIn,
    VehicleOut,
)

router = APIRouter(prefix="/v1", tags=["vehicles"])
Registrar = Annotated[Actor, Depends(require(Role.REGISTRAR))]
Reader = Annotated[Actor, Depends(require(Role.REGISTRAR, Role.SUPERVISOR, Role.OFFICER))]
Reason = Annotated[
    str,
    Query(
        max_length=200, description="Why you look this up (required of officers and registrars)."
    ),
]


def vehicle_out(v: Vehicle) -> VehicleOut:
    return VehicleOut(
        id=v.id,
        vin=v.vin,
        plate=v.plate,
        plate_country=v.plate_country,
        engine_number=v.engine_number,
        make=v.make,
        model=v.model,
        year=v.year,
        colour=v.colour,
        owner_national_id=v.owner_person.national_id if v.owner_person else None,
        owner_agency=v.owner_agency.code if v.owner_agency else None,
    )


def report_out(r: StolenReport) -> StolenReportOut:
    return StolenReportOut(
        id=r.id,
        number=r.number,
        vin=r.vehicle.vin,
        agency=r.agency.code,
        reported_at=r.reported_at,
        stolen_at=r.stolen_at,
        place=r.place,
        status=r.status,
        validate_by=r.validate_by,
        notes=r.notes,
        version=r.version,
    )


def retirement_out(r: Retirement) -> RetirementOut:
    return RetirementOut(
        id=r.id,
        vin=r.vehicle.vin,
        kind=r.kind,
        retired_at=r.retired_at,
        agency=r.agency.code,
        reference=r.reference,
    )


@router.post("/vehicles", status_code=201, summary="Register a vehicle")
def register_vehicle(body: VehicleIn, user: Registrar, door: DoorDep) -> VehicleOut:
    with door.write(user) as ctx:
        return vehicle_out(services.register_vehicle(ctx, body))


@router.get("/vehicles/{vin}", summary="A vehicle with its reports (audited; reason needed)")
def get_vehicle(vin: str, user: Reader, door: DoorDep, reason: Reason = "") -> VehicleDetail:
    with door.lookup(user) as ctx:
        found = lookups.vehicle_file(ctx, vin, reason)
        return VehicleDetail(
            vehicle=vehicle_out(found.vehicle),
            reports=[report_out(r) for r in found.reports],
            retirement=retirement_out(found.retirement) if found.retirement else None,
        )


@router.post("/vehicles/{vin}/stolen-reports", status_code=201, summary="Report a vehicle stolen")
def report_stolen(
    vin: str, body: StolenReportIn, user: Registrar, door: DoorDep
) -> StolenReportOut:
    with door.write(user) as ctx:
        return report_out(services.report_stolen(ctx, vin, body))


@router.get("/stolen-reports/{report_id}", summary="A stolen-vehicle report (audited)")
def get_report(
    report_id: RecordId, user: Reader, door: DoorDep, reason: Reason = ""
) -> StolenReportOut:
    with door.lookup(user) as ctx:
        return report_out(lookups.report(ctx, report_id, reason))


@router.post("/stolen-reports/{report_id}/recover", summary="The vehicle was found")
def recover(
    report_id: RecordId, body: TransitionIn, user: Registrar, door: DoorDep
) -> StolenReportOut:
    with door.write(user) as ctx:
        return report_out(services.recover(ctx, report_id, body.reason, body.version))


@router.post("/stolen-reports/{report_id}/return", summary="Released to its owner")
def return_to_owner(
    report_id: RecordId, body: TransitionIn, user: Registrar, door: DoorDep
) -> StolenReportOut:
    with door.write(user) as ctx:
        report = services.return_to_owner(ctx, report_id, body.inventory, body.reason, body.version)
        return report_out(report)


@router.post("/stolen-reports/{report_id}/cancel", summary="Entered in error (reason needed)")
def cancel(
    report_id: RecordId, body: TransitionIn, user: Registrar, door: DoorDep
) -> StolenReportOut:
    with door.write(user) as ctx:
        return report_out(services.cancel_report(ctx, report_id, body.reason, body.version))


@router.post("/vehicles/{vin}/retirements", status_code=201, summary="Retire a vehicle")
def retire(vin: str, body: RetirementIn, user: Registrar, door: DoorDep) -> RetirementOut:
    with door.write(user) as ctx:
        return retirement_out(services.retire_vehicle(ctx, vin, body))


public = APIRouter(prefix="/v1/public", tags=["public"])
PUBLIC = SYSTEM.via("api")


@public.get(
    "/vehicles/{vin_or_plate}",
    summary="Is this vehicle reported stolen? (no login)",
    dependencies=[PublicLimit],
)
def public_lookup(vin_or_plate: str, door: DoorDep) -> PublicVehicleStatus:
    """Answers only ``no_report``, ``reported_stolen`` or ``recovered``; rate-limited per
    client address (429 when exceeded)."""
    with door.lookup(PUBLIC) as ctx:
        return PublicVehicleStatus(status=lookups.public_status(ctx, vin_or_plate))
