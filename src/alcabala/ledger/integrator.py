"""The integrator: gives pending entries their indices, grows the tiles, signs a checkpoint.

What: :func:`integrate` takes the pending entries in id order (up to ``max_entries``),
numbers them densely from the latest checkpoint's size, appends their leaf hashes to the
tiles (:class:`~alcabala.ledger.tiles.TileWriter`), computes the new root from the
partial tiles and stores the signed checkpoint — all in **one** transaction. A crash at
any point (the tests ``kill -9`` integrating processes) leaves the old state or the new
one, never a half: entries stay pending until the commit that indexes them also commits
their tiles and the checkpoint that covers them. Nothing is served as logged before that
commit is durable (SQLite ``synchronous=FULL``, PostgreSQL ``synchronous_commit=on``).

One integrator per database: on SQLite the transaction opens with ``BEGIN IMMEDIATE``,
the one writer lock; on PostgreSQL it first takes ``pg_try_advisory_xact_lock`` and
returns None at once if another process holds it. :class:`Integrator` runs it on a
thread, every :data:`INTERVAL` seconds while entries are pending (a checkpoint at least
once a second while they arrive), and straight on while a backlog remains;
:func:`integrator_for` builds one from ``Settings`` for the server's runtime, with the
witnesses of ``Settings.witnesses`` attached (:mod:`alcabala.ledger.witnessing`: each new
checkpoint goes to them off this thread, and their cosignatures join its stored note).

Why entries are numbered by id, not by commit: on PostgreSQL a lower id may commit after
a higher one; it is simply integrated in a later round, so indices stay dense and a
committed entry is never skipped.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import CursorResult, Engine, exists, func, insert, select, update
from sqlalchemy.orm import Session

from alcabala.clock import Clock
from alcabala.config import Settings
from alcabala.db.base import table_of
from alcabala.db.engine import read_session, unit_of_work
from alcabala.ledger.checkpoint import Checkpoint
from alcabala.ledger.errors import ProofError
from alcabala.ledger.keys import Signer
from alcabala.ledger.keystore import load_signer, verifier_keys
from alcabala.ledger.merkle import leaf_hash
from alcabala.ledger.models import LogCheckpoint, LogEntry, LogTile
from alcabala.ledger.tiles import TileError, TileWriter, edge_tiles
from alcabala.ledger.witness_client import witness_policy
from alcabala.ledger.witnessing import Witnessing

__all__ = ["DEFAULT_MAX_ENTRIES", "INTERVAL", "Integrator", "integrate", "integrator_for"]

log = logging.getLogger("alcabala.ledger")

#: Entries per integration (per transaction). SQLite writers wait while it runs.
DEFAULT_MAX_ENTRIES = 16_384
#: Seconds between integrations while idle: a checkpoint within a second of an entry.
INTERVAL = 0.5
#: Seconds between integrations while entries keep arriving: smaller batches, each one
#: quicker, so that a commit waits less for the checkpoint that covers it.
BUSY_INTERVAL = 0.1
#: The PostgreSQL advisory lock key of the one integrator (a fixed signed 64-bit value).
ADVISORY_LOCK = int.from_bytes(
    hashlib.sha256(b"alcabala.ledger.integrator").digest()[:8], "big", signed=True
)


def integrate(
    engine: Engine,
    signer: Signer,
    origin: str,
    clock: Clock,
    max_entries: int = DEFAULT_MAX_ENTRIES,
) -> Checkpoint | None:
    """Integrate up to ``max_entries`` pending entries and sign the new checkpoint.

    Returns that checkpoint, or None when nothing was pending (or another integrator holds
    the PostgreSQL lock). The very first call signs the empty tree's checkpoint even with
    nothing pending, so the log always has a checkpoint to serve.
    """
    if signer.name != origin:
        raise ProofError(f"the log key is named {signer.name!r}, not the origin {origin!r}")
    if max_entries < 1:
        raise ValueError("max_entries must be positive")
    with read_session(engine) as session:  # a cheap look first: no write lock when idle
        pending = session.scalar(select(exists().where(LogEntry.idx.is_(None))))
        started = session.scalar(select(exists().where(LogCheckpoint.size >= 0)))
    if not pending and started:
        return None
    with unit_of_work(engine) as session:
        return _integrate(session, signer, origin, clock, max_entries)


def _integrate(
    session: Session, signer: Signer, origin: str, clock: Clock, max_entries: int
) -> Checkpoint | None:
    if session.get_bind().dialect.name == "postgresql" and not session.scalar(
        select(func.pg_try_advisory_xact_lock(ADVISORY_LOCK))
    ):
        return None
    latest = session.scalar(select(func.max(LogCheckpoint.size)))
    size, first = int(latest or 0), latest is None
    rows = session.execute(
        select(LogEntry.id, LogEntry.entry)
        .where(LogEntry.idx.is_(None))
        .order_by(LogEntry.id)
        .limit(max_entries)
    ).all()
    if not rows and not first:
        return None
    edges = _edges(session, size)
    writer = TileWriter(size, edges)
    for _, entry in rows:
        writer.append(leaf_hash(entry))
    _number(session, [row.id for row in rows], size)
    stored = {(level, index) for level, index, _ in edge_tiles(size)}
    _write_tiles(session, writer.take_changed(), stored)
    checkpoint = Checkpoint(origin, writer.size, writer.root())
    session.execute(
        insert(table_of(LogCheckpoint)).values(
            size=checkpoint.size,
            root=checkpoint.root,
            note=checkpoint.sign([signer]),
            created_at=clock.now(),
        )
    )
    return checkpoint


def _edges(session: Session, size: int) -> dict[int, bytes]:
    """The stored partial tiles of the tree of ``size``, by level."""
    edges: dict[int, bytes] = {}
    for level, index, _width in edge_tiles(size):
        hashes = session.scalar(
            select(LogTile.hashes).where(LogTile.level == level, LogTile.idx == index)
        )
        if hashes is None:
            raise TileError(f"tile {level}/{index} of the tree of {size} is missing")
        edges[level] = hashes
    return edges


def _number(session: Session, ids: Sequence[int], start: int) -> None:
    """Give ``ids`` (ascending) the indices ``start``, ``start + 1``...: one UPDATE per run
    of consecutive ids (usually one), each checked to touch exactly that run."""
    entries = table_of(LogEntry)
    i = 0
    while i < len(ids):
        j = i
        while j + 1 < len(ids) and ids[j + 1] == ids[j] + 1:
            j += 1
        low, high = ids[i], ids[j]
        result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
            update(entries)
            .where(entries.c.id.between(low, high), entries.c.idx.is_(None))
            .values(idx=entries.c.id + (start + i - low))
        )
        if result.rowcount != j - i + 1:
            raise TileError(f"entries {low}..{high} changed while being integrated")
        i = j + 1


def _write_tiles(
    session: Session, changed: dict[tuple[int, int], bytes], stored: set[tuple[int, int]]
) -> None:
    """Store the changed tiles: the ``stored`` (old partial) ones updated, the others new."""
    tiles = table_of(LogTile)
    fresh = []
    for (level, index), hashes in sorted(changed.items()):
        values = {"width": len(hashes) // 32, "hashes": hashes}
        if (level, index) in stored:
            session.execute(
                update(tiles).where(tiles.c.level == level, tiles.c.idx == index).values(**values)
            )
        else:
            fresh.append({"level": level, "idx": index, **values})
    if fresh:
        session.execute(insert(tiles), fresh)


class Integrator:
    """:func:`integrate` on a daemon thread: every ``interval`` seconds while idle, every
    ``busy_interval`` while entries arrive, at once while a backlog remains.
    ``on_checkpoint`` callbacks get each new checkpoint, on this thread (keep them quick);
    ``witnessing``, when set, is started and stopped with it. Errors are logged and
    retried, never fatal."""

    def __init__(
        self,
        engine: Engine,
        signer: Signer,
        origin: str,
        clock: Clock,
        *,
        interval: float = INTERVAL,
        busy_interval: float = BUSY_INTERVAL,
        max_entries: int = DEFAULT_MAX_ENTRIES,
    ) -> None:
        self.engine, self.signer, self.origin, self.clock = engine, signer, origin, clock
        self.interval = interval
        self.busy_interval = min(busy_interval, interval)
        self.max_entries = max_entries
        self.on_checkpoint: list[Callable[[Checkpoint], None]] = []
        #: The witnesses' submitter (:func:`integrator_for` sets it when there are any).
        self.witnessing: Witnessing | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one integration at a time from this process

    def run_once(self) -> Checkpoint | None:
        """One integration now (also usable without the thread)."""
        with self._lock:
            checkpoint = integrate(
                self.engine, self.signer, self.origin, self.clock, self.max_entries
            )
        if checkpoint is not None:
            for callback in self.on_checkpoint:
                try:
                    callback(checkpoint)
                except Exception:  # one failing listener (a witness) must not stop the log
                    log.exception("a checkpoint callback failed")
        return checkpoint

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread, and the witnessing's (does nothing if it runs)."""
        if self.running:
            return
        if self.witnessing is not None:
            self.witnessing.start()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, args=(self._stop,), name="alcabala-integrator", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread, letting an integration in progress commit."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
        if self.witnessing is not None:
            self.witnessing.stop()

    def _loop(self, stop: threading.Event) -> None:
        while not stop.is_set():
            before = None
            try:
                with read_session(self.engine) as session:
                    before = session.scalar(select(func.max(LogCheckpoint.size)))
                checkpoint = self.run_once()
            except Exception:  # a thread must not die: log, wait, retry
                log.exception("log integration failed; retrying")
                checkpoint = None
            backlog = (
                checkpoint is not None and checkpoint.size - int(before or 0) >= self.max_entries
            )
            if not backlog:
                stop.wait(self.interval if checkpoint is None else self.busy_interval)


def integrator_for(engine: Engine, settings: Settings, clock: Clock) -> Integrator:
    """The integrator of ``settings``' log: its key (:func:`load_signer`, which raises
    :class:`~alcabala.ledger.keystore.KeyFileError` without one) and origin, and, when
    ``settings.witnesses`` is set, the :class:`Witnessing` that sends them checkpoints."""
    integrator = Integrator(engine, load_signer(settings), settings.log_origin, clock)
    if settings.witnesses:
        witnessing = Witnessing(engine, witness_policy(settings), verifier_keys(settings))
        integrator.witnessing = witnessing
        integrator.on_checkpoint.append(witnessing)
    return integrator
