"""HTTP routes of premises, brands, transit permits (guías) and livestock theft reports.

The Out schemas of this domain read relationship fields through validation aliases
(``AliasPath("issuer", "code")``...); the ``*_out`` functions below fill them explicitly by
field name (``by_name=True``) instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy import Engine

from alcabala.accounts.models import Role
from alcabala.api.deps import Db, Principal, Reading, RecordId, actor_of, require
from alcabala.api.hooks import after_write
from alcabala.db.base import utcnow
from alcabala.db.engine import unit_of_work
from alcabala.errors import ValidationError
from alcabala.livestock import services
from alcabala.livestock.models import Brand, LivestockTheft, Permit, Premises
from alcabala.livestock.schemas import (
    BrandIn,
    BrandOut,
    LivestockTheftIn,
    LivestockTheftOut,
    PermitIn,
    PermitLineOut,
    PermitOut,
    PremisesIn,
    PremisesOut,
)
from alcabala.schemas import CODE, TransitionIn

router = APIRouter(prefix="/v1", tags=["livestock"])
# Ids are 32-bit integers in the database: a larger one is a 422 here, not a 500 there.
Livestock = Annotated[Principal, Depends(require(Role.LIVESTOCK))]
PermitReader = Annotated[Principal, Depends(require(Role.LIVESTOCK, Role.OFFICER, Role.SUPERVISOR))]
PermitUser = Annotated[Principal, Depends(require(Role.LIVESTOCK, Role.OFFICER))]
TheftWriter = Annotated[Principal, Depends(require(Role.LIVESTOCK, Role.REGISTRAR))]


def premises_out(p: Premises) -> PremisesOut:
    return PremisesOut(
        id=p.id,
        code=p.code,
        name=p.name,
        state=p.state,
        municipality=p.municipality,
        lat=p.lat,
        lon=p.lon,
    )


def brand_out(b: Brand) -> BrandOut:
    return BrandOut.model_validate(
        {"id": b.id, "mark": b.mark, "premises": b.premises.code, "registered_at": b.registered_at},
        by_name=True,
    )


def permit_out(p: Permit, now: dt.datetime | None = None) -> PermitOut:
    """The permit as of ``now``: ``status`` is the effective one (expired once past
    ``valid_to``, even before the sweeper records it)."""
    return PermitOut.model_validate(
        {
            "id": p.id,
            "number": p.number,
            "issuer": p.issuer.code,
            "origin_premises": p.origin.code,
            "destination_premises": p.destination.code,
            "vehicle_plate": p.vehicle_plate,
            "plate_country": p.plate_country,
            "valid_from": p.valid_from,
            "valid_to": p.valid_to,
            "status": p.effective_status(now or utcnow()),
            "version": p.version,
            "lines": [
                PermitLineOut(
                    position=line.position,
                    species=line.species,
                    category=line.category,
                    head_count=line.head_count,
                    brand=line.brand,
                )
                for line in p.lines
            ],
            "ear_tags": [t.tag for t in p.ear_tags],
        },
        by_name=True,
    )


def theft_out(t: LivestockTheft) -> LivestockTheftOut:
    return LivestockTheftOut.model_validate(
        {
            "id": t.id,
            "number": t.number,
            "agency": t.agency.code,
            "premises": t.premises.code if t.premises else None,
            "brand": t.brand,
            "ear_tags": t.ear_tags.split(),
            "head_count": t.head_count,
            "species": t.species,
            "reported_at": t.reported_at,
            "status": t.status,
            "version": t.version,
        },
        by_name=True,
    )


def path_number(number: str) -> str:
    """A record number from a path, upper-cased, or our ValidationError naming ``number``."""
    value = number.strip().upper()
    if not CODE.match(value):
        raise ValidationError("a number is 1–40 capital letters, digits or dashes", field="number")
    return value


# Premises and brands ------------------------------------------------------------------------


@router.post("/premises", status_code=201, summary="Register premises (a ranch or farm)")
def register_premises(body: PremisesIn, user: Livestock, db: Db, request: Request) -> PremisesOut:
    with unit_of_work(db) as s:
        out = premises_out(services.register_premises(s, body))
    after_write(request)
    return out


@router.post("/brands", status_code=201, summary="Register a brand to premises")
def register_brand(body: BrandIn, user: Livestock, db: Db, request: Request) -> BrandOut:
    with unit_of_work(db) as s:
        out = brand_out(services.register_brand(s, body))
    after_write(request)
    return out


# Transit permits ----------------------------------------------------------------------------


@router.post("/permits", status_code=201, summary="Issue a transit permit (guía)")
def issue_permit(body: PermitIn, user: Livestock, db: Db, request: Request) -> PermitOut:
    with unit_of_work(db) as s:
        out = permit_out(services.issue_permit(s, body, actor_of(s, user)))
    after_write(request)
    return out


@router.get("/permits/by-number/{number}", summary="A transit permit by its number")
def get_permit_by_number(number: str, user: PermitReader, session: Reading) -> PermitOut:
    return permit_out(services.get_permit_by_number(session, path_number(number)))


@router.get("/permits/{permit_id}", summary="A transit permit (status effective now)")
def get_permit(permit_id: RecordId, user: PermitReader, session: Reading) -> PermitOut:
    return permit_out(services.get_permit(session, permit_id))


def _move_permit(
    action: str, permit_id: int, body: TransitionIn, user: Principal, db: Engine, request: Request
) -> PermitOut:
    with unit_of_work(db) as s:
        actor = actor_of(s, user)
        if action == "use":
            permit = services.use_permit(s, permit_id, actor, body.reason, body.version)
        else:
            permit = services.cancel_permit(s, permit_id, actor, body.reason, body.version)
        out = permit_out(permit)
    after_write(request)
    return out


@router.post("/permits/{permit_id}/use", summary="The animals arrived under this permit")
def use_permit(
    permit_id: RecordId, body: TransitionIn, user: PermitUser, db: Db, request: Request
) -> PermitOut:
    return _move_permit("use", permit_id, body, user, db, request)


@router.post("/permits/{permit_id}/cancel", summary="Withdrawn or issued in error (reason needed)")
def cancel_permit(
    permit_id: RecordId, body: TransitionIn, user: Livestock, db: Db, request: Request
) -> PermitOut:
    return _move_permit("cancel", permit_id, body, user, db, request)


# Livestock theft reports --------------------------------------------------------------------


@router.post("/livestock-thefts", status_code=201, summary="Report stolen livestock")
def report_theft(
    body: LivestockTheftIn, user: TheftWriter, db: Db, request: Request
) -> LivestockTheftOut:
    with unit_of_work(db) as s:
        out = theft_out(services.report_livestock_theft(s, body, actor_of(s, user)))
    after_write(request)
    return out


def _move_theft(
    action: str, theft_id: int, body: TransitionIn, user: Principal, db: Engine, request: Request
) -> LivestockTheftOut:
    with unit_of_work(db) as s:
        actor = actor_of(s, user)
        if action == "recover":
            theft = services.recover_livestock(s, theft_id, actor, body.reason, body.version)
        else:
            theft = services.cancel_livestock_theft(s, theft_id, actor, body.reason, body.version)
        out = theft_out(theft)
    after_write(request)
    return out


@router.post("/livestock-thefts/{theft_id}/recover", summary="The stolen animals were found")
def recover_theft(
    theft_id: RecordId, body: TransitionIn, user: TheftWriter, db: Db, request: Request
) -> LivestockTheftOut:
    return _move_theft("recover", theft_id, body, user, db, request)


@router.post("/livestock-thefts/{theft_id}/cancel", summary="Entered in error (reason needed)")
def cancel_theft(
    theft_id: RecordId, body: TransitionIn, user: TheftWriter, db: Db, request: Request
) -> LivestockTheftOut:
    return _move_theft("cancel", theft_id, body, user, db, request)
