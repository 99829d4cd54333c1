"""Alerts: raising one (or adding to one already open), moving it, and reading the queue.

What: :func:`raise_alert` stores an alert with its facts and a copy of each sighting that
fed it, logged (``alert.created``, ``alert_sighting.created``). A finding about a subject
that already has an alert of the same kind still open, raised within the last day, adds its
sightings to that alert instead of raising another: a clone seen ten times is one alert
with ten sightings, not ten alerts.

Who may do what: the owning agency's registrars and supervisors see its queue and move its
alerts (``open`` → ``acknowledged`` → ``closed``, or straight to ``closed``, each with a
reason); oversight and auditors see every alert. Reading one names a plate, VIN or
person: an audited read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from alcabala.accounts.audit import audit_lookup
from alcabala.accounts.models import Role
from alcabala.checks.models import Check
from alcabala.context import Ctx
from alcabala.db.base import table_of
from alcabala.db.lifecycle import Lifecycle, transition
from alcabala.errors import ForbiddenError, NotFoundError
from alcabala.ledger.records import log_changes
from alcabala.sightings.models import (
    Alert,
    AlertSighting,
    AlertStatus,
    AlertTransition,
    Sighting,
)

S = AlertStatus
ALERT = Lifecycle(
    entity="alert",
    label="alert",
    moves={S.OPEN: frozenset({S.ACKNOWLEDGED, S.CLOSED}), S.ACKNOWLEDGED: frozenset({S.CLOSED})},
    needs_reason=frozenset({S.ACKNOWLEDGED, S.CLOSED}),
)
STILL_OPEN = (S.OPEN.value, S.ACKNOWLEDGED.value)
#: A finding joins an alert of the same kind and subject raised this recently, still open.
MERGE_WITHIN = dt.timedelta(days=1)
OWNERS = frozenset({Role.REGISTRAR.value, Role.SUPERVISOR.value, Role.COURT.value})
READERS = frozenset({Role.OVERSIGHT.value, Role.AUDITOR.value})


@dataclass(frozen=True)
class Observed:
    """A sighting as an alert keeps it: a check's or a camera's."""

    source: str  # check | camera
    source_id: int
    at: dt.datetime
    plate: str | None
    vin: str | None
    checkpoint_id: int | None
    lat: float | None
    lon: float | None
    verdict: str | None = None
    note: str = ""

    @classmethod
    def of_check(cls, c: Check) -> Observed:
        return cls("check", c.id, c.at, c.plate, c.vin, c.checkpoint_id, c.lat, c.lon, c.verdict)

    @classmethod
    def of_camera(cls, r: Sighting, lat: float | None = None, lon: float | None = None) -> Observed:
        """A camera's sighting; ``lat``/``lon`` stand in for a read that gave none."""
        return cls(
            "camera",
            r.id,
            r.at,
            r.plate,
            r.vin,
            r.checkpoint_id,
            r.lat if r.lat is not None else lat,
            r.lon if r.lon is not None else lon,
            None,
            r.camera or "",
        )


