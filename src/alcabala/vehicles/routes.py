"""HTTP routes of vehicles, stolen-vehicle reports and retirements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy import Engine

from alcabala import identifiers
from alcabala.accounts.audit import audit_lookup
from alcabala.accounts.models import Role
from alcabala.api.deps import Db, Principal, Reading, RecordId, actor_of, require
from alcabala.api.hooks import after_write
from alcabala.db.engine import unit_of_work
from alcabala.errors import NotFoundError
from alcabala.schemas import TransitionIn
from alcabala.vehicles import services
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
Registrar = Annotated[Principal, Depends(require(Role.REGISTRAR))]
Reader = Annotated[Principal, Depends(require(Role.REGISTRAR, Role.SUPERVISOR, Role.OFFICER))]


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
def register_vehicle(body: VehicleIn, user: Registrar, db: Db, request: Request) -> VehicleOut:
    with unit_of_work(db) as s:
        out = vehicle_out(services.register_vehicle(s, body))
    after_write(request)
    return out


@router.get("/vehicles/{vin}", summary="A vehicle with its reports (audited)")
def get_vehicle(vin: str, user: Reader, db: Db, reason: str = "") -> VehicleDetail:
    normalized = identifiers.normalize_vin(vin)[:40]
    with unit_of_work(db) as s:
        # A lookup that finds nothing is still a lookup: audit first, answer after commit.
        audit_lookup(s, user.id, "search", "vehicle", normalized, reason=reason[:200])
        vehicle = services.get_vehicle(s, vin, missing_ok=True)
        detail = None
        if vehicle is not None:
            retirement = services.retirement_of(s, vehicle)
            detail = VehicleDetail(
                vehicle=vehicle_out(vehicle),
                reports=[report_out(r) for r in services.reports_of(s, vehicle)],
                retirement=retirement_out(retirement) if retirement else None,
            )
    if detail is None:
        raise NotFoundError(f"No vehicle with VIN {normalized}.", field="vin")
    return detail


@router.post("/vehicles/{vin}/stolen-reports", status_code=201, summary="Report a vehicle stolen")
def report_stolen(
    vin: str, body: StolenReportIn, user: Registrar, db: Db, request: Request
) -> StolenReportOut:
    with unit_of_work(db) as s:
        out = report_out(services.report_stolen(s, vin, body, actor_of(s, user)))
    after_write(request)
    return out


@router.get("/stolen-reports/{report_id}", summary="A stolen-vehicle report")
def get_report(report_id: RecordId, user: Reader, session: Reading) -> StolenReportOut:
    return report_out(services.get_report(session, report_id))


def _move(
    action: str,
    report_id: RecordId,
    body: TransitionIn,
    user: Principal,
    db: Engine,
    request: Request,
) -> StolenReportOut:
    with unit_of_work(db) as s:
        actor = actor_of(s, user)
        if action == "recover":
            report = services.recover(s, report_id, actor, body.reason, body.version)
        elif action == "return":
            report = services.return_to_owner(
                s, report_id, actor, body.inventory, body.reason, body.version
            )
        else:
            report = services.cancel_report(s, report_id, actor, body.reason, body.version)
        out = report_out(report)
    after_write(request)
    return out


@router.post("/stolen-reports/{report_id}/recover", summary="The vehicle was found")
def recover(
    report_id: RecordId, body: TransitionIn, user: Registrar, db: Db, request: Request
) -> StolenReportOut:
    return _move("recover", report_id, body, user, db, request)


@router.post("/stolen-reports/{report_id}/return", summary="Released to its owner")
def return_to_owner(
    report_id: RecordId, body: TransitionIn, user: Registrar, db: Db, request: Request
) -> StolenReportOut:
    return _move("return", report_id, body, user, db, request)


@router.post("/stolen-reports/{report_id}/cancel", summary="Entered in error (reason needed)")
def cancel(
    report_id: RecordId, body: TransitionIn, user: Registrar, db: Db, request: Request
) -> StolenReportOut:
    return _move("cancel", report_id, body, user, db, request)


@router.post("/vehicles/{vin}/retirements", status_code=201, summary="Retire a vehicle")
def retire(
    vin: str, body: RetirementIn, user: Registrar, db: Db, request: Request
) -> RetirementOut:
    with unit_of_work(db) as s:
        out = retirement_out(services.retire_vehicle(s, vin, body, actor_of(s, user)))
    after_write(request)
    return out


public = APIRouter(prefix="/v1/public", tags=["public"])


@public.get("/vehicles/{vin_or_plate}", summary="Is this vehicle reported stolen? (no login)")
def public_lookup(vin_or_plate: str, db: Db, request: Request) -> PublicVehicleStatus:
    """Answers only ``no_report``, ``reported_stolen`` or ``recovered``; rate-limited per
    client address (429 when exceeded)."""
    request.app.state.runtime.public_limit.check(request)
    query = "".join(ch for ch in vin_or_plate if ch.isprintable()).strip()[:64]
    with unit_of_work(db) as s:
        status = services.public_status(s, query)
        subject = identifiers.normalize_vin(query) or query
        audit_lookup(s, None, "public_lookup", "vehicle", subject[:40], reason="public")
    return PublicVehicleStatus(status=status)
