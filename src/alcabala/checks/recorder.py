"""Recording checks: durable, exactly once, and in batches.

Many officers' checks arrive at once; each would pay a full fsync if committed alone. The
recorder is one writer thread (SQLite has one writer anyway) that takes every check waiting
in its queue, writes them in one transaction (checks, hits with their confirmation
deadlines, sightings, audit rows) and only then answers each caller: a verdict is never
acknowledged as recorded before it is on disk.

Inside that transaction, and per caller's job (one stop, or a whole batch, refused whole):

- a check whose officer is no longer active, or whose bearer token was revoked, is refused
  (401, nothing stored): a token still in some process's cache cannot record anything;
- a ``check_id`` already stored, or taken earlier in the same flush, is not written again:
  with the same officer, checkpoint and inputs (compared in the canonical JSON the
  ``inputs`` column holds) its stored verdict and receipt are returned; with anything else
  (another body, another officer's check) the job is refused with 409
  ``check_id_conflict``.

A refused job does not disturb the other jobs written in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from alcabala.accounts.models import Agency, ApiToken, AuditEntry, User
from alcabala.checks.models import Check, Hit, HitStatus, HitTransition, Sighting
from alcabala.checks.receipts import new_receipt
from alcabala.checks.schemas import ConfirmationOut, HitOut, IrregularityOut, VerdictOut
from alcabala.db.base import table_of
from alcabala.db.engine import unit_of_work
from alcabala.errors import AuthError, ConflictError, Error

log = logging.getLogger("alcabala.checks.recorder")
MAX_BATCH = 2000


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


def write_batch(session: Session, batch: Sequence[PendingCheck]) -> list[VerdictOut]:
    """Store the new checks of ``batch`` in ``session``; return every check's stored verdict
    (or raise why the whole batch is refused, having stored nothing of it)."""
    (outcome,) = write_jobs(session, [batch])
    if isinstance(outcome, Error):
        raise outcome
    return outcome


Outcome = list[VerdictOut] | Error


def write_jobs(session: Session, jobs: Sequence[Sequence[PendingCheck]]) -> list[Outcome]:
    """Store the new checks of every acceptable job in ``session``: for each job, in order,
    its stored verdicts, or the error refusing it whole (nothing of it is written).

    A ``check_id`` already stored, or written by an earlier job or stop of this call, is a
    retry when officer, checkpoint and inputs are the same (its verdict is returned, nothing
    is written twice), and a :class:`CheckIdConflictError` otherwise. New checks are answered
    from what was just written."""
    every = [p for job in jobs for p in job]
    if not every:
        return [[] for _ in jobs]
    ids = list(dict.fromkeys(p.check_id for p in every))
    stored = {c.check_id: c for c in session.scalars(select(Check).where(Check.check_id.in_(ids)))}
    officers = list({p.officer_id for p in every})
    active = set(
        session.scalars(select(User.id).where(User.id.in_(officers), User.active.is_(True)))
    )
    digests = list({p.token_hash for p in every if p.token_hash})
    tokens: set[tuple[str, int]] = set()
    if digests:
        query = select(ApiToken.token_hash, ApiToken.user_id).where(
            ApiToken.token_hash.in_(digests), ApiToken.revoked_at.is_(None)
        )
        tokens = {(digest, user_id) for digest, user_id in session.execute(query)}
    taken = {
        c.check_id: (c.officer_id, c.checkpoint_id, canonical(c.inputs)) for c in stored.values()
    }
    accepted: dict[str, PendingCheck] = {}  # check_id -> the copy that will be written
    refusals: list[Error | None] = []
    for job in jobs:
        refusal, mine = _judge_job(job, active, tokens, taken, accepted)
        refusals.append(refusal)
        if refusal is None:
            accepted.update(mine)
    fresh = list(accepted.values())
    verdicts: dict[str, VerdictOut] = {}
    if fresh:
        _unique_receipts(session, fresh)
        hit_ids = _insert(session, fresh)
        for p in fresh:
            verdicts[p.check_id] = fresh_verdict(p, hit_ids.get(p.check_id, ()))
    outcomes: list[Outcome] = []
    for job, refusal in zip(jobs, refusals, strict=True):
        if refusal is not None:
            outcomes.append(refusal)
            continue
        results = []
        for p in job:
            verdict = verdicts.get(p.check_id)
            if verdict is None:
                verdict = verdicts[p.check_id] = stored_verdict(
                    stored[p.check_id], p.checkpoint_code
                )
            results.append(verdict)
        outcomes.append(results)
    return outcomes


def _judge_job(
    job: Sequence[PendingCheck],
    active: set[int],
    tokens: set[tuple[str, int]],
    taken: dict[str, tuple[int, int, str]],
    accepted: dict[str, PendingCheck],
) -> tuple[Error | None, dict[str, PendingCheck]]:
    """Why ``job`` must be refused (None if it may be written), and its new checks."""
    mine: dict[str, PendingCheck] = {}
    for p in job:
        if p.officer_id not in active or (
            p.token_hash is not None and (p.token_hash, p.officer_id) not in tokens
        ):
            return AuthError(OFFICER_GONE), {}
    for p in job:
        first = taken.get(p.check_id)
        if first is None:
            earlier = accepted.get(p.check_id) or mine.get(p.check_id)
            if earlier is None:
                mine[p.check_id] = p
                continue
            first = earlier.fingerprint()
        if first != p.fingerprint():
            return CheckIdConflictError(CHECK_ID_TAKEN, field=p.check_id_field), {}
    return None, mine


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
