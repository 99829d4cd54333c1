"""Alerts on the console: the owning agency's queue, refreshed live, and one alert's page
with its sightings in order, times and places.

``/alertas`` lists what the user may see (:func:`alcabala.sightings.alerts.queue`: the
agency's, or every alert for oversight and auditors); its list reloads itself every
:data:`POLL` seconds (htmx), so a new alert appears without a reload. ``/alertas/{alert}``
shows one (an audited read) and, to its owning agency, the forms to acknowledge or close
it with a reason. Authority is the services'.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from alcabala.accounts.deps import DoorDep, require
from alcabala.accounts.models import Role
from alcabala.context import Actor
from alcabala.errors import Error
from alcabala.sightings import alerts, views
from alcabala.sightings.schemas import MoveIn
from alcabala.web import csrf
from alcabala.web.forms import FormError, build, refusal, values
from alcabala.web.i18n import N_
from alcabala.web.render import flash, redirect, render, translator

router = APIRouter(dependencies=[Depends(csrf.protect)])
Form = Annotated[Any, Depends(csrf.form_data)]
R = Role
Reader = Annotated[
    Actor, Depends(require(R.REGISTRAR, R.SUPERVISOR, R.COURT, R.OVERSIGHT, R.AUDITOR))
]
Owner = Annotated[Actor, Depends(require(R.REGISTRAR, R.SUPERVISOR, R.COURT))]
AlertPath = Annotated[int, Path(alias="alert", ge=1, le=2**31 - 1)]
POLL = 10
KINDS = {
    "impossible_travel": N_("Impossible travel"),
    "dead_identity": N_("Dead identity seen again"),
    "vin_two_plates": N_("VIN under another plate"),
    "plate_two_vehicles": N_("Plate on another vehicle"),
    "fleet_identity": N_("Fleet identity on the street"),
    "lead": N_("Lead: seen before it was reported"),
    "passed_without_action": N_("Passed without action"),
}
STATUSES = {"open": N_("Open"), "acknowledged": N_("Acknowledged"), "closed": N_("Closed")}
MOVED = {"acknowledged": N_("Alert acknowledged."), "closed": N_("Alert closed.")}


def _rows(user: Actor, door: Any, status: str) -> list[Any]:
    with door.lookup(user.via("web")) as ctx:
        return views.rows_of(ctx, alerts.queue(ctx, status=status or None))


@router.get("/alertas", summary="The alert queue")
def queue(request: Request, user: Reader, door: DoorDep, status: str = "open") -> Response:
    status = status if status in STATUSES or status == "" else "open"
    return render(
        request,
        "alerts/list.html",
        rows=_rows(user, door, status),
        status=status,
        kinds=KINDS,
        statuses=STATUSES,
        poll=POLL,
    )


@router.get("/alertas/lista", summary="The alert queue's list (htmx, live)")
def queue_part(request: Request, user: Reader, door: DoorDep, status: str = "open") -> Response:
    status = status if status in STATUSES or status == "" else "open"
    return render(
        request,
        "alerts/_rows.html",
        rows=_rows(user, door, status),
        status=status,
        kinds=KINDS,
        statuses=STATUSES,
        poll=POLL,
    )


def _page(
    request: Request, user: Actor, door: Any, alert_id: int, status: int = 200, **context: Any
) -> Response:
    with door.lookup(user.via("web")) as ctx:
        alert, seen = alerts.read(ctx, alert_id)
        shown = views.alert_out(ctx, alert, seen)
    owner = user.role in ("registrar", "supervisor", "court") and shown.agency is not None
    context.setdefault("errors", {})
    return render(
        request,
        "alerts/alert.html",
        status,
        alert=shown,
        kinds=KINDS,
        statuses=STATUSES,
        can_move=owner,
        **context,
    )


@router.get("/alertas/{alert}", summary="An alert with its sightings (audited)")
def alert(request: Request, alert_id: AlertPath, user: Reader, door: DoorDep) -> Response:
    return _page(request, user, door, alert_id)


@router.post("/alertas/{alert}/{to}", summary="Acknowledge or close an alert")
def move(
    request: Request,
    alert_id: AlertPath,
    to: Annotated[str, Path(pattern="^(acknowledged|closed)$")],
    form: Form,
    user: Owner,
    door: DoorDep,
) -> Response:
    t = translator(request)
    data = values(form)
    try:
        body = build(
            MoveIn,
            {"reason": data.get("reason", ""), "version": data.get("version") or None},
            t,
            None,
        )
        with door.write(user.via("web")) as ctx:
            alerts.move(ctx, alert_id, to, body.reason, body.version)
    except (FormError, Error) as exc:
        refused = refusal(exc, t)
        return _page(request, user, door, alert_id, refused.status, errors=refused.errors)
    flash(request, "ok", t.gettext(MOVED[to]))
    return redirect(f"/alertas/{alert_id}")
