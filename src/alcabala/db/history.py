"""Transition history and the change sequence shared by every stateful record.

Nothing in alcabala is deleted or silently edited: each state change of a record appends one
row to that record's transition table (from, to, actor, time, reason), and one row to the
global ``changes`` sequence, which in-memory indexes (the checkpoint hotlist) follow to
refresh incrementally instead of rebuilding. On PostgreSQL the transaction that appends to
``changes`` also notifies the channel ``alcabala_changes`` at its commit, so that the other
processes refresh at once (:mod:`alcabala.db.notify`, installed on every engine). The same
call appends the change to the tamper-evident log (:mod:`alcabala.ledger`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from alcabala.db.base import Base, utcnow
from alcabala.ledger.records import log_changes


class TransitionMixin:
    """Columns of every ``*_transitions`` table; the subclass adds the record's foreign key."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")

    @declared_attr
    def actor_id(cls) -> Mapped[int | None]:
        """The user who made the change; NULL for the system (automatic expiry, import)."""
        return mapped_column(ForeignKey("users.id"), nullable=True)


class Change(Base):
    """One entry of the global change sequence: record ``entity``/``entity_id`` changed."""

    __tablename__ = "changes"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def record_change(
    session: Session,
    entity: str,
    record: Any,
    at: dt.datetime,
    what: str = "changed",
    *,
    logged: Any = None,
) -> None:
    """Append ``record`` (a stored row of ``entity``) to the change sequence, and its new
    state to the tamper-evident log as ``<entity>.<what>``, inside the current transaction.

    ``what`` is the record's new state after a transition, ``created`` for a new record,
    ``changed`` otherwise. The log entry commits to the row as stored (read back after a
    flush), so ``alcabala log verify`` can later tell whether it was edited behind the
    services' back (:mod:`alcabala.ledger.records`).

    ``logged``, when given, is the row the entry commits to instead of ``record``: a
    record whose filed content never changes logs each move as its transition row, reason
    included (a complaint)."""
    session.add(Change(entity=entity, entity_id=record.id, at=at))
    row = record if logged is None else logged
    log_changes(session, entity, type(row).__table__, [row.id], at, what)
