"""Livestock pages: issue a transit permit (guía) with its lines and ear tags, look one up,
and report stolen livestock — through :mod:`alcabala.livestock.services`, as the API does."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from alcabala.accounts.models import Role
from alcabala.api.deps import Db, Principal, actor_of, require
from alcabala.api.hooks import after_write
from alcabala.db.base import utcnow
from alcabala.db.engine import read_session, unit_of_work
from alcabala.errors import Error
from alcabala.livestock import services
from alcabala.livestock.routes import permit_out
from alcabala.livestock.schemas import LivestockTheftIn, PermitIn, Species
from alcabala.web import csrf, explain
from alcabala.web.forms import FormError, build, field_errors, lines, optional, values
from alcabala.web.registrar import agency_code
from alcabala.web.render import flash, redirect, render, translator

router = APIRouter(prefix="/livestock", dependencies=[Depends(csrf.protect)])
Livestock = Annotated[Principal, Depends(require(Role.LIVESTOCK))]
PermitReader = Annotated[Principal, Depends(require(Role.LIVESTOCK, Role.OFFICER, Role.SUPERVISOR))]
TheftWriter = Annotated[Principal, Depends(require(Role.LIVESTOCK, Role.REGISTRAR))]
Anyone = Annotated[
    Principal, Depends(require(Role.LIVESTOCK, Role.REGISTRAR, Role.OFFICER, Role.SUPERVISOR))
]
Form = Annotated[FormData, Depends(csrf.form_data)]
LINE_ROWS = 4
PERMIT_FIELDS = (
    "number", "issuer", "origin_premises", "destination_premises", "vehicle_plate",
    "plate_country", "valid_from", "valid_to",
)  # fmt: skip
THEFT_FIELDS = ("number", "agency", "species", "head_count", "premises", "brand", "reported_at")
ALIASES = {"lines": "lines", "ear_tags": "ear_tags"}


def _species(request: Request) -> list[tuple[str, str]]:
    t = translator(request)
    return [(s.value, t.gettext(explain.SPECIES[s.value])) for s in Species]


def _rows(form: FormData | None) -> list[tuple[str, str, str, str]]:
    if form is None:
        return [("bovine", "", "", "")] * LINE_ROWS
    rows = list(
        zip(
            form.getlist("line_species"),
            form.getlist("line_category"),
            form.getlist("line_heads"),
            form.getlist("line_brand"),
            strict=False,
        )
    )
    cells = [tuple(str(c) for c in row) for row in rows[:LINE_ROWS]]
    out = [(r[0], r[1], r[2], r[3]) for r in cells]
    return out + [("bovine", "", "", "")] * (LINE_ROWS - len(out))


@router.get("", summary="Livestock: permits and thefts")
def home(request: Request, user: Anyone) -> Response:
    return render(request, "livestock/home.html", number="")


@router.get("/permits", summary="A transit permit by its number")
def permit(request: Request, user: PermitReader, db: Db, number: str = "") -> Response:
    t = translator(request)
    number = number.strip().upper()[:40]
    if not number:
        return redirect("/livestock")
    try:
        with read_session(db) as s:
            found = permit_out(services.get_permit_by_number(s, number))
    except Error as exc:
        errors = {"number": t.gettext(exc.message)}
        return render(request, "livestock/home.html", 404, number=number, errors=errors)
    return render(request, "livestock/permit.html", permit=found, x=explain)


def _permit_form(request: Request, status: int = 200, **context: Any) -> Response:
    return render(
        request,
        "livestock/new_permit.html",
        status,
        species=_species(request),
        rows=_rows(context.pop("form", None)),
        **context,
    )


@router.get("/permits/new", summary="Issue a transit permit (form)")
def new_permit(request: Request, user: Livestock, db: Db) -> Response:
    with read_session(db) as s:
        mine = agency_code(s, user)
    now = utcnow()
    initial = {
        "issuer": mine,
        "plate_country": "VE",
        "valid_from": now.strftime("%Y-%m-%dT%H:%M"),
        "valid_to": (now + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    return _permit_form(request, values=initial)


def permit_data(form: FormData) -> dict[str, Any]:
    data: dict[str, Any] = optional(values(form), *PERMIT_FIELDS)
    data["lines"] = []
    for species, category, heads, brand in _rows(form):
        if heads.strip():
            line = {"species": species, "category": category.strip(), "head_count": heads.strip()}
            if brand.strip():
                line["brand"] = brand.strip()
            data["lines"].append(line)
    data["ear_tags"] = lines(str(form.get("ear_tags") or ""))
    return data


@router.post("/permits/new", summary="Issue a transit permit")
def issue_permit(request: Request, user: Livestock, form: Form, db: Db) -> Response:
    t = translator(request)
    try:
        body = build(PermitIn, permit_data(form), t, ALIASES)
        with unit_of_work(db) as s:
            number = services.issue_permit(s, body, actor_of(s, user)).number
    except (FormError, Error) as exc:
        errors = exc.errors if isinstance(exc, FormError) else field_errors(exc, t, ALIASES)
        return _permit_form(request, 422, values=values(form), errors=errors, form=form)
    after_write(request)
    flash(request, "ok", t.gettext("Permit issued."))
    return redirect(f"/livestock/permits?number={number}")


def _theft_form(
    request: Request, s: Session | None, user: Principal, status: int = 200, **context: Any
) -> Response:
    if "values" not in context and s is not None:
        context["values"] = {"agency": agency_code(s, user), "species": "bovine"}
    return render(request, "livestock/new_theft.html", status, species=_species(request), **context)


@router.get("/thefts/new", summary="Report stolen livestock (form)")
def new_theft(request: Request, user: TheftWriter, db: Db) -> Response:
    with read_session(db) as s:
        return _theft_form(request, s, user)


@router.post("/thefts/new", summary="Report stolen livestock")
def report_theft(request: Request, user: TheftWriter, form: Form, db: Db) -> Response:
    t = translator(request)
    data: dict[str, Any] = optional(values(form), *THEFT_FIELDS)
    data["ear_tags"] = lines(str(form.get("ear_tags") or ""))
    try:
        body = build(LivestockTheftIn, data, t, ALIASES)
        with unit_of_work(db) as s:
            number = services.report_livestock_theft(s, body, actor_of(s, user)).number
    except (FormError, Error) as exc:
        errors = exc.errors if isinstance(exc, FormError) else field_errors(exc, t, ALIASES)
        return _theft_form(request, None, user, 422, values=values(form), errors=errors)
    after_write(request)
    flash(
        request, "ok", t.gettext("Theft reported: %(number)s is on the hotlist now.", number=number)
    )
    return redirect("/livestock")
