"""Seizing: the only code that creates a seizure, its items, photos and detentions.

What: :func:`seize` takes what an officer or supervisor seized — at a stop (its check) or
on its own — and stores, in one transaction, the seizure with its inventory as seized
(every item and seal), one row per item held by the officer, the photos (their SHA-256 in
the inventory), and each person detained with the legal basis. Each is logged: the
seizure as ``seizure.created`` (what the driver's receipt proves), each item as
``seized_item.seized``, its first custody event ``custody.seized``, each detention as
``detention.<status>``.

A detention's basis is either a confirmed hit of the same stop on a warrant for that
person (``justified`` at once), or a reason stated by the officer, which a supervisor of
the agency must approve within ``Settings.detention_approval_hours``; until then it is
``awaiting_approval``, and past that it surfaces to oversight (:mod:`.oversight`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import select

from alcabala.checkpoints.models import Checkpoint
from alcabala.checks.models import Check, Hit, HitStatus
from alcabala.context import Ctx
from alcabala.custody.core import new_code, record_events
from alcabala.custody.models import (
    Detention,
    DetentionStatus,
    EventKind,
    ItemStatus,
    SeizedItem,
    Seizure,
    SeizureFile,
)
from alcabala.custody.schemas import DetaineeIn, ItemIn, SeizureIn
from alcabala.db.base import table_of
from alcabala.errors import ForbiddenError, ValidationError
from alcabala.ledger.records import log_changes
from alcabala.schemas import normalize_national_id

SEIZERS = frozenset({"officer", "supervisor"})


def _where(ctx: Ctx, data: SeizureIn) -> tuple[Check | None, int | None]:
    s = ctx.session
    if data.check_id:
        check = s.scalar(select(Check).where(Check.check_id == data.check_id))
        if check is None:
            raise ValidationError("No stop has this check_id.", field="check_id")
        return check, check.checkpoint_id
    if data.checkpoint:
        checkpoint = s.scalar(select(Checkpoint.id).where(Checkpoint.code == data.checkpoint))
        if checkpoint is None:
            raise ValidationError("No checkpoint has this code.", field="checkpoint")
        return None, checkpoint
    return None, None


def inventory_line(number: int, item: ItemIn) -> dict[str, Any]:
    """An item as the seizure's inventory (and the receipt) lists it."""
    return {
        "number": number,
        "kind": item.kind.value,
        "description": item.description,
        "quantity": item.quantity,
        "unit": item.unit,
        "weight_kg": item.weight_kg,
        "currency": item.currency,
        "serial": item.serial,
        "vin": item.vin,
        "plate": item.plate.upper() if item.plate else None,
        "ear_tags": list(item.ear_tags),
        "seal": item.seal,
        "condition": item.condition,
    }


def _detention(
    ctx: Ctx, n: int, person: DetaineeIn, check: Check | None, now: dt.datetime
) -> dict[str, Any]:
    field = f"detained.{n}"
    national_id = normalize_national_id(person.national_id, person.country, f"{field}.national_id")
    common = {"national_id": national_id, "country": person.country, "name": person.name}
    if person.basis == "reason":
        if not person.reason.strip():
            raise ValidationError(
                "A detention without a confirmed hit needs the reason, for a supervisor to "
                "approve.",
                field=f"{field}.reason",
            )
        hours = dt.timedelta(hours=ctx.settings.detention_approval_hours)
        return common | {
            "basis": "reason",
            "reason": person.reason.strip(),
            "status": DetentionStatus.AWAITING_APPROVAL.value,
            "approve_by": now + hours,
        }
    hit = ctx.session.get(Hit, person.hit_id) if person.hit_id else None
    if hit is None or check is None or hit.check_pk != check.id:
        raise ValidationError(
            "The legal basis must be a hit of this stop (give check_id and hit_id).",
            field=f"{field}.hit_id",
        )
    if hit.category != "wanted_person" or hit.record.get("national_id") != national_id:
        raise ValidationError(
            "This hit is not on a warrant for this person.", field=f"{field}.hit_id"
        )
    if hit.effective_status(now) != HitStatus.CONFIRMED:
        raise ValidationError(
            "The hit is not confirmed by the agency that owns the warrant: detain on a "
            "confirmed hit, or state the reason for a supervisor to approve.",
            field=f"{field}.hit_id",
        )
    return common | {
        "basis": "hit",
        "hit_id": hit.id,
        "reason": person.reason.strip(),
        "status": DetentionStatus.JUSTIFIED.value,
        "approve_by": None,
    }


def seize(ctx: Ctx, data: SeizureIn) -> Seizure:
    """Record the seizure ``data`` by the actor; see the module."""
    actor = ctx.actor
    if not actor.is_system and (actor.role not in SEIZERS or actor.agency_id is None):
        raise ForbiddenError("Only officers and supervisors of an agency seize.")
    s = ctx.session
    now = ctx.now()
    check, checkpoint_id = _where(ctx, data)
    agency_id = actor.agency_id
    if agency_id is None and check is not None:  # the system, recording a stop's seizure
        agency_id = check.agency_id
    if agency_id is None:
        raise ValidationError("The seizure needs an agency: seize at a stop.", field="check_id")
    detentions = [_detention(ctx, n, p, check, now) for n, p in enumerate(data.detained)]
    photos = [(p.content_type, p.raw()) for p in data.photos]
    lines = [inventory_line(n, item) for n, item in enumerate(data.items, start=1)]
    seals = list(dict.fromkeys([*data.seals, *(i.seal for i in data.items if i.seal)]))
    seizure = Seizure(
        code=new_code(),
        agency_id=agency_id,
        officer_id=actor.id,
        check_id=check.check_id if check else None,
        checkpoint_id=checkpoint_id,
        seized_at=now,
        place=data.place,
        case_ref=data.case_ref,
        notes=data.notes,
        inventory=lines,
        seals=seals,
        photos=[hashlib.sha256(raw).hexdigest() for _, raw in photos],
        detained=len(detentions),
    )
    s.add(seizure)
    s.flush()
    for (content_type, raw), digest in zip(photos, seizure.photos, strict=True):
        s.add(
            SeizureFile(
                seizure_id=seizure.id,
                sha256=digest,
                content_type=content_type,
                size=len(raw),
                data=raw,
            )
        )
    items = [
        SeizedItem(
            seizure_id=seizure.id,
            label=f"{seizure.code}/{line['number']}",
            agency_id=agency_id,
            status=ItemStatus.HELD.value,
            holder_id=actor.id,
            **line,
        )
        for line in lines
    ]
    people = [
        Detention(seizure_id=seizure.id, agency_id=agency_id, detained_at=now, **d)
        for d in detentions
    ]
    s.add_all([*items, *people])
    s.flush()
    log_changes(s, "seizure", table_of(Seizure), [seizure.id], now, "created")
    log_changes(s, "seized_item", table_of(SeizedItem), [i.id for i in items], now, "seized")
    log_changes(s, "detention", table_of(Detention), [p.id for p in people], now, "created")
    record_events(ctx, items, EventKind.SEIZED.value, now, place=data.place, purpose="seizure")
    return seizure
