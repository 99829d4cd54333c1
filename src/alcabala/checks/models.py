"""Tables of the stop: checks, their hits (with confirmation), and sightings.

A check is immutable once recorded and keyed by the client's UUID, so a retried request
records nothing twice. A hit is one match against a record; the agency owning that record
confirms or denies it before anyone is detained or a vehicle is seized.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alcabala.accounts.models import Agency, User
from alcabala.checkpoints.models import Checkpoint
from alcabala.db.base import Base, Versioned, utcnow
from alcabala.db.history import TransitionMixin


class HitStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DENIED = "denied"
    TIMED_OUT = "timed_out"
    RECORD_INACTIVE = "record_inactive"  # the record left force before anyone confirmed


class Check(Base):
    """One stop at a checkpoint: inputs, verdict, who and where, and the driver's receipt."""

    __tablename__ = "checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_id: Mapped[str] = mapped_column(String(36), unique=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(index=True)  # when the stop happened
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    plate: Mapped[str | None] = mapped_column(String(16))
    plate_country: Mapped[str | None] = mapped_column(String(2))
    vin: Mapped[str | None] = mapped_column(String(17))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    verdict: Mapped[str] = mapped_column(String(10), index=True)
    irregularities: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    receipt: Mapped[str] = mapped_column(String(16), unique=True)
    offline: Mapped[bool] = mapped_column(Boolean, default=False)

    checkpoint: Mapped[Checkpoint] = relationship()
    officer: Mapped[User] = relationship()
    hits: Mapped[list[Hit]] = relationship(order_by="Hit.id", lazy="selectin")


class Hit(Versioned, Base):
    """A match of a check against a record: ``pending`` → ``confirmed`` | ``denied`` |
    ``timed_out`` (nobody answered before ``deadline``) | ``record_inactive`` (the record
    was executed, recovered, cancelled or expired before anyone confirmed)."""

    __tablename__ = "hits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_pk: Mapped[int] = mapped_column(ForeignKey("checks.id"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    certainty: Mapped[str] = mapped_column(String(10))
    matched_on: Mapped[str] = mapped_column(String(20))
    record_kind: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int] = mapped_column(Integer)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    urgency: Mapped[str] = mapped_column(String(10))
    deadline: Mapped[dt.datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20), default=HitStatus.PENDING.value, index=True)

    check: Mapped[Check] = relationship(back_populates="hits")
    agency: Mapped[Agency | None] = relationship()

    @property
    def number(self) -> str:
        return f"hit {self.id}"

    def effective_status(self, now: dt.datetime) -> str:
        """A pending hit past its deadline is timed out, whatever the row says."""
        if self.status == HitStatus.PENDING and self.deadline <= now:
            return HitStatus.TIMED_OUT.value
        return self.status


class HitTransition(TransitionMixin, Base):
    __tablename__ = "hit_transitions"

    hit_id: Mapped[int] = mapped_column(ForeignKey("hits.id"), index=True)


class Sighting(Base):
    """A plate and/or VIN seen at a place and time (from a check or a camera)."""

    __tablename__ = "sightings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    plate: Mapped[str | None] = mapped_column(String(16), index=True)
    plate_country: Mapped[str | None] = mapped_column(String(2))
    vin: Mapped[str | None] = mapped_column(String(17), index=True)
    checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoints.id"))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(10), default="check")
    check_id: Mapped[str | None] = mapped_column(String(36))  # the check's UUID, if from one
