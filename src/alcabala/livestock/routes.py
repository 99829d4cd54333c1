"""HTTP routes of premises, brands, transit permits (guías) and livestock theft reports.

The Out schemas of this domain read relationship fields through validation aliases
(``AliasPath("issuer", "code")``...); the ``*_out`` functions below fill them explicitly by
field name (``by_name=True``) instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from alcabala.accounts.deps import DoorDep, RecordId, require
from alcabala.accounts.models import Role
from alcabala.context import Actor
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
Livestock = Annotated[Actor, Depends(require(Role.LIVESTOCK))]
PermitReader = Annotated[Actor, Depends(require(Role.LIVESTOCK, Role.OFFICER, Role.SUPERVISOR))]
PermitUser = Annotated[Actor, Depends(require(Role.LIVESTOCK, Role.OFFICER))]
TheftWriter = Annotated[Actor, Depends(require(Role.LIVESTOCK, Role.REGISTRAR))]
Reason = Annotated[
    str, Query(max_length=200, description="Why you look this up (required of officers).")
]


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


def permit_out(p: Permit, now: dt.datetime) -> PermitOut:
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
            "status": p.effective_status(now),
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
def register_premises(body: PremisesIn, user: Livestock, door: DoorDep) -> PremisesOut:
    with door.write(user) as ctx:
        return premises_out(services.register_premises(ctx, body))


@router.post("/brands", status_code=201, summary="Register a brand to premises")
def register_brand(body: BrandIn, user: Livestock, door: DoorDep) -> BrandOut:
    with door.write(user) as ctx:
        return brand_out(services.register_brand(ctx, body))


# Transit permits ----------------------------------------------------------------------------


@router.post("/permits", status_code=201, summary="Issue a transit permit (guía)")
def issue_permit(body: PermitIn, user: Livestock, door: DoorDep) -> PermitOut:
    with door.write(user) as ctx:
        return permit_out(services.issue_permit(ctx, body), ctx.now())


@router.get("/permits/by-number/{number}", summary="A transit permit by its number (audited)")
def get_permit_by_number(
    number: str, user: PermitReader, door: DoorDep, reason: Reason = ""
) -> PermitOut:
    number = path_number(number)
    with door.lookup(user) as ctx:
        return permit_out(services.read_permit_by_number(ctx, number, reason), ctx.now())


@router.get("/permits/{permit_id}", summary="A transit permit (audited; status effective now)")
def get_permit(
    permit_id: RecordId, user: PermitReader, door: DoorDep, reason: Reason = ""
) -> PermitOut:
    with door.lookup(user) as ctx:
        return permit_out(services.read_permit(ctx, permit_id, reason), ctx.now())


@router.post("/permits/{permit_id}/use", summary="The animals arrived under this permit")
def use_permit(
    permit_id: RecordId, body: TransitionIn, user: PermitUser, door: DoorDep
) -> PermitOut:
    with door.write(user) as ctx:
        permit = services.use_permit(ctx, permit_id, body.reason, body.version)
        return permit_out(permit, ctx.now())


@router.post("/permits/{permit_id}/cancel", summary="Withdrawn or issued in error (reason needed)")
def cancel_permit(
    permit_id: RecordId, body: TransitionIn, user: Livestock, door: DoorDep
) -> PermitOut:
    with door.write(user) as ctx:
        permit = services.cancel_permit(ctx, permit_id, body.reason, body.version)
        return permit_out(permit, ctx.now())


# Livestock theft reports --------------------------------------------------------------------


@router.post("/livestock-thefts", status_code=201, summary="Report stolen livestock")
def report_theft(body: LivestockTheftIn, user: TheftWriter, door: DoorDep) -> LivestockTheftOut:
    with door.write(user) as ctx:
        return theft_out(services.report_livestock_theft(ctx, body))


@router.post("/livestock-thefts/{theft_id}/recover", summary="The stolen animals were found")
def recover_theft(
    theft_id: RecordId, body: TransitionIn, user: TheftWriter, door: DoorDep
) -> LivestockTheftOut:
    with door.write(user) as ctx:
        return theft_out(services.recover_livestock(ctx, theft_id, body.reason, body.version))


@router.post("/livestock-thefts/{theft_id}/cancel", summary="Entered in error (reason needed)")
def cancel_theft(
    theft_id: RecordId, body: TransitionIn, user: TheftWriter, door: DoorDep
) -> LivestockTheftOut:
    with door.write(user) as ctx:
        theft = services.cancel_livestock_theft(ctx, theft_id, body.reason, body.version)
        return theft_out(theft)
