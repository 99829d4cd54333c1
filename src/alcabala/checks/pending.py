"""What a check is before and after it is stored: the pending record and its verdict shapes.

:class:`PendingCheck` is everything about one judged stop that must be stored; the verdict
functions give the answer a caller gets, from a stored row or from what was just written,
and :func:`canonical` is the one form two copies of a stop are compared in.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from alcabala.checks.models import Check, Hit, HitStatus
from alcabala.checks.receipts import new_receipt
from alcabala.checks.schemas import ConfirmationOut, HitOut, IrregularityOut, VerdictOut
from alcabala.errors import ConflictError


class CheckIdConflictError(ConflictError):
    """A ``check_id`` already belongs to another stop (another body, or another officer's)."""

    code = "check_id_conflict"


CHECK_ID_TAKEN = (
    "This check_id is already taken by another stop; send the same stop again to get its "
    "verdict, or give a new stop a new check_id."
)
OFFICER_GONE = (
    "Your account is no longer active or your token was revoked: nothing was recorded. "
    "Sign in again."
)


def canonical(value: Any) -> str:
    """One text per JSON value, whatever its key order or spacing: what two copies of a
    stop are compared by."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass
class PendingCheck:
    """Everything about one stop that must be stored, verdict included."""

    check_id: str
    checkpoint_id: int
    checkpoint_code: str
    lat: float | None
    lon: float | None
    officer_id: int
    at: dt.datetime
    recorded_at: dt.datetime
    inputs: dict[str, Any]
    plate: str | None
    plate_country: str | None
    vin: str | None
    national_ids: list[str]
    reason: str
    verdict: str
    hits: list[dict[str, Any]]  # category, certainty, matched_on, record, urgency, deadline
    irregularities: list[dict[str, str]]
    offline: bool = False
    # Who checked, as the audit rows say it: the officer's role and agency, and the door.
    role: str | None = None
    agency_id: int | None = None
    client: str = "api"
    receipt: str = field(default_factory=new_receipt)
    #: The digest of the bearer token the check came with (None: console, CLI, demo); the
    #: recorder refuses the check if that token was revoked meanwhile.
    token_hash: str | None = None
    #: How the request names this stop's ``check_id`` (``stops.3.check_id`` in a batch).
    check_id_field: str = "check_id"

    def fingerprint(self) -> tuple[int, int, str]:
        """Who, where and what: equal for two copies of the same stop, and only for them."""
        return (self.officer_id, self.checkpoint_id, canonical(self.inputs))


def hit_out(hit: Hit, now: dt.datetime | None = None, record_status: str | None = None) -> HitOut:
    status = hit.effective_status(now) if now else hit.status
    return HitOut(
        id=hit.id,
        category=hit.category,
        certainty=hit.certainty,
        matched_on=hit.matched_on,
        record=hit.record,
        confirmation={
            "required": True,
            "urgency": hit.urgency,
            "deadline": hit.deadline,
            "status": status,
        },
        record_status=record_status,
    )


def stored_verdict(check: Check, checkpoint_code: str) -> VerdictOut:
    """The verdict as stored: what every later request with the same check_id gets back."""
    return VerdictOut(
        check_id=check.check_id,
        checkpoint=checkpoint_code,
        at=check.at,
        verdict=check.verdict,
        receipt=check.receipt,
        hits=[hit_out(h) for h in check.hits],
        irregularities=check.irregularities,
    )


def fresh_verdict(p: PendingCheck, hit_ids: Sequence[int]) -> VerdictOut:
    """The verdict of a check just written, built from what was written (no read-back);
    equal to :func:`stored_verdict` of the same row."""
    return VerdictOut.model_construct(
        check_id=p.check_id,
        checkpoint=p.checkpoint_code,
        at=p.at,
        verdict=p.verdict,
        receipt=p.receipt,
        hits=[
            HitOut.model_construct(
                id=hit_id,
                category=h["category"],
                certainty=h["certainty"],
                matched_on=h["matched_on"],
                record=h["record"],
                confirmation=ConfirmationOut.model_construct(
                    required=True,
                    urgency=h["urgency"],
                    deadline=h["deadline"],
                    status=HitStatus.PENDING.value,
                ),
            )
            for hit_id, h in zip(hit_ids, p.hits, strict=True)
        ],
        irregularities=[
            IrregularityOut.model_construct(code=i["code"], detail=i["detail"])
            for i in p.irregularities
        ],
    )
