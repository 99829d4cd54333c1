"""Vehicle pages: search, register, and a vehicle's reports and retirement.

Every search and every vehicle page is an audited lookup
(:mod:`alcabala.vehicles.lookups`) and says why: the search form has a reason field, and a
vehicle page opened without ``?reason=`` shows only a small "why" form, reads nothing and
audits nothing until a reason is given. After an action the browser is sent to the vehicle
page with a reason naming the action ("recover CICPC-2026-000001"), so that page too is an
honest, audited lookup. Actions go through the same services as the API routes, each in a
``door.write`` (which refreshes the hotlist once committed), so a recovered car is clear at
the very next check. Cancelling a report and retiring a vehicle ask for confirmation
(:mod:`alcabala.web.confirm`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from alcabala.accounts.deps import DoorDep, RecordId, require
from alcabala.accounts.models import Agency, Role
from alcabala.context import Actor, Ctx, Door
from alcabala.errors import Error, NotFoundError
from alcabala.schemas import TransitionIn
from alcabala.vehicles import lookups, services
from alcabala.vehicles.lookups import VehicleFile
from alcabala.vehicles.schemas import RetirementIn, StolenReportIn, VehicleIn
from alcabala.web import confirm, csrf, explain
from alcabala.web.forms import FormError, build, optional, refusal, values
from alcabala.web.i18n import N_
from alcabala.web.render import (
    confirmation_step,
    flash,
    redirect,
    refuse,
    render,
    translator,
    with_reason,
)

router = APIRouter(prefix="/registry", dependencies=[Depends(csrf.protect)])
Registrar = Annotated[Actor, Depends(require(Role.REGISTRAR))]
VehicleReader = Annotated[Actor, Depends(require(Role.REGISTRAR, Role.SUPERVISOR, Role.OFFICER))]
RegistryReader = Annotated[Actor, Depends(require(Role.REGISTRAR, Role.SUPERVISOR))]
Form = Annotated[FormData, Depends(csrf.form_data)]
VEHICLE_FIELDS = (
    "vin", "plate", "plate_country", "engine_number", "make", "model", "year", "colour",
    "owner_national_id", "owner_country", "owner_agency",
)  # fmt: skip
RETIREMENT_KINDS = {
    "scrapped": N_("Scrapped"),
    "dismantled": N_("Dismantled"),
    "exported": N_("Exported"),
}
WHY_VEHICLE = N_("Why are you looking up this vehicle?")
# Each action of a report's page is named by its service function, with what the page says
# once it is done; an action not listed here is a 404, never a default.
MOVES: dict[str, tuple[Callable[[Ctx, int, TransitionIn], object], str]] = {
    "recover": (
        lambda ctx, rid, b: services.recover(ctx, rid, b.reason, b.version),
        N_("Recovered: the vehicle is off the hotlist and the owner will be told."),
    ),
    "return": (
        lambda ctx, rid, b: services.return_to_owner(ctx, rid, b.inventory, b.reason, b.version),
        N_("Returned to the owner."),
    ),
    "cancel": (
        lambda ctx, rid, b: services.cancel_report(ctx, rid, b.reason, b.version),
        N_("Report cancelled."),
    ),
}


def agency_code(s: Session, user: Actor) -> str:
    agency = s.get(Agency, user.agency_id) if user.agency_id else None
    return agency.code if agency else ""


def vehicle_path(vin: str) -> str:
    return f"/registry/vehicles/{vin}"


def home_page(request: Request, status: int = 200, **context: Any) -> Response:
    """The registry's home: the vehicle and person searches (``context`` fills them)."""
    page: dict[str, Any] = {
        "q": "",
        "v_reason": "",
        "results": None,
        "errors": {},
        "person": {"country": "VE"},
        "person_errors": {},
    }
    page.update(context)
    headers = page.pop("headers", None)
    return render(request, "vehicles/home.html", status, headers, **page)


@router.get("", summary="Registry home: search and actions")
def home(request: Request, user: RegistryReader) -> Response:
    return home_page(request)


