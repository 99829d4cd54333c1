"""What every custody service shares: finding seizures and items, who may hold and read
them, and the one function that records a custody event.

Who may do what (checked here, whatever the door):

- officers and supervisors **seize**; the seizure belongs to their agency and its items
  start with the officer who took them;
- the **holder** of an item (an officer, supervisor or custodian) offers it in transfer,
  stores it, and — a custodian or supervisor — releases or disposes of it;
- only the **receiver**, signed in as themselves, confirms a transfer;
- staff of the seizure's agency, the current holders of its items, **oversight** and
  **auditors** read a seizure (an audited read: it names the persons detained).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select

from alcabala.accounts.audit import audit_lookup
from alcabala.accounts.models import Role, User
from alcabala.checks.receipts import new_receipt, normalize_prefixed
from alcabala.context import Ctx
from alcabala.custody.models import CustodyEvent, ItemStatus, SeizedItem, Seizure
from alcabala.db.base import table_of
from alcabala.errors import ConflictError, ForbiddenError, NotFoundError
from alcabala.ledger.records import log_changes

PREFIX = "I-"
ENTITY = "custody"
HOLDERS = frozenset({Role.OFFICER.value, Role.SUPERVISOR.value, Role.CUSTODIAN.value})
KEEPERS = frozenset({Role.SUPERVISOR.value, Role.CUSTODIAN.value})
READERS = frozenset({Role.OVERSIGHT.value, Role.AUDITOR.value})


def new_code() -> str:
    """A fresh seizure code such as ``I-7K2QX-M9D4B`` (50 random bits)."""
    return PREFIX + new_receipt()


def normalize_code(code: str) -> str | None:
    return normalize_prefixed(code, PREFIX)


def find_seizure(ctx: Ctx, code: str, field: str = "code") -> Seizure:
    normalized = normalize_code(code)
    seizure = (
        ctx.session.scalar(select(Seizure).where(Seizure.code == normalized))
        if normalized
        else None
    )
    if seizure is None:
        raise NotFoundError("No seizure has this code.", field=field)
    return seizure


def items_of(ctx: Ctx, seizure: Seizure) -> list[SeizedItem]:
    return list(
        ctx.session.scalars(
            select(SeizedItem)
            .where(SeizedItem.seizure_id == seizure.id)
            .order_by(SeizedItem.number)
        )
    )


def items_by_label(ctx: Ctx, labels: Sequence[str], field: str = "items") -> list[SeizedItem]:
    """The items with these labels, in the order given; 404 naming the first unknown one,
    409 for a label given twice."""
    if len(set(labels)) != len(labels):
        raise ConflictError("An item is named twice.", field=field)
    found = {
        i.label: i
        for i in ctx.session.scalars(select(SeizedItem).where(SeizedItem.label.in_(labels)))
    }
    for n, label in enumerate(labels):
        if label not in found:
            raise NotFoundError(f"No seized item has the label {label}.", field=f"{field}.{n}")
    return [found[label] for label in labels]


def user_named(ctx: Ctx, username: str, field: str) -> User:
    user = ctx.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise NotFoundError("No active user has this username.", field=field)
    return user


def must_hold(ctx: Ctx, items: Iterable[SeizedItem], field: str = "items") -> None:
    """Every item is held, by the actor, and not offered to someone else."""
    actor = ctx.actor
    for n, item in enumerate(items):
        if item.status != ItemStatus.HELD:
            raise ConflictError(
                f"The item {item.label} is {item.status}: it is no longer in custody.",
                field=f"{field}.{n}",
            )
        if not actor.is_system and item.holder_id != actor.id:
            raise ForbiddenError(
                f"You do not hold the item {item.label}; its holder must do this.",
                field=f"{field}.{n}",
                code="not_holder",
            )


def may_read(ctx: Ctx, seizure: Seizure) -> None:
    actor = ctx.actor
    if actor.is_system or actor.role in READERS:
        return
    if actor.role in HOLDERS and actor.agency_id == seizure.agency_id:
        return
    held = ctx.session.scalar(
        select(SeizedItem.id).where(
            SeizedItem.seizure_id == seizure.id, SeizedItem.holder_id == actor.id
        )
    )
    if held is None:
        raise ForbiddenError(
            "Only the seizing agency, the items' holders, oversight and auditors see a seizure.",
            field="code",
        )


def read_seizure(ctx: Ctx, code: str) -> Seizure:
    """The seizure for staff: authority checked, the read audited (it names detainees)."""
    seizure = find_seizure(ctx, code)
    may_read(ctx, seizure)
    audit_lookup(ctx, "custody", "seizure", seizure.code, reason="custody")
    return seizure


def record_events(
    ctx: Ctx, items: Sequence[SeizedItem], kind: str, at: dt.datetime, **fields: Any
) -> list[CustodyEvent]:
    """One event of ``kind`` per item, each logged as ``custody.<kind>``, in one go."""
    events = [
        CustodyEvent(
            item_id=item.id,
            agency_id=item.agency_id,
            kind=kind,
            at=at,
            actor_id=ctx.actor_id,
            **fields,
        )
        for item in items
    ]
    ctx.session.add_all(events)
    ctx.session.flush()
    log_changes(ctx.session, ENTITY, table_of(CustodyEvent), [e.id for e in events], at, kind)
    return events
