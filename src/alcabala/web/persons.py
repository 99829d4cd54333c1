"""Person pages: a person with their warrants, register a person, issue, execute and cancel
warrants.

A person's page is an audited lookup (:func:`alcabala.persons.lookups.person_file`) and says
why: the search form has a reason field, a page opened without ``reason`` asks for one first,
and the page after an action carries a reason naming the action ("execute OA-77"). Warrants
are issued, executed and cancelled through :mod:`alcabala.persons.services` in a
``door.write``, which refreshes the hotlist once committed. Executing and cancelling a
warrant ask for confirmation (:mod:`alcabala.web.confirm`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from alcabala.accounts.deps import DoorDep, RecordId, require
from alcabala.accounts.models import Role
from alcabala.context import Actor, Ctx, Door
from alcabala.errors import Error, NotFoundError
from alcabala.persons import lookups, services
from alcabala.persons.schemas import PersonIn, WarrantIn
from alcabala.schemas import TransitionIn
from alcabala.web import confirm, csrf, explain
from alcabala.web.forms import FormError, Refusal, build, optional, refusal, values
from alcabala.web.i18n import N_
from alcabala.web.render import confirmation_step, flash, redirect, refuse, render, translator
from alcabala.web.vehicles import agency_code, home_page, why_page

router = APIRouter(prefix="/registry", dependencies=[Depends(csrf.protect)])
Registrar = Annotated[Actor, Depends(require(Role.REGISTRAR))]
WarrantWriter = Annotated[Actor, Depends(require(Role.REGISTRAR, Role.COURT))]
Reader = Annotated[Actor, Depends(require(Role.REGISTRAR, Role.SUPERVISOR, Role.COURT))]
Form = Annotated[FormData, Depends(csrf.form_data)]
PERSON_FIELDS = ("national_id", "country", "given_names", "surnames", "birth_date")
WARRANT_FIELDS = (
    "number", "agency", "national_id", "country", "court", "case_number", "offence",
    "issued_at", "expires_at",
)  # fmt: skip
WHY_PERSON = N_("Why are you looking up this person?")
# Each action of a warrant is named by its service function (an unknown one is a 404).
MOVES: dict[str, tuple[Callable[[Ctx, int, TransitionIn], object], str]] = {
    "execute": (
        lambda ctx, wid, b: services.execute_warrant(ctx, wid, b.reason, b.version),
        N_("Warrant executed."),
    ),
    "cancel": (
        lambda ctx, wid, b: services.cancel_warrant(ctx, wid, b.reason, b.version),
        N_("Warrant cancelled."),
    ),
}


def person_path(country: str, national_id: str, reason: str) -> str:
    query = urlencode({"country": country, "national_id": national_id, "reason": reason})
    return f"/registry/persons?{query}"


def _person_page(
    request: Request,
    door: Door,
    user: Actor,
    country: str,
    national_id: str,
    reason: str,
    refused: Refusal | None = None,
    **extra: Any,
) -> Response:
    """The person's page, read (and audited) with ``reason``."""
    with door.lookup(user) as ctx:
        file = lookups.person_file(ctx, national_id, country, reason)
        now = ctx.now()
        rows = [(w, w.agency.code, w.effective_status(now)) for w in file.warrants]
        status, headers = (refused.status, refused.headers) if refused else (200, None)
        return render(
            request,
            "persons/person.html",
            status,
            headers,
            person=file.person,
            warrants=rows,
            x=explain,
            reason=reason,
            **extra,
        )


@router.get("/persons", summary="A person with their warrants (audited; reason needed)")
def person(
    request: Request,
    user: Reader,
    door: DoorDep,
    country: str = "VE",
    national_id: str = "",
    reason: str | None = None,
) -> Response:
    t = translator(request)
    country = (country.strip().upper() or "VE")[:2]
    national_id = national_id[:40]
    if reason is None:  # opened from a link: ask why before reading anything
        hidden = {"country": country, "national_id": national_id}
        return why_page(request, WHY_PERSON, hidden)
    try:
        return _person_page(request, door, user, country, national_id, reason)
    except Error as exc:
        refused = refusal(exc, t)
        return home_page(
            request,
            refused.status,
            headers=refused.headers,
            person={"country": country, "national_id": national_id, "reason": reason},
            person_errors=refused.errors,
        )


