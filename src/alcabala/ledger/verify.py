"""Auditing the stored log: every entry, tile, checkpoint and commitment, recomputed.

What :func:`verify_log` checks (the rebuilding and the naming of problems are in
:mod:`alcabala.ledger.audit`):

- every stored checkpoint's signed note verifies with the log's keys and origin, and its
  stored size and root are the signed ones;
- the integrated entries are indexed ``0 .. n-1``, ``n`` being the latest checkpoint's
  size, and each is the canonical JSON :func:`~.entries.entry_for` writes;
- every tile, rebuilt from the entries' leaf hashes, is the stored one byte for byte, and
  no other tile is stored;
- the root of the first ``s`` entries is the signed root of each checkpoint of size ``s``;
- each checkpoint is consistent with the latest through the tiles as served (the proof a
  client gets from ``/v1/log/proofs/consistency``) — checked once everything above holds,
  since a changed tile or entry already explains any failing proof.

Each problem is one :class:`Problem` line naming an index, a tile or a checkpoint size.
On PostgreSQL the whole audit reads one REPEATABLE READ snapshot (SQLite's read
transaction is one already), so it can run while the integrator works.

:func:`verify_commitments` recomputes each record's commitment from the record as stored
now (through a loader the services provide): a record edited behind their back no longer
matches its latest entry.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alcabala.ledger import merkle
from alcabala.ledger.audit import Audit, Problem, Progress, Report, classify, rebuild
from alcabala.ledger.checkpoint import open_checkpoint
from alcabala.ledger.entries import EntryError, commits_to, parse_entry
from alcabala.ledger.errors import ProofError
from alcabala.ledger.models import LogCheckpoint, LogEntry, tile_reader
from alcabala.ledger.tiles import consistency_proof

__all__ = ["Loader", "Problem", "Progress", "Report", "verify_commitments", "verify_log"]

#: ``loader(kind, id)``: the record as stored now, as the JSON object it was logged as.
Loader = Callable[[str, str], Mapping[str, Any] | None]
#: Checkpoints whose consistency proofs share one tile cache (bounded memory).
_PROOFS_PER_CACHE = 64


def verify_log(
    session: Session, vkeys: Iterable[str], origin: str, *, progress: Progress | None = None
) -> Report:
    """Check the whole stored log (see the module's docstring); never raises on bad data."""
    if session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
        # One snapshot for the whole audit, while the integrator goes on.
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    audit = Audit(session, Report())
    _checkpoints(audit, list(vkeys), origin)
    total = session.scalar(select(func.count()).where(LogEntry.idx.is_not(None))) or 0
    work = total + len(audit.signed)
    rebuild(audit, progress, work)
    classify(audit)
    if not audit.report.problems:
        _consistency(audit, progress, total, work)
    if audit.more:
        audit.report.problems.append(Problem("log", f"{audit.more} more problems not listed"))
    return audit.report


def _checkpoints(audit: Audit, vkeys: list[str], origin: str) -> None:
    rows = audit.session.execute(
        select(LogCheckpoint.size, LogCheckpoint.root, LogCheckpoint.note).order_by(
            LogCheckpoint.size
        )
    ).all()
    audit.report.checkpoints = len(rows)
    for size, root, note in rows:
        where = f"checkpoint {size}"
        try:
            checkpoint = open_checkpoint(note, vkeys, origin=origin)
        except ProofError as exc:
            audit.add(where, f"its signed note does not verify ({exc.message})")
            continue
        if checkpoint.size != size:
            audit.add(where, f"its signed note is of size {checkpoint.size}")
        elif checkpoint.root != root:
            audit.add(where, "its stored root is not the signed one")
        else:
            audit.signed[size] = checkpoint.root


def _consistency(audit: Audit, progress: Progress | None, done: int, work: int) -> None:
    sizes = sorted(audit.signed)
    if not sizes:
        return
    latest = sizes[-1]
    for n, size in enumerate(sizes, 1):
        if n % _PROOFS_PER_CACHE == 1:
            reader = tile_reader(audit.session)
        if 0 < size < latest:
            try:
                proof = consistency_proof(size, latest, reader)
                merkle.verify_consistency(
                    size, latest, proof, audit.signed[size], audit.signed[latest]
                )
            except ProofError as exc:
                audit.add(f"checkpoint {size}", f"is not consistent with {latest}: {exc.message}")
        if progress is not None and n % 256 == 0:
            progress(done + n, work)
    if progress is not None:
        progress(work, work)


def verify_commitments(
    session: Session, loader: Loader, *, progress: Progress | None = None
) -> list[Problem]:
    """For each record the log refers to, its latest entry's commitment against the record
    as ``loader`` returns it now (None: the record is gone). One pass over the entries in
    (kind, id, entry) order; pending entries count too."""
    total = (
        session.scalar(
            select(func.count()).select_from(
                select(LogEntry.ref_kind, LogEntry.ref_id).distinct().subquery()
            )
        )
        or 0
    )
    rows = session.execute(
        select(
            LogEntry.id,
            LogEntry.idx,
            LogEntry.entry,
            LogEntry.salt,
            LogEntry.ref_kind,
            LogEntry.ref_id,
        )
        .order_by(LogEntry.ref_kind, LogEntry.ref_id, LogEntry.id)
        .execution_options(yield_per=1000)
    )
    problems: list[Problem] = []
    done, latest = 0, None
    for row in itertools.chain(rows, [None]):
        if latest is not None and (row is None or row[4:] != latest[4:]):
            problem = _commitment(latest, loader)
            if problem is not None:
                problems.append(problem)
            done += 1
            if progress is not None and (done % 1000 == 0 or row is None):
                progress(done, total)
        latest = row
    return problems


def _commitment(row: Any, loader: Loader) -> Problem | None:
    where = f"record {row.ref_kind} {row.ref_id}"
    entry = f"entry {row.idx}" if row.idx is not None else f"pending entry #{row.id}"
    record = loader(row.ref_kind, row.ref_id)
    if record is None:
        return Problem(where, f"is gone, but {entry} commits to it")
    try:
        matches = commits_to(parse_entry(row.entry), row.salt, record)
    except EntryError as exc:
        return Problem(where, f"{entry} is not a well-formed entry ({exc.message})")
    if matches:
        return None
    return Problem(
        where, f"was changed after {entry} was logged: it no longer matches its commitment"
    )
