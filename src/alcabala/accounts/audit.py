"""The audit trail of lookups: every query of a person or vehicle leaves a row.

Written in the caller's transaction, so a lookup that is answered is a lookup that is
recorded. Oversight (the auditor role) reads it by subject: who looked up this person or this
vehicle, where, when and why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala.accounts.models import AuditEntry, User
from alcabala.checkpoints.models import Checkpoint


def audit_lookup(
    session: Session,
    user_id: int | None,
    action: str,
    subject_kind: str,
    subject: str,
    *,
    checkpoint_id: int | None = None,
    check_id: str | None = None,
    reason: str = "",
    at: dt.datetime | None = None,
) -> None:
    entry = AuditEntry(
        user_id=user_id,
        action=action,
        subject_kind=subject_kind,
        subject=subject,
        checkpoint_id=checkpoint_id,
        check_id=check_id,
        reason=reason[:200],
    )
    if at is not None:
        entry.at = at
    session.add(entry)


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


def audit_trail(session: Session, subject_kind: str, subjects: list[str]) -> list[AuditRow]:
    """Every lookup of the given subjects (e.g. a VIN and its plate), newest first."""
    rows = session.execute(
        select(AuditEntry, User.username, User.role, Checkpoint.code)
        .outerjoin(User, AuditEntry.user_id == User.id)
        .outerjoin(Checkpoint, AuditEntry.checkpoint_id == Checkpoint.id)
        .where(AuditEntry.subject_kind == subject_kind, AuditEntry.subject.in_(subjects))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    return [
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
