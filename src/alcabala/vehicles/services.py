"""Changes to vehicles, stolen-vehicle reports and retirements: the only code making them.

A report is on the hotlist only while ``active``. Recovery takes it off at once and, in the
same transaction, queues a notification to the owner. A retired vehicle's VIN and engine
number are dead: such a vehicle cannot be reported stolen, and seeing them again is a clone.
The rules themselves are in :mod:`.rules`, shared with bulk import; the audited reads are in
:mod:`.lookups`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala import identifiers
from alcabala.accounts.authority import acting_agency, must_own
from alcabala.accounts.services import get_agency
from alcabala.context import Ctx
from alcabala.db.history import record_change
from alcabala.db.lifecycle import Lifecycle, log_creation, transition
from alcabala.errors import NotFoundError
from alcabala.notifications.services import enqueue
from alcabala.persons.services import get_or_register_person
from alcabala.rules import unique
from alcabala.schemas import checked
from alcabala.vehicles import rules
from alcabala.vehicles.models import (
    ReportStatus,
    Retirement,
    StolenReport,
    StolenReportTransition,
    Vehicle,
)
from alcabala.vehicles.schemas import RetirementIn, StolenReportIn, VehicleIn

S = ReportStatus
STOLEN_REPORT = Lifecycle(
    entity="stolen_report",
    label="stolen-vehicle report",
    moves={
        S.ACTIVE: frozenset({S.RECOVERED, S.CANCELLED, S.ACTIVE}),
        S.RECOVERED: frozenset({S.RETURNED}),
    },
    needs_reason=frozenset({S.CANCELLED}),
)


def find_vehicle(session: Session, vin: str) -> Vehicle | None:
    """The vehicle with this VIN (normalized), or None. Not audited: for services only."""
    normalized = identifiers.normalize_vin(vin)
    return session.scalar(select(Vehicle).where(Vehicle.vin == normalized))


def get_vehicle(session: Session, vin: str) -> Vehicle:
    vehicle = find_vehicle(session, vin)
    if vehicle is None:
        raise NotFoundError(f"No vehicle with VIN {identifiers.normalize_vin(vin)}.", field="vin")
    return vehicle


def retirement_of(session: Session, vehicle: Vehicle) -> Retirement | None:
    return session.scalar(select(Retirement).where(Retirement.vehicle_id == vehicle.id))


def active_report(session: Session, vehicle: Vehicle) -> StolenReport | None:
    return session.scalar(
        select(StolenReport).where(
            StolenReport.vehicle_id == vehicle.id, StolenReport.status == S.ACTIVE
        )
    )


def register_vehicle(ctx: Ctx, data: VehicleIn) -> Vehicle:
    s = ctx.session
    rules.may_register(data.vin, find_vehicle(s, data.vin) is not None)
    vehicle = Vehicle(
        vin=data.vin,
        plate=data.plate,
        plate_country=data.plate_country,
        plate_ocr_key=identifiers.ocr_key(data.plate),
        engine_number=data.engine_number,
        make=data.make,
        model=data.model,
        year=data.year,
        colour=data.colour,
    )
    if data.owner_national_id:
        vehicle.owner_person = get_or_register_person(
            ctx, data.owner_national_id, data.owner_country
        )
    if data.owner_agency:
        vehicle.owner_agency = get_agency(s, data.owner_agency, field="owner_agency")
    s.add(vehicle)
    s.flush()
    record_change(s, "vehicle", vehicle, ctx.now(), "created")
    return vehicle


def report_stolen(ctx: Ctx, vin: str, data: StolenReportIn) -> StolenReport:
    s = ctx.session
    vehicle = get_vehicle(s, checked(identifiers.parse_vin(vin), "vin"))
    number_taken = s.scalar(select(StolenReport.id).where(StolenReport.number == data.number))
    unique("Report", data.number, number_taken is not None)
    existing = active_report(s, vehicle)
    rules.may_report_stolen(
        vehicle.vin, retirement_of(s, vehicle) is not None, existing.number if existing else None
    )
    agency = acting_agency(ctx, data.agency)
    now = ctx.now()
    report = StolenReport(
        number=data.number,
        vehicle=vehicle,
        agency=agency,
        reported_at=data.reported_at or now,
        stolen_at=data.stolen_at,
        place=data.place,
        notes=data.notes,
        status=S.ACTIVE.value,
        validate_by=now.date() + dt.timedelta(days=ctx.settings.first_validation_days),
    )
    s.add(report)
    log_creation(
        s,
        report,
        STOLEN_REPORT,
        history=StolenReportTransition,
        history_fk="report_id",
        actor_id=ctx.actor_id,
        at=now,
    )
    supersede_certificates(ctx, [vehicle.id], f"reported stolen ({report.number})")
    from alcabala.sightings.retro import report_leads  # sightings read the registry

    s.flush()
    report_leads(ctx, report)
    return report


def get_report(session: Session, report_id: int) -> StolenReport:
    """A report by id, for services (not audited: see :func:`.lookups.report`)."""
    report = session.get(StolenReport, report_id)
    if report is None:
        raise NotFoundError(f"No stolen-vehicle report with id {report_id}.", field="id")
    return report


def _move(
    ctx: Ctx,
    report_id: int,
    target: str,
    reason: str,
    expected_version: int | None,
    inventory: str = "",
) -> StolenReport:
    report = get_report(ctx.session, report_id)
    must_own(ctx, report.agency_id, f"report {report.number}")
    transition(
        ctx.session,
        report,
        STOLEN_REPORT,
        target,
        history=StolenReportTransition,
        history_fk="report_id",
        actor_id=ctx.actor_id,
        at=ctx.now(),
        reason=reason,
        expected_version=expected_version,
        updates={} if target == S.ACTIVE else {"validate_by": None},
        inventory=inventory,
    )
    return report


def recover(
    ctx: Ctx, report_id: int, reason: str = "", expected_version: int | None = None
) -> StolenReport:
    """The vehicle was found and is in custody: off the hotlist now, and the owner is told."""
    report = _move(ctx, report_id, S.RECOVERED, reason, expected_version)
    vehicle = report.vehicle
    enqueue(
        ctx.session,
        "vehicle_recovered",
        {
            "plate": vehicle.plate,
            "make": vehicle.make,
            "model": vehicle.model,
            "vin": vehicle.vin,
            "number": report.number,
            "agency_name": report.agency.name,
            "recovered_at": f"{ctx.now():%Y-%m-%d %H:%M} UTC",
        },
        person_id=vehicle.owner_person_id,
        agency_id=vehicle.owner_agency_id if vehicle.owner_person_id is None else None,
        now=ctx.now(),
    )
    return report


def return_to_owner(
    ctx: Ctx,
    report_id: int,
    inventory: str,
    reason: str = "",
    expected_version: int | None = None,
) -> StolenReport:
    """The recovered vehicle was released to its owner with a signed inventory."""
    return _move(ctx, report_id, S.RETURNED, reason, expected_version, inventory)


def cancel_report(
    ctx: Ctx, report_id: int, reason: str, expected_version: int | None = None
) -> StolenReport:
    """The report was entered in error (a reason is required)."""
    return _move(ctx, report_id, S.CANCELLED, reason, expected_version)


def retire_vehicle(ctx: Ctx, vin: str, data: RetirementIn) -> Retirement:
    """Scrapped, dismantled or exported: from now on its VIN and engine number are dead."""
    s = ctx.session
    vehicle = get_vehicle(s, vin)
    report = active_report(s, vehicle)
    rules.may_retire(
        vehicle.vin, retirement_of(s, vehicle) is not None, report.number if report else None
    )
    retirement = Retirement(
        vehicle=vehicle,
        kind=data.kind.value,
        retired_at=data.retired_at or ctx.now(),
        agency=acting_agency(ctx, data.agency),
        reference=data.reference,
        notes=data.notes,
        actor_id=ctx.actor_id,
    )
    s.add(retirement)
    s.flush()
    record_change(s, "retirement", retirement, ctx.now(), "created")
    supersede_certificates(ctx, [vehicle.id], f"retired ({retirement.kind})")
    return retirement


def supersede_certificates(ctx: Ctx, vehicle_ids: list[int], reason: str) -> None:
    """Certificates of these vehicles still in force no longer tell the truth: supersede
    them in this transaction (imported here: certificates build on vehicles)."""
    if not vehicle_ids:
        return
    from alcabala.certificates.services import supersede_for_vehicles

    supersede_for_vehicles(ctx, vehicle_ids, reason)


def revalidate_report(ctx: Ctx, report: StolenReport, reason: str, next_date: dt.date) -> None:
    """The report still stands: its next re-validation is due on ``next_date``."""
    transition(
        ctx.session,
        report,
        STOLEN_REPORT,
        S.ACTIVE,
        history=StolenReportTransition,
        history_fk="report_id",
        actor_id=ctx.actor_id,
        at=ctx.now(),
        reason=reason,
        updates={"validate_by": next_date},
    )
