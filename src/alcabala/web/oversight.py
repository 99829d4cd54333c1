"""Oversight: the dashboard of supervisors and of oversight — checks, hits and complaints per
day and per checkpoint, hits pending confirmation across agencies (category, record number,
deadline and checkpoint: nothing that names anybody), overdue complaints (all of them for
oversight, those about their agency for a supervisor) and, for supervisors, overdue
validations (:func:`alcabala.records.services.due`, an audited read). Days are those of
the process clock (``door.clock``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alcabala.accounts.deps import DoorDep, require
from alcabala.accounts.models import Role
from alcabala.checkpoints.models import Checkpoint
from alcabala.checks.models import Check, Hit, HitStatus
from alcabala.complaints import services as complaints
from alcabala.complaints import views as complaint_views
from alcabala.complaints.models import Complaint
from alcabala.context import Actor, Ctx
from alcabala.records.services import due
from alcabala.sightings.views import passed_per_checkpoint
from alcabala.web import csrf, explain
from alcabala.web.charts import Series, bar_chart
from alcabala.web.complaint_texts import label_of
from alcabala.web.render import render, translator

router = APIRouter(dependencies=[Depends(csrf.protect)])
Supervisor = Annotated[Actor, Depends(require(Role.SUPERVISOR, Role.OVERSIGHT))]
DAYS = 14
CHECKS_COLOUR, HITS_COLOUR, COMPLAINTS_COLOUR = "#0a58ca", "#b00020", "#8a5a00"


def _day(value: object) -> str:
    return str(value)[:10]


def per_day(s: Session, since: dt.datetime) -> tuple[dict[str, int], dict[str, int]]:
    """Checks and hits per UTC day since ``since``."""
    day = func.date(Check.at)
    checks = {
        _day(d): n
        for d, n in s.execute(
            select(day, func.count()).where(Check.at >= since).group_by(day)
        ).all()
    }
    hits = {
        _day(d): n
        for d, n in s.execute(
            select(day, func.count(Hit.id))
            .join(Hit, Hit.check_pk == Check.id)
            .where(Check.at >= since)
            .group_by(day)
        ).all()
    }
    return checks, hits


def per_checkpoint(s: Session, since: dt.datetime) -> list[tuple[str, int, int, int]]:
    """(checkpoint code, checks, hits, complaints filed) since ``since``, busiest first."""
    checks = dict(
        s.execute(
            select(Checkpoint.code, func.count(Check.id))
            .join(Check, Check.checkpoint_id == Checkpoint.id)
            .where(Check.at >= since)
            .group_by(Checkpoint.code)
        ).all()
    )
    hits = dict(
        s.execute(
            select(Checkpoint.code, func.count(Hit.id))
            .join(Check, Check.checkpoint_id == Checkpoint.id)
            .join(Hit, Hit.check_pk == Check.id)
            .where(Check.at >= since)
            .group_by(Checkpoint.code)
        ).all()
    )
    complaints = dict(
        s.execute(
            select(Checkpoint.code, func.count(Complaint.id))
            .join(Complaint, Complaint.checkpoint_id == Checkpoint.id)
            .where(Complaint.filed_at >= since)
            .group_by(Checkpoint.code)
        ).all()
    )
    rows = [
        (code, checks.get(code, 0), hits.get(code, 0), complaints.get(code, 0))
        for code in set(checks) | set(complaints)
    ]
    return sorted(rows, key=lambda r: (-r[1], -r[3], r[0]))


def overdue_complaints(ctx: Ctx) -> list[dict[str, Any]]:
    """Open complaints past due that the user may see, longest overdue first: code,
    category, checkpoint, agency and days overdue (nothing that names anybody)."""
    now = ctx.now()
    found = complaints.listing(ctx, overdue=True, limit=500)
    codes = complaint_views.codes(ctx)
    rows = [
        {**complaint_views.row_of(c, codes, now).model_dump(), "days": (now - c.overdue_at).days}
        for c in found
    ]
    return sorted(rows, key=lambda r: -int(r["days"]))


def pending(s: Session, now: dt.datetime) -> list[dict[str, Any]]:
    """Hits of every agency awaiting an answer, soonest deadline first."""
    rows = s.execute(
        select(Hit.id, Hit.category, Hit.record, Hit.deadline, Checkpoint.code)
        .join(Check, Hit.check_pk == Check.id)
        .join(Checkpoint, Check.checkpoint_id == Checkpoint.id)
        .where(Hit.status == HitStatus.PENDING, Hit.deadline > now)
        .order_by(Hit.deadline)
        .limit(50)
    ).all()
    return [
        {
            "id": hit_id,
            "category": category,
            "number": str((record or {}).get("number", "")),
            "deadline": deadline,
            "checkpoint": code,
        }
        for hit_id, category, record, deadline, code in rows
    ]


@router.get("/dashboard", summary="Supervisor dashboard")
def dashboard(request: Request, user: Supervisor, door: DoorDep) -> Response:
    t = translator(request)
    with door.report(user) as ctx:  # counts naming nobody: a replica may answer them
        now = ctx.now()
        today = now.date()
        days = [today - dt.timedelta(days=DAYS - 1 - i) for i in range(DAYS)]
        since = dt.datetime.combine(days[0], dt.time(), tzinfo=dt.UTC)
        checks, hits = per_day(ctx.session, since)
        sites = per_checkpoint(ctx.session, since)
        passed = passed_per_checkpoint(ctx.session, since)
        sites += [(code, 0, 0, 0) for code in sorted(set(passed) - {r[0] for r in sites})]
        waiting = pending(ctx.session, now)
        late = overdue_complaints(ctx)
    overdue: list[Any] = []
    if user.role == Role.SUPERVISOR:  # records due name vehicles and people: audited
        with door.lookup(user) as ctx:
            overdue = due(ctx, reason="dashboard")
    checks_name, hits_name = t.gettext("Checks"), t.gettext("Hits")
    daily = bar_chart(
        [d.strftime("%d/%m") for d in days],
        [
            Series(checks_name, CHECKS_COLOUR, [checks.get(d.isoformat(), 0) for d in days]),
            Series(hits_name, HITS_COLOUR, [hits.get(d.isoformat(), 0) for d in days]),
        ],
        t.gettext("Checks and hits per day, last %(days)d days", days=DAYS),
    )
    top = sites[:12]
    by_site = bar_chart(
        [code for code, _, _, _ in top],
        [
            Series(checks_name, CHECKS_COLOUR, [n for _, n, _, _ in top]),
            Series(hits_name, HITS_COLOUR, [h for _, _, h, _ in top]),
            Series(t.gettext("Complaints"), COMPLAINTS_COLOUR, [c for _, _, _, c in top]),
        ],
        t.gettext("Checks, hits and complaints per checkpoint, last %(days)d days", days=DAYS),
        width=480,
    )
    return render(
        request,
        "oversight/dashboard.html",
        daily=daily,
        by_site=by_site,
        sites=sites,
        passed=passed,
        total_checks=sum(checks.values()),
        total_hits=sum(hits.values()),
        overdue=overdue,
        pending=waiting,
        late=late,
        label=label_of(t),
        colours=(CHECKS_COLOUR, HITS_COLOUR, COMPLAINTS_COLOUR),
        days=DAYS,
        x=explain,
    )
