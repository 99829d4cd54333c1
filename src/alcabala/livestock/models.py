"""Tables of premises, brands, transit permits and livestock theft reports."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alcabala.accounts.models import Agency
from alcabala.db.base import Base, Versioned, utcnow
from alcabala.db.history import TransitionMixin
from alcabala.persons.models import Person


class PermitStatus(enum.StrEnum):
    ISSUED = "issued"
    USED = "used"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class TheftStatus(enum.StrEnum):
    ACTIVE = "active"
    RECOVERED = "recovered"
    CANCELLED = "cancelled"


class Premises(Base):
    """A ranch, farm or holding (hato, fundo) identified by its registry code."""

    __tablename__ = "premises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    state: Mapped[str] = mapped_column(String(80), default="")
    municipality: Mapped[str] = mapped_column(String(80), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    owner: Mapped[Person | None] = relationship()


class Brand(Base):
    """A registered brand (hierro) and the premises it belongs to."""

    __tablename__ = "brands"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mark: Mapped[str] = mapped_column(String(40), unique=True)
    premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id"), index=True)
    registered_at: Mapped[dt.date | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    premises: Mapped[Premises] = relationship()


class Permit(Versioned, Base):
    """A transit permit (guía): ``issued`` → ``used`` | ``cancelled`` | ``expired``."""

    __tablename__ = "permits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    issuer_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    origin_premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id"))
    destination_premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id"))
    vehicle_plate: Mapped[str] = mapped_column(String(16), index=True)
    plate_country: Mapped[str] = mapped_column(String(2))
    valid_from: Mapped[dt.datetime] = mapped_column()
    valid_to: Mapped[dt.datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20), default=PermitStatus.ISSUED.value, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    issuer: Mapped[Agency] = relationship()
    origin: Mapped[Premises] = relationship(foreign_keys=[origin_premises_id])
    destination: Mapped[Premises] = relationship(foreign_keys=[destination_premises_id])
    lines: Mapped[list[PermitLine]] = relationship(
        order_by="PermitLine.position", cascade="all", lazy="selectin"
    )
    ear_tags: Mapped[list[PermitEarTag]] = relationship(
        order_by="PermitEarTag.position", cascade="all", lazy="selectin"
    )

    def effective_status(self, now: dt.datetime) -> str:
        """The status as of ``now``: an issued permit past ``valid_to`` is expired."""
        if self.status == PermitStatus.ISSUED and self.valid_to <= now:
            return PermitStatus.EXPIRED.value
        return self.status


class PermitLine(Base):
    """One line of a permit: so many head of a species and category, carrying a brand."""

    __tablename__ = "permit_lines"
    __table_args__ = (UniqueConstraint("permit_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    permit_id: Mapped[int] = mapped_column(ForeignKey("permits.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    species: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(40), default="")
    head_count: Mapped[int] = mapped_column(Integer)
    brand: Mapped[str] = mapped_column(String(40), default="")


class PermitEarTag(Base):
    __tablename__ = "permit_ear_tags"
    __table_args__ = (UniqueConstraint("permit_id", "tag"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    permit_id: Mapped[int] = mapped_column(ForeignKey("permits.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    tag: Mapped[str] = mapped_column(String(15), index=True)


class PermitTransition(TransitionMixin, Base):
    __tablename__ = "permit_transitions"

    permit_id: Mapped[int] = mapped_column(ForeignKey("permits.id"), index=True)


class LivestockTheft(Versioned, Base):
    """Stolen cattle, by brand and/or ear tags: ``active`` → ``recovered`` | ``cancelled``."""

    __tablename__ = "livestock_thefts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    premises_id: Mapped[int | None] = mapped_column(ForeignKey("premises.id"))
    brand: Mapped[str] = mapped_column(String(40), default="", index=True)
    ear_tags: Mapped[str] = mapped_column(Text, default="")  # space-separated ISO 11784 tags
    head_count: Mapped[int] = mapped_column(Integer)
    species: Mapped[str] = mapped_column(String(20))
    reported_at: Mapped[dt.datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default=TheftStatus.ACTIVE.value, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship()
    premises: Mapped[Premises | None] = relationship()


class LivestockTheftTransition(TransitionMixin, Base):
    __tablename__ = "livestock_theft_transitions"

    theft_id: Mapped[int] = mapped_column(ForeignKey("livestock_thefts.id"), index=True)
