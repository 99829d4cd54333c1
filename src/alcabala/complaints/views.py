"""What each reader is shown of a complaint: the complainant's and the staff's view of one,
and the lines of the staff's lists (codes and categories only, no free text)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from alcabala.accounts.models import Agency, User
from alcabala.checkpoints.models import Checkpoint
from alcabala.complaints.models import Complaint, ComplaintStatus, NoteKind
from alcabala.complaints.schemas import ComplaintOut, ComplaintRow, NoteOut, TransitionOut
from alcabala.complaints.services import history, is_overdue
from alcabala.context import Ctx


def describe(ctx: Ctx, complaint: Complaint, *, staff: bool) -> ComplaintOut:
    """The complaint as shown to its complainant or (``staff``) to oversight and the
    agency: staff also see the contact and who wrote each note."""
    s = ctx.session
    moves, notes = history(ctx, complaint)
    authors: dict[int, str] = {}
    if staff:
        ids = {n.author_id for n in notes if n.author_id is not None}
        if ids:
            authors = dict(s.execute(select(User.id, User.username).where(User.id.in_(ids))).all())
    checkpoint = s.get(Checkpoint, complaint.checkpoint_id) if complaint.checkpoint_id else None
    agency = s.get(Agency, complaint.agency_id) if complaint.agency_id else None
    return ComplaintOut(
        code=complaint.code,
        category=complaint.category,
        subject_kind=complaint.subject_kind,
        receipt=complaint.receipt,
        checkpoint=checkpoint.code if checkpoint else None,
        agency=agency.code if agency else None,
        officer=complaint.officer,
        description=complaint.description,
        photos=list(complaint.photos),
        # From the logged transitions, not the row's bookkeeping column, which the log
        # does not cover: what the complainant is told is what the log can prove.
        status=moves[-1].to_state if moves else ComplaintStatus.RECEIVED.value,
        version=complaint.version,
        filed_at=complaint.filed_at,
        overdue_at=complaint.overdue_at,
        overdue=is_overdue(complaint, ctx.now()),
        transitions=[
            TransitionOut(from_state=m.from_state, to_state=m.to_state, reason=m.reason, at=m.at)
            for m in moves
        ],
        notes=[
            NoteOut(
                kind=NoteKind(n.kind),
                text=n.text,
                at=n.at,
                author=(authors.get(n.author_id) if n.author_id else None) if staff else None,
            )
            for n in notes
        ],
        contact=complaint.contact if staff else None,
    )


def row_of(
    complaint: Complaint, codes: dict[str, dict[int, str]], now: dt.datetime
) -> ComplaintRow:
    """A list line; ``codes`` maps checkpoint and agency ids to their codes."""
    return ComplaintRow(
        code=complaint.code,
        category=complaint.category,
        status=complaint.status,
        checkpoint=codes["checkpoint"].get(complaint.checkpoint_id or 0),
        agency=codes["agency"].get(complaint.agency_id or 0),
        filed_at=complaint.filed_at,
        overdue=is_overdue(complaint, now),
    )


def codes(ctx: Ctx) -> dict[str, dict[int, str]]:
    """Checkpoint and agency codes by id, for lists."""
    s = ctx.session
    return {
        "checkpoint": dict(s.execute(select(Checkpoint.id, Checkpoint.code)).all()),
        "agency": dict(s.execute(select(Agency.id, Agency.code)).all()),
    }