def why_page(
    request: Request,
    question: str,
    hidden: dict[str, str],
    status: int = 200,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The small form asking why a record is looked up, before anything is read."""
    t = translator(request)
    return render(
        request,
        "why.html",
        status,
        headers,
        question=t.gettext(question),
        action=request.url.path,
        hidden=hidden,
        errors=errors or {},
    )


@router.get("/vehicles", summary="Search vehicles by VIN or plate (audited; reason needed)")
def search(
    request: Request, user: VehicleReader, door: DoorDep, q: str = "", reason: str = ""
) -> Response:
    t = translator(request)
    query = q.replace("\x00", "").strip()[:64]
    if not query:
        return home_page(request)
    try:
        with door.lookup(user) as ctx:
            found = lookups.search_vehicles(ctx, query, reason)
            if len(found) == 1:  # the search above is the audited lookup of this vehicle
                v = found[0]
                file = VehicleFile(
                    v, lookups.reports_of(ctx.session, v), services.retirement_of(ctx.session, v)
                )
                return render(request, "vehicles/vehicle.html", **_detail(ctx, file, reason))
            results = [
                {
                    "vin": v.vin,
                    "plate": v.plate,
                    "country": v.plate_country,
                    "label": " ".join(str(p) for p in (v.make, v.model, v.year or "") if p),
                    "href": f"{vehicle_path(v.vin)}?{urlencode({'reason': reason})}",
                }
                for v in found
            ]
    except Error as exc:
        refused = refusal(exc, t)
        return home_page(
            request,
            refused.status,
            headers=refused.headers,
            q=query,
            v_reason=reason,
            errors=refused.errors,
        )
    return home_page(request, q=query, v_reason=reason, results=results)


def _detail(ctx: Ctx, file: VehicleFile, reason: str) -> dict[str, Any]:
    vehicle, reports, retirement = file.vehicle, file.reports, file.retirement
    return {
        "vehicle": vehicle,
        "owner": vehicle.owner_person.national_id if vehicle.owner_person else None,
        "owner_agency": vehicle.owner_agency.code if vehicle.owner_agency else None,
        "reports": [{"r": r, "agency": r.agency.code} for r in reports],
        "has_active": any(r.status == "active" for r in reports),
        "retirement": retirement,
        "retirement_agency": retirement.agency.code if retirement else "",
        "my_agency": agency_code(ctx.session, ctx.actor),
        "kinds": RETIREMENT_KINDS,
        "x": explain,
        "forms": {},
        "reason": reason,
    }


def _page(
    request: Request,
    door: Door,
    user: Actor,
    vin: str,
    reason: str,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """The vehicle page, read (and audited) with ``reason``."""
    with door.lookup(user) as ctx:
        context = _detail(ctx, lookups.vehicle_file(ctx, vin, reason), reason)
        context.update(extra)
        return render(request, "vehicles/vehicle.html", status, headers, **context)


@router.get("/vehicles/{vin}", summary="A vehicle with its reports (audited; reason needed)")
def vehicle(
    request: Request, vin: str, user: VehicleReader, door: DoorDep, reason: str = ""
) -> Response:
    if not reason.strip():  # nothing is read, nothing is audited, until the user says why
        return why_page(request, WHY_VEHICLE, {})
    try:
        return _page(request, door, user, vin, reason)
    except Error as exc:
        if exc.field != "reason":
            raise
        refused = refusal(exc, translator(request))
        return why_page(request, WHY_VEHICLE, {}, refused.status, refused.errors, refused.headers)


@router.get("/new-vehicle", summary="Register a vehicle (form)")
def new_vehicle(request: Request, user: Registrar) -> Response:
    return render(
        request, "vehicles/new_vehicle.html", values={"plate_country": "VE", "owner_country": "VE"}
    )


@router.post("/new-vehicle", summary="Register a vehicle")
def register(request: Request, user: Registrar, form: Form, door: DoorDep) -> Response:
    t = translator(request)
    data = values(form)
    try:
        body = build(VehicleIn, optional(data, *VEHICLE_FIELDS), t, None)
        with door.write(user) as ctx:
            vin = services.register_vehicle(ctx, body).vin
    except (FormError, Error) as exc:
        refused = refusal(exc, t)
        return refuse(
            request, refused, "vehicles/new_vehicle.html", values=data, errors=refused.errors
        )
    flash(request, "ok", t.gettext("Vehicle registered."))
    return redirect(with_reason(vehicle_path(vin), f"register {vin}"))


def _refused(
    request: Request,
    door: Door,
    user: Actor,
    vin: str,
    form_name: str,
    data: dict[str, str],
    exc: FormError | Error,
    reason: str,
) -> Response:
    """The vehicle page again, the refused form ``form_name`` showing why."""
    refused = refusal(exc, translator(request))
    forms = {form_name: {"values": data, "errors": refused.errors}}
    return _page(request, door, user, vin, reason, refused.status, refused.headers, forms=forms)


def _act(
    request: Request,
    door: Door,
    user: Actor,
    vin: str,
    form_name: str,
    data: dict[str, str],
    run: Callable[[Ctx], str],
    done: str,
    attempt: str,
) -> Response:
    """``run(ctx)`` in a write (it returns the reason of the page after it); on success
    flash ``done`` and show the vehicle, else show the errors in the form ``form_name`` (the
    page then read with the reason ``attempt``)."""
    t = translator(request)
    try:
        with door.write(user) as ctx:
            reason = run(ctx)
    except (FormError, Error) as exc:
        return _refused(request, door, user, vin, form_name, data, exc, attempt)
    flash(request, "ok", t.gettext(done))
    return redirect(with_reason(vehicle_path(vin), reason))


@router.post("/vehicles/{vin}/report", summary="Report the vehicle stolen")
def report(request: Request, vin: str, user: Registrar, form: Form, door: DoorDep) -> Response:
    data = values(form)
    t = translator(request)
    fields = ("number", "agency", "stolen_at", "place", "notes")

    def run(ctx: Ctx) -> str:
        body = build(StolenReportIn, optional(data, *fields), t, None)
        return f"report stolen {services.report_stolen(ctx, vin, body).number}"

    done = N_("Reported stolen.")
    return _act(request, door, user, vin, "report", data, run, done, f"report stolen {vin}")


@router.post("/reports/{report_id}/{action}", summary="Recover, return or cancel a report")
def move(
    request: Request, report_id: RecordId, action: str, user: Registrar, form: Form, door: DoorDep
) -> Response:
    if action not in MOVES:
        raise NotFoundError(f"No action {action[:20]!r} on a report.", field="action")
    data = values(form)
    t = translator(request)
    with door.read(user) as ctx:  # where to go back to; the page itself is an audited read
        found = services.get_report(ctx.session, report_id)
        vin, number = found.vehicle.vin, found.number
    form_name = f"{action}-{report_id}"
    reason = f"{action} {number}"
    try:
        body = build(TransitionIn, optional(data, "reason", "inventory", "version"), t, None)
    except FormError as exc:
        return _refused(request, door, user, vin, form_name, data, exc, reason)
    if action == "cancel" and not confirm.confirmed(form):
        back = with_reason(vehicle_path(vin), f"{reason} (not confirmed)")
        return confirmation_step(request, "cancel_report", number, form, back)

    service, done = MOVES[action]

    def run(ctx: Ctx) -> str:
        service(ctx, report_id, body)
        return reason

    return _act(request, door, user, vin, form_name, data, run, done, reason)


@router.post("/vehicles/{vin}/retire", summary="Retire the vehicle")
def retire(request: Request, vin: str, user: Registrar, form: Form, door: DoorDep) -> Response:
    data = values(form)
    t = translator(request)
    fields = ("kind", "agency", "retired_at", "reference", "notes")
    try:
        body = build(RetirementIn, optional(data, *fields), t, None)
    except FormError as exc:
        return _refused(request, door, user, vin, "retire", data, exc, f"retire {vin}")
    if not confirm.confirmed(form):
        back = with_reason(vehicle_path(vin), f"retire {vin} (not confirmed)")
        return confirmation_step(request, "retire_vehicle", vin, form, back)

    def run(ctx: Ctx) -> str:
        retired = services.retire_vehicle(ctx, vin, body)
        return f"retire {retired.vehicle.vin}"

    done = N_("Vehicle retired.")
    return _act(request, door, user, vin, "retire", data, run, done, f"retire {vin}")
