"""Moving items between holders and into storage: offer, receive, refuse, withdraw, store.

A transfer completes only when the receiver confirms it with their own login: until then
the sender still holds every item (``holder_id`` does not move) and the items are marked
as offered, so that they cannot be offered twice. The receiver says the state of each
item's seal as seen; a seal not intact is a discrepancy, explained in the receiver's note,
that goes to oversight. Each step is one custody event per item, logged.
"""

from __future__ import annotations

from sqlalchemy import select

from alcabala.context import Ctx
from alcabala.custody.core import HOLDERS, items_by_label, must_hold, record_events, user_named
from alcabala.custody.locations import location_named
from alcabala.custody.models import (
    Discrepancy,
    EventKind,
    ItemStatus,
    SealState,
    SeizedItem,
    Transfer,
    TransferStatus,
)
from alcabala.custody.schemas import AnswerIn, ReceiveIn, StoreIn, TransferIn
from alcabala.db.base import table_of
from alcabala.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from alcabala.ledger.records import log_changes


def log_discrepancies(ctx: Ctx, found: list[Discrepancy]) -> None:
    """Store and log discrepancies (``custody_discrepancy.<kind>``): oversight sees them."""
    if not found:
        return
    ctx.session.add_all(found)
    ctx.session.flush()
    ids = [d.id for d in found]
    log_changes(
        ctx.session,
        "custody_discrepancy",
        table_of(Discrepancy),
        ids,
        ctx.now(),
        lambda r: r["kind"],
    )


def offer(ctx: Ctx, data: TransferIn) -> Transfer:
    """Offer the actor's items to another user; they stay the actor's until received."""
    items = items_by_label(ctx, data.items)
    must_hold(ctx, items)
    for n, item in enumerate(items):
        if item.transfer_id is not None:
            raise ConflictError(
                f"The item {item.label} is already offered in transfer {item.transfer_id}.",
                field=f"items.{n}",
            )
    receiver = user_named(ctx, data.to, "to")
    if receiver.role not in HOLDERS:
        raise ValidationError("Items go to an officer, a supervisor or a custodian.", field="to")
    if receiver.id == ctx.actor_id:
        raise ValidationError("You already hold these items.", field="to")
    location = location_named(ctx, data.location) if data.location else None
    now = ctx.now()
    transfer = Transfer(
        agency_id=items[0].agency_id,
        from_user_id=ctx.actor_id if ctx.actor_id is not None else items[0].holder_id,
        to_user_id=receiver.id,
        to_location_id=location.id if location else None,
        purpose=data.purpose,
        place=data.place,
        offered_at=now,
        items=[i.id for i in items],
        status=TransferStatus.OFFERED.value,
    )
    ctx.session.add(transfer)
    ctx.session.flush()
    for item in items:
        item.transfer_id = transfer.id
    record_events(
        ctx,
        items,
        EventKind.OFFERED.value,
        now,
        from_user_id=transfer.from_user_id,
        to_user_id=receiver.id,
        location_id=transfer.to_location_id,
        place=data.place,
        purpose=data.purpose,
        transfer_id=transfer.id,
    )
    return transfer


def _open(ctx: Ctx, transfer_id: int) -> tuple[Transfer, list[SeizedItem]]:
    transfer = ctx.session.get(Transfer, transfer_id)
    if transfer is None:
        raise NotFoundError("No transfer has this number.", field="transfer")
    if transfer.status != TransferStatus.OFFERED:
        raise ConflictError(
            f"Transfer {transfer.id} is already {transfer.status}.", field="transfer"
        )
    items = list(
        ctx.session.scalars(
            select(SeizedItem).where(SeizedItem.id.in_(transfer.items)).order_by(SeizedItem.id)
        )
    )
    return transfer, items


