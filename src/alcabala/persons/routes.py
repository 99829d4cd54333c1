"""HTTP routes of persons and arrest warrants."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from alcabala.accounts.audit import audit_lookup
from alcabala.accounts.models import Role
from alcabala.api.deps import Db, Principal, Reading, RecordId, actor_of, require
from alcabala.api.hooks import after_write
from alcabala.db.base import utcnow
from alcabala.db.engine import unit_of_work
from alcabala.errors import NotFoundError, ValidationError
from alcabala.persons import services
from alcabala.persons.models import Person, Warrant
from alcabala.persons.schemas import PersonDetail, PersonIn, PersonOut, WarrantIn, WarrantOut
from alcabala.schemas import COUNTRY, TransitionIn, normalize_national_id

router = APIRouter(prefix="/v1", tags=["persons"])
# Ids are 32-bit integers in the database: a larger one is a 422 here, not a 500 there.
Registrar = Annotated[Principal, Depends(require(Role.REGISTRAR))]
Reader = Annotated[Principal, Depends(require(Role.REGISTRAR, Role.SUPERVISOR))]


def person_out(p: Person) -> PersonOut:
    return PersonOut(
        id=p.id,
        national_id=p.national_id,
        country=p.country,
        given_names=p.given_names,
        surnames=p.surnames,
        birth_date=p.birth_date,
    )


def warrant_out(w: Warrant, now: dt.datetime | None = None) -> WarrantOut:
    """The warrant as of ``now``: ``status`` is the effective one (expired once past
    ``expires_at``, even before the sweeper records it)."""
    return WarrantOut(
        id=w.id,
        number=w.number,
        national_id=w.person.national_id,
        country=w.person.country,
        agency=w.agency.code,
        court=w.court,
        case_number=w.case_number,
        offence=w.offence,
        issued_at=w.issued_at,
        expires_at=w.expires_at,
        urgent=w.urgent,
        status=w.effective_status(now or utcnow()),
        validate_by=w.validate_by,
        version=w.version,
    )


def warrants_of(session: Session, person: Person) -> list[Warrant]:
    """Every warrant naming ``person``, newest first."""
    return list(
        session.scalars(
            select(Warrant)
            .where(Warrant.person_id == person.id)
            .order_by(Warrant.issued_at.desc(), Warrant.id.desc())
        )
    )


def path_country(country: str) -> str:
    """The country of a path, upper-cased, or our ValidationError naming ``country``."""
    value = country.strip().upper()
    if not COUNTRY.match(value):
        raise ValidationError(
            "a country is an ISO 3166 alpha-2 code such as VE, CO, MX or BR", field="country"
        )
    return value


@router.post("/persons", status_code=201, summary="Register a person")
def register_person(body: PersonIn, user: Registrar, db: Db, request: Request) -> PersonOut:
    with unit_of_work(db) as s:
        out = person_out(services.register_person(s, body))
    after_write(request)
    return out


@router.get("/persons/{country}/{national_id}", summary="A person with their warrants (audited)")
def get_person(
    country: str, national_id: str, user: Reader, db: Db, reason: str = ""
) -> PersonDetail:
    country = path_country(country)
    normalized = normalize_national_id(national_id, country)
    if "\x00" in reason:  # PostgreSQL text cannot hold NUL
        raise ValidationError("reason contains a NUL character", field="reason")
    with unit_of_work(db) as s:
        # A lookup that finds nothing is still a lookup: audit first, answer after commit.
        audit_lookup(s, user.id, "search", "person", normalized, reason=reason)
        person = services.find_person(s, normalized, country)
        detail = (
            PersonDetail(
                person=person_out(person),
                warrants=[warrant_out(w, utcnow()) for w in warrants_of(s, person)],
            )
            if person is not None
            else None
        )
    if detail is None:
        raise NotFoundError(f"No person {country} {normalized}.", field="national_id")
    return detail


@router.post("/warrants", status_code=201, summary="Issue an arrest warrant")
def issue_warrant(body: WarrantIn, user: Registrar, db: Db, request: Request) -> WarrantOut:
    with unit_of_work(db) as s:
        warrant = services.issue_warrant(
            s, body, actor_of(s, user), settings=request.app.state.runtime.settings
        )
        out = warrant_out(warrant)
    after_write(request)
    return out


@router.get("/warrants/{warrant_id}", summary="An arrest warrant (status effective now)")
def get_warrant(warrant_id: RecordId, user: Reader, session: Reading) -> WarrantOut:
    return warrant_out(services.get_warrant(session, warrant_id))


def _move(
    action: str, warrant_id: int, body: TransitionIn, user: Principal, db: Engine, request: Request
) -> WarrantOut:
    with unit_of_work(db) as s:
        actor = actor_of(s, user)
        if action == "execute":
            warrant = services.execute_warrant(s, warrant_id, actor, body.reason, body.version)
        else:
            warrant = services.cancel_warrant(s, warrant_id, actor, body.reason, body.version)
        out = warrant_out(warrant)
    after_write(request)
    return out


@router.post("/warrants/{warrant_id}/execute", summary="The person was arrested on it")
def execute_warrant(
    warrant_id: RecordId, body: TransitionIn, user: Registrar, db: Db, request: Request
) -> WarrantOut:
    return _move("execute", warrant_id, body, user, db, request)


@router.post("/warrants/{warrant_id}/cancel", summary="Withdrawn by the court (reason needed)")
def cancel_warrant(
    warrant_id: RecordId, body: TransitionIn, user: Registrar, db: Db, request: Request
) -> WarrantOut:
    return _move("cancel", warrant_id, body, user, db, request)
