"""Registrar pages for vehicles: search, register, and a vehicle's reports and retirement.

Every search and every vehicle page is a lookup and leaves an audit row, as in the API.
Actions call the same services as the API routes (report stolen, recover, return, cancel,
retire) and refresh the hotlist afterwards, so a recovered car is clear at the very next
check.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from alcabala import identifiers
from alcabala.accounts.audit import audit_lookup
from alcabala.accounts.models import Agency, Role
from alcabala.api.deps import Db, Principal, RecordId, actor_of, require
from alcabala.api.hooks import after_write
from alcabala.db.engine import unit_of_work
from alcabala.errors import Error
from alcabala.schemas import TransitionIn
from alcabala.vehicles import services
from alcabala.vehicles.schemas import RetirementIn, StolenReportIn, VehicleIn
from alcabala.web import csrf, explain
from alcabala.web.forms import FormError, build, field_errors, optional, values
from alcabala.web.i18n import N_
from alcabala.web.render import flash, redirect, render, translator

router = APIRouter(prefix="/registry", dependencies=[Depends(csrf.protect)])
Registrar = Annotated[Principal, Depends(require(Role.REGISTRAR))]
VehicleReader = Annotated[
    Principal, Depends(require(Role.REGISTRAR, Role.SUPERVISOR, Role.OFFICER))
]
RegistryReader = Annotated[Principal, Depends(require(Role.REGISTRAR, Role.SUPERVISOR))]
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


def agency_code(s: Session, user: Principal) -> str:
    agency = s.get(Agency, user.agency_id) if user.agency_id else None
    return agency.code if agency else ""


@router.get("", summary="Registry home: search and actions")
def home(request: Request, user: RegistryReader) -> Response:
    return render(request, "registry/home.html", q="", results=None)


@router.get("/vehicles", summary="Search vehicles by VIN or plate (audited)")
def search(
    request: Request, user: VehicleReader, db: Db, q: str = "", reason: str = ""
) -> Response:
    query = q.replace("\x00", "").strip()[:64]
    reason = reason.replace("\x00", "")  # PostgreSQL text cannot hold NUL
    if not query:
        return render(request, "registry/home.html", q="", results=None)
    with unit_of_work(db) as s:
        found = services.find_vehicles(s, query)
        if not found:
            subject = identifiers.normalize_vin(query) or identifiers.normalize_plate(query)
            audit_lookup(s, user.id, "search", "vehicle", subject[:40], reason=reason[:200])
        for v in found:
            audit_lookup(s, user.id, "search", "vehicle", v.vin, reason=reason[:200])
        results = [(v.vin, v.plate, v.plate_country, v.make, v.model, v.year) for v in found]
    if len(results) == 1:  # the search above is the audited lookup
        return _page(request, db, results[0][0], user)
    return render(request, "registry/home.html", q=query, results=results)


def _detail(s: Session, vin: str, user: Principal) -> dict[str, Any]:
    vehicle = services.get_vehicle(s, vin)
    assert vehicle is not None
    retirement = services.retirement_of(s, vehicle)
    reports = services.reports_of(s, vehicle)
    return {
        "vehicle": vehicle,
        "owner": vehicle.owner_person.national_id if vehicle.owner_person else None,
        "owner_agency": vehicle.owner_agency.code if vehicle.owner_agency else None,
        "reports": [{"r": r, "agency": r.agency.code} for r in reports],
        "has_active": any(r.status == "active" for r in reports),
        "retirement": retirement,
        "retirement_agency": retirement.agency.code if retirement else "",
        "my_agency": agency_code(s, user),
        "kinds": RETIREMENT_KINDS,
        "x": explain,
        "forms": {},
    }


def _page(
    request: Request,
    db: Db,
    vin: str,
    user: Principal,
    status: int = 200,
    audit: bool = False,
    **extra: Any,
) -> Response:
    with unit_of_work(db) as s:
        context = _detail(s, vin, user)
        if audit:
            audit_lookup(s, user.id, "search", "vehicle", context["vehicle"].vin)
        context.update(extra)
        return render(request, "registry/vehicle.html", status, **context)


@router.get("/vehicles/{vin}", summary="A vehicle with its reports (audited)")
def vehicle(request: Request, vin: str, user: VehicleReader, db: Db) -> Response:
    return _page(request, db, vin, user, audit=True)


@router.get("/new-vehicle", summary="Register a vehicle (form)")
def new_vehicle(request: Request, user: Registrar) -> Response:
    return render(
        request, "registry/new_vehicle.html", values={"plate_country": "VE", "owner_country": "VE"}
    )


@router.post("/new-vehicle", summary="Register a vehicle")
def register(request: Request, user: Registrar, form: Form, db: Db) -> Response:
    t = translator(request)
    data = values(form)
    try:
        body = build(VehicleIn, optional(data, *VEHICLE_FIELDS), t, None)
        with unit_of_work(db) as s:
            vin = services.register_vehicle(s, body).vin
    except (FormError, Error) as exc:
        errors = exc.errors if isinstance(exc, FormError) else field_errors(exc, t)
        return render(request, "registry/new_vehicle.html", 422, values=data, errors=errors)
    after_write(request)
    flash(request, "ok", t.gettext("Vehicle registered."))
    return redirect(f"/registry/vehicles/{vin}")


def _action(
    request: Request,
    db: Db,
    user: Principal,
    vin: str,
    form_name: str,
    data: dict[str, str],
    run: Any,
    done: str,
) -> Response:
    """Run ``run(session, actor)``; on success flash ``done``, else show the errors in the
    form ``form_name`` of the vehicle page."""
    t = translator(request)
    try:
        with unit_of_work(db) as s:
            run(s, actor_of(s, user))
    except (FormError, Error) as exc:
        errors = exc.errors if isinstance(exc, FormError) else field_errors(exc, t)
        forms = {form_name: {"values": data, "errors": errors}}
        return _page(request, db, vin, user, 422, forms=forms)
    after_write(request)
    flash(request, "ok", t.gettext(done))
    return redirect(f"/registry/vehicles/{vin}")


@router.post("/vehicles/{vin}/report", summary="Report the vehicle stolen")
def report(request: Request, vin: str, user: Registrar, form: Form, db: Db) -> Response:
    data = values(form)
    t = translator(request)
    fields = ("number", "agency", "stolen_at", "place", "notes")

    def run(s: Session, actor: Any) -> None:
        body = build(StolenReportIn, optional(data, *fields), t, None)
        services.report_stolen(s, vin, body, actor, request.app.state.runtime.settings)

    return _action(request, db, user, vin, "report", data, run, N_("Reported stolen."))


@router.post("/reports/{report_id}/{action}", summary="Recover, return or cancel a report")
def move(
    request: Request, report_id: RecordId, action: str, user: Registrar, form: Form, db: Db
) -> Response:
    data = values(form)
    t = translator(request)
    with unit_of_work(db) as s:
        vin = services.get_report(s, report_id).vehicle.vin
    if action not in ("recover", "return", "cancel"):
        return redirect(f"/registry/vehicles/{vin}")

    def run(s: Session, actor: Any) -> None:
        body = build(TransitionIn, optional(data, "reason", "inventory", "version"), t, None)
        if action == "recover":
            services.recover(s, report_id, actor, body.reason, body.version)
        elif action == "return":
            services.return_to_owner(s, report_id, actor, body.inventory, body.reason, body.version)
        else:
            services.cancel_report(s, report_id, actor, body.reason, body.version)

    done = {
        "recover": N_("Recovered: the vehicle is off the hotlist and the owner will be told."),
        "return": N_("Returned to the owner."),
        "cancel": N_("Report cancelled."),
    }[action]
    return _action(request, db, user, vin, f"{action}-{report_id}", data, run, done)


@router.post("/vehicles/{vin}/retire", summary="Retire the vehicle")
def retire(request: Request, vin: str, user: Registrar, form: Form, db: Db) -> Response:
    data = values(form)
    t = translator(request)
    fields = ("kind", "agency", "retired_at", "reference", "notes")

    def run(s: Session, actor: Any) -> None:
        body = build(RetirementIn, optional(data, *fields), t, None)
        services.retire_vehicle(s, vin, body, actor)

    return _action(request, db, user, vin, "retire", data, run, N_("Vehicle retired."))
