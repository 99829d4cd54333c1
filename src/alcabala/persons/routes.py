"""HTTP routes of persons and arrest warrants."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from alcabala.accounts.deps import DoorDep, RecordId, require
from alcabala.accounts.models import Role
from alcabala.context import Actor
from alcabala.errors import ValidationError
from alcabala.persons import lookups, services
from alcabala.persons.models import Person, Warrant
from alcabala.persons.schemas import PersonDetail, PersonIn, PersonOut, WarrantIn, WarrantOut
from alcabala.schemas import COUNTRY, TransitionIn

router = APIRouter(prefix="/v1", tags=["persons"])
# Ids are 32-bit integers in the database: a larger one is a 422 here, not a 500 there.
Registrar = Annotated[Actor, Depends(require(Role.REGISTRAR))]
WarrantWriter = Annotated[Actor, Depends(require(Role.REGISTRAR, Role.COURT))]
Reader = Annotated[Actor, Depends(require(Role.REGISTRAR, Role.SUPERVISOR, Role.COURT))]
Reason = Annotated[
    str, Query(max_length=200, description="Why you look this up (required of registrars).")
]


def person_out(p: Person) -> PersonOut:
    return PersonOut(
        id=p.id,
        national_id=p.national_id,
        country=p.country,
        given_names=p.given_names,
        surnames=p.surnames,
        birth_date=p.birth_date,
    )


def warrant_out(w: Warrant, now: dt.datetime) -> WarrantOut:
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
        status=w.effective_status(now),
        validate_by=w.validate_by,
        version=w.version,
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
def register_person(body: PersonIn, user: Registrar, door: DoorDep) -> PersonOut:
    with door.write(user) as ctx:
        return person_out(services.register_person(ctx, body))


@router.get(
    "/persons/{country}/{national_id}",
    summary="A person with their warrants (audited; reason needed)",
)
def get_person(
    country: str, national_id: str, user: Reader, door: DoorDep, reason: Reason = ""
) -> PersonDetail:
    country = path_country(country)
    with door.lookup(user) as ctx:
        found = lookups.person_file(ctx, national_id, country, reason)
        return PersonDetail(
            person=person_out(found.person),
            warrants=[warrant_out(w, ctx.now()) for w in found.warrants],
        )


@router.post("/warrants", status_code=201, summary="Issue an arrest warrant")
def issue_warrant(body: WarrantIn, user: WarrantWriter, door: DoorDep) -> WarrantOut:
    with door.write(user) as ctx:
        return warrant_out(services.issue_warrant(ctx, body), ctx.now())


@router.get("/warrants/{warrant_id}", summary="An arrest warrant (audited; status effective now)")
def get_warrant(
    warrant_id: RecordId, user: Reader, door: DoorDep, reason: Reason = ""
) -> WarrantOut:
    with door.lookup(user) as ctx:
        return warrant_out(lookups.warrant(ctx, warrant_id, reason), ctx.now())


@router.post("/warrants/{warrant_id}/execute", summary="The person was arrested on it")
def execute_warrant(
    warrant_id: RecordId, body: TransitionIn, user: WarrantWriter, door: DoorDep
) -> WarrantOut:
    with door.write(user) as ctx:
        warrant = services.execute_warrant(ctx, warrant_id, body.reason, body.version)
        return warrant_out(warrant, ctx.now())


@router.post("/warrants/{warrant_id}/cancel", summary="Withdrawn by the court (reason needed)")
def cancel_warrant(
    warrant_id: RecordId, body: TransitionIn, user: WarrantWriter, door: DoorDep
) -> WarrantOut:
    with door.write(user) as ctx:
        warrant = services.cancel_warrant(ctx, warrant_id, body.reason, body.version)
        return warrant_out(warrant, ctx.now())
