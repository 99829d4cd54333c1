"""Tables of complaints: the complaint as filed, its transitions, its notes and its photos.

Nothing here is ever updated but two bookkeeping columns of ``complaints``: ``status`` and
``version`` (the latest transition, kept on the row so that lists and the lifecycle's
version check stay one read). They are ``unlogged``: the complaint's log entry commits to
what was filed, which never changes, so its receipt proof stays valid for ever and
``alcabala log verify`` reports any later edit of it. Each transition, note and addition
is a row of its own with its own log entry (typed ``complaint.<status>`` and
``complaint_note.created``), under the code of the agency complained about, so that the
public log alone tells how many complaints about an agency were filed, and closed.

Photos are stored in the database (``complaint_files``), written in the complaint's own
transaction: a complaint never exists with half of its photos. Their SHA-256 is in the
filed record, hence in the log's commitment.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from alcabala.db.base import Base
from alcabala.db.history import TransitionMixin

UNLOGGED: dict[str, Any] = {"unlogged": True}


class ComplaintStatus(enum.StrEnum):
    RECEIVED = "received"
    UNDER_REVIEW = "under_review"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


OPEN = frozenset({ComplaintStatus.RECEIVED.value, ComplaintStatus.UNDER_REVIEW.value})


class Category(enum.StrEnum):
    BRIBE = "bribe"
    EXTORTION = "extortion"
    MISTREATMENT = "mistreatment"
    SEIZURE_WITHOUT_RECEIPT = "seizure_without_receipt"
    UNJUSTIFIED_DETENTION = "unjustified_detention"
    OTHER = "other"


class SubjectKind(enum.StrEnum):
    """What the complaint is about: a stop (by its receipt), a checkpoint, an agency, or an
    officer as the complainant saw them."""

    STOP = "stop"
    CHECKPOINT = "checkpoint"
    AGENCY = "agency"
    OFFICER = "officer"


class NoteKind(enum.StrEnum):
    NOTE = "note"  # by oversight staff
    ANSWER = "answer"  # by the agency complained about
    INFORMATION = "information"  # by the complainant


class Complaint(Base):
    """One complaint as filed; ``status``/``version`` follow its transitions (unlogged)."""

    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_status_overdue_at", "status", "overdue_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    #: SHA-256 of the complainant's secret (the secret itself is shown once).
    secret_hash: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(30))
    subject_kind: Mapped[str] = mapped_column(String(20))
    #: The stop's receipt code, when the subject is a stop.
    receipt: Mapped[str | None] = mapped_column(String(16))
    checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoints.id"), index=True)
    #: The agency complained about (from the stop, the checkpoint, or named).
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    #: The officer as the complainant saw them: name or badge, free text.
    officer: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text)
    #: SHA-256 (hex) of each photo, in the order filed.
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Where the complainant wants updates ("" for none); never shown publicly.
    contact: Mapped[str] = mapped_column(String(254), default="")
    language: Mapped[str] = mapped_column(String(5), default="es")
    filed_at: Mapped[dt.datetime] = mapped_column(index=True)
    #: When an open complaint becomes overdue (``Settings.complaint_overdue_days``).
    overdue_at: Mapped[dt.datetime] = mapped_column()
    #: A keyed hash of the client and the text, for refusing the same complaint twice.
    dedupe_key: Mapped[str] = mapped_column(String(64), index=True, info=UNLOGGED)
    status: Mapped[str] = mapped_column(
        String(20), default=ComplaintStatus.RECEIVED.value, info=UNLOGGED
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, info=UNLOGGED)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        """Every UPDATE checks and bumps ``version``, as :class:`~alcabala.db.base.Versioned`
        does (its column is not marked unlogged)."""
        return {"version_id_col": cls.__table__.c.version}

    @property
    def number(self) -> str:
        """What the lifecycle's messages call it."""
        return self.code


class ComplaintTransition(TransitionMixin, Base):
    """One move of a complaint, with its reason; logged as ``complaint.<to_state>``."""

    __tablename__ = "complaint_transitions"

    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    #: The agency complained about, so that the entry carries its code.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))


class ComplaintNote(Base):
    """A note by oversight, an answer by the agency, or information from the complainant."""

    __tablename__ = "complaint_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    #: The user who wrote it; NULL when it is the complainant.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The agency complained about (as on the complaint), so that the entry carries its code.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    at: Mapped[dt.datetime] = mapped_column()


class ComplaintFile(Base):
    """A photo filed with a complaint; ``sha256`` is what the complaint's record names."""

    __tablename__ = "complaint_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
