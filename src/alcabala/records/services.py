"""The re-validation queue across registries.

An active stolen-vehicle report or warrant carries ``validate_by``: 90 days after entry, then
a year after each re-validation (both configurable). Past that date it is *due*: its agency
must confirm it still stands, or recover/cancel/execute it. This is what keeps a recovered car
from staying on the hotlist for years because nobody closed the paper report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala.accounts.models import Agency, User
from alcabala.config import Settings
from alcabala.db.base import utcnow
from alcabala.db.lifecycle import transition
from alcabala.errors import NotFoundError, ValidationError
from alcabala.persons.models import Person, Warrant, WarrantStatus, WarrantTransition
from alcabala.persons.services import WARRANT
from alcabala.vehicles.models import ReportStatus, StolenReport, StolenReportTransition, Vehicle
from alcabala.vehicles.services import STOLEN_REPORT

KINDS = ("stolen-report", "warrant")


@dataclass(frozen=True)
class DueRecord:
    kind: str
    id: int
    number: str
    agency: str
    subject: str  # VIN or national ID
    validate_by: dt.date
    days_overdue: int


def due(session: Session, today: dt.date | None = None) -> list[DueRecord]:
    """Active records whose ``validate_by`` has passed, most overdue first."""
    today = today or utcnow().date()
    now = utcnow()
    rows: list[DueRecord] = []
    reports = session.execute(
        select(StolenReport, Vehicle.vin, Agency.code)
        .join(Vehicle, StolenReport.vehicle_id == Vehicle.id)
        .join(Agency, StolenReport.agency_id == Agency.id)
        .where(StolenReport.status == ReportStatus.ACTIVE, StolenReport.validate_by <= today)
    ).all()
    for report, vin, agency in reports:
        assert report.validate_by is not None
        rows.append(
            DueRecord(
                "stolen-report",
                report.id,
                report.number,
                agency,
                vin,
                report.validate_by,
                (today - report.validate_by).days,
            )
        )
    warrants = session.execute(
        select(Warrant, Person.national_id, Agency.code)
        .join(Person, Warrant.person_id == Person.id)
        .join(Agency, Warrant.agency_id == Agency.id)
        .where(Warrant.status == WarrantStatus.ACTIVE, Warrant.validate_by <= today)
    ).all()
    for warrant, national_id, agency in warrants:
        assert warrant.validate_by is not None
        if warrant.effective_status(now) != WarrantStatus.ACTIVE:
            continue  # expired: the sweeper closes it, nobody needs to re-validate it
        rows.append(
            DueRecord(
                "warrant",
                warrant.id,
                warrant.number,
                agency,
                national_id,
                warrant.validate_by,
                (today - warrant.validate_by).days,
            )
        )
    rows.sort(key=lambda r: (-r.days_overdue, r.kind, r.number))
    return rows


def validate(
    session: Session,
    number: str,
    actor: User | None,
    kind: str | None = None,
    note: str = "",
    settings: Settings | None = None,
) -> DueRecord:
    """Confirm that the record ``number`` still stands; its next deadline is a year away."""
    settings = settings or Settings.from_env()
    if kind is not None and kind not in KINDS:
        raise ValidationError(f"kind must be one of {', '.join(KINDS)}", field="kind")
    number = number.strip().upper()
    report = (
        session.scalar(select(StolenReport).where(StolenReport.number == number))
        if kind in (None, "stolen-report")
        else None
    )
    warrant = (
        session.scalar(select(Warrant).where(Warrant.number == number))
        if kind in (None, "warrant")
        else None
    )
    if report is not None and warrant is not None:
        raise ValidationError(
            f"{number} is both a stolen-vehicle report and a warrant; say which with --kind.",
            field="kind",
        )
    reason = ("re-validated: " + note.strip()) if note.strip() else "re-validated"
    next_date = utcnow().date() + dt.timedelta(days=settings.revalidation_days)
    actor_id = actor.id if actor is not None else None
    if report is not None:
        transition(
            session,
            report,
            STOLEN_REPORT,
            ReportStatus.ACTIVE,
            history=StolenReportTransition,
            history_fk="report_id",
            actor_id=actor_id,
            reason=reason,
            updates={"validate_by": next_date},
        )
        return DueRecord(
            "stolen-report", report.id, number, report.agency.code, report.vehicle.vin, next_date, 0
        )
    if warrant is not None:
        transition(
            session,
            warrant,
            WARRANT,
            WarrantStatus.ACTIVE,
            history=WarrantTransition,
            history_fk="warrant_id",
            actor_id=actor_id,
            reason=reason,
            current=warrant.effective_status(utcnow()),
            updates={"validate_by": next_date},
        )
        return DueRecord(
            "warrant",
            warrant.id,
            number,
            warrant.agency.code,
            warrant.person.national_id,
            next_date,
            0,
        )
    raise NotFoundError(f"No stolen-vehicle report or warrant numbered {number}.", field="number")
