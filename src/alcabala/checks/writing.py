"""Writing judged checks in the recorder's transaction, per caller's job.

Inside that transaction, and per job (one stop, or a whole batch, refused whole):

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

import logging
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala.accounts.models import Agency, ApiToken, AuditEntry, User
from alcabala.checks.logged import entries_of
from alcabala.checks.models import Check, Hit, HitStatus, HitTransition
from alcabala.checks.pending import (
    CHECK_ID_TAKEN,
    OFFICER_GONE,
    CheckIdConflictError,
    PendingCheck,
    canonical,
    fresh_verdict,
    stored_verdict,
)
from alcabala.checks.receipts import new_receipt
from alcabala.checks.schemas import VerdictOut
from alcabala.db.base import table_of
from alcabala.db.bulk_insert import insert_rows
from alcabala.errors import AuthError, Error
from alcabala.ledger.models import append_many

log = logging.getLogger("alcabala.checks.recorder")


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
    """Insert ``rows``: one check row per stop (also the sighting of its plate and VIN and the
    vehicle's audit entry), one audit row per person looked up, one log entry per stop
    (covering those lookups: :mod:`alcabala.checks.logged`), and the hits; returns the
    hit ids. ``COPY`` on PostgreSQL, ``executemany`` on SQLite (:mod:`alcabala.db.bulk_insert`).
    """
    conn = session.connection()
    insert_rows(
        conn,
        table_of(Check),
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
                "lat": p.lat,
                "lon": p.lon,
                "role": p.role,
                "agency_id": p.agency_id,
                "client": p.client,
                "reason": p.reason,
            }
            for p in rows
        ],
    )
    people = [
        {
            "at": p.at,
            "user_id": p.officer_id,
            "role": p.role,
            "agency_id": p.agency_id,
            "client": p.client,
            "action": "check",
            "subject_kind": "person",
            "subject": national_id,
            "checkpoint_id": p.checkpoint_id,
            "check_id": p.check_id,
            "reason": p.reason,
        }
        for p in rows
        for national_id in p.national_ids
    ]
    insert_rows(conn, table_of(AuditEntry), people)
    append_many(session, entries_of(rows, _agency_codes(session)))
    with_hits = [p for p in rows if p.hits]
    return _insert_hits(session, with_hits) if with_hits else {}


def _agency_codes(session: Session) -> dict[int, str]:
    """Agency id → code, for the check entries (a handful of rows, read per batch)."""
    return {id_: code for id_, code in session.execute(select(Agency.id, Agency.code))}


def _insert_hits(session: Session, rows: list[PendingCheck]) -> dict[str, list[int]]:
    """The hits of ``rows`` (about 2 % of stops) with their opening transitions, in two
    flushes whatever their number."""
    query = select(Check.check_id, Check.id).where(Check.check_id.in_([p.check_id for p in rows]))
    pks = {check_id: pk for check_id, pk in session.execute(query)}
    agencies = {code: id_ for id_, code in session.execute(select(Agency.id, Agency.code))}
    opened: list[tuple[PendingCheck, Hit]] = []
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
            opened.append((p, hit))
    session.flush()
    hit_ids: dict[str, list[int]] = {}
    for p, hit in opened:
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
