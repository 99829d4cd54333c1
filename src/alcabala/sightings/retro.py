"""Retroactive matching: a theft reported, or a warrant issued, after the vehicle or the
person already passed checkpoints becomes a lead for the owning agency.

A car stolen at 20:00 and reported at 21:11 has already been seen. :func:`report_leads`
searches the stops and camera sightings of the vehicle's plate and VIN since the theft
(``stolen_at``; when it is not known, since a day before the report) and
:func:`warrant_leads` the stops that looked the person up since the warrant's issue. What
they find is one ``lead`` alert for the agency that owns the record: where and when, and
which checkpoint let it pass ("seen at GUA-ALDAO at 03:10; reported stolen at 02:00").

Both run inside the service that creates the record (:func:`alcabala.vehicles.services.
report_stolen`, :func:`alcabala.persons.services.issue_warrant`), in its transaction, so a
report and its lead are one change. The searches use the (plate, at) and (vin, at)
indexes of checks and sightings: one range scan each, however many rows are stored.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select

from alcabala.accounts.models import AuditEntry
from alcabala.checkpoints.models import Checkpoint
from alcabala.checks.models import Check
from alcabala.context import Ctx
from alcabala.sightings.alerts import Observed, raise_alert
from alcabala.sightings.models import AlertKind, Sighting
from alcabala.sightings.views import codes_of

#: How far before a report the search starts when the theft's time is not known.
UNKNOWN_THEFT = dt.timedelta(days=1)
LIMIT = 500


def _lead(
    ctx: Ctx,
    seen: list[Observed],
    *,
    agency_id: int,
    subject_kind: str,
    subject: str,
    record: tuple[str, int],
    label: str,
    since: dt.datetime,
    filed: dt.datetime,
) -> None:
    if not seen:
        return
    seen.sort(key=lambda o: o.at)
    codes = codes_of(ctx, Checkpoint, {o.checkpoint_id for o in seen})
    places = [
        {
            "checkpoint": codes.get(o.checkpoint_id or 0),
            "at": o.at.isoformat(),
            "stopped": o.source == "check",
        }
        for o in seen
    ]
    facts = {
        "record": label,
        "since": since.isoformat(),
        "filed_at": filed.isoformat(),
        "sightings": places[:50],
        "count": len(seen),
    }
    raise_alert(
        ctx,
        AlertKind.LEAD,
        agency_id=agency_id,
        subject_kind=subject_kind,
        subject=subject,
        facts=facts,
        seen=seen,
        checkpoint_id=seen[-1].checkpoint_id,
        record=record,
    )


def report_leads(ctx: Ctx, report: object) -> None:
    """Search the vehicle's sightings since its theft; a lead if any."""
    from alcabala.vehicles.models import StolenReport

    assert isinstance(report, StolenReport)
    vehicle = report.vehicle
    since = report.stolen_at or (report.reported_at - UNKNOWN_THEFT)
    s = ctx.session
    checks = s.scalars(
        select(Check)
        .where(
            or_(Check.plate == vehicle.plate, Check.vin == vehicle.vin),
            Check.at >= since,
        )
        .order_by(Check.at)
        .limit(LIMIT)
    )
    seen = [Observed.of_check(c) for c in checks]
    cams = s.scalars(
        select(Sighting)
        .where(
            or_(Sighting.plate == vehicle.plate, Sighting.vin == vehicle.vin),
            Sighting.at >= since,
        )
        .order_by(Sighting.at)
        .limit(LIMIT)
    )
    seen += [Observed.of_camera(r) for r in cams]
    _lead(
        ctx,
        seen,
        agency_id=report.agency_id,
        subject_kind="vehicle",
        subject=vehicle.vin,
        record=("stolen_reports", report.id),
        label=report.number,
        since=since,
        filed=report.reported_at,
    )


def warrant_leads(ctx: Ctx, warrant: object) -> None:
    """Search the stops that looked the person up since the warrant's issue; a lead if any."""
    from alcabala.persons.models import Warrant

    assert isinstance(warrant, Warrant)
    person = warrant.person
    s = ctx.session
    rows = s.execute(
        select(Check)
        .join(AuditEntry, AuditEntry.check_id == Check.check_id)
        .where(
            AuditEntry.subject_kind == "person",
            AuditEntry.subject == person.national_id,
            AuditEntry.at >= warrant.issued_at,
        )
        .order_by(Check.at)
        .limit(LIMIT)
    ).scalars()
    seen = [Observed.of_check(c) for c in dict.fromkeys(rows)]
    _lead(
        ctx,
        seen,
        agency_id=warrant.agency_id,
        subject_kind="person",
        subject=person.national_id,
        record=("warrants", warrant.id),
        label=warrant.number,
        since=warrant.issued_at,
        filed=ctx.now(),
    )
