"""Storage locations — property rooms, lockers, yards, corrals — where items are kept.

An admin adds one for any agency, a supervisor for their own; each is logged
(``storage_location.created``). Locations are never deleted: items' histories name them.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from alcabala.accounts.models import Agency, Role
from alcabala.context import Ctx
from alcabala.custody.models import StorageLocation
from alcabala.custody.schemas import LocationIn
from alcabala.db.base import table_of
from alcabala.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from alcabala.ledger.records import log_changes


def location_named(ctx: Ctx, code: str, field: str = "location") -> StorageLocation:
    location = ctx.session.scalar(select(StorageLocation).where(StorageLocation.code == code))
    if location is None:
        raise NotFoundError("No storage location has this code.", field=field)
    return location


def add_location(ctx: Ctx, data: LocationIn) -> StorageLocation:
    agency = ctx.session.scalar(select(Agency).where(Agency.code == data.agency))
    if agency is None:
        raise ValidationError("No agency has this code.", field="agency")
    actor = ctx.actor
    if not (actor.is_system or actor.role == Role.ADMIN) and actor.agency_id != agency.id:
        raise ForbiddenError("A supervisor adds locations of their own agency.", field="agency")
    exists = ctx.session.scalar(select(StorageLocation.id).where(StorageLocation.code == data.code))
    if exists is not None:
        raise ConflictError("A storage location already has this code.", field="code")
    location = StorageLocation(
        code=data.code, name=data.name, agency_id=agency.id, created_at=ctx.now()
    )
    ctx.session.add(location)
    ctx.session.flush()
    log_changes(
        ctx.session,
        "storage_location",
        table_of(StorageLocation),
        [location.id],
        ctx.now(),
        "created",
    )
    return location


def listing(ctx: Ctx) -> Sequence[tuple[StorageLocation, str]]:
    """Every location with its agency's code, by code."""
    rows = ctx.session.execute(
        select(StorageLocation, Agency.code)
        .join(Agency, Agency.id == StorageLocation.agency_id)
        .order_by(StorageLocation.code)
    )
    return [(loc, code) for loc, code in rows]
