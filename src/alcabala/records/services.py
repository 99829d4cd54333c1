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

from alcabala.accounts.audit import audit_lookup
from alcabala.accounts.authority import NOT_OWNER, must_own
from alcabala.accounts.models import Agency
from alcabala.context import Ctx
from alcabala.errors import ForbiddenError, NotFoundError, ValidationError
from alcabala.persons.models import Person, Warrant, WarrantStatus
from alcabala.persons.services import revalidate_warrant
from alcabala.vehicles.models import ReportStatus, StolenReport, Vehicle
from alcabala.vehicles.services import revalidate_report

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


def due(ctx: Ctx, reason: str = "") -> list[DueRecord]:
    """Active records whose ``validate_by`` has passed, most overdue first. The list names
    VINs and national IDs: each one listed is audited as read by the actor."""
    now = ctx.now()
    today = now.date()
    rows: list[DueRecord] = []
    reports = ctx.session.execute(
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
    warrants = ctx.session.execute(
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
    why = reason or "re-validation queue"
    for r in rows:
        kind = "vehicle" if r.kind == "stolen-report" else "person"
        audit_lookup(ctx, "list", kind, r.subject, reason=why)
    return rows


def validate(ctx: Ctx, number: str, kind: str | None = None, note: str = "") -> DueRecord:
    """Confirm that the record ``number`` still stands; its next deadline is a year away.
    Only a user of the agency that owns the record may do so."""
    if kind is not None and kind not in KINDS:
        raise ValidationError(f"kind must be one of {', '.join(KINDS)}", field="kind")
    if ctx.actor.is_system:  # vouching is a person's word, never an automatic one
        raise ForbiddenError(
            "A record is re-validated by a user of the agency that owns it, not by the system.",
            field="number",
            code=NOT_OWNER,
        )
    s = ctx.session
    number = number.strip().upper()
    report = (
        s.scalar(select(StolenReport).where(StolenReport.number == number))
        if kind in (None, "stolen-report")
        else None
    )
    warrant = (
        s.scalar(select(Warrant).where(Warrant.number == number))
        if kind in (None, "warrant")
        else None
    )
    if report is not None and warrant is not None:
        raise ValidationError(
            f"{number} is both a stolen-vehicle report and a warrant; say which with --kind.",
            field="kind",
        )
    reason = ("re-validated: " + note.strip()) if note.strip() else "re-validated"
    next_date = ctx.now().date() + dt.timedelta(days=ctx.settings.revalidation_days)
    if report is not None:
        must_own(ctx, report.agency_id, f"report {number}", field="number")
        revalidate_report(ctx, report, reason, next_date)
        return DueRecord(
            "stolen-report", report.id, number, report.agency.code, report.vehicle.vin, next_date, 0
        )
    if warrant is not None:
        must_own(ctx, warrant.agency_id, f"warrant {number}", field="number")
        revalidate_warrant(ctx, warrant, reason, next_date)
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
