"""Livestock pages: issue a transit permit (guía) with its lines and ear tags, look one up,
cancel it, and report stolen livestock — through :mod:`alcabala.livestock.services`, as the
API does.

Looking a permit up is an audited read (:func:`~alcabala.livestock.services.read_permit_by_number`)
and says why (officers must); the page after issuing or cancelling one carries a reason naming
the action. Cancelling a permit asks for confirmation (:mod:`alcabala.web.confirm`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from alcabala.accounts.deps import DoorDep, RecordId, require
from alcabala.accounts.models import Role
from alcabala.context import Actor, Ctx, Door
from alcabala.errors import Error, NotFoundError
from alcabala.livestock import services
from alcabala.livestock.models import LivestockTheft
from alcabala.livestock.routes import permit_out, theft_out
from alcabala.livestock.schemas import LivestockTheftIn, PermitIn, Species
from alcabala.schemas import TransitionIn
from alcabala.web import confirm, csrf, explain
from alcabala.web.forms import FormError, Refusal, build, lines, optional, refusal, values
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
from alcabala.web.vehicles import agency_code

router = APIRouter(prefix="/livestock", dependencies=[Depends(csrf.protect)])
Livestock = Annotated[Actor, Depends(require(Role.LIVESTOCK))]
PermitReader = Annotated[Actor, Depends(require(Role.LIVESTOCK, Role.OFFICER, Role.SUPERVISOR))]
TheftWriter = Annotated[Actor, Depends(require(Role.LIVESTOCK, Role.REGISTRAR))]
Anyone = Annotated[
    Actor, Depends(require(Role.LIVESTOCK, Role.REGISTRAR, Role.OFFICER, Role.SUPERVISOR))
]
Form = Annotated[FormData, Depends(csrf.form_data)]
LINE_ROWS = 4
PERMIT_FIELDS = (
    "number", "issuer", "origin_premises", "destination_premises", "vehicle_plate",
    "plate_country", "valid_from", "valid_to",
)  # fmt: skip
THEFT_FIELDS = ("number", "agency", "species", "head_count", "premises", "brand", "reported_at")
ALIASES = {"lines": "lines", "ear_tags": "ear_tags"}
# Each action of a theft report is named by its service function (an unknown one is a 404).
THEFT_MOVES: dict[str, tuple[Callable[[Ctx, int, TransitionIn], object], str]] = {
    "recover": (
        lambda ctx, tid, b: services.recover_livestock(ctx, tid, b.reason, b.version),
        N_("Recovered: the animals are off the hotlist."),
    ),
    "cancel": (
        lambda ctx, tid, b: services.cancel_livestock_theft(ctx, tid, b.reason, b.version),
        N_("Theft report cancelled."),
    ),
}


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
    return render(request, "livestock/home.html", number="", reason="", theft_number="")


def permit_path(number: str, reason: str) -> str:
    return with_reason("/livestock/permits", reason, number=number)


def _permit_page(
    request: Request,
    door: Door,
    user: Actor,
    number: str,
    reason: str,
    refused: Refusal | None = None,
    **extra: Any,
) -> Response:
    """The permit's page, read (and audited) with ``reason``."""
    with door.lookup(user) as ctx:
        found = permit_out(services.read_permit_by_number(ctx, number, reason), ctx.now())
    status, headers = (refused.status, refused.headers) if refused else (200, None)
    extra.setdefault("forms", {})
    return render(
        request, "livestock/permit.html", status, headers, permit=found, x=explain, **extra
    )


@router.get("/permits", summary="A transit permit by its number (audited; reason needed)")
def permit(
    request: Request, user: PermitReader, door: DoorDep, number: str = "", reason: str = ""
) -> Response:
    t = translator(request)
    number = number.strip().upper()[:40]
    if not number:
        return redirect("/livestock")
    try:
        return _permit_page(request, door, user, number, reason)
    except Error as exc:
        refused = refusal(exc, t)
        return refuse(
            request,
            refused,
            "livestock/home.html",
            number=number,
            reason=reason,
            theft_number="",
            errors=refused.errors,
        )


@router.post("/permits/{permit_id}/cancel", summary="Cancel a transit permit")
def cancel_permit(
    request: Request, permit_id: RecordId, user: Livestock, form: Form, door: DoorDep
) -> Response:
    t = translator(request)
    data = values(form)
    with door.read(user) as ctx:  # where to go back to; the page itself is an audited read
        number = services.get_permit(ctx.session, permit_id).number
    reason = f"cancel permit {number}"
    try:
        body = build(TransitionIn, optional(data, "reason", "version"), t, None)
        if not confirm.confirmed(form):
            back = permit_path(number, f"{reason} (not confirmed)")
            return confirmation_step(request, "cancel_permit", number, form, back)
        with door.write(user) as ctx:
            services.cancel_permit(ctx, permit_id, body.reason, body.version)
    except (FormError, Error) as exc:
        refused = refusal(exc, t)
        forms = {"cancel": {"values": data, "errors": refused.errors}}
        return _permit_page(request, door, user, number, reason, refused, forms=forms)
    flash(request, "ok", t.gettext("Permit cancelled."))
    return redirect(permit_path(number, reason))


