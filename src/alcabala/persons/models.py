"""Tables of persons and warrants, with the warrant transition history."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alcabala.accounts.models import Agency
from alcabala.db.base import Base, Versioned, utcnow
from alcabala.db.history import TransitionMixin


class WarrantStatus(enum.StrEnum):
    ACTIVE = "active"
    EXECUTED = "executed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Person(Base):
    """A person known by a normalized national ID within its issuing country."""

    __tablename__ = "persons"
    __table_args__ = (UniqueConstraint("country", "national_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    national_id: Mapped[str] = mapped_column(String(32), index=True)
    country: Mapped[str] = mapped_column(String(2))
    given_names: Mapped[str] = mapped_column(String(120), default="")
    surnames: Mapped[str] = mapped_column(String(120), default="")
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    # Where notifications reach them, and in which language ("es" unless they asked for "en").
    email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5), default="es", server_default="es")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Warrant(Versioned, Base):
    """An arrest warrant: ``active`` → ``executed`` | ``cancelled`` | ``expired``."""

    __tablename__ = "warrants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    court: Mapped[str] = mapped_column(String(300))
    case_number: Mapped[str] = mapped_column(String(60))
    offence: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[dt.datetime] = mapped_column()
    expires_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    urgent: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(20), default=WarrantStatus.ACTIVE.value, index=True)
    validate_by: Mapped[dt.date | None] = mapped_column(Date, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship()
    agency: Mapped[Agency] = relationship()

    def effective_status(self, now: dt.datetime) -> str:
        """The status as of ``now``: an active warrant past ``expires_at`` is expired."""
        if self.status == WarrantStatus.ACTIVE and self.expires_at and self.expires_at <= now:
            return WarrantStatus.EXPIRED.value
        return self.status


class WarrantTransition(TransitionMixin, Base):
    __tablename__ = "warrant_transitions"

    warrant_id: Mapped[int] = mapped_column(ForeignKey("warrants.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
