"""Registrar pages for persons and arrest warrants.

A person's page is a lookup and is audited, as in the API. Warrants are issued, executed and
cancelled through :mod:`alcabala.persons.services`; the hotlist is refreshed after each.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from alcabala.accounts.audit import audit_lookup
from alcabala.accounts.models import Role
from alcabala.api.deps import Db, Principal, RecordId, actor_of, require
from alcabala.api.hooks import after_write
from alcabala.db.base import utcnow
from alcabala.db.engine import unit_of_work
from alcabala.errors import Error, NotFoundError
from alcabala.persons import services
from alcabala.persons.routes import warrants_of
from alcabala.persons.schemas import PersonIn, WarrantIn
from alcabala.schemas import TransitionIn, normalize_national_id
from alcabala.web import csrf, explain
from alcabala.web.forms import FormError, build, field_errors, optional, values
from alcabala.web.i18n import N_
from alcabala.web.registrar import agency_code
from alcabala.web.render import flash, redirect, render, translator

router = APIRouter(prefix="/registry", dependencies=[Depends(csrf.protect)])
Registrar = Annotated[Principal, Depends(require(Role.REGISTRAR))]
Reader = Annotated[Principal, Depends(require(Role.REGISTRAR, Role.SUPERVISOR))]
Form = Annotated[FormData, Depends(csrf.form_data)]
PERSON_FIELDS = ("national_id", "country", "given_names", "surnames", "birth_date")
WARRANT_FIELDS = (
    "number", "agency", "national_id", "country", "court", "case_number", "offence",
    "issued_at", "expires_at",
)  # fmt: skip


def _person_page(
    request: Request, s: Session, country: str, national_id: str, status: int = 200, **extra: Any
) -> Response:
    person = services.find_person(s, national_id, country)
    if person is None:
        raise NotFoundError(f"No person {country} {national_id}.", field="national_id")
    warrants = warrants_of(s, person)
    now = utcnow()
    rows = [(w, w.agency.code, w.effective_status(now)) for w in warrants]
    return render(
        request, "registry/person.html", status, person=person, warrants=rows, x=explain, **extra
    )


@router.get("/persons", summary="A person with their warrants (audited)")
def person(
    request: Request,
    user: Reader,
    db: Db,
    country: str = "VE",
    national_id: str = "",
    reason: str = "",
) -> Response:
    t = translator(request)
    country = (country.strip().upper() or "VE")[:2]
    reason = reason.replace("\x00", "")  # PostgreSQL text cannot hold NUL
    try:
        normalized = normalize_national_id(national_id, country)
    except Error as exc:
        errors = {"national_id": t.gettext(exc.message)}
        return render(request, "registry/home.html", 422, q="", results=None, errors=errors)
    with unit_of_work(db) as s:
        audit_lookup(s, user.id, "search", "person", normalized, reason=reason[:200])
    with unit_of_work(db) as s:
        return _person_page(request, s, country, normalized)


@router.get("/new-person", summary="Register a person (form)")
def new_person(request: Request, user: Registrar) -> Response:
    return render(request, "registry/new_person.html", values={"country": "VE"})


@router.post("/new-person", summary="Register a person")
def register_person(request: Request, user: Registrar, form: Form, db: Db) -> Response:
    t = translator(request)
    data = values(form)
    try:
        body = build(PersonIn, optional(data, *PERSON_FIELDS), t, None)
        with unit_of_work(db) as s:
            p = services.register_person(s, body)
            country, national_id = p.country, p.national_id
    except (FormError, Error) as exc:
        errors = exc.errors if isinstance(exc, FormError) else field_errors(exc, t)
        return render(request, "registry/new_person.html", 422, values=data, errors=errors)
    after_write(request)
    flash(request, "ok", t.gettext("Person registered."))
    return redirect(f"/registry/persons?country={country}&national_id={national_id}")


@router.get("/warrants/new", summary="Issue a warrant (form)")
def new_warrant(request: Request, user: Registrar, db: Db) -> Response:
    with unit_of_work(db) as s:
        mine = agency_code(s, user)
    now = utcnow().strftime("%Y-%m-%dT%H:%M")
    initial = {"country": "VE", "agency": mine, "urgent": "1", "issued_at": now}
    return render(request, "registry/new_warrant.html", values=initial)


@router.post("/warrants/new", summary="Issue a warrant")
def issue(request: Request, user: Registrar, form: Form, db: Db) -> Response:
    t = translator(request)
    data = values(form)
    try:
        fields = optional(data, *WARRANT_FIELDS)
        fields["urgent"] = data.get("urgent") == "1"
        body = build(WarrantIn, fields, t, None)
        with unit_of_work(db) as s:
            w = services.issue_warrant(
                s, body, actor_of(s, user), settings=request.app.state.runtime.settings
            )
            country, national_id = w.person.country, w.person.national_id
    except (FormError, Error) as exc:
        errors = exc.errors if isinstance(exc, FormError) else field_errors(exc, t)
        return render(request, "registry/new_warrant.html", 422, values=data, errors=errors)
    after_write(request)
    flash(request, "ok", t.gettext("Warrant issued: it is on the hotlist now."))
    return redirect(f"/registry/persons?country={country}&national_id={national_id}")


@router.post("/warrants/{warrant_id}/{action}", summary="Execute or cancel a warrant")
def move(
    request: Request, warrant_id: RecordId, action: str, user: Registrar, form: Form, db: Db
) -> Response:
    t = translator(request)
    data = values(form)
    with unit_of_work(db) as s:
        w = services.get_warrant(s, warrant_id)
        country, national_id = w.person.country, w.person.national_id
    back = f"/registry/persons?country={country}&national_id={national_id}"
    if action not in ("execute", "cancel"):
        return redirect(back)
    try:
        body = build(TransitionIn, optional(data, "reason", "version"), t, None)
        with unit_of_work(db) as s:
            actor = actor_of(s, user)
            if action == "execute":
                services.execute_warrant(s, warrant_id, actor, body.reason, body.version)
            else:
                services.cancel_warrant(s, warrant_id, actor, body.reason, body.version)
    except (FormError, Error) as exc:
        errors = exc.errors if isinstance(exc, FormError) else field_errors(exc, t)
        forms = {f"{action}-{warrant_id}": {"values": data, "errors": errors}}
        with unit_of_work(db) as s:
            return _person_page(request, s, country, national_id, 422, forms=forms)
    after_write(request)
    done = N_("Warrant executed.") if action == "execute" else N_("Warrant cancelled.")
    flash(request, "ok", t.gettext(done))
    return redirect(back)