def _permit_form(request: Request, status: int = 200, **context: Any) -> Response:
    headers = context.pop("headers", None)
    return render(
        request,
        "livestock/new_permit.html",
        status,
        headers,
        species=_species(request),
        rows=_rows(context.pop("form", None)),
        **context,
    )


@router.get("/permits/new", summary="Issue a transit permit (form)")
def new_permit(request: Request, user: Livestock, door: DoorDep) -> Response:
    with door.read(user) as ctx:
        mine = agency_code(ctx.session, user)
        now = ctx.now()
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
def issue_permit(request: Request, user: Livestock, form: Form, door: DoorDep) -> Response:
    t = translator(request)
    try:
        body = build(PermitIn, permit_data(form), t, ALIASES)
        with door.write(user) as ctx:
            number = services.issue_permit(ctx, body).number
    except (FormError, Error) as exc:
        refused = refusal(exc, t, ALIASES)
        return _permit_form(
            request,
            refused.status,
            headers=refused.headers,
            values=values(form),
            errors=refused.errors,
            form=form,
        )
    flash(request, "ok", t.gettext("Permit issued."))
    return redirect(permit_path(number, f"issue permit {number}"))


def _theft_form(
    request: Request, s: Session | None, user: Actor, status: int = 200, **context: Any
) -> Response:
    if "values" not in context and s is not None:
        context["values"] = {"agency": agency_code(s, user), "species": "bovine"}
    headers = context.pop("headers", None)
    return render(
        request, "livestock/new_theft.html", status, headers, species=_species(request), **context
    )


@router.get("/thefts/new", summary="Report stolen livestock (form)")
def new_theft(request: Request, user: TheftWriter, door: DoorDep) -> Response:
    with door.read(user) as ctx:
        return _theft_form(request, ctx.session, user)


@router.post("/thefts/new", summary="Report stolen livestock")
def report_theft(request: Request, user: TheftWriter, form: Form, door: DoorDep) -> Response:
    t = translator(request)
    data: dict[str, Any] = optional(values(form), *THEFT_FIELDS)
    data["ear_tags"] = lines(str(form.get("ear_tags") or ""))
    try:
        body = build(LivestockTheftIn, data, t, ALIASES)
        with door.write(user) as ctx:
            number = services.report_livestock_theft(ctx, body).number
    except (FormError, Error) as exc:
        refused = refusal(exc, t, ALIASES)
        return _theft_form(
            request,
            None,
            user,
            refused.status,
            headers=refused.headers,
            values=values(form),
            errors=refused.errors,
        )
    flash(
        request, "ok", t.gettext("Theft reported: %(number)s is on the hotlist now.", number=number)
    )
    return redirect(theft_path(number))


def theft_path(number: str) -> str:
    return f"/livestock/thefts?{urlencode({'number': number})}"


def _theft_page(
    request: Request,
    door: Door,
    user: Actor,
    number: str,
    refused: Refusal | None = None,
    **extra: Any,
) -> Response:
    """A livestock theft report (brands, ear tags and head: it names nobody)."""
    with door.read(user) as ctx:
        theft = ctx.session.scalar(select(LivestockTheft).where(LivestockTheft.number == number))
        if theft is None:
            raise NotFoundError(
                f"No livestock theft report numbered {number}.", field="theft_number"
            )
        found = theft_out(theft)
    status, headers = (refused.status, refused.headers) if refused else (200, None)
    extra.setdefault("forms", {})
    return render(
        request,
        "livestock/theft.html",
        status,
        headers,
        theft=found,
        species=dict(_species(request)),
        x=explain,
        **extra,
    )


@router.get("/thefts", summary="A livestock theft report by its number")
def theft(request: Request, user: TheftWriter, door: DoorDep, number: str = "") -> Response:
    t = translator(request)
    number = number.strip().upper()[:40]
    if not number:
        return redirect("/livestock")
    try:
        return _theft_page(request, door, user, number)
    except NotFoundError as exc:
        refused = refusal(exc, t)
        return refuse(
            request,
            refused,
            "livestock/home.html",
            number="",
            reason="",
            theft_number=number,
            errors=refused.errors,
        )


@router.post("/thefts/{theft_id}/{action}", summary="Recover or cancel a livestock theft")
def move_theft(
    request: Request, theft_id: RecordId, action: str, user: TheftWriter, form: Form, door: DoorDep
) -> Response:
    if action not in THEFT_MOVES:
        raise NotFoundError(f"No action {action[:20]!r} on a theft report.", field="action")
    t = translator(request)
    data = values(form)
    with door.read(user) as ctx:
        number = services.get_livestock_theft(ctx.session, theft_id).number
    try:
        body = build(TransitionIn, optional(data, "reason", "version"), t, None)
        if action == "cancel" and not confirm.confirmed(form):
            return confirmation_step(request, "cancel_theft", number, form, theft_path(number))
        with door.write(user) as ctx:
            THEFT_MOVES[action][0](ctx, theft_id, body)
    except (FormError, Error) as exc:
        refused = refusal(exc, t)
        forms = {action: {"values": data, "errors": refused.errors}}
        return _theft_page(request, door, user, number, refused, forms=forms)
    flash(request, "ok", t.gettext(THEFT_MOVES[action][1]))
    return redirect(theft_path(number))
