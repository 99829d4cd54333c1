"""Items leaving custody: release to the owner or to a court, disposal or destruction.

What: :func:`release` and :func:`dispose` take, for items of one seizure, what was found
when they left — found or not, the quantity and weight counted, the seal's state — and
compare it item by item with the seizure's inventory (:func:`compare`). Any difference is
a discrepancy: it needs an explanation on its line, or nothing is recorded, and it goes
to oversight (:class:`~alcabala.custody.models.Discrepancy`). An item not found leaves as
``missing``. Disposal or destruction is refused without a recorded authority — a court
order's reference — and a witness other than the person disposing.

Only the items' holder, a custodian or a supervisor, does this; an item offered in a
transfer not yet answered cannot leave.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass

from alcabala.accounts.audit import audit_lookup
from alcabala.context import Ctx
from alcabala.custody.core import (
    KEEPERS,
    find_seizure,
    items_by_label,
    may_read,
    must_hold,
    record_events,
)
from alcabala.custody.models import (
    Discrepancy,
    EventKind,
    ItemStatus,
    Outcome,
    SealState,
    SeizedItem,
    Seizure,
)
from alcabala.custody.schemas import DisposalIn, LineIn, ReleaseIn
from alcabala.custody.transfers import log_discrepancies
from alcabala.db.base import table_of
from alcabala.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from alcabala.ledger.records import log_changes


@dataclass(frozen=True)
class Difference:
    kind: str  # missing, quantity, weight, seal
    expected: str
    found: str


def same_amount(a: str | None, b: str | None) -> bool:
    """Two decimal amounts (text) are equal; None equals only None."""
    if a is None or b is None:
        return a is None and b is None
    return decimal.Decimal(a) == decimal.Decimal(b)


def compare(item: SeizedItem, line: LineIn) -> list[Difference]:
    """What differs between the item as seized and as found on ``line``."""
    unit = f" {item.unit}" if item.unit else ""
    if not line.found:
        return [Difference("missing", f"{item.quantity}{unit}", "—")]
    found: list[Difference] = []
    if line.quantity is not None and not same_amount(line.quantity, item.quantity):
        found.append(Difference("quantity", f"{item.quantity}{unit}", f"{line.quantity}{unit}"))
    if line.weight_kg is not None and not same_amount(line.weight_kg, item.weight_kg):
        found.append(Difference("weight", f"{item.weight_kg or '—'} kg", f"{line.weight_kg} kg"))
    if item.seal and line.seal_state != SealState.INTACT:
        found.append(Difference("seal", f"{item.seal} intact", line.seal_state.value))
    return found


def _leave(
    ctx: Ctx,
    code: str,
    lines: list[LineIn],
    *,
    kind: str,
    source: str,
    event: EventKind,
    to_party: str,
    authority: str,
    witness: str,
) -> Outcome:
    actor = ctx.actor
    if not actor.is_system and actor.role not in KEEPERS:
        raise ForbiddenError("Only a custodian or a supervisor releases or disposes of items.")
    seizure = find_seizure(ctx, code)
    items = items_by_label(ctx, [line.label for line in lines], field="lines")
    for n, item in enumerate(items):
        if item.seizure_id != seizure.id:
            raise ValidationError(
                f"The item {item.label} is not of seizure {seizure.code}.", field=f"lines.{n}"
            )
        if item.transfer_id is not None:
            raise ConflictError(
                f"The item {item.label} is offered in transfer {item.transfer_id}; answer "
                "it first.",
                field=f"lines.{n}",
            )
    must_hold(ctx, items, field="lines")
    compared = [compare(item, line) for item, line in zip(items, lines, strict=True)]
    for n, (line, differences) in enumerate(zip(lines, compared, strict=True)):
        if differences and not line.explanation.strip():
            kinds = ", ".join(d.kind for d in differences)
            raise ValidationError(
                f"The item {line.label} differs from the seizure ({kinds}): explain why.",
                field=f"lines.{n}.explanation",
            )
    now = ctx.now()
    outcome = Outcome(
        seizure_id=seizure.id,
        agency_id=seizure.agency_id,
        kind=kind,
        to_party=to_party,
        authority=authority,
        witness=witness,
        at=now,
        actor_id=ctx.actor_id,
    )
    ctx.session.add(outcome)
    ctx.session.flush()
    log_changes(ctx.session, "custody_outcome", table_of(Outcome), [outcome.id], now, kind)
    found: list[Discrepancy] = []
    for item, line, differences in zip(items, lines, compared, strict=True):
        what = event if line.found else EventKind.MISSING
        record_events(
            ctx,
            [item],
            what.value,
            now,
            from_user_id=item.holder_id,
            to_party=to_party if line.found else "",
            location_id=item.location_id,
            purpose=kind,
            seal_state=line.seal_state.value if line.found else None,
            quantity_seen=(line.quantity or item.quantity) if line.found else "0",
            weight_seen=(line.weight_kg or item.weight_kg) if line.found else None,
            outcome_id=outcome.id,
            authority=authority,
            witness=witness,
            note=line.explanation.strip(),
        )
        found += [
            Discrepancy(
                agency_id=item.agency_id,
                location_id=item.location_id,
                item_id=item.id,
                outcome_id=outcome.id,
                source=source,
                kind=d.kind,
                expected=d.expected,
                found=d.found,
                explanation=line.explanation.strip(),
                at=now,
                actor_id=ctx.actor_id,
            )
            for d in differences
        ]
        done = ItemStatus.RELEASED if event == EventKind.RELEASED else ItemStatus.DISPOSED
        item.status = (done if line.found else ItemStatus.MISSING).value
        item.holder_id = None
    log_discrepancies(ctx, found)
    return outcome


def release(ctx: Ctx, code: str, data: ReleaseIn) -> Outcome:
    """Release items of seizure ``code`` to their owner or to a court (court order)."""
    if data.to == "court" and not data.authority.strip():
        raise ValidationError("A release to a court names the court order.", field="authority")
    return _leave(
        ctx,
        code,
        data.lines,
        kind=data.to,
        source="release",
        event=EventKind.RELEASED,
        to_party=data.recipient,
        authority=data.authority.strip(),
        witness="",
    )


def dispose(ctx: Ctx, code: str, data: DisposalIn) -> Outcome:
    """Destroy or dispose of items of seizure ``code``: only on a recorded authority (a
    court order's reference) and before a witness who is not the actor."""
    authority, witness = data.authority.strip(), data.witness.strip()
    if not authority:
        raise ValidationError(
            "Disposal or destruction needs the court order that authorizes it.",
            field="authority",
        )
    if not witness:
        raise ValidationError(
            "Disposal or destruction needs a witness: name and ID.", field="witness"
        )
    if witness.casefold() == ctx.actor.username.casefold():
        raise ValidationError("The witness must be someone else.", field="witness")
    return _leave(
        ctx,
        code,
        data.lines,
        kind=data.method,
        source="disposal",
        event=EventKind.DISPOSED,
        to_party="",
        authority=authority,
        witness=witness,
    )


def read_outcome(ctx: Ctx, outcome_id: int) -> Outcome:
    """A release or disposal for staff who may read its seizure; audited (it names who
    received the items)."""
    outcome = ctx.session.get(Outcome, outcome_id)
    if outcome is None:
        raise NotFoundError("No release or disposal has this number.", field="outcome_id")
    seizure = ctx.session.get(Seizure, outcome.seizure_id)
    assert seizure is not None
    may_read(ctx, seizure)
    audit_lookup(ctx, "custody", "seizure", seizure.code, reason="custody outcome")
    return outcome
