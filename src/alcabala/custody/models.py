"""Tables of custody: storage locations, seizures and their items, photos and detainees,
every custody event, transfers, discrepancies and vehicle condition inventories.

What a seizure took never changes: the ``seizures`` row holds the inventory as seized
(every item and seal) and is logged once, so the driver's receipt proves exactly that list
for ever. Each item is a row of its own whose seized facts never change either; only its
bookkeeping (``status``, ``holder_id``, ``location_id``, ``transfer_id``, ``version``) moves,
and is ``unlogged``: each move is a :class:`CustodyEvent` row with its own log entry
(``custody.<kind>``), so an item's history is the list of its events, each provable.

Quantities and weights are stored as canonical decimal text ("88", "12.5"), not floats:
a release is compared item by item with the seizure, and 12.5 kg must stay 12.5 kg on
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from alcabala.db.base import Base
from alcabala.db.history import TransitionMixin

UNLOGGED: dict[str, Any] = {"unlogged": True}


class ItemKind(enum.StrEnum):
    DRUGS = "drugs"
    CARGO = "cargo"
    CASH = "cash"
    WEAPON = "weapon"
    VEHICLE = "vehicle"
    LIVESTOCK = "livestock"
    OTHER = "other"


class ItemStatus(enum.StrEnum):
    HELD = "held"  # with its holder (a transfer may be offered, not yet received)
    RELEASED = "released"  # to its owner or to a court
    DISPOSED = "disposed"  # destroyed or disposed of, on a recorded authority
    MISSING = "missing"  # not found when it was to be released or disposed of


class SealState(enum.StrEnum):
    INTACT = "intact"
    BROKEN = "broken"
    REPLACED = "replaced"
    ABSENT = "absent"


class EventKind(enum.StrEnum):
    SEIZED = "seized"
    OFFERED = "offered"  # a transfer offered: the sender still holds the item
    RECEIVED = "received"  # the receiver confirmed, with their own login
    REFUSED = "refused"  # the receiver refused, or the sender withdrew the offer
    STORED = "stored"  # put in (or moved within) a storage location by its holder
    COUNTED = "counted"  # seen in a location audit
    RELEASED = "released"
    DISPOSED = "disposed"
    MISSING = "missing"


class TransferStatus(enum.StrEnum):
    OFFERED = "offered"
    RECEIVED = "received"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class DetentionStatus(enum.StrEnum):
    JUSTIFIED = "justified"  # a confirmed hit on the stop
    AWAITING_APPROVAL = "awaiting_approval"  # a stated reason a supervisor must approve
    APPROVED = "approved"
    REJECTED = "rejected"  # the person must be let go


class StorageLocation(Base):
    """A property room, evidence locker, yard or corral where seized items are kept."""

    __tablename__ = "storage_locations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column()


class Seizure(Base):
    """What was taken at one stop (``check_id``) or on its own, as seized; never updated."""

    __tablename__ = "seizures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The driver's receipt code, e.g. ``I-7K2QX-M9D4B``.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The stop it was seized at (the check's UUID), if any.
    check_id: Mapped[str | None] = mapped_column(String(36), index=True)
    checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoints.id"))
    seized_at: Mapped[dt.datetime] = mapped_column(index=True)
    place: Mapped[str] = mapped_column(String(200), default="")
    case_ref: Mapped[str] = mapped_column(String(60), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    #: Every item as seized (number, kind, description, quantity, unit, weight, seal...).
    inventory: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: Every seal number applied at the seizure.
    seals: Mapped[list[str]] = mapped_column(JSON)
    #: SHA-256 (hex) of each photo, in the order taken.
    photos: Mapped[list[str]] = mapped_column(JSON)
    #: How many persons were detained (their rows are :class:`Detention`).
    detained: Mapped[int] = mapped_column(Integer, default=0)


class SeizedItem(Base):
    """One item of a seizure: its facts as seized (logged once) and where it is now."""

    __tablename__ = "seized_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seizure_id: Mapped[int] = mapped_column(ForeignKey("seizures.id"), index=True)
    #: ``<seizure code>/<n>``, printed on the item's label.
    label: Mapped[str] = mapped_column(String(24), unique=True)
    number: Mapped[int] = mapped_column(Integer)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[str] = mapped_column(String(24))
    unit: Mapped[str] = mapped_column(String(20))
    weight_kg: Mapped[str | None] = mapped_column(String(24))
    currency: Mapped[str | None] = mapped_column(String(3))
    serial: Mapped[str | None] = mapped_column(String(40))
    vin: Mapped[str | None] = mapped_column(String(17), index=True)
    plate: Mapped[str | None] = mapped_column(String(16))
    ear_tags: Mapped[list[str]] = mapped_column(JSON)
    seal: Mapped[str | None] = mapped_column(String(40))
    condition: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), info=UNLOGGED)
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=UNLOGGED)
    location_id: Mapped[int | None] = mapped_column(
        ForeignKey("storage_locations.id"), index=True, info=UNLOGGED
    )
    #: The transfer offered and not yet answered, if any.
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"), info=UNLOGGED)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, info=UNLOGGED)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}


class SeizureFile(Base):
    """A photo of a seizure, a transfer or a vehicle inventory, by its SHA-256."""

    __tablename__ = "seizure_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seizure_id: Mapped[int | None] = mapped_column(ForeignKey("seizures.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Detention(Base):
    """A person detained at a seizure, with the legal basis; ``status`` moves (unlogged,
    each move a logged :class:`DetentionTransition`)."""

    __tablename__ = "detentions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seizure_id: Mapped[int] = mapped_column(ForeignKey("seizures.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    national_id: Mapped[str] = mapped_column(String(32))
    country: Mapped[str] = mapped_column(String(2))
    name: Mapped[str] = mapped_column(String(200), default="")
    #: ``hit`` (a confirmed hit of the stop) or ``reason`` (stated, to be approved).
    basis: Mapped[str] = mapped_column(String(10))
    hit_id: Mapped[int | None] = mapped_column(ForeignKey("hits.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    detained_at: Mapped[dt.datetime] = mapped_column()
    #: By when a supervisor must approve a stated reason.
    approve_by: Mapped[dt.datetime | None] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20), info=UNLOGGED)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, info=UNLOGGED)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}

    @property
    def number(self) -> str:
        return f"{self.id}"


class DetentionTransition(TransitionMixin, Base):
    __tablename__ = "detention_transitions"

    detention_id: Mapped[int] = mapped_column(ForeignKey("detentions.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))


class Transfer(Base):
    """Items offered from one holder to another; only the receiver's confirmation moves
    them. ``status`` is bookkeeping; the offer and its answer are events."""

    __tablename__ = "transfers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    from_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    to_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    to_location_id: Mapped[int | None] = mapped_column(ForeignKey("storage_locations.id"))
    purpose: Mapped[str] = mapped_column(String(300))
    place: Mapped[str] = mapped_column(String(200), default="")
    offered_at: Mapped[dt.datetime] = mapped_column()
    #: The item ids offered.
    items: Mapped[list[int]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), info=UNLOGGED)


class CustodyEvent(Base):
    """One thing that happened to one item, with who, where, when, why and the seal seen.
    Never updated; logged as ``custody.<kind>``."""

    __tablename__ = "custody_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("seized_items.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column()
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: To whom an item left custody (an owner's name, a court), when it did.
    to_party: Mapped[str] = mapped_column(String(200), default="")
    location_id: Mapped[int | None] = mapped_column(ForeignKey("storage_locations.id"))
    place: Mapped[str] = mapped_column(String(200), default="")
    purpose: Mapped[str] = mapped_column(String(300), default="")
    seal_state: Mapped[str | None] = mapped_column(String(10))
    quantity_seen: Mapped[str | None] = mapped_column(String(24))
    weight_seen: Mapped[str | None] = mapped_column(String(24))
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"))
    outcome_id: Mapped[int | None] = mapped_column(ForeignKey("custody_outcomes.id"))
    #: A court order or other authority (release to a court, disposal).
    authority: Mapped[str] = mapped_column(String(200), default="")
    witness: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class Outcome(Base):
    """Items of one seizure leaving custody at once: released to their owner or to a
    court, or disposed of or destroyed on a recorded authority before a witness. Its
    events (one per item) hold what was found; never updated."""

    __tablename__ = "custody_outcomes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seizure_id: Mapped[int] = mapped_column(ForeignKey("seizures.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    #: owner, court, destruction or disposal.
    kind: Mapped[str] = mapped_column(String(20))
    to_party: Mapped[str] = mapped_column(String(200), default="")
    authority: Mapped[str] = mapped_column(String(200), default="")
    witness: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[dt.datetime] = mapped_column()
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Discrepancy(Base):
    """A difference between what the records say and what was seen: a shortfall, a broken
    seal, an item elsewhere, a part missing from a returned vehicle. Oversight sees them
    all, per agency and per storage location; never updated."""

    __tablename__ = "custody_discrepancies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("storage_locations.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("seized_items.id"))
    outcome_id: Mapped[int | None] = mapped_column(ForeignKey("custody_outcomes.id"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("stolen_reports.id"))
    #: release, disposal, transfer, audit or vehicle_return.
    source: Mapped[str] = mapped_column(String(20))
    #: quantity, weight, seal, missing, elsewhere, unrecorded or a vehicle part.
    kind: Mapped[str] = mapped_column(String(20))
    expected: Mapped[str] = mapped_column(String(200), default="")
    found: Mapped[str] = mapped_column(String(200), default="")
    explanation: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class VehicleCondition(Base):
    """A recovered vehicle's condition, at recovery and again at its return."""

    __tablename__ = "vehicle_conditions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("stolen_reports.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    stage: Mapped[str] = mapped_column(String(10))  # recovery | return
    at: Mapped[dt.datetime] = mapped_column()
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    engine_number: Mapped[str] = mapped_column(String(20), default="")
    wheels: Mapped[int] = mapped_column(Integer)
    battery: Mapped[bool] = mapped_column()
    radio: Mapped[bool] = mapped_column()
    cargo: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    photos: Mapped[list[str]] = mapped_column(JSON)
