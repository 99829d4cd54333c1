"""The log calls its witnesses: each new checkpoint is sent to them, their cosignatures stored.

What: :class:`Witnessing` is an ``on_checkpoint`` listener of the
:class:`~alcabala.ledger.integrator.Integrator` (:func:`~.integrator.integrator_for`
attaches it when ``Settings.witnesses`` is set, and starts and stops it with the
integrator). The integrator only hands it the checkpoint; a worker thread per witness
then sends it the newest one (c2sp.org/tlog-witness ``add-checkpoint``,
:func:`~.witness_client.submit_checkpoint`) with a consistency proof from the size that
witness last cosigned, computed from the stored tiles. Each cosignature, once checked
against the witness's key, is appended to the checkpoint's note in ``log_checkpoints`` in
a short transaction of its own, so ``GET /log/checkpoint`` serves it: the log's own
signature still verifies, since signed-note verifiers ignore lines of keys they do not
know.

For the console (names pinned): :func:`witness_status` ``(note, settings) ->
[WitnessStatus(name, cosigned_at)]`` — per configured witness, when it cosigned that note
(an aware UTC datetime) or None — and :func:`is_witnessed` ``(note, settings) -> bool``,
the quorum policy (:meth:`~.witness_client.WitnessPolicy.witnessed`).

Why this way: a witness that is down, slow or refusing must never delay or stop the log.
So nothing here runs on the integrator's thread; checkpoints are coalesced (only the
newest matters: its cosignature vouches for every older one), failures are logged and
retried with the next checkpoint (or after :data:`RETRY` seconds while the log is idle),
and each witness has its own daemon worker, so a hung one holds up only itself.
The size each witness last cosigned is kept in memory only: after a restart the first
submission says ``old 0``, the witness answers 409 with its size, and the checkpoint is
sent again once, with the proof from that size.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from typing import NamedTuple

from sqlalchemy import Engine, select, update

from alcabala.config import Settings
from alcabala.db.base import table_of
from alcabala.db.engine import read_session, unit_of_work
from alcabala.ledger import note, tiles
from alcabala.ledger.checkpoint import Checkpoint
from alcabala.ledger.cosignature import cosignatures, verify_cosignature
from alcabala.ledger.errors import ProofError
from alcabala.ledger.keys import Verifier
from alcabala.ledger.models import LogCheckpoint, latest_checkpoint, tile_reader
from alcabala.ledger.witness import SizeConflict
from alcabala.ledger.witness_client import (
    DEFAULT_TIMEOUT,
    WitnessPolicy,
    WitnessUnavailable,
    submit_checkpoint,
    witness_policy,
)

__all__ = ["RETRY", "WitnessStatus", "Witnessing", "is_witnessed", "witness_status"]

log = logging.getLogger("alcabala.ledger.witnessing")

#: Seconds before a checkpoint some witness did not cosign is sent again, if none newer came.
RETRY = 30.0


class WitnessStatus(NamedTuple):
    """A configured witness (its key's name) and when it cosigned a note (None: it did not)."""

    name: str
    cosigned_at: dt.datetime | None


def witness_status(note_text: str, settings: Settings) -> list[WitnessStatus]:
    """Per witness of ``settings``, in their order, the time of its valid cosignature on
    ``note_text``, or None (absent, or a line of its key that does not verify)."""
    result = []
    for _url, vkey in witness_policy(settings).witnesses:
        try:
            found = cosignatures(note_text, [vkey])
        except ProofError:
            found = {}
        when = next(iter(found.values()), None)
        at = None
        if when is not None:
            try:
                at = dt.datetime.fromtimestamp(when, dt.UTC)
            except (OverflowError, OSError, ValueError):  # beyond what datetime holds
                at = None
        result.append(WitnessStatus(Verifier.parse(vkey).name, at))
    return result


def is_witnessed(note_text: str, settings: Settings) -> bool:
    """Whether ``note_text`` carries the quorum of ``settings``' witnesses (False without
    witnesses configured, or when a listed witness's line does not verify)."""
    policy = witness_policy(settings)
    if not policy.witnesses:
        return False
    try:
        return policy.witnessed(note_text)
    except ProofError:
        return False


class Witnessing:
    """Sends the newest checkpoint to each witness off the integrator's thread (see the
    module's docstring): call it with each checkpoint; :meth:`start` and :meth:`stop` its
    workers (one per witness, so a hung one holds up no other), or :meth:`run_once`."""

    def __init__(
        self,
        engine: Engine,
        policy: WitnessPolicy,
        log_vkeys: list[str],
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retry: float = RETRY,
    ) -> None:
        self.engine, self.policy, self.timeout, self.retry = engine, policy, timeout, retry
        self._log_keys = note.verifiers(log_vkeys)
        #: The size each witness (by URL) last cosigned, as far as this process knows.
        self.sizes: dict[str, int] = {}
        self._latest: Checkpoint | None = None
        self._wake = threading.Condition()
        self._busy = {url: threading.Lock() for url, _ in policy.witnesses}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def __call__(self, checkpoint: Checkpoint) -> None:
        """The ``on_checkpoint`` hook: remember the newest checkpoint, wake the workers."""
        with self._wake:
            if self._latest is None or checkpoint.size >= self._latest.size:
                self._latest = checkpoint
            self._wake.notify_all()

    def start(self) -> None:
        """Start the workers, first on the latest stored checkpoint (once)."""
        if any(thread.is_alive() for thread in self._threads):
            return
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(
                target=self._loop,
                args=(self._stop, url, vkey),
                name="alcabala-witness",
                daemon=True,
            )
            for url, vkey in self.policy.witnesses
        ]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the workers; a submission in flight is abandoned (its thread is a daemon)."""
        self._stop.set()
        with self._wake:
            self._wake.notify_all()
        threads, self._threads = self._threads, []
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def run_once(self) -> dict[str, bool]:
        """Send the newest checkpoint (the last one given, else the latest stored) to every
        witness that has not cosigned it, now; whether each (by URL) has cosigned it."""
        results: dict[str, bool] = {}

        def one(url: str, vkey: str) -> None:
            results[url] = self._witness(url, vkey)[1]

        threads = [threading.Thread(target=one, args=pair) for pair in self.policy.witnesses]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return results

    def _loop(self, stop: threading.Event, url: str, vkey: str) -> None:
        tried: int | None = None  # the size last tried, and whether it worked
        ok = True
        while not stop.is_set():
            if tried is not None:
                with self._wake:
                    if self._latest is None or self._latest.size == tried:
                        self._wake.wait(None if ok else self.retry)
                if stop.is_set():
                    return
            try:
                tried, ok = self._witness(url, vkey)
            except Exception:  # a worker must not die: log, retry later
                log.exception("witnessing by %s failed; retrying", url)
                tried, ok = -1, False

    def _witness(self, url: str, vkey: str) -> tuple[int, bool]:
        """Have ``url`` cosign the newest checkpoint: (its size, whether it is cosigned)."""
        with self._wake:
            checkpoint = self._latest
        with self._busy[url]:
            with read_session(self.engine) as session:
                row = (
                    latest_checkpoint(session)
                    if checkpoint is None
                    else session.get(LogCheckpoint, checkpoint.size)
                )
                stored = None if row is None else (row.size, row.note)
            if stored is None:
                return -1, False
            size, stored_note = stored
            if _cosigned(stored_note, vkey):
                self.sizes[url] = max(self.sizes.get(url, 0), size)
                return size, True
            return size, self._send(url, vkey, size, stored_note)

    def _send(self, url: str, vkey: str, size: int, stored_note: str) -> bool:
        """Submit to one witness (once more after a 409) and store its cosignature."""
        signed = self._log_signed(stored_note)
        old = min(self.sizes.get(url, 0), size)
        try:
            for attempt in (1, 2):
                try:
                    lines = submit_checkpoint(
                        url, old, self._proof(old, size), signed, self.timeout
                    )
                    break
                except SizeConflict as conflict:
                    theirs = conflict.size or 0
                    if theirs > size:  # a newer checkpoint went there (another process)
                        self.sizes[url] = theirs
                        log.info("witness %s is already at size %d (> %d)", url, theirs, size)
                        return False
                    if attempt == 2:
                        raise
                    log.info("witness %s is at size %d: proving %d from it", url, theirs, size)
                    old = theirs
            self.sizes[url] = size
            return self._store(size, vkey, lines)
        except WitnessUnavailable as exc:
            log.warning("witness %s is unavailable (checkpoint %d): %s", url, size, exc.message)
        except ProofError as exc:
            log.error("witness %s refused checkpoint %d: %s", url, size, exc.message)
        return False

    def _log_signed(self, stored_note: str) -> str:
        """The stored note with the log's own signatures only (no earlier cosignatures)."""
        text, signatures = note.parse(stored_note)
        own = [s for s in signatures if (s.name, s.key_id) in self._log_keys]
        return (
            text + "\n" + "".join(note.signature_line(s.name, s.key_id, s.signature) for s in own)
        )

    def _proof(self, old: int, size: int) -> list[bytes]:
        if old in (0, size):
            return []
        with read_session(self.engine) as session:
            reader = tile_reader(session, tiles.proof_tiles([old, size], [old - 1, old]))
            return tiles.consistency_proof(old, size, reader)

    def _store(self, size: int, vkey: str, lines: list[str]) -> bool:
        """Append the witness's valid cosignature lines to the stored note of ``size``;
        whether the note now carries its cosignature."""
        table = table_of(LogCheckpoint)
        with unit_of_work(self.engine) as session:
            current = session.scalar(
                select(LogCheckpoint.note).where(LogCheckpoint.size == size).with_for_update()
            )
            if current is None:
                return False
            text, present = note.parse(current)
            have = {(s.name, s.key_id) for s in present}
            fresh = []
            for line in lines:
                try:
                    verify_cosignature(text, line, vkey)
                except ProofError as exc:
                    log.error("witness %s sent a bad cosignature: %s", vkey, exc.message)
                    continue
                _, [sig] = note.parse(text + "\n" + line)
                if (sig.name, sig.key_id) not in have:
                    fresh.append(line)
                    have.add((sig.name, sig.key_id))
            if len(have) > note.MAX_SIGNATURES:
                return False
            if fresh:
                updated = current + "".join(fresh)
                session.execute(update(table).where(table.c.size == size).values(note=updated))
                current = updated
        return _cosigned(current, vkey)


def _cosigned(stored_note: str, vkey: str) -> bool:
    try:
        return bool(cosignatures(stored_note, [vkey]))
    except ProofError:
        return False
