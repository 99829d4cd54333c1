"""Use cases of vehicles, stolen-vehicle reports and retirements: the only code changing them.

A report is on the hotlist only while ``active``. Recovery takes it off at once and, in the
same transaction, queues a notification to the owner. A retired vehicle's VIN and engine
number are dead: such a vehicle cannot be reported stolen, and seeing them again is a clone.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala import identifiers
from alcabala.accounts.models import User
from alcabala.accounts.services import get_agency
from alcabala.config import Settings
from alcabala.db.base import utcnow
from alcabala.db.history import record_change
from alcabala.db.lifecycle import Lifecycle, actor_id, log_creation, transition
from alcabala.errors import ConflictError, NotFoundError, TransitionError
from alcabala.notifications.services import enqueue
from alcabala.persons.services import get_or_register_person
from alcabala.schemas import checked
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


def register_vehicle(session: Session, data: VehicleIn) -> Vehicle:
    if get_vehicle(session, data.vin, missing_ok=True) is not None:
        raise ConflictError(f"A vehicle with VIN {data.vin} is already registered.", field="vin")
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
            session, data.owner_national_id, data.owner_country
        )
    if data.owner_agency:
        vehicle.owner_agency = get_agency(session, data.owner_agency, field="owner_agency")
    session.add(vehicle)
    session.flush()
    record_change(session, "vehicle", vehicle.id)
    return vehicle


def get_vehicle(session: Session, vin: str, *, missing_ok: bool = False) -> Vehicle | None:
    normalized = identifiers.normalize_vin(vin)
    vehicle = session.scalar(select(Vehicle).where(Vehicle.vin == normalized))
    if vehicle is None and not missing_ok:
        raise NotFoundError(f"No vehicle with VIN {normalized}.", field="vin")
    return vehicle


def find_vehicles(session: Session, vin_or_plate: str) -> list[Vehicle]:
    """Vehicles whose VIN or plate is ``vin_or_plate`` (normalized)."""
    vin = identifiers.normalize_vin(vin_or_plate)
    plate = identifiers.normalize_plate(vin_or_plate)
    return list(
        session.scalars(
            select(Vehicle).where((Vehicle.vin == vin) | (Vehicle.plate == plate))
        ).all()
    )


def audit_subjects(session: Session, vin_or_plate: str) -> list[str]:
    """Every subject under which lookups of this vehicle were audited: the value as typed
    (normalized as VIN and as plate) and the VIN and plate of matching registered vehicles."""
    found = {identifiers.normalize_vin(vin_or_plate), identifiers.normalize_plate(vin_or_plate)}
    for vehicle in find_vehicles(session, vin_or_plate):
        found.update({vehicle.vin, vehicle.plate})
    return sorted(x for x in found if x)


def retirement_of(session: Session, vehicle: Vehicle) -> Retirement | None:
    return session.scalar(select(Retirement).where(Retirement.vehicle_id == vehicle.id))


def reports_of(session: Session, vehicle: Vehicle) -> list[StolenReport]:
    """Every report of ``vehicle``, newest first."""
    return list(
        session.scalars(
            select(StolenReport)
            .where(StolenReport.vehicle_id == vehicle.id)
            .order_by(StolenReport.reported_at.desc())
        )
    )


def active_report(session: Session, vehicle: Vehicle) -> StolenReport | None:
    return session.scalar(
        select(StolenReport).where(
            StolenReport.vehicle_id == vehicle.id, StolenReport.status == S.ACTIVE
        )
    )


def report_stolen(
    session: Session,
    vin: str,
    data: StolenReportIn,
    actor: User | None,
    settings: Settings | None = None,
) -> StolenReport:
    settings = settings or Settings.from_env()
    vehicle = get_vehicle(session, checked(identifiers.parse_vin(vin), "vin"))
    assert vehicle is not None
    if session.scalar(select(StolenReport.id).where(StolenReport.number == data.number)):
        raise ConflictError(f"Report {data.number} already exists.", field="number")
    if retirement_of(session, vehicle) is not None:
        raise TransitionError(
            f"Vehicle {vehicle.vin} is retired; its VIN is dead and cannot be reported stolen.",
            field="vin",
        )
    existing = active_report(session, vehicle)
    if existing is not None:
        raise ConflictError(
            f"Vehicle {vehicle.vin} already has the active report {existing.number}.",
            field="vin",
        )
    now = utcnow()
    report = StolenReport(
        number=data.number,
        vehicle=vehicle,
        agency=get_agency(session, data.agency),
        reported_at=data.reported_at or now,
        stolen_at=data.stolen_at,
        place=data.place,
        notes=data.notes,
        status=S.ACTIVE.value,
        validate_by=now.date() + dt.timedelta(days=settings.first_validation_days),
    )
    session.add(report)
    log_creation(
        session,
        report,
        STOLEN_REPORT,
        history=StolenReportTransition,
        history_fk="report_id",
        actor_id=actor_id(actor),
    )
    return report


def get_report(session: Session, report_id: int) -> StolenReport:
    report = session.get(StolenReport, report_id)
    if report is None:
        raise NotFoundError(f"No stolen-vehicle report with id {report_id}.", field="id")
    return report


def _move(
    session: Session,
    report_id: int,
    target: str,
    actor: User | None,
    reason: str,
    expected_version: int | None,
    inventory: str = "",
) -> StolenReport:
    report = get_report(session, report_id)
    transition(
        session,
        report,
        STOLEN_REPORT,
        target,
        history=StolenReportTransition,
        history_fk="report_id",
        actor_id=actor_id(actor),
        reason=reason,
        expected_version=expected_version,
        updates={} if target == S.ACTIVE else {"validate_by": None},
        inventory=inventory,
    )
    return report


def recover(
    session: Session,
    report_id: int,
    actor: User | None,
    reason: str = "",
    expected_version: int | None = None,
) -> StolenReport:
    """The vehicle was found and is in custody: off the hotlist now, and the owner is told."""
    report = _move(session, report_id, S.RECOVERED, actor, reason, expected_version)
    vehicle = report.vehicle
    subject = f"Your vehicle {vehicle.plate} ({vehicle.make} {vehicle.model}) was recovered"
    body = (
        f"Report {report.number}: the vehicle with VIN {vehicle.vin} was recovered on "
        f"{utcnow():%Y-%m-%d %H:%M} UTC and is in the custody of {report.agency.name}. "
        "Contact them to arrange its return."
    )
    enqueue(
        session,
        "vehicle_recovered",
        subject,
        body,
        person_id=vehicle.owner_person_id,
        agency_id=vehicle.owner_agency_id if vehicle.owner_person_id is None else None,
    )
    return report


def return_to_owner(
    session: Session,
    report_id: int,
    actor: User | None,
    inventory: str,
    reason: str = "",
    expected_version: int | None = None,
) -> StolenReport:
    """The recovered vehicle was released to its owner with a signed inventory."""
    return _move(session, report_id, S.RETURNED, actor, reason, expected_version, inventory)


def cancel_report(
    session: Session,
    report_id: int,
    actor: User | None,
    reason: str,
    expected_version: int | None = None,
) -> StolenReport:
    """The report was entered in error (a reason is required)."""
    return _move(session, report_id, S.CANCELLED, actor, reason, expected_version)


def retire_vehicle(
    session: Session, vin: str, data: RetirementIn, actor: User | None
) -> Retirement:
    """Scrapped, dismantled or exported: from now on its VIN and engine number are dead."""
    vehicle = get_vehicle(session, vin)
    assert vehicle is not None
    if retirement_of(session, vehicle) is not None:
        raise ConflictError(f"Vehicle {vehicle.vin} is already retired.", field="vin")
    report = active_report(session, vehicle)
    if report is not None:
        raise TransitionError(
            f"Vehicle {vehicle.vin} has the active stolen report {report.number}; "
            "recover or cancel it before retiring the vehicle.",
            field="vin",
        )
    retirement = Retirement(
        vehicle=vehicle,
        kind=data.kind.value,
        retired_at=data.retired_at or utcnow(),
        agency=get_agency(session, data.agency),
        reference=data.reference,
        notes=data.notes,
        actor_id=actor_id(actor),
    )
    session.add(retirement)
    session.flush()
    record_change(session, "retirement", retirement.id)
    return retirement


def public_status(session: Session, vin_or_plate: str) -> str:
    """What anyone may know of a vehicle: ``no_report``, ``reported_stolen`` or ``recovered``.

    Nothing else: no owner, no report number, not even whether the vehicle is registered.
    A vehicle recovered (or returned) and not stolen again is ``recovered``.
    """
    statuses: set[str] = set()
    for vehicle in find_vehicles(session, vin_or_plate):
        statuses.update(r.status for r in reports_of(session, vehicle))
    if S.ACTIVE in statuses:
        return "reported_stolen"
    if statuses & {S.RECOVERED, S.RETURNED}:
        return "recovered"
    return "no_report"
