"""The audit trail of lookups: every query of a person or vehicle leaves a row.

Written by the service that answers the lookup, in its transaction, so a lookup that is
answered is a lookup that is recorded, whichever door it came through. Each row says who
(user, role, agency), through which door (api, web, cli, import), where (checkpoint), when
and why. Officers and registrars must say why (:func:`need_reason`). Oversight (the auditor
role) reads it by subject: who looked up this person or this vehicle; that read is itself
audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from alcabala.accounts.models import AuditEntry, Role, User
from alcabala.checkpoints.models import Checkpoint
from alcabala.context import Ctx
from alcabala.errors import ValidationError

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
    """One audit row: ``ctx.actor`` looked up ``subject`` (a VIN, plate or national ID)."""
    actor = ctx.actor
    ctx.session.add(
        AuditEntry(
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
    )


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
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    found = [
        AuditRow(
            e.at,
            username,
            role,
            e.action,
            e.subject_kind,
            e.subject,
            checkpoint,
            e.check_id,
            e.reason,
        )
        for e, username, role, checkpoint in rows
    ]
    for subject in subjects:
        audit_lookup(ctx, "audit", subject_kind, subject, reason=reason)
    return found
