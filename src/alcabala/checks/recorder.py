"""Recording checks: durable, exactly once, and in batches.

Many officers' checks arrive at once; each would pay a full fsync if committed alone. The
recorder is one writer thread (SQLite has one writer anyway) that takes every check waiting
in its queue, writes them in one transaction (:mod:`.writing`: one row per check, which is
also its sighting and the vehicle's audit entry; an audit row per person; hits with their
confirmation deadlines) and only then answers each caller: a verdict
is never acknowledged as recorded before it is on disk.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from alcabala.checks.pending import PendingCheck
from alcabala.checks.schemas import VerdictOut
from alcabala.checks.writing import Outcome, write_jobs
from alcabala.db.engine import unit_of_work
from alcabala.errors import ConflictError, Error

log = logging.getLogger("alcabala.checks.recorder")
MAX_BATCH = 2000
Job = tuple[list[PendingCheck], "Future[list[VerdictOut]]"]


class Recorder:
    """The writer thread: ``submit`` returns a future resolved once the checks are durable."""

    def __init__(self, engine: Engine, max_batch: int = MAX_BATCH) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="alcabala-recorder", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._thread = None

    def submit(self, pendings: list[PendingCheck]) -> Future[list[VerdictOut]]:
        """Queue ``pendings`` (one stop, or a whole batch) to be written together with
        whatever else is waiting; the future gives their stored verdicts, in order, or the
        error refusing them all."""
        future: Future[list[VerdictOut]] = Future()
        if self._thread is None:  # not started (CLI, tests): write in the caller's thread
            self._resolve([(pendings, future)])
            return future
        self._queue.put((pendings, future))
        return future

    def write(self, batch: Sequence[PendingCheck]) -> list[VerdictOut]:
        """Store ``batch`` in one transaction, now, in this thread (or raise why not)."""
        (outcome,) = self.write_jobs([batch])
        if isinstance(outcome, Error):
            raise outcome
        return outcome

    def write_jobs(self, jobs: Sequence[Sequence[PendingCheck]]) -> list[Outcome]:
        """:func:`write_jobs` in one transaction. Another process may store one of these
        check_ids (or draw one of these receipts) between our read and our insert; the
        unique index refuses it, and one more attempt sees that row and answers with it."""
        for attempt in range(2):
            try:
                with unit_of_work(self.engine) as session:
                    return write_jobs(session, jobs)
            except ConflictError as exc:
                if attempt or not isinstance(exc.__cause__, IntegrityError):
                    raise
                log.info("checks stored concurrently by another process; writing again")
        raise AssertionError  # unreachable

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            jobs = [job]
            size = len(job[0])
            while size < self.max_batch:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._queue.put(None)
                    break
                jobs.append(nxt)
                size += len(nxt[0])
            self._flush(jobs)

    def _flush(self, jobs: list[Job]) -> None:
        self._resolve(jobs)

    def _resolve(self, jobs: list[Job]) -> None:
        try:
            outcomes = self.write_jobs([pendings for pendings, _ in jobs])
        except Exception as exc:  # handed to every caller through its future
            if not isinstance(exc, Error):
                log.exception("recording %d jobs failed", len(jobs))
            for _, future in jobs:
                future.set_exception(exc)
            return
        for (_, future), outcome in zip(jobs, outcomes, strict=True):
            if isinstance(outcome, Error):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
