"""Recording checks: durable, exactly once, and in batches.

Many officers' checks arrive at once; each would pay a full fsync if committed alone. The
recorder is one writer thread (SQLite has one writer anyway) that takes every check waiting
in its queue, writes them in one transaction (checks, hits with their confirmation
deadlines, sightings, audit rows) and only then answers each caller: a verdict is never
acknowledged as recorded before it is on disk. A ``check_id`` already stored is not written
again; its stored verdict and receipt are returned instead.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from alcabala.accounts.models import Agency, AuditEntry
from alcabala.checks.models import Check, Hit, HitStatus, HitTransition, Sighting
from alcabala.checks.receipts import new_receipt
from alcabala.checks.schemas import ConfirmationOut, HitOut, IrregularityOut, VerdictOut
from alcabala.db.base import table_of
from alcabala.db.engine import unit_of_work

log = logging.getLogger("alcabala.checks.recorder")
MAX_BATCH = 2000


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


def write_batch(session: Session, batch: Sequence[PendingCheck]) -> list[VerdictOut]:
    """Store the new checks of ``batch`` in ``session``; return every check's stored verdict.

    A ``check_id`` already stored (a retry) is not written again; its stored verdict is read
    back. New checks are answered from what was just written."""
    ids = [p.check_id for p in batch]
    stored = set(session.scalars(select(Check.check_id).where(Check.check_id.in_(ids))))
    fresh: dict[str, PendingCheck] = {}
    for p in batch:
        if p.check_id not in stored and p.check_id not in fresh:
            fresh[p.check_id] = p
    results: dict[str, VerdictOut] = {}
    if fresh:
        _unique_receipts(session, list(fresh.values()))
        hit_ids = _insert(session, list(fresh.values()))
        for p in fresh.values():
            results[p.check_id] = fresh_verdict(p, hit_ids.get(p.check_id, ()))
    if stored:
        codes = {p.check_id: p.checkpoint_code for p in batch}
        for c in session.scalars(select(Check).where(Check.check_id.in_(list(stored)))):
            results[c.check_id] = stored_verdict(c, codes[c.check_id])
    return [results[i] for i in ids]


def _unique_receipts(session: Session, rows: list[PendingCheck]) -> None:
    """Draw again any receipt already taken (50 random bits collide, in a registry of
    millions of stops, often enough to matter: one collision would fail the whole batch)."""
    while True:
        codes = [p.receipt for p in rows]
        taken = set(session.scalars(select(Check.receipt).where(Check.receipt.in_(codes))))
        seen: set[str] = set()
        redraw = False
        for p in rows:
            if p.receipt in taken or p.receipt in seen:
                p.receipt = new_receipt()
                redraw = True
            seen.add(p.receipt)
        if not redraw:
            return


def _insert(session: Session, rows: list[PendingCheck]) -> dict[str, list[int]]:
    """Insert ``rows`` with their sightings, audit rows and hits; returns the hit ids."""
    conn = session.connection()
    conn.execute(
        insert(table_of(Check)),
        [
            {
                "check_id": p.check_id,
                "checkpoint_id": p.checkpoint_id,
                "officer_id": p.officer_id,
                "at": p.at,
                "recorded_at": p.recorded_at,
                "plate": p.plate,
                "plate_country": p.plate_country,
                "vin": p.vin,
                "inputs": p.inputs,
                "verdict": p.verdict,
                "irregularities": p.irregularities,
                "receipt": p.receipt,
                "offline": p.offline,
            }
            for p in rows
        ],
    )
    sightings = [
        {
            "at": p.at,
            "plate": p.plate,
            "plate_country": p.plate_country,
            "vin": p.vin,
            "checkpoint_id": p.checkpoint_id,
            "lat": p.lat,
            "lon": p.lon,
            "source": "check",
            "check_id": p.check_id,
        }
        for p in rows
        if p.plate or p.vin
    ]
    if sightings:
        conn.execute(insert(table_of(Sighting)), sightings)
    audit = []
    for p in rows:
        base = {
            "at": p.at,
            "user_id": p.officer_id,
            "role": p.role,
            "agency_id": p.agency_id,
            "client": p.client,
            "action": "check",
            "checkpoint_id": p.checkpoint_id,
            "check_id": p.check_id,
            "reason": p.reason,
        }
        for subject in (p.vin, p.plate):
            if subject:
                audit.append({**base, "subject_kind": "vehicle", "subject": subject})
        for national_id in p.national_ids:
            audit.append({**base, "subject_kind": "person", "subject": national_id})
    if audit:
        conn.execute(insert(table_of(AuditEntry)), audit)
    with_hits = [p for p in rows if p.hits]
    return _insert_hits(session, with_hits) if with_hits else {}


def _insert_hits(session: Session, rows: list[PendingCheck]) -> dict[str, list[int]]:
    query = select(Check.check_id, Check.id).where(Check.check_id.in_([p.check_id for p in rows]))
    pks = {check_id: pk for check_id, pk in session.execute(query)}
    agencies = {code: id_ for id_, code in session.execute(select(Agency.id, Agency.code))}
    hit_ids: dict[str, list[int]] = {}
    for p in rows:
        for h in p.hits:
            hit = Hit(
                check_pk=pks[p.check_id],
                category=h["category"],
                certainty=h["certainty"],
                matched_on=h["matched_on"],
                record_kind=h["record"].get("kind", ""),
                record_id=int(h["record"].get("id", 0)),
                record=h["record"],
                agency_id=agencies.get(h["record"].get("agency", "")),
                urgency=h["urgency"],
                deadline=h["deadline"],
                status=HitStatus.PENDING.value,
            )
            session.add(hit)
            session.flush()
            hit_ids.setdefault(p.check_id, []).append(hit.id)
            session.add(
                HitTransition(
                    hit_id=hit.id,
                    from_state=None,
                    to_state="pending",
                    actor_id=p.officer_id,
                    reason="opened by check",
                    at=p.recorded_at,
                )
            )
    session.flush()
    return hit_ids


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
        whatever else is waiting; the future gives their stored verdicts, in order."""
        future: Future[list[VerdictOut]] = Future()
        if self._thread is None:  # not started (CLI, tests): write in the caller's thread
            try:
                future.set_result(self.write(pendings))
            except Exception as exc:  # handed to the caller through the future
                future.set_exception(exc)
            return future
        self._queue.put((pendings, future))
        return future

    def write(self, batch: Sequence[PendingCheck]) -> list[VerdictOut]:
        """Store ``batch`` in one transaction, now, in this thread."""
        with unit_of_work(self.engine) as session:
            return write_batch(session, batch)

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
        try:
            results = self.write([p for pendings, _ in jobs for p in pendings])
        except Exception as exc:
            log.exception("recording %d jobs failed", len(jobs))
            for _, future in jobs:
                future.set_exception(exc)
            return
        start = 0
        for pendings, future in jobs:
            future.set_result(results[start : start + len(pendings)])
            start += len(pendings)
