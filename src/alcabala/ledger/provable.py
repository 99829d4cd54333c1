"""The proof of one stored record's log entry, for whoever holds its receipt.

What: :func:`prove_entry` finds the latest entry referring to ``(ref_kind, ref_id)`` and
builds its C2SP tlog proof (:mod:`alcabala.ledger.proof`) under the latest checkpoint:
the record as the domain reads it now, the entry's salt, index and inclusion proof, and
the signed checkpoint note with the witnesses' cosignatures gathered so far. A stop's
receipt (:mod:`alcabala.checks.proofs`) and a complaint's (:mod:`alcabala.complaints.proofs`)
both come from here, so both answer alike:

- an entry the integrator has not numbered yet (it does within a second or so) is
  :class:`NotLoggedYet`, 503 with ``Retry-After: 1``: the record exists and the proof will;
- a record that no longer commits to its entry (changed behind the services' back) is
  :class:`NotProvable`, 409: no proof is given that would not verify.

Why the *latest* checkpoint: it is the one witnesses cosign (they are sent only the
newest), so a proof fetched a few seconds after the entry carries their cosignatures.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala.errors import Error
from alcabala.ledger import tiles
from alcabala.ledger.errors import ProofError
from alcabala.ledger.models import LogEntry, latest_checkpoint, tile_reader
from alcabala.ledger.proof import build_receipt_proof

__all__ = ["RETRY_AFTER", "NotLoggedYet", "NotProvable", "prove_entry"]

log = logging.getLogger("alcabala.ledger.provable")

#: Seconds a client waits before asking again for a proof not logged yet.
RETRY_AFTER = 1


class NotLoggedYet(Error):
    """The record is stored but its log entry is not in a checkpoint yet: ask again soon."""

    code = "not_logged_yet"
    http_status = 503


class NotProvable(Error):
    """The stored record no longer matches its log entry: no proof can be made."""

    code = "receipt_not_provable"
    http_status = 409


def prove_entry(
    session: Session,
    ref_kind: str,
    ref_id: str,
    record: Mapping[str, Any],
    *,
    what: str,
    field: str = "code",
) -> str:
    """The tlog proof text of the latest entry of ``(ref_kind, ref_id)``, whose ``record``
    the caller read as stored; ``what`` names it in messages ("This stop", "This
    complaint"), ``field`` is the request field the errors name."""
    row = session.execute(
        select(LogEntry.idx, LogEntry.entry, LogEntry.salt)
        .where(LogEntry.ref_kind == ref_kind, LogEntry.ref_id == ref_id)
        .order_by(LogEntry.id.desc())
        .limit(1)
    ).first()
    latest = latest_checkpoint(session)
    if row is None or row.idx is None or latest is None or latest.size <= row.idx:
        raise NotLoggedYet(
            f"{what} is recorded but not in the log's latest checkpoint yet; "
            f"try again in {RETRY_AFTER} second.",
            field=field,
        )
    index, size = int(row.idx), latest.size
    reader = tile_reader(session, tiles.proof_tiles([size], [index]))
    try:
        return build_receipt_proof(
            entry=bytes(row.entry),
            salt=bytes(row.salt),
            record=record,
            index=index,
            proof=tiles.inclusion_proof(index, size, reader),
            checkpoint=latest.note,
        )
    except ProofError as exc:
        log.error("%s %s cannot be proven: %s", ref_kind, ref_id, exc.message)
        raise NotProvable(
            f"{what} as stored no longer matches the log (its record or the log's tiles "
            "were changed), so no proof can be given; the log's operators must run "
            "`alcabala log verify`.",
            field=field,
        ) from None
