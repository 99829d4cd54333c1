"""Premises, brands and transit permits (guías).

A transit permit is ``issued`` until it is used at its destination, cancelled (with a reason)
or reaches ``valid_to``. Expiry is automatic twice over: the sweeper :func:`expire_permits`
records the transition, and until it runs the permit's *effective* status is already
``expired``, so an expired permit can be neither used nor cancelled. A permit cannot be used
before ``valid_from`` either. Every brand on a permit line must be registered to the origin
premises.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala.accounts.audit import audit_lookup, need_reason
from alcabala.accounts.authority import acting_agency, must_own
from alcabala.context import Ctx
from alcabala.db.history import record_change
from alcabala.db.lifecycle import Lifecycle, log_creation, transition
from alcabala.errors import NotFoundError, TransitionError, ValidationError
from alcabala.livestock.models import (
    Brand,
    Permit,
    PermitEarTag,
    PermitLine,
    PermitStatus,
    PermitTransition,
    Premises,
)
from alcabala.livestock.rules import brand_on_origin
from alcabala.livestock.schemas import BrandIn, PermitIn, PremisesIn
from alcabala.persons.services import get_or_register_person
from alcabala.rules import unique

P = PermitStatus
PERMIT = Lifecycle(
    entity="permit",
    label="transit permit",
    moves={P.ISSUED: frozenset({P.USED, P.CANCELLED, P.EXPIRED})},
    needs_reason=frozenset({P.CANCELLED}),
)


# Premises and brands ------------------------------------------------------------------------


def find_premises(session: Session, code: str) -> Premises | None:
    return session.scalar(select(Premises).where(Premises.code == code.strip().upper()))


def get_premises(session: Session, code: str, field: str = "premises") -> Premises:
    premises = find_premises(session, code)
    if premises is None:
        raise NotFoundError(f"No premises with code {code!r}.", field=field)
    return premises


def register_premises(ctx: Ctx, data: PremisesIn) -> Premises:
    session = ctx.session
    unique("Premises", data.code, find_premises(session, data.code) is not None, field="code")
    premises = Premises(
        code=data.code,
        name=data.name,
        state=data.state,
        municipality=data.municipality,
        lat=data.lat,
        lon=data.lon,
    )
    if data.owner_national_id:
        premises.owner = get_or_register_person(ctx, data.owner_national_id, data.owner_country)
    session.add(premises)
    session.flush()
    record_change(session, "premises", premises, ctx.now(), "created")
    return premises


def find_brand(session: Session, mark: str) -> Brand | None:
    return session.scalar(select(Brand).where(Brand.mark == mark.strip().upper()))


def register_brand(ctx: Ctx, data: BrandIn) -> Brand:
    session = ctx.session
    unique("Brand", data.mark, find_brand(session, data.mark) is not None, field="mark")
    brand = Brand(
        mark=data.mark,
        premises=get_premises(session, data.premises),
        registered_at=data.registered_at,
    )
    session.add(brand)
    session.flush()
    record_change(session, "brand", brand, ctx.now(), "created")
    return brand


# Transit permits ----------------------------------------------------------------------------


def check_permit_window(data: PermitIn, now: dt.datetime) -> None:
    """A permit is not born expired (the window's length is checked by :class:`PermitIn`)."""
    if data.valid_to <= now:
        raise ValidationError(
            "valid_to is already past: the permit would be born expired.", field="valid_to"
        )


def _check_brands(session: Session, data: PermitIn, origin: Premises) -> None:
    """Every brand on a line must be registered to the origin premises."""
    marks = {line.brand for line in data.lines if line.brand}
    owners: dict[str, str] = {}
    if marks:
        rows = session.execute(
            select(Brand.mark, Premises.code).join(Brand.premises).where(Brand.mark.in_(marks))
        )
        owners = {mark: code for mark, code in rows}
    for i, line in enumerate(data.lines):
        if line.brand:
            brand_on_origin(i, line.brand, owners.get(line.brand), origin.code)


def issue_permit(ctx: Ctx, data: PermitIn) -> Permit:
    session, now = ctx.session, ctx.now()
    taken = session.scalar(select(Permit.id).where(Permit.number == data.number)) is not None
    unique("Permit", data.number, taken)
    check_permit_window(data, now)
    issuer = acting_agency(ctx, data.issuer, field="issuer")
    origin = get_premises(session, data.origin_premises, field="origin_premises")
    destination = get_premises(session, data.destination_premises, field="destination_premises")
    _check_brands(session, data, origin)
    permit = Permit(
        number=data.number,
        issuer=issuer,
        origin=origin,
        destination=destination,
        vehicle_plate=data.vehicle_plate,
        plate_country=data.plate_country,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        status=P.ISSUED.value,
        lines=[
            PermitLine(
                position=i,
                species=line.species.value,
                category=line.category,
                head_count=line.head_count,
                brand=line.brand or "",
            )
            for i, line in enumerate(data.lines)
        ],
        ear_tags=[PermitEarTag(position=i, tag=tag) for i, tag in enumerate(data.ear_tags)],
    )
    session.add(permit)
    log_creation(
        session,
        permit,
        PERMIT,
        history=PermitTransition,
        history_fk="permit_id",
        actor_id=ctx.actor_id,
        at=now,
    )
    return permit


def read_permit(ctx: Ctx, permit_id: int, reason: str) -> Permit:
    """A transit permit by id (audited under the plate of the vehicle carrying it)."""
    why = need_reason(ctx, reason)  # before the fetch: no reason, no answer of any kind
    permit = get_permit(ctx.session, permit_id)
    audit_lookup(ctx, "read", "vehicle", permit.vehicle_plate, reason=why)
    return permit


def read_permit_by_number(ctx: Ctx, number: str, reason: str) -> Permit:
    """A transit permit by number (audited under the plate of the vehicle carrying it)."""
    why = need_reason(ctx, reason)
    permit = get_permit_by_number(ctx.session, number)
    audit_lookup(ctx, "read", "vehicle", permit.vehicle_plate, reason=why)
    return permit


def get_permit(session: Session, permit_id: int) -> Permit:
    permit = session.get(Permit, permit_id)
    if permit is None:
        raise NotFoundError(f"No transit permit with id {permit_id}.", field="id")
    return permit


def get_permit_by_number(session: Session, number: str) -> Permit:
    permit = session.scalar(select(Permit).where(Permit.number == number.strip().upper()))
    if permit is None:
        raise NotFoundError(f"No transit permit numbered {number!r}.", field="number")
    return permit


def _move_permit(
    ctx: Ctx,
    permit: Permit,
    target: str,
    reason: str,
    expected_version: int | None,
    now: dt.datetime,
) -> Permit:
    transition(
        ctx.session,
        permit,
        PERMIT,
        target,
        history=PermitTransition,
        history_fk="permit_id",
        actor_id=ctx.actor_id,
        at=ctx.now(),
        reason=reason,
        # Time may already have expired it, whatever the row says; the sweeper itself moves
        # from the stored status.
        current=permit.status if target == P.EXPIRED else permit.effective_status(now),
        expected_version=expected_version,
    )
    return permit


def use_permit(
    ctx: Ctx,
    permit_id: int,
    reason: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Permit:
    """The animals arrived under this permit; ``at`` is when (e.g. an offline check's time;
    default: now)."""
    now = at or ctx.now()
    permit = get_permit(ctx.session, permit_id)
    if permit.effective_status(now) == P.ISSUED and now < permit.valid_from:
        raise TransitionError(
            f"The transit permit {permit.number} is valid only from "
            f"{permit.valid_from:%Y-%m-%d %H:%M} UTC; it cannot be used before then.",
            field="valid_from",
        )
    return _move_permit(ctx, permit, P.USED, reason, expected_version, now)


def cancel_permit(
    ctx: Ctx, permit_id: int, reason: str, expected_version: int | None = None
) -> Permit:
    """The permit was withdrawn or issued in error (a reason is required)."""
    permit = get_permit(ctx.session, permit_id)
    must_own(ctx, permit.issuer_agency_id, f"permit {permit.number}")
    return _move_permit(ctx, permit, P.CANCELLED, reason, expected_version, ctx.now())


def expire_permits(ctx: Ctx) -> int:
    """Record the expiry of every issued permit past ``valid_to``; returns how many."""
    now = ctx.now()
    due = ctx.session.scalars(
        select(Permit).where(Permit.status == P.ISSUED, Permit.valid_to <= now)
    ).all()
    for permit in due:
        _move_permit(ctx, permit, P.EXPIRED, "expired automatically at valid_to", None, now)
    return len(due)
