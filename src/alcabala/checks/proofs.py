"""A receipt that proves: the stop's log entry as a C2SP tlog proof, for its holder.

What: :func:`receipt_proof` finds the stop by its receipt code (normalized as for
``GET /v1/receipts/{code}``), its log entry (``ref_kind="check"``, ``ref_id`` the
``check_id``), and builds, from the latest checkpoint and the stored tiles, the proof file
of :mod:`alcabala.ledger.proof`: the record as stored now with the entry's salt, the
entry's index, its inclusion proof and the signed checkpoint note with every witness
cosignature it has gathered so far. Anyone holding the file checks it offline with
``alcabala log verify-proof`` and the log's verifier key.

Answers: an unknown code is :class:`~alcabala.errors.NotFoundError` (field ``code``), as
for the receipt itself; an entry not in a checkpoint yet is :class:`NotLoggedYet` (503,
``Retry-After: 1``) and a stop changed behind the services' back :class:`ReceiptNotProvable`
(409), both from :mod:`alcabala.ledger.provable`, which builds the proof.

The proof's record names the stop's plate and VIN (the holder needs them to recompute the
commitment; the receipt code, 50 random bits, is what lets one ask), so each proof given
is an audited read of them, as every read naming a vehicle is.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala.accounts.audit import audit_lookup
from alcabala.checks.logged import REF_KIND, stored_check
from alcabala.checks.models import Check
from alcabala.checks.receipts import normalize_receipt
from alcabala.context import Ctx
from alcabala.errors import NotFoundError
from alcabala.ledger.provable import RETRY_AFTER, NotLoggedYet, NotProvable, prove_entry

__all__ = ["RETRY_AFTER", "NotLoggedYet", "ReceiptNotProvable", "ReceiptProof", "receipt_proof"]

#: The audit row of a proof read (the record names the vehicle), and its reason.
AUDIT_ACTION = "receipt_proof"
REASON = "receipt proof"
#: The stored stop no longer matches its log entry (409 ``receipt_not_provable``).
ReceiptNotProvable = NotProvable


class ReceiptProof(NamedTuple):
    """A receipt's proof: the receipt code (normalized) and the proof file's text."""

    receipt: str
    text: str

    @property
    def filename(self) -> str:
        """``receipt-<code>.tlog-proof`` (the spec's extension)."""
        return f"receipt-{self.receipt}.tlog-proof"


def _check_id(session: Session, code: str) -> tuple[str, str]:
    normalized = normalize_receipt(code)
    check_id = (
        session.scalar(select(Check.check_id).where(Check.receipt == normalized))
        if normalized
        else None
    )
    if normalized is None or check_id is None:
        raise NotFoundError("No stop has this receipt code.", field="code")
    return normalized, check_id


def receipt_proof(ctx: Ctx, code: str) -> ReceiptProof:
    """The tlog proof of the stop whose receipt is ``code``; its plate and VIN, which the
    proof's record holds, are audited as read (``receipt_proof``) by ``ctx.actor``."""
    session = ctx.session
    receipt, check_id = _check_id(session, code)
    record = stored_check(session, check_id)
    if record is None:  # deleted between the two reads
        raise NotFoundError("No stop has this receipt code.", field="code")
    text = prove_entry(session, REF_KIND, check_id, record, what="This stop")
    for subject in (record.get("vin"), record.get("plate")):
        if isinstance(subject, str) and subject:
            audit_lookup(ctx, AUDIT_ACTION, "vehicle", subject, check_id=check_id, reason=REASON)
    return ReceiptProof(receipt, text)