def receive(ctx: Ctx, transfer_id: int, data: ReceiveIn) -> Transfer:
    """The receiver confirms, with their own login: the items are theirs from now."""
    transfer, items = _open(ctx, transfer_id)
    if ctx.actor.is_system or ctx.actor_id != transfer.to_user_id:
        raise ForbiddenError(
            "Only the receiver confirms a transfer, signed in as themselves.",
            field="transfer",
            code="not_receiver",
        )
    labels = {i.label for i in items}
    for label in data.seals:
        if label not in labels:
            raise ValidationError(f"The item {label} is not in this transfer.", field="seals")
    broken = [i for i in items if data.seals.get(i.label, SealState.INTACT) != SealState.INTACT]
    if broken and not data.note.strip():
        raise ValidationError("A seal is not intact: say what you saw in the note.", field="note")
    now = ctx.now()
    for item in items:
        seal = data.seals.get(item.label, SealState.INTACT)
        record_events(
            ctx,
            [item],
            EventKind.RECEIVED.value,
            now,
            from_user_id=transfer.from_user_id,
            to_user_id=transfer.to_user_id,
            location_id=transfer.to_location_id,
            place=transfer.place,
            purpose=transfer.purpose,
            seal_state=seal.value,
            transfer_id=transfer.id,
            note=data.note,
        )
        item.holder_id = transfer.to_user_id
        item.transfer_id = None
        if transfer.to_location_id is not None:
            item.location_id = transfer.to_location_id
    log_discrepancies(
        ctx,
        [
            Discrepancy(
                agency_id=i.agency_id,
                location_id=transfer.to_location_id,
                item_id=i.id,
                source="transfer",
                kind="seal",
                expected=f"{i.seal or ''} {SealState.INTACT.value}".strip(),
                found=data.seals[i.label].value,
                explanation=data.note.strip(),
                at=now,
                actor_id=ctx.actor_id,
            )
            for i in broken
        ],
    )
    transfer.status = TransferStatus.RECEIVED.value
    return transfer


def decline(ctx: Ctx, transfer_id: int, data: AnswerIn) -> Transfer:
    """The receiver refuses, or the sender withdraws: the items stay with the sender."""
    transfer, items = _open(ctx, transfer_id)
    if ctx.actor_id == transfer.to_user_id:
        status = TransferStatus.REFUSED
    elif ctx.actor_id == transfer.from_user_id or ctx.actor.is_system:
        status = TransferStatus.WITHDRAWN
    else:
        raise ForbiddenError(
            "Only the sender or the receiver answers a transfer.", field="transfer"
        )
    record_events(
        ctx,
        items,
        EventKind.REFUSED.value,
        ctx.now(),
        from_user_id=transfer.from_user_id,
        to_user_id=transfer.to_user_id,
        transfer_id=transfer.id,
        note=f"{status.value}: {data.reason}",
    )
    for item in items:
        item.transfer_id = None
    transfer.status = status.value
    return transfer


def store(ctx: Ctx, data: StoreIn) -> list[SeizedItem]:
    """The holder puts items in a storage location (or moves them within storage)."""
    items = items_by_label(ctx, data.items)
    must_hold(ctx, items)
    location = location_named(ctx, data.location)
    record_events(
        ctx, items, EventKind.STORED.value, ctx.now(), location_id=location.id, note=data.note
    )
    for item in items:
        item.location_id = location.id
    return items


def pending(ctx: Ctx) -> list[Transfer]:
    """Transfers offered and not yet answered, to the actor or by the actor, oldest first."""
    me = ctx.actor_id
    query = select(Transfer).where(
        Transfer.status == TransferStatus.OFFERED,
        (Transfer.to_user_id == me) | (Transfer.from_user_id == me),
    )
    return list(ctx.session.scalars(query.order_by(Transfer.id)))


def held(ctx: Ctx) -> list[SeizedItem]:
    """The items the actor holds now, newest seizure first."""
    query = select(SeizedItem).where(
        SeizedItem.holder_id == ctx.actor_id, SeizedItem.status == ItemStatus.HELD
    )
    return list(ctx.session.scalars(query.order_by(SeizedItem.id.desc())))
