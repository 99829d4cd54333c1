"""A check as the log commits to it: the receipt's record, one entry per stop.

What: :func:`check_record` is the JSON object a check's log entry commits to — the
receipt code, ``check_id``, checkpoint code, the stop's time, plate, VIN, verdict, the
irregularity codes, whether it was decided offline, and ``lookups``: the SHA-256 of the
canonical list of national IDs the stop looked up (so the one entry covers every lookup
of the stop without the receipt naming the passengers). The entry itself is public and
holds only the salted commitment (:mod:`alcabala.ledger.entries`); the record and its
salt go to the receipt's holder in the receipt proof, so that they can recompute it.

:func:`entries_of` builds the entries of freshly judged stops (written with the check rows,
in their transaction); :func:`stored_check` rebuilds the record from the stored rows, for
``alcabala log verify`` and for the receipt proof: the two must agree byte for byte,
which is why both go through :func:`check_record`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala.accounts.models import AuditEntry
from alcabala.checkpoints.models import Checkpoint
from alcabala.checks.models import Check
from alcabala.checks.pending import PendingCheck
from alcabala.ledger.entries import canonical
from alcabala.ledger.records import json_time

__all__ = ["ENTRY_TYPE", "REF_KIND", "check_record", "entries_of", "stored_check"]

#: The entry type of a check, and the ``ref_kind`` its entry refers to (by ``check_id``).
ENTRY_TYPE = "check"
REF_KIND = "check"


def check_record(
    *,
    receipt: str,
    check_id: str,
    checkpoint: str,
    at: dt.datetime,
    plate: str | None,
    plate_country: str | None,
    vin: str | None,
    verdict: str,
    irregularities: Iterable[Mapping[str, Any]],
    offline: bool,
    national_ids: Iterable[str],
) -> dict[str, Any]:
    """The record a check's entry commits to (see the module docstring)."""
    return {
        "receipt": receipt,
        "check_id": check_id,
        "checkpoint": checkpoint,
        "at": json_time(at),
        "plate": plate,
        "plate_country": plate_country,
        "vin": vin,
        "verdict": verdict,
        "irregularities": sorted(str(i["code"]) for i in irregularities),
        "offline": bool(offline),
        "lookups": hashlib.sha256(canonical(sorted(set(national_ids)))).hexdigest(),
    }


def _pending_record(p: PendingCheck) -> dict[str, Any]:
    return check_record(
        receipt=p.receipt,
        check_id=p.check_id,
        checkpoint=p.checkpoint_code,
        at=p.at,
        plate=p.plate,
        plate_country=p.plate_country,
        vin=p.vin,
        verdict=p.verdict,
        irregularities=p.irregularities,
        offline=p.offline,
        national_ids=p.national_ids,
    )


def entries_of(
    rows: Sequence[PendingCheck], agencies: Mapping[int, str]
) -> list[tuple[str, str | None, dt.datetime, dict[str, Any], tuple[str, str]]]:
    """The log entries of freshly judged stops, for ``append_many``: one per stop, under the
    officer's agency (``agencies``: id → code), at the stop's time."""
    return [
        (
            ENTRY_TYPE,
            agencies.get(p.agency_id) if p.agency_id is not None else None,
            p.at,
            _pending_record(p),
            (REF_KIND, p.check_id),
        )
        for p in rows
    ]


def stored_check(session: Session, check_id: str) -> dict[str, Any] | None:
    """The record of the stored check ``check_id``, rebuilt from its rows (None if gone)."""
    row = session.execute(
        select(Check, Checkpoint.code)
        .join(Checkpoint, Check.checkpoint_id == Checkpoint.id)
        .where(Check.check_id == check_id)
    ).first()
    if row is None:
        return None
    check, checkpoint = row
    people = session.scalars(
        select(AuditEntry.subject).where(
            AuditEntry.check_id == check_id, AuditEntry.subject_kind == "person"
        )
    )
    return check_record(
        receipt=check.receipt,
        check_id=check.check_id,
        checkpoint=checkpoint,
        at=check.at,
        plate=check.plate,
        plate_country=check.plate_country,
        vin=check.vin,
        verdict=check.verdict,
        irregularities=check.irregularities,
        offline=check.offline,
        national_ids=list(people),
    )
