"""Public statistics of complaints, computed at a log checkpoint so anyone can check them.

What: :func:`complaint_stats` counts the complaints per checkpoint, agency, category,
status and month (UTC) — no personal data, no free text — over exactly the complaints
whose ``complaint.created`` entry is in the log's latest checkpoint, with each one's
status as of that checkpoint (its last ``complaint.<status>`` entry in it). The result
names the checkpoint (size and root), and :func:`to_csv` repeats them on every line.

Why at a checkpoint: a count that nobody can check can be quietly shrunk. Each entry in
the public log carries its type, the agency complained about and its time, so anyone
reading the log's tiles up to that size can recount the total, the counts per agency and
per month, and the counts per status (``received`` = created − moved to review, and so
on); categories and checkpoints are in the entries' commitments, provable one by one with
the complainants' receipts. A complaint filed after the checkpoint is counted at the next
one, within a second or so.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from alcabala.accounts.models import Agency
from alcabala.checkpoints.models import Checkpoint
from alcabala.complaints.models import Complaint, ComplaintStatus, ComplaintTransition
from alcabala.ledger.keys import b64encode
from alcabala.ledger.models import LogEntry, latest_checkpoint

DIMENSIONS = ("checkpoint", "agency", "category", "status", "month")
NONE = "-"
CSV_HEADER = ("dimension", "value", "complaints", "log_size", "log_root")


@dataclass
class ComplaintStats:
    """Counts at the log checkpoint of ``log_size`` entries and root ``log_root``."""

    log_size: int
    log_root: str
    checkpoint: str
    total: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "log": {"size": self.log_size, "root": self.log_root, "checkpoint": self.checkpoint},
            "total": self.total,
            "counts": self.counts,
        }


def _logged(session: Session, model: Any, size: int) -> Any:
    """``model``'s rows whose log entry is below index ``size``."""
    return (
        select(model)
        .join(
            LogEntry,
            (LogEntry.ref_kind == model.__tablename__)
            & (LogEntry.ref_id == cast(model.id, String)),
        )
        .where(LogEntry.idx < size)
    )


def complaint_stats(session: Session) -> ComplaintStats:
    """The statistics at the latest checkpoint (all zero before the first one)."""
    latest = latest_checkpoint(session)
    if latest is None:
        return ComplaintStats(0, "", "", 0, {d: {} for d in DIMENSIONS})
    size = latest.size
    stats = ComplaintStats(size, b64encode(bytes(latest.root)), latest.note)
    statuses: dict[int, str] = {}
    moves = _logged(session, ComplaintTransition, size).order_by(LogEntry.idx)
    for move in session.scalars(moves):
        statuses[move.complaint_id] = move.to_state
    checkpoints = dict(session.execute(select(Checkpoint.id, Checkpoint.code)).all())
    agencies = dict(session.execute(select(Agency.id, Agency.code)).all())
    counters: dict[str, Counter[str]] = {d: Counter() for d in DIMENSIONS}
    for complaint in session.scalars(_logged(session, Complaint, size)):
        stats.total += 1
        values = {
            "checkpoint": checkpoints.get(complaint.checkpoint_id, NONE)
            if complaint.checkpoint_id
            else NONE,
            "agency": agencies.get(complaint.agency_id, NONE) if complaint.agency_id else NONE,
            "category": complaint.category,
            "status": statuses.get(complaint.id, ComplaintStatus.RECEIVED.value),
            "month": complaint.filed_at.strftime("%Y-%m"),
        }
        for dimension, value in values.items():
            counters[dimension][value] += 1
    stats.counts = {d: dict(sorted(c.items())) for d, c in counters.items()}
    return stats


def to_csv(stats: ComplaintStats) -> str:
    """One line per dimension and value, each naming the checkpoint it was computed at."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerow(("total", "", stats.total, stats.log_size, stats.log_root))
    for dimension in DIMENSIONS:
        for value, count in stats.counts.get(dimension, {}).items():
            writer.writerow((dimension, value, count, stats.log_size, stats.log_root))
    return out.getvalue()
