"""Tables of the stop: checks and their hits (with confirmation).

A check is immutable once recorded and keyed by the client's UUID, so a retried request
records nothing twice. It is one row per stop, and that row is three things at once: the
verdict, the *sighting* of its plate and VIN (where and when they were seen), and the
vehicle's *audit entry* (who looked it up, with their role, agency, door and reason). Only
the people looked up get rows of their own (one ``audit_entries`` row each), and the hits.
A national network records millions of stops a day; every extra indexed row per stop is a
B-tree insert the write path pays for.

A hit is one match against a record; the agency owning that record confirms or denies it
before anyone is detained or a vehicle is seized. The sightings that are not checks
(cameras) are :class:`alcabala.sightings.models.Sighting`.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String
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
    """One stop at a checkpoint: inputs, verdict, who and where, and the driver's receipt;
    also the sighting of its plate and VIN and the vehicle's audit entry (module docstring).
    """

    __tablename__ = "checks"
    __table_args__ = (
        # The console's list of a checkpoint's recent stops.
        Index("ix_checks_checkpoint_id_at", "checkpoint_id", "at"),
        # "Who looked up this vehicle" and "where was this plate / VIN seen", newest first.
        Index("ix_checks_plate_at", "plate", "at"),
        Index("ix_checks_vin_at", "vin", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_id: Mapped[str] = mapped_column(String(36), unique=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(index=True)  # when the stop happened
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    plate: Mapped[str | None] = mapped_column(String(16))  # normalized
    plate_country: Mapped[str | None] = mapped_column(String(2))
    vin: Mapped[str | None] = mapped_column(String(17))  # normalized
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    verdict: Mapped[str] = mapped_column(String(10))
    irregularities: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    receipt: Mapped[str] = mapped_column(String(16), unique=True)
    offline: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where the stop was (the checkpoint's position unless the device gave its own) ...
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    # ... and who looked the vehicle up, as an audit entry says it.
    role: Mapped[str | None] = mapped_column(String(20))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    client: Mapped[str] = mapped_column(String(10), default="", server_default="")
    reason: Mapped[str] = mapped_column(String(200), default="", server_default="")

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
