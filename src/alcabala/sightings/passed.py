"""Passed without action: a certain hit nobody answered, and a wanted vehicle that cameras
saw pass several checkpoints without anyone stopping it ("29 police check points").

:func:`unanswered` finds certain hits whose confirmation deadline passed with no answer:
the officer was told "do not release; wait", and nobody told them anything. Each becomes an
alert for the checkpoint's agency (its supervisor) and is on oversight's queue.
:func:`unstopped` finds, among camera sightings just judged, plates of vehicles with an
active theft report seen at ``Settings.passed_checkpoints`` or more distinct checkpoints in
the last day with no stop of that plate since the first of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select

from alcabala.checks.models import Check, Hit, HitStatus
from alcabala.context import Ctx
from alcabala.sightings.alerts import Observed
from alcabala.sightings.models import Alert, AlertKind, AlertSighting, Sighting
from alcabala.sightings.rules import Finding, Sight
from alcabala.vehicles.models import ReportStatus, StolenReport, Vehicle

LOOK_BACK = dt.timedelta(days=1)


def unanswered(ctx: Ctx) -> list[Finding]:
    s = ctx.session
    now = ctx.now()
    done = select(Alert.record_id).where(
        Alert.kind == AlertKind.PASSED, Alert.record_kind == "hits"
    )
    shown = (
        select(AlertSighting.source_id)
        .join(Alert, Alert.id == AlertSighting.alert_id)
        .where(Alert.kind == AlertKind.PASSED, AlertSighting.source == "check")
    )
    hits = s.scalars(
        select(Hit)
        .where(
            Hit.certainty == "certain",
            Hit.deadline <= now,
            Hit.deadline > now - dt.timedelta(days=7),
            Hit.status.in_((HitStatus.PENDING.value, HitStatus.TIMED_OUT.value)),
            Hit.id.not_in(done),
            Hit.check_pk.not_in(shown),
        )
        .order_by(Hit.id)
        .limit(500)
    )
    found = []
    for hit in hits:
        check = hit.check
        record = hit.record or {}
        subject = record.get("national_id") or record.get("vin") or check.plate or check.vin or ""
        kind = "person" if "national_id" in record else "vehicle"
        seen = Observed.of_check(check)
        facts = {
            "category": hit.category,
            "deadline": hit.deadline.isoformat(),
            "record_agency": hit.agency_id,
            "checkpoint": check.checkpoint.code,
        }
        found.append(
            Finding(
                AlertKind.PASSED,
                kind,
                str(subject),
                check.checkpoint.agency_id,
                facts,
                [seen],
                ("hits", hit.id),
            )
        )
    return found


def unstopped(ctx: Ctx, sights: Sequence[Sight]) -> list[Finding]:
    plates = {x.seen.plate for x in sights if x.seen.plate}
    if not plates:
        return []
    s = ctx.session
    now = ctx.now()
    wanted = s.execute(
        select(Vehicle.plate, StolenReport.id, StolenReport.agency_id)
        .join(StolenReport, StolenReport.vehicle_id == Vehicle.id)
        .where(Vehicle.plate.in_(plates), StolenReport.status == ReportStatus.ACTIVE)
    ).all()
    found = []
    for plate, report_id, agency_id in wanted:
        rows = list(
            s.scalars(
                select(Sighting)
                .where(Sighting.plate == plate, Sighting.at >= now - LOOK_BACK)
                .order_by(Sighting.at)
            )
        )
        places = {r.checkpoint_id for r in rows if r.checkpoint_id is not None}
        if len(places) < ctx.settings.passed_checkpoints:
            continue
        stopped = s.scalar(
            select(func.count())
            .select_from(Check)
            .where(Check.plate == plate, Check.at >= rows[0].at)
        )
        if stopped:
            continue
        seen = [Observed.of_camera(r) for r in rows]
        facts = {
            "checkpoints": len(places),
            "first_seen": rows[0].at.isoformat(),
            "last_seen": rows[-1].at.isoformat(),
        }
        found.append(
            Finding(
                AlertKind.PASSED,
                "vehicle",
                plate,
                agency_id,
                facts,
                seen,
                ("stolen_reports", report_id),
            )
        )
    return found
