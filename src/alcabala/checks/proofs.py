"""A receipt that proves: the stop's log entry as a C2SP tlog proof, for its holder.

What: :func:`receipt_proof` finds the stop by its receipt code (normalized as for
``GET /v1/receipts/{code}``), its log entry (``ref_kind="check"``, ``ref_id`` the
``check_id``), and builds, from the latest checkpoint and the stored tiles, the proof file
of :mod:`alcabala.ledger.proof`: the record as stored now with the entry's salt, the
entry's index, its inclusion proof and the signed checkpoint note with every witness
cosignature it has gathered so far. Anyone holding the file checks it offline with
``alcabala log verify-proof`` and the log's verifier key.

Answers: an unknown code is :class:`~alcabala.errors.NotFoundError` (field ``code``), as
for the receipt itself; a stop whose entry the integrator has not numbered yet (it does
within a second or so) is :class:`NotLoggedYet`, 503 with ``Retry-After: 1`` — the
receipt exists and the proof will, so neither 404 nor a client error fits. A record that
no longer commits to its entry (changed behind the services' back) is
:class:`ReceiptNotProvable`, 409: no proof is made that would not verify.

The proof's record names the stop's plate and VIN (the holder needs them to recompute the
commitment; the receipt code, 50 random bits, is what lets one ask), so each proof given
is an audited read of them, as every read naming a vehicle is.

Why a proof of the *latest* checkpoint: it is the one witnesses cosign (they are sent only
the newest), so a proof fetched a few seconds after the stop carries their cosignatures;
fetched at once it may carry only the log's signature, and fetching it again later gives
a witnessed one for the same entry.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala.accounts.audit import audit_lookup
from alcabala.checks.logged import REF_KIND, stored_check
from alcabala.checks.models import Check
from alcabala.checks.receipts import normalize_receipt
from alcabala.context import Ctx
from alcabala.errors import Error, NotFoundError
from alcabala.ledger import tiles
from alcabala.ledger.errors import ProofError
from alcabala.ledger.models import LogEntry, latest_checkpoint, tile_reader
from alcabala.ledger.proof import build_receipt_proof

__all__ = ["RETRY_AFTER", "NotLoggedYet", "ReceiptNotProvable", "ReceiptProof", "receipt_proof"]

log = logging.getLogger("alcabala.checks.proofs")

#: The audit row of a proof read (the record names the vehicle), and its reason.
AUDIT_ACTION = "receipt_proof"
REASON = "receipt proof"
#: Seconds a client waits before asking again for a proof not logged yet.
RETRY_AFTER = 1


class NotLoggedYet(Error):
    """The stop is recorded but its log entry is not in a checkpoint yet: ask again soon."""

    code = "not_logged_yet"
    http_status = 503


class ReceiptNotProvable(Error):
    """The stored stop no longer matches its log entry: no proof can be made."""

    code = "receipt_not_provable"
    http_status = 409


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
    row = session.execute(
        select(LogEntry.idx, LogEntry.entry, LogEntry.salt)
        .where(LogEntry.ref_kind == REF_KIND, LogEntry.ref_id == check_id)
        .order_by(LogEntry.id.desc())
        .limit(1)
    ).first()
    latest = latest_checkpoint(session)
    if row is None or row.idx is None or latest is None or latest.size <= row.idx:
        raise NotLoggedYet(
            "This stop is recorded but not in the log's latest checkpoint yet; "
            f"try again in {RETRY_AFTER} second.",
            field="code",
        )
    record = stored_check(session, check_id)
    if record is None:  # deleted between the two reads
        raise NotFoundError("No stop has this receipt code.", field="code")
    index, size = int(row.idx), latest.size
    reader = tile_reader(session, tiles.proof_tiles([size], [index]))
    try:
        text = build_receipt_proof(
            entry=bytes(row.entry),
            salt=bytes(row.salt),
            record=record,
            index=index,
            proof=tiles.inclusion_proof(index, size, reader),
            checkpoint=latest.note,
        )
    except ProofError as exc:
        log.error("receipt of check %s cannot be proven: %s", check_id, exc.message)
        raise ReceiptNotProvable(
            "The stored stop no longer matches the log (its record or the log's tiles were "
            "changed), so no proof can be given; the log's operators must run "
            "`alcabala log verify`.",
            field="code",
        ) from None
    for subject in (record.get("vin"), record.get("plate")):
        if isinstance(subject, str) and subject:
            audit_lookup(ctx, AUDIT_ACTION, "vehicle", subject, check_id=check_id, reason=REASON)
    return ReceiptProof(receipt, text)
