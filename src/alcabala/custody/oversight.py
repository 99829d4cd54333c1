"""Oversight of custody: the discrepancies dashboard and the location audit.

:func:`dashboard` counts discrepancies per agency and per storage location (all of them
for oversight and auditors, the user's agency for its supervisors and custodians), lists
the latest, and the detentions still unapproved past their deadline.

:func:`audit_location` compares what the records say a location has on hand with what
was counted there (labels typed or scanned, with a quantity where it matters) and records
every difference as a discrepancy: an item on record but not found, one found that the
records put elsewhere or that left custody, a label no record has, a quantity that is
not the seized one. Every item seen gets a ``counted`` custody event, so its history
says when it was last seen on the shelf.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence

from sqlalchemy import func, select

from alcabala.accounts.audit import audit_lookup
from alcabala.context import Ctx
from alcabala.custody.core import KEEPERS, READERS, record_events
from alcabala.custody.detentions import unapproved
from alcabala.custody.locations import location_named
from alcabala.custody.models import (
    Detention,
    Discrepancy,
    EventKind,
    ItemStatus,
    SeizedItem,
    StorageLocation,
)
from alcabala.custody.outcomes import same_amount
from alcabala.custody.schemas import CountIn
from alcabala.custody.transfers import log_discrepancies
from alcabala.errors import ForbiddenError


def scope(ctx: Ctx) -> int | None:
    """The agency whose custody the actor oversees; None for all of them."""
    actor = ctx.actor
    if actor.is_system or actor.role in READERS:
        return None
    if actor.role in KEEPERS and actor.agency_id is not None:
        return actor.agency_id
    raise ForbiddenError("Only oversight, auditors, supervisors and custodians see this.")


def discrepancies(ctx: Ctx, limit: int = 1000) -> Sequence[Discrepancy]:
    agency = scope(ctx)
    query = select(Discrepancy).order_by(Discrepancy.at.desc(), Discrepancy.id.desc())
    if agency is not None:
        query = query.where(Discrepancy.agency_id == agency)
    return ctx.session.scalars(query.limit(limit)).all()


Group = tuple[int, int | None, Counter[str], dt.datetime]


def dashboard(ctx: Ctx) -> tuple[list[Group], Sequence[Discrepancy]]:
    """(agency id, location id, count by kind, latest) per agency and location, most
    discrepancies first — counted by the database, one GROUP BY — and the latest 50."""
    agency = scope(ctx)
    query = select(
        Discrepancy.agency_id,
        Discrepancy.location_id,
        Discrepancy.kind,
        func.count(),
        func.max(Discrepancy.at),
    ).group_by(Discrepancy.agency_id, Discrepancy.location_id, Discrepancy.kind)
    if agency is not None:
        query = query.where(Discrepancy.agency_id == agency)
    groups: dict[tuple[int, int | None], Counter[str]] = defaultdict(Counter)
    latest: dict[tuple[int, int | None], dt.datetime] = {}
    for agency_id, location_id, kind, n, last in ctx.session.execute(query):
        key = (agency_id, location_id)
        groups[key][kind] += n
        latest[key] = max(latest.get(key, last), last)
    rows = [(a, loc, kinds, latest[(a, loc)]) for (a, loc), kinds in groups.items()]
    rows.sort(key=lambda r: (-sum(r[2].values()), r[0], r[1] or 0))
    return rows, discrepancies(ctx, limit=50)


def overdue_detentions(ctx: Ctx) -> Sequence[Detention]:
    """Detentions not approved in time, in the actor's scope; each one names a person, so
    the read is audited (the caller opened a lookup)."""
    found = unapproved(ctx, scope(ctx))
    for d in found:
        audit_lookup(ctx, "list", "person", d.national_id, reason="unapproved detentions")
    return found


def audit_location(ctx: Ctx, data: CountIn) -> tuple[int, int, int, list[Discrepancy]]:
    """(on record, counted, matched, differences) of a count at ``data.location``."""
    location = location_named(ctx, data.location)
    agency = scope(ctx)
    if agency is not None and agency != location.agency_id:
        raise ForbiddenError("This location is another agency's.", field="location")
    s = ctx.session
    now = ctx.now()
    on_hand = {
        i.label: i
        for i in s.scalars(
            select(SeizedItem).where(
                SeizedItem.location_id == location.id, SeizedItem.status == ItemStatus.HELD
            )
        )
    }
    counted = {line.label: line for line in data.counted}
    others = {
        i.label: i
        for i in s.scalars(
            select(SeizedItem).where(SeizedItem.label.in_([c for c in counted if c not in on_hand]))
        )
    }
    found: list[Discrepancy] = []
    seen: list[SeizedItem] = []

    def differ(item: SeizedItem | None, kind: str, expected: str, got: str) -> None:
        found.append(
            Discrepancy(
                agency_id=item.agency_id if item else location.agency_id,
                location_id=location.id,
                item_id=item.id if item else None,
                source="audit",
                kind=kind,
                expected=expected,
                found=got,
                explanation=data.note,
                at=now,
                actor_id=ctx.actor_id,
            )
        )

    for label, item in sorted(on_hand.items()):
        line = counted.get(label)
        if line is None:
            differ(item, "missing", f"{label} on hand", "not counted")
            continue
        seen.append(item)
        if line.quantity is not None and not same_amount(line.quantity, item.quantity):
            differ(item, "quantity", f"{item.quantity} {item.unit}".strip(), line.quantity)
    for label in sorted(set(counted) - set(on_hand)):
        other = others.get(label)
        if other is None:
            differ(None, "unrecorded", "", label)
        elif other.status != ItemStatus.HELD:
            differ(other, "not_in_custody", other.status, f"{label} on the shelf")
            seen.append(other)
        else:
            elsewhere = s.get(StorageLocation, other.location_id) if other.location_id else None
            where = f"in {elsewhere.code}" if elsewhere else "in no location"
            differ(other, "elsewhere", f"{label} {where}", location.code)
            seen.append(other)
    if seen:
        record_events(
            ctx, seen, EventKind.COUNTED.value, now, location_id=location.id, note=data.note
        )
    log_discrepancies(ctx, found)
    matched = len(on_hand) - sum(1 for d in found if d.kind == "missing")
    return len(on_hand), len(counted), matched, found