def raise_alert(
    ctx: Ctx,
    kind: str,
    *,
    agency_id: int | None,
    subject_kind: str,
    subject: str,
    facts: dict[str, Any],
    seen: Sequence[Observed],
    checkpoint_id: int | None = None,
    record: tuple[str, int] | None = None,
) -> tuple[Alert, bool]:
    """The alert for this finding and whether it is new; see the module."""
    s = ctx.session
    now = ctx.now()
    alert = s.scalar(
        select(Alert)
        .where(
            Alert.kind == kind,
            Alert.subject == subject,
            Alert.status.in_(STILL_OPEN),
            Alert.raised_at > now - MERGE_WITHIN,
        )
        .order_by(Alert.id.desc())
        .limit(1)
    )
    new = alert is None
    if alert is None:
        alert = Alert(
            kind=kind,
            agency_id=agency_id,
            subject_kind=subject_kind,
            subject=subject[:40],
            checkpoint_id=checkpoint_id,
            record_kind=record[0] if record else None,
            record_id=record[1] if record else None,
            facts=facts,
            raised_at=now,
            status=S.OPEN.value,
        )
        s.add(alert)
        s.flush()
        log_changes(s, "alert", table_of(Alert), [alert.id], now, "created")
    known = {
        (src, sid)
        for src, sid in s.execute(
            select(AlertSighting.source, AlertSighting.source_id).where(
                AlertSighting.alert_id == alert.id
            )
        )
    }
    rows = [
        AlertSighting(
            alert_id=alert.id,
            agency_id=alert.agency_id,
            source=o.source,
            source_id=o.source_id,
            at=o.at,
            plate=o.plate,
            vin=o.vin,
            checkpoint_id=o.checkpoint_id,
            lat=o.lat,
            lon=o.lon,
            verdict=o.verdict,
            note=o.note,
        )
        for o in dict.fromkeys(seen)
        if (o.source, o.source_id) not in known
    ]
    if rows:
        s.add_all(rows)
        s.flush()
        ids = [r.id for r in rows]
        log_changes(s, "alert_sighting", table_of(AlertSighting), ids, now, "created")
    return alert, new


def _may_see(ctx: Ctx, alert: Alert) -> None:
    actor = ctx.actor
    if actor.is_system or actor.role in READERS:
        return
    if actor.role in OWNERS and actor.agency_id == alert.agency_id:
        return
    raise ForbiddenError(
        "Only the owning agency, oversight and auditors see this alert.", field="alert"
    )


def find(ctx: Ctx, alert_id: int) -> Alert:
    alert = ctx.session.get(Alert, alert_id)
    if alert is None:
        raise NotFoundError("No alert has this number.", field="alert")
    _may_see(ctx, alert)
    return alert


def read(ctx: Ctx, alert_id: int) -> tuple[Alert, list[AlertSighting]]:
    """The alert and its sightings in order, for staff who may see it; audited."""
    alert = find(ctx, alert_id)
    audit_lookup(ctx, "alert", alert.subject_kind, alert.subject, reason=f"alert {alert.id}")
    seen = ctx.session.scalars(
        select(AlertSighting)
        .where(AlertSighting.alert_id == alert.id)
        .order_by(AlertSighting.at, AlertSighting.id)
    )
    return alert, list(seen)


def move(ctx: Ctx, alert_id: int, target: str, reason: str, version: int | None) -> Alert:
    """Acknowledge or close the alert (its owning agency's registrars and supervisors)."""
    alert = find(ctx, alert_id)
    actor = ctx.actor
    if not actor.is_system and (actor.role not in OWNERS or actor.agency_id != alert.agency_id):
        raise ForbiddenError("Only the owning agency acknowledges or closes an alert.")
    transition(
        ctx.session,
        alert,
        ALERT,
        target,
        history=AlertTransition,
        history_fk="alert_id",
        actor_id=ctx.actor_id,
        at=ctx.now(),
        reason=reason,
        expected_version=version,
        log_history=True,
        agency_id=alert.agency_id,
    )
    return alert


def queue(
    ctx: Ctx, *, status: str | None = "open", kind: str | None = None, limit: int = 200
) -> Sequence[Alert]:
    """The alerts the actor may see, newest first: the agency's own, or all for oversight
    and auditors. Each names a plate, VIN or person, so the list is an audited read."""
    actor = ctx.actor
    query = select(Alert).order_by(Alert.raised_at.desc(), Alert.id.desc())
    if not (actor.is_system or actor.role in READERS):
        if actor.role not in OWNERS:
            raise ForbiddenError("Only the owning agency, oversight and auditors see alerts.")
        query = query.where(Alert.agency_id == actor.agency_id)
    if status:
        query = query.where(Alert.status == status)
    if kind:
        query = query.where(Alert.kind == kind)
    found = ctx.session.scalars(query.limit(limit)).all()
    for alert in found:
        audit_lookup(ctx, "list", alert.subject_kind, alert.subject, reason="alert queue")
    return found