@router.get("/new-person", summary="Register a person (form)")
def new_person(request: Request, user: Registrar) -> Response:
    return render(request, "persons/new_person.html", values={"country": "VE"})


@router.post("/new-person", summary="Register a person")
def register_person(request: Request, user: Registrar, form: Form, door: DoorDep) -> Response:
    t = translator(request)
    data = values(form)
    try:
        body = build(PersonIn, optional(data, *PERSON_FIELDS), t, None)
        with door.write(user) as ctx:
            p = services.register_person(ctx, body)
            country, national_id = p.country, p.national_id
    except (FormError, Error) as exc:
        refused = refusal(exc, t)
        return refuse(
            request, refused, "persons/new_person.html", values=data, errors=refused.errors
        )
    flash(request, "ok", t.gettext("Person registered."))
    return redirect(person_path(country, national_id, f"register person {national_id}"))


@router.get("/warrants/new", summary="Issue a warrant (form)")
def new_warrant(request: Request, user: WarrantWriter, door: DoorDep) -> Response:
    with door.read(user) as ctx:
        mine = agency_code(ctx.session, user)
        now = ctx.now().strftime("%Y-%m-%dT%H:%M")
    initial = {"country": "VE", "agency": mine, "urgent": "1", "issued_at": now}
    return render(request, "persons/new_warrant.html", values=initial)


@router.post("/warrants/new", summary="Issue a warrant")
def issue(request: Request, user: WarrantWriter, form: Form, door: DoorDep) -> Response:
    t = translator(request)
    data = values(form)
    try:
        fields = optional(data, *WARRANT_FIELDS)
        fields["urgent"] = data.get("urgent") == "1"
        body = build(WarrantIn, fields, t, None)
        with door.write(user) as ctx:
            w = services.issue_warrant(ctx, body)
            country, national_id, number = w.person.country, w.person.national_id, w.number
    except (FormError, Error) as exc:
        refused = refusal(exc, t)
        return refuse(
            request, refused, "persons/new_warrant.html", values=data, errors=refused.errors
        )
    flash(request, "ok", t.gettext("Warrant issued: it is on the hotlist now."))
    return redirect(person_path(country, national_id, f"issue warrant {number}"))


@router.post("/warrants/{warrant_id}/{action}", summary="Execute or cancel a warrant")
def move(
    request: Request,
    warrant_id: RecordId,
    action: str,
    user: WarrantWriter,
    form: Form,
    door: DoorDep,
) -> Response:
    if action not in MOVES:
        raise NotFoundError(f"No action {action[:20]!r} on a warrant.", field="action")
    t = translator(request)
    data = values(form)
    with door.read(user) as ctx:  # where to go back to; the page itself is an audited read
        w = services.get_warrant(ctx.session, warrant_id)
        country, national_id, number = w.person.country, w.person.national_id, w.number
    reason = f"{action} {number}"
    try:
        body = build(TransitionIn, optional(data, "reason", "version"), t, None)
        if not confirm.confirmed(form):
            back = person_path(country, national_id, f"{reason} (not confirmed)")
            return confirmation_step(request, f"{action}_warrant", number, form, back)
        with door.write(user) as ctx:
            MOVES[action][0](ctx, warrant_id, body)
    except (FormError, Error) as exc:
        refused = refusal(exc, t)
        forms = {f"{action}-{warrant_id}": {"values": data, "errors": refused.errors}}
        return _person_page(request, door, user, country, national_id, reason, refused, forms=forms)
    flash(request, "ok", t.gettext(MOVES[action][1]))
    return redirect(person_path(country, national_id, reason))
