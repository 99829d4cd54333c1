"""Proofs from the log: the driver's seizure receipt, and an item's whole custody history.

:func:`seizure_proof` is the tlog proof of the seizure's ``seizure.created`` entry, which
commits to its inventory as seized (every item and seal): the driver, holding the
receipt's code, can fetch it and check offline (``alcabala log verify-proof``) that the
list on paper is the one the log holds. :func:`history_proofs` gives, for one item, the
proof of its ``seized_item.seized`` entry and of each custody event in order: each one is
a record that was never updated, so each proof verifies whenever it is asked for.
"""

from __future__ import annotations

from sqlalchemy import select

from alcabala.accounts.audit import audit_lookup
from alcabala.context import Ctx
from alcabala.custody.core import find_seizure, items_by_label, may_read
from alcabala.custody.models import CustodyEvent, SeizedItem, Seizure
from alcabala.db.base import table_of
from alcabala.ledger.provable import prove_entry
from alcabala.ledger.records import stored_records


def _prove(
    ctx: Ctx, model: type[Seizure] | type[SeizedItem] | type[CustodyEvent], row_id: int, what: str
) -> str:
    table = table_of(model)
    record = stored_records(ctx.session, table, [row_id])[str(row_id)]
    return prove_entry(ctx.session, table.name, str(row_id), record, what=what)


def seizure_proof(ctx: Ctx, code: str) -> tuple[str, str]:
    """(seizure code, tlog proof text) of the seizure as seized, for the receipt's holder.
    The record in the proof names any vehicle seized (VIN, plate): the read is audited."""
    seizure = find_seizure(ctx, code)
    audit_lookup(ctx, "seizure_proof", "seizure", seizure.code, reason="receipt proof")
    return seizure.code, _prove(ctx, Seizure, seizure.id, "This seizure")


def events_of(ctx: Ctx, item: SeizedItem) -> list[CustodyEvent]:
    return list(
        ctx.session.scalars(
            select(CustodyEvent)
            .where(CustodyEvent.item_id == item.id)
            .order_by(CustodyEvent.at, CustodyEvent.id)
        )
    )


def history_proofs(ctx: Ctx, label: str) -> tuple[SeizedItem, list[tuple[str, str]]]:
    """The item and, oldest first, (what, tlog proof) of its seizure and every event."""
    item = items_by_label(ctx, [label], field="label")[0]
    seizure = ctx.session.get(Seizure, item.seizure_id)
    assert seizure is not None
    may_read(ctx, seizure)
    audit_lookup(ctx, "custody", "seized_item", item.label, reason="custody history")
    proofs = [("seized_item", _prove(ctx, SeizedItem, item.id, "This item"))]
    for event in events_of(ctx, item):
        proofs.append((event.kind, _prove(ctx, CustodyEvent, event.id, "This custody event")))
    return item, proofs
