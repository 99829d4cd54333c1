"""Tables of pre-purchase certificates, their transitions, and physical inspections.

A certificate is what was found about one vehicle at one moment, signed: the row holds
exactly what its signed text says, and never changes but for three bookkeeping columns,
all ``unlogged``: ``status`` and ``version`` (the latest transition, kept on the row for
one-read lookups) and ``text`` (the signed text, made after the log entry it names). The
log entry ``certificate.issued`` commits to the row as issued; a later stolen report or
retirement appends a transition, logged ``certificate.superseded`` with its reason.

An inspection is a registrar's record of a vehicle seen in person: where, when, by whom,
the VIN and engine number read off the vehicle and the SHA-256 of each photo. It is logged
``inspection.created`` under the inspector's agency, and the next certificates of the
vehicle carry its summary.

The buyer's contact (for word if the certificate is superseded) is kept on the row and in
the log's salted commitment only; it is never shown on a public page.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from alcabala.db.base import Base
from alcabala.db.history import TransitionMixin

UNLOGGED: dict[str, Any] = {"unlogged": True}


class CertificateStatus(enum.StrEnum):
    VALID = "valid"  # as issued (it still expires at expires_at)
    SUPERSEDED = "superseded"  # the vehicle's status changed after issue


class Inspection(Base):
    """A vehicle seen in person by a registrar (see the module docstring)."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    place: Mapped[str] = mapped_column(String(200))
    inspected_at: Mapped[dt.datetime] = mapped_column()
    vin_seen: Mapped[str] = mapped_column(String(17))
    engine_seen: Mapped[str] = mapped_column(String(20))
    #: Whether the VIN and engine number seen are those registered.
    matches: Mapped[bool] = mapped_column(Boolean)
    #: SHA-256 (hex) of each photo, in order.
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")


class Certificate(Base):
    """One certificate as issued; ``status``/``version``/``text`` are bookkeeping."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    serial: Mapped[str] = mapped_column(String(16), unique=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"), index=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"))
    vin: Mapped[str] = mapped_column(String(17))
    plate: Mapped[str] = mapped_column(String(16))
    make: Mapped[str] = mapped_column(String(60), default="")
    model: Mapped[str] = mapped_column(String(60), default="")
    year: Mapped[int | None] = mapped_column(Integer)
    colour: Mapped[str] = mapped_column(String(40), default="")
    stolen: Mapped[bool] = mapped_column(Boolean)
    retired: Mapped[bool] = mapped_column(Boolean)
    consistent: Mapped[bool] = mapped_column(Boolean)
    #: An open clone alert (impossible travel, a dead identity, a VIN or plate on another
    #: vehicle) on its VIN or plate at issue; NULL for certificates issued before sightings.
    clone_alert: Mapped[bool | None] = mapped_column(Boolean, info={"added_later": True})
    issued_at: Mapped[dt.datetime] = mapped_column(index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
    #: Where the buyer wants word if it is superseded ("" for none); never shown publicly.
    contact: Mapped[str] = mapped_column(String(254), default="")
    text: Mapped[str] = mapped_column(Text, default="", info=UNLOGGED)
    status: Mapped[str] = mapped_column(
        String(20), default=CertificateStatus.VALID.value, info=UNLOGGED
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, info=UNLOGGED)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        """Every UPDATE checks and bumps ``version`` (as ``Versioned``, but unlogged)."""
        return {"version_id_col": cls.__table__.c.version}

    @property
    def number(self) -> str:
        """How people name it (the lifecycle's messages use it)."""
        return self.serial

    @property
    def sound(self) -> bool:
        """Nothing spoke against buying at issue."""
        return not self.stolen and not self.retired and self.consistent and not self.clone_alert


class CertificateTransition(TransitionMixin, Base):
    """A certificate superseded, with why; logged as ``certificate.superseded``."""

    __tablename__ = "certificate_transitions"

    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
