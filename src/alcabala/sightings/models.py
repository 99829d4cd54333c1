"""Tables of sightings and what they raise: camera reads, alerts with their evidence and
lifecycle, and the detector's bookkeeping.

Every check is a sighting of its plate and VIN (its own row in ``checks``); cameras add
rows here (``source`` camera or csv), with the read's confidence, the camera, and the
image's SHA-256. Camera sightings with no finding are purged after
``Settings.sighting_retention_days`` (the UK's ANPR rule is 90 days): an alert keeps a copy
of every sighting that fed it (:class:`AlertSighting`), so evidence outlives the purge.
Checks are records of stops and receipts, and are never purged.

An alert (impossible travel, a dead identity, a VIN under two plates, a fleet identity on
the street, a lead from a late report, a hit passed without action) belongs to the agency
that must act on it: ``open`` → ``acknowledged`` → ``closed``, each move with a reason, as
transition rows logged like every record's.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from alcabala.db.base import Base
from alcabala.db.history import TransitionMixin

UNLOGGED: dict[str, Any] = {"unlogged": True}


class Sighting(Base):
    """A plate and/or VIN seen at a place and time by something other than a check (a
    camera, a CSV of reads): a check is its own sighting (``checks``)."""

    __tablename__ = "sightings"
    __table_args__ = (Index("ix_sightings_plate_at", "plate", "at"),)

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
    #: The camera's read confidence, 0 to 1.
    confidence: Mapped[float | None] = mapped_column(Float)
    camera: Mapped[str | None] = mapped_column(String(40))
    image_sha256: Mapped[str | None] = mapped_column(String(64))
    #: What the camera's classifier saw, when it says (compared with the registry).
    make: Mapped[str | None] = mapped_column(String(60))
    colour: Mapped[str | None] = mapped_column(String(40))


class AlertKind(enum.StrEnum):
    IMPOSSIBLE_TRAVEL = "impossible_travel"
    DEAD_IDENTITY = "dead_identity"
    VIN_TWO_PLATES = "vin_two_plates"
    PLATE_TWO_VEHICLES = "plate_two_vehicles"
    FLEET_IDENTITY = "fleet_identity"
    LEAD = "lead"  # a report or warrant filed after the vehicle or person was seen
    PASSED = "passed_without_action"


#: The kinds that say an identity is on more than one vehicle, or back from the dead.
CLONE_KINDS = frozenset(
    {
        AlertKind.IMPOSSIBLE_TRAVEL.value,
        AlertKind.DEAD_IDENTITY.value,
        AlertKind.VIN_TWO_PLATES.value,
        AlertKind.PLATE_TWO_VEHICLES.value,
        AlertKind.FLEET_IDENTITY.value,
    }
)


class AlertStatus(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


class Alert(Base):
    """One finding for an agency to act on, with the facts that raised it."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_agency_id_status", "agency_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    #: The plate, VIN or national ID the alert is about (``subject_kind`` says which).
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(40), index=True)
    #: The checkpoint it concerns most (where the vehicle passed, for the dashboard).
    checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoints.id"), index=True)
    #: The record behind it (``stolen_reports``/``warrants``/``hits``…, id), if any.
    record_kind: Mapped[str | None] = mapped_column(String(40))
    record_id: Mapped[int | None] = mapped_column(Integer)
    #: The facts: speeds, distances, plates, what was reported when; for the page.
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    raised_at: Mapped[dt.datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20), info=UNLOGGED)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, info=UNLOGGED)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}

    @property
    def number(self) -> str:
        return str(self.id)


class AlertTransition(TransitionMixin, Base):
    __tablename__ = "alert_transitions"

    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))


class AlertSighting(Base):
    """A copy of one sighting that fed an alert (a check's or a camera's), kept with it."""

    __tablename__ = "alert_sightings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    #: check or camera, and the row it copies (``checks.id`` or ``sightings.id``).
    source: Mapped[str] = mapped_column(String(10))
    source_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    at: Mapped[dt.datetime] = mapped_column()
    plate: Mapped[str | None] = mapped_column(String(16))
    vin: Mapped[str | None] = mapped_column(String(17))
    checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoints.id"))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    #: Stopped (a check) or only seen (a camera); the check's verdict, if stopped.
    verdict: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")


class DetectorState(Base):
    """How far the detector has read (the last check and camera sighting it judged), and
    which process holds the lease to run it."""

    __tablename__ = "detector_state"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_check: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    last_sighting: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    holder: Mapped[str] = mapped_column(String(80), default="")
    lease_until: Mapped[dt.datetime | None] = mapped_column()
