"""What the alert queue and an alert's page show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alcabala.accounts.models import Agency, User
from alcabala.checkpoints.models import Checkpoint
from alcabala.context import Ctx
from alcabala.sightings.models import Alert, AlertKind, AlertSighting, AlertTransition
from alcabala.sightings.schemas import AlertOut, AlertRow, AlertSightingOut


def codes_of(
    ctx: Ctx, model: type[Agency] | type[Checkpoint], ids: set[int | None]
) -> dict[int, str]:
    """The codes of the agencies or checkpoints with these ids, in one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = ctx.session.execute(select(model.id, model.code).where(model.id.in_(wanted)))
    return {id_: code for id_, code in rows}


def rows_of(ctx: Ctx, alerts: Sequence[Alert]) -> list[AlertRow]:
    agencies = codes_of(ctx, Agency, {a.agency_id for a in alerts})
    places = codes_of(ctx, Checkpoint, {a.checkpoint_id for a in alerts})
    return [
        AlertRow(
            id=a.id,
            kind=a.kind,
            status=a.status,
            agency=agencies.get(a.agency_id or 0),
            subject_kind=a.subject_kind,
            subject=a.subject,
            checkpoint=places.get(a.checkpoint_id or 0),
            raised_at=a.raised_at,
        )
        for a in alerts
    ]


def alert_out(ctx: Ctx, alert: Alert, seen: Sequence[AlertSighting]) -> AlertOut:
    (row,) = rows_of(ctx, [alert])
    places = codes_of(ctx, Checkpoint, {o.checkpoint_id for o in seen})
    moves = ctx.session.execute(
        select(AlertTransition, User.username)
        .outerjoin(User, User.id == AlertTransition.actor_id)
        .where(AlertTransition.alert_id == alert.id)
        .order_by(AlertTransition.at, AlertTransition.id)
    ).all()
    return AlertOut(
        **row.model_dump(),
        version=alert.version,
        facts=alert.facts,
        sightings=[
            AlertSightingOut(
                source=o.source,
                at=o.at,
                plate=o.plate,
                vin=o.vin,
                checkpoint=places.get(o.checkpoint_id or 0),
                lat=o.lat,
                lon=o.lon,
                verdict=o.verdict,
                note=o.note,
            )
            for o in seen
        ],
        transitions=[
            {"to": t.to_state, "reason": t.reason, "at": t.at.isoformat(), "by": who}
            for t, who in moves
        ],
    )


def passed_per_checkpoint(session: Session, since: dt.datetime) -> dict[str, int]:
    """Passed-without-action alerts raised since ``since``, per checkpoint code (counts
    naming nobody: the dashboard's)."""
    rows = session.execute(
        select(Checkpoint.code, func.count(Alert.id))
        .join(Alert, Alert.checkpoint_id == Checkpoint.id)
        .where(Alert.kind == AlertKind.PASSED, Alert.raised_at >= since)
        .group_by(Checkpoint.code)
    )
    return {code: n for code, n in rows}
