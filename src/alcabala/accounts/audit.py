"""The audit trail of lookups: every query of a person or vehicle leaves a row.

Written by the service that answers the lookup, in its transaction, so a lookup that is
answered is a lookup that is recorded, whichever door it came through. Each row says who
(user, role, agency), through which door (api, web, cli, import), where (checkpoint), when
and why. Officers and registrars must say why (:func:`need_reason`). Oversight (the auditor
role) reads it by subject: who looked up this person or this vehicle; that read is itself
audited.

A check is its own vehicle audit entry: the check row holds the officer, role, agency, door,
checkpoint and reason, and is indexed by plate and VIN (see :mod:`alcabala.checks.models`).
The trail of a vehicle is therefore the ``audit_entries`` rows naming it (registry searches,
public lookups, audits) together with the checks of its plate or VIN, merged by time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select

from alcabala.accounts.models import AuditEntry, Role, User
from alcabala.checkpoints.models import Checkpoint
from alcabala.checks.models import Check
from alcabala.context import Ctx
from alcabala.db.base import table_of
from alcabala.errors import ValidationError
from alcabala.ledger.records import log_changes

#: Roles whose every lookup must say why (a stop's reason, a case number...).
REASON_REQUIRED = frozenset({Role.OFFICER.value, Role.REGISTRAR.value})
MAX_REASON = 200


def need_reason(ctx: Ctx, reason: str) -> str:
    """``reason`` cleaned, or a 422 naming ``reason`` when the actor's role must give one."""
    cleaned = reason.replace("\x00", "").strip()[:MAX_REASON]
    if not cleaned and ctx.actor.role in REASON_REQUIRED:
        raise ValidationError(
            "Say why you are looking this up (a case number, the stop, a complaint...).",
            field="reason",
        )
    return cleaned


def audit_lookup(
    ctx: Ctx,
    action: str,
    subject_kind: str,
    subject: str,
    *,
    check_id: str | None = None,
    reason: str = "",
) -> None:
    """One audit row: ``ctx.actor`` looked up ``subject`` (a VIN, plate or national ID), and
    its entry in the tamper-evident log (``audit.<action>``), in the same transaction."""
    actor = ctx.actor
    entry = AuditEntry(
        at=ctx.now(),
        user_id=actor.id,
        role=None if actor.is_system else actor.role,
        agency_id=actor.agency_id,
        client=actor.client,
        action=action,
        subject_kind=subject_kind,
        subject=subject[:40],
        checkpoint_id=actor.checkpoint_id,
        check_id=check_id,
        reason=reason.replace("\x00", "")[:MAX_REASON],
    )
    ctx.session.add(entry)
    ctx.session.flush()
    log_changes(ctx.session, "audit", table_of(AuditEntry), [entry.id], entry.at, action)


@dataclass(frozen=True)
class AuditRow:
    at: dt.datetime
    username: str | None
    role: str | None
    action: str
    subject_kind: str
    subject: str
    checkpoint: str | None
    check_id: str | None
    reason: str


def audit_trail(
    ctx: Ctx, subject_kind: str, subjects: list[str], reason: str = ""
) -> list[AuditRow]:
    """Every lookup of the given subjects (e.g. a VIN and its plate), newest first. Reading
    who looked someone up is itself a lookup of them, and is audited (after the read, so the
    answer shows the trail as it was)."""
    rows = ctx.session.execute(
        select(AuditEntry, User.username, User.role, Checkpoint.code)
        .outerjoin(User, AuditEntry.user_id == User.id)
        .outerjoin(Checkpoint, AuditEntry.checkpoint_id == Checkpoint.id)
        .where(AuditEntry.subject_kind == subject_kind, AuditEntry.subject.in_(subjects))
    )
    found = [
        (
            (e.at, 0, e.id),
            AuditRow(
                e.at,
                username,
                e.role or role,
                e.action,
                e.subject_kind,
                e.subject,
                checkpoint,
                e.check_id,
                e.reason,
            ),
        )
        for e, username, role, checkpoint in rows
    ]
    if subject_kind == "vehicle":
        found += [(key, row) for key, row in _checks_of(ctx, subjects)]
    found.sort(key=lambda pair: pair[0], reverse=True)
    trail = [row for _, row in found]
    for subject in subjects:
        audit_lookup(ctx, "audit", subject_kind, subject, reason=reason)
    return trail


def _checks_of(
    ctx: Ctx, subjects: list[str]
) -> list[tuple[tuple[dt.datetime, int, int], AuditRow]]:
    """The checks of these plates or VINs as audit rows (subject: the VIN when it is one of
    ``subjects``, else the plate), with their sort keys."""
    wanted = set(subjects)
    rows = ctx.session.execute(
        select(
            Check.id,
            Check.at,
            Check.vin,
            Check.plate,
            Check.role,
            Check.check_id,
            Check.reason,
            User.username,
            User.role,
            Checkpoint.code,
        )
        .outerjoin(User, Check.officer_id == User.id)
        .outerjoin(Checkpoint, Check.checkpoint_id == Checkpoint.id)
        .where(or_(Check.vin.in_(subjects), Check.plate.in_(subjects)))
    )
    return [
        (
            (at, 1, pk),
            AuditRow(
                at,
                username,
                role or user_role,
                "check",
                "vehicle",
                vin if vin in wanted else (plate or ""),
                checkpoint,
                check_id,
                reason,
            ),
        )
        for pk, at, vin, plate, role, check_id, reason, username, user_role, checkpoint in rows
    ]
