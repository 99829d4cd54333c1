"""Tables of vehicles, stolen-vehicle reports (with their history) and retirements."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alcabala.accounts.models import Agency
from alcabala.db.base import Base, Versioned, utcnow
from alcabala.db.history import TransitionMixin
from alcabala.persons.models import Person


class ReportStatus(enum.StrEnum):
    ACTIVE = "active"
    RECOVERED = "recovered"
    RETURNED = "returned"
    CANCELLED = "cancelled"


class RetirementKind(enum.StrEnum):
    SCRAPPED = "scrapped"
    DISMANTLED = "dismantled"
    EXPORTED = "exported"


class Vehicle(Base):
    """A registered vehicle, keyed by VIN, owned by a person or (fleets) by an agency."""

    __tablename__ = "vehicles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vin: Mapped[str] = mapped_column(String(17), unique=True)
    plate: Mapped[str] = mapped_column(String(16), index=True)
    plate_country: Mapped[str] = mapped_column(String(2))
    plate_ocr_key: Mapped[str] = mapped_column(String(16), index=True)
    engine_number: Mapped[str | None] = mapped_column(String(20), index=True)
    make: Mapped[str] = mapped_column(String(60), default="")
    model: Mapped[str] = mapped_column(String(60), default="")
    year: Mapped[int | None] = mapped_column(Integer)
    colour: Mapped[str] = mapped_column(String(40), default="")
    owner_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    owner_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    owner_person: Mapped[Person | None] = relationship()
    owner_agency: Mapped[Agency | None] = relationship()


class StolenReport(Versioned, Base):
    """A theft report: ``active`` → ``recovered`` → ``returned``; ``active`` → ``cancelled``.

    Only ``active`` reports are on the hotlist. ``validate_by`` is when the owning agency
    must confirm the report still stands.
    """

    __tablename__ = "stolen_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    reported_at: Mapped[dt.datetime] = mapped_column()
    stolen_at: Mapped[dt.datetime | None] = mapped_column()
    place: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default=ReportStatus.ACTIVE.value, index=True)
    validate_by: Mapped[dt.date | None] = mapped_column(Date, index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    vehicle: Mapped[Vehicle] = relationship()
    agency: Mapped[Agency] = relationship()


class StolenReportTransition(TransitionMixin, Base):
    __tablename__ = "stolen_report_transitions"

    report_id: Mapped[int] = mapped_column(ForeignKey("stolen_reports.id"), index=True)
    # What was handed over at a return: the inventory the owner signed for.
    inventory: Mapped[str] = mapped_column(Text, default="")


class Retirement(Base):
    """A vehicle taken off the road for good; its VIN and engine number are dead from then."""

    __tablename__ = "retirements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    retired_at: Mapped[dt.datetime] = mapped_column()
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    reference: Mapped[str] = mapped_column(String(100), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    vehicle: Mapped[Vehicle] = relationship()
    agency: Mapped[Agency] = relationship()
