"""What happens to a complaint after filing: the only code that moves it or adds to it.

Who may do what (checked here, whatever the door):

- **oversight** (an ombudsman's or inspectorate's staff) owns every complaint: moves it
  ``received`` → ``under_review`` → ``resolved`` | ``dismissed`` (each move with a reason)
  and adds notes — unless the complaint is about the user's own agency;
- a **supervisor** of the agency complained about sees the complaints about it and answers
  them, but cannot move them;
- an **auditor** reads them all;
- the **complainant**, with the code and the secret, sees the status and every move and
  note, and adds information.

Nothing is edited or deleted: a move is a transition row, a note or an addition a note
row, each with its own log entry. Staff reads name the complainant's contact, so each is
an audited read (``complaint``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select

from alcabala.accounts.audit import audit_lookup
from alcabala.accounts.models import Role
from alcabala.complaints.filing import ENTITY, normalize_code, secret_matches
from alcabala.complaints.models import (
    OPEN,
    Complaint,
    ComplaintNote,
    ComplaintStatus,
    ComplaintTransition,
    NoteKind,
)
from alcabala.complaints.schemas import MoveIn
from alcabala.context import Ctx
from alcabala.db.history import record_change
from alcabala.db.lifecycle import Lifecycle, transition
from alcabala.errors import ForbiddenError, NotFoundError

S = ComplaintStatus
COMPLAINT = Lifecycle(
    entity=ENTITY,
    label="complaint",
    moves={
        S.RECEIVED: frozenset({S.UNDER_REVIEW}),
        S.UNDER_REVIEW: frozenset({S.RESOLVED, S.DISMISSED}),
    },
    needs_reason=frozenset({S.UNDER_REVIEW, S.RESOLVED, S.DISMISSED}),
)
NOTE_ENTITY = "complaint_note"
AUDIT_ACTION = "complaint"
NOT_FOUND = "No complaint has this code and secret."


def _by_code(ctx: Ctx, code: str) -> Complaint | None:
    """The complaint with this code, typed in any form (:func:`normalize_code`), or None."""
    normalized = normalize_code(code)
    if normalized is None:
        return None
    return ctx.session.scalar(select(Complaint).where(Complaint.code == normalized))


def find(ctx: Ctx, code: str) -> Complaint:
    """The complaint with this code, or NotFoundError naming ``code``."""
    complaint = _by_code(ctx, code)
    if complaint is None:
        raise NotFoundError("No complaint has this code.", field="code")
    return complaint


def for_complainant(ctx: Ctx, code: str, secret: str) -> Complaint:
    """The complaint, if ``secret`` is its secret; the same 404 either way, so that a
    wrong secret does not confirm that a code exists."""
    complaint = _by_code(ctx, code)
    if complaint is None or not secret_matches(complaint, secret):
        raise NotFoundError(NOT_FOUND, field="secret")
    return complaint


def is_overdue(complaint: Complaint, now: dt.datetime) -> bool:
    return complaint.status in OPEN and complaint.overdue_at <= now


def _may_read(ctx: Ctx, complaint: Complaint) -> None:
    actor = ctx.actor
    if actor.is_system or actor.role in (Role.OVERSIGHT, Role.AUDITOR):
        return
    if actor.role == Role.SUPERVISOR and actor.agency_id == complaint.agency_id:
        return
    raise ForbiddenError(
        "Only oversight, auditors and the agency complained about see a complaint.",
        field="code",
    )


def _must_own(ctx: Ctx, complaint: Complaint) -> None:
    """Oversight owns complaints, except those about its own agency."""
    actor = ctx.actor
    if actor.is_system:
        return
    if actor.role != Role.OVERSIGHT:
        raise ForbiddenError(
            "Only oversight moves a complaint; the agency complained about can answer it.",
            field="code",
            code="not_owner",
        )
    if actor.agency_id is not None and actor.agency_id == complaint.agency_id:
        raise ForbiddenError(
            "This complaint is about your own agency: another oversight body handles it.",
            field="code",
            code="not_owner",
        )


def read(ctx: Ctx, code: str) -> Complaint:
    """The complaint for staff: authority checked, the read audited."""
    complaint = find(ctx, code)
    _may_read(ctx, complaint)
    audit_lookup(ctx, AUDIT_ACTION, "complaint", complaint.code, reason="complaint")
    return complaint


def move(ctx: Ctx, code: str, data: MoveIn) -> Complaint:
    """Move the complaint along its lifecycle (oversight only), with a reason; logged."""
    complaint = find(ctx, code)
    _must_own(ctx, complaint)
    transition(
        ctx.session,
        complaint,
        COMPLAINT,
        data.to,
        history=ComplaintTransition,
        history_fk="complaint_id",
        actor_id=ctx.actor_id,
        at=ctx.now(),
        reason=data.reason,
        expected_version=data.version,
        log_history=True,
        agency_id=complaint.agency_id,
    )
    return complaint


def _note(ctx: Ctx, complaint: Complaint, kind: NoteKind, text: str) -> ComplaintNote:
    now = ctx.now()
    note = ComplaintNote(
        complaint_id=complaint.id,
        kind=kind.value,
        text=text,
        author_id=ctx.actor_id,
        agency_id=complaint.agency_id,
        at=now,
    )
    ctx.session.add(note)
    ctx.session.flush()
    record_change(ctx.session, NOTE_ENTITY, note, now, "created")
    return note


def add_note(ctx: Ctx, code: str, text: str) -> ComplaintNote:
    """A note by oversight, or an answer by a supervisor of the agency complained about."""
    complaint = find(ctx, code)
    actor = ctx.actor
    if actor.role == Role.SUPERVISOR and actor.agency_id == complaint.agency_id:
        return _note(ctx, complaint, NoteKind.ANSWER, text)
    _must_own(ctx, complaint)
    return _note(ctx, complaint, NoteKind.NOTE, text)


def add_information(ctx: Ctx, code: str, secret: str, text: str) -> ComplaintNote:
    """More information from the complainant (code and secret)."""
    complaint = for_complainant(ctx, code, secret)
    return _note(ctx, complaint, NoteKind.INFORMATION, text)


def history(
    ctx: Ctx, complaint: Complaint
) -> tuple[list[ComplaintTransition], list[ComplaintNote]]:
    """The complaint's moves and notes, oldest first."""
    s = ctx.session
    moves = s.scalars(
        select(ComplaintTransition)
        .where(ComplaintTransition.complaint_id == complaint.id)
        .order_by(ComplaintTransition.at, ComplaintTransition.id)
    ).all()
    notes = s.scalars(
        select(ComplaintNote)
        .where(ComplaintNote.complaint_id == complaint.id)
        .order_by(ComplaintNote.at, ComplaintNote.id)
    ).all()
    return list(moves), list(notes)


def listing(
    ctx: Ctx, *, status: str | None = None, overdue: bool = False, limit: int = 200
) -> Sequence[Complaint]:
    """Complaints the actor may see, newest first: all for oversight and auditors, those
    about their agency for a supervisor. ``overdue`` keeps the open ones past due."""
    actor = ctx.actor
    query = select(Complaint).order_by(Complaint.filed_at.desc(), Complaint.id.desc())
    if actor.role == Role.SUPERVISOR:
        query = query.where(Complaint.agency_id == actor.agency_id)
    elif not (actor.is_system or actor.role in (Role.OVERSIGHT, Role.AUDITOR)):
        raise ForbiddenError("Only oversight, auditors and supervisors list complaints.")
    if status:
        query = query.where(Complaint.status == status)
    if overdue:
        query = query.where(Complaint.status.in_(OPEN), Complaint.overdue_at <= ctx.now())
    return ctx.session.scalars(query.limit(limit)).all()
