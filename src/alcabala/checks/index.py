"""The hotlist index: every record a stop is checked against, in memory, keyed for O(1) lookup.

What: the frozen, slotted record types the loader builds from the database (identifiers
already normalized; only *active* stolen reports, warrants and thefts are ever put here),
and :class:`Hotlist`, which keeps one primary dict per kind (id -> record) plus one
secondary dict per identifier a checkpoint can read. ``put_*`` adds a record or replaces
the previous version with the same id, first removing the old version's keys from every
secondary dict; ``drop_*`` removes a record and is a no-op for an unknown id.

Why this shape: the loader follows the store's change sequence, so updates arrive one
record at a time and must never rebuild anything. The index may hold ten million records,
so a secondary entry is the record itself and is promoted to a tuple only when two records
share a key (plate look-alikes, a VIN on two reports): no list or set per entry. Plates
and national IDs are keyed by country, then by value (two dict levels), instead of by a
``(country, value)`` tuple: that saves a 56-byte tuple per record and a tuple allocation
per lookup on the hot path. The secondary dicts are public so the engine can read them
directly; only ``put_*``/``drop_*`` may change them. The OCR key of a plate ignores the
country on purpose, so a plate entered under the wrong country still surfaces as a
*possible* match.

The dicts are never rebound, only mutated; checks only look keys up and never iterate
them, so a check running while the loader applies a change sees each key either before or
after it, and never fails. After the initial load, call ``gc.freeze()``: the records live
as long as the process and need not be scanned by the collector.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias, TypeVar

from alcabala.identifiers import ocr_key

__all__ = [
    "OCR_TABLE",
    "Entry",
    "Hotlist",
    "LivestockTheft",
    "Permit",
    "PermitLine",
    "RegisteredVehicle",
    "RetiredVehicle",
    "StolenVehicle",
    "Warrant",
    "each",
]

R = TypeVar("R")
#: A secondary-index value: one record, or a tuple of them when several share the key.
Entry: TypeAlias = R | tuple[R, ...]
_Nested: TypeAlias = dict[str, dict[str, Entry[R]]]

# ``ocr_key`` as a bare translate table, for identifiers that are already normalized
# (``plate.translate(OCR_TABLE) == ocr_key(plate)`` for any normalized plate).
OCR_TABLE = str.maketrans(
    {c: ocr_key(c) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" if ocr_key(c) != c}
)


def _summary(kind: str, record: Any) -> dict[str, Any]:
    """A hit's ``record``: its kind, its id and its fields (ear-tag lists left out), JSON-ready."""
    first, *rest = record.__slots__
    out: dict[str, Any] = {"kind": kind, "id": getattr(record, first)}
    for name in rest:
        value = getattr(record, name)
        if name != "ear_tags":
            out[name] = value.isoformat() if isinstance(value, datetime) else value
    return out


@dataclass(frozen=True, slots=True)
class StolenVehicle:
    """An active stolen-vehicle report."""

    report_id: int
    number: str
    agency: str
    vin: str
    plate: str
    plate_country: str
    engine_number: str | None
    make: str
    model: str
    colour: str
    year: int | None
    reported_at: datetime

    def summary(self) -> dict[str, Any]:
        return _summary("stolen_vehicle_report", self)


@dataclass(frozen=True, slots=True)
class RegisteredVehicle:
    """The VIN <-> plate <-> engine-number pairing of one registered vehicle."""

    vehicle_id: int
    vin: str
    plate: str
    plate_country: str
    engine_number: str | None
    year: int | None


@dataclass(frozen=True, slots=True)
class RetiredVehicle:
    """A scrapped, dismantled or exported vehicle: its VIN and engine number are dead."""

    vehicle_id: int
    vin: str
    engine_number: str | None
    kind: str
    retired_at: datetime


@dataclass(frozen=True, slots=True)
class Warrant:
    """An active warrant against one person, identified by (country, national ID)."""

    warrant_id: int
    number: str
    agency: str
    national_id: str
    country: str
    court: str
    case_number: str
    offence: str
    urgent: bool
    expires_at: datetime | None

    def summary(self) -> dict[str, Any]:
        return _summary("warrant", self)


@dataclass(frozen=True, slots=True)
class LivestockTheft:
    """An active livestock theft report: a brand and/or ear tags."""

    theft_id: int
    number: str
    agency: str
    brand: str | None
    ear_tags: tuple[str, ...]
    species: str
    head_count: int

    def summary(self) -> dict[str, Any]:
        return _summary("livestock_theft_report", self)


@dataclass(frozen=True, slots=True)
class PermitLine:
    species: str
    category: str
    head_count: int
    brand: str | None


@dataclass(frozen=True, slots=True)
class Permit:
    """A livestock transit permit (guía); ``status`` is issued, used, cancelled or expired."""

    permit_id: int
    number: str
    plate: str
    plate_country: str
    valid_from: datetime
    valid_to: datetime
    status: str
    lines: tuple[PermitLine, ...]
    ear_tags: tuple[str, ...]


def each(entry: Entry[R] | None) -> tuple[R, ...]:
    """The records of a secondary-index value (none, one or several) as a tuple."""
    if entry is None:
        return ()
    if isinstance(entry, tuple):
        return entry
    return (entry,)


def _add(index: dict[str, Entry[R]], key: str | None, record: R) -> None:
    if not key:
        return
    current = index.get(key)
    if current is None:
        index[key] = record
    elif isinstance(current, tuple):
        index[key] = (*current, record)
    else:
        index[key] = (current, record)


def _discard(index: dict[str, Entry[R]], key: str | None, record: R) -> None:
    if not key:
        return
    current = index.get(key)
    if current is record:
        del index[key]
    elif isinstance(current, tuple):  # a tuple always holds two records or more
        rest = tuple(r for r in current if r is not record)
        index[key] = rest[0] if len(rest) == 1 else rest


def _add2(index: _Nested[R], outer: str, key: str | None, record: R) -> None:
    if key:
        inner = index.get(outer)
        if inner is None:
            inner = index[outer] = {}
        _add(inner, key, record)


def _discard2(index: _Nested[R], outer: str, key: str | None, record: R) -> None:
    inner = index.get(outer)
    if inner is not None:
        _discard(inner, key, record)
        if not inner:
            del index[outer]


class Hotlist:
    """Everything on the hotlist, indexed by every identifier a stop can carry."""

    def __init__(self) -> None:
        self.stolen: dict[int, StolenVehicle] = {}
        self.stolen_vin: dict[str, Entry[StolenVehicle]] = {}
        self.stolen_plate: _Nested[StolenVehicle] = {}  # country -> plate
        self.stolen_ocr: dict[str, Entry[StolenVehicle]] = {}  # OCR key, any country
        self.stolen_engine: dict[str, Entry[StolenVehicle]] = {}
        self.vehicles: dict[int, RegisteredVehicle] = {}
        self.vehicle_vin: dict[str, Entry[RegisteredVehicle]] = {}
        self.vehicle_plate: _Nested[RegisteredVehicle] = {}  # country -> plate
        self.vehicle_engine: dict[str, Entry[RegisteredVehicle]] = {}
        self.retired: dict[int, RetiredVehicle] = {}
        self.retired_vin: dict[str, Entry[RetiredVehicle]] = {}
        self.retired_engine: dict[str, Entry[RetiredVehicle]] = {}
        self.warrants: dict[int, Warrant] = {}
        self.warrant_person: _Nested[Warrant] = {}  # country -> national ID
        self.thefts: dict[int, LivestockTheft] = {}
        self.theft_brand: dict[str, Entry[LivestockTheft]] = {}
        self.theft_tag: dict[str, Entry[LivestockTheft]] = {}
        self.permits: dict[int, Permit] = {}
        self.permit_number: dict[str, Entry[Permit]] = {}

    def put_stolen(self, x: StolenVehicle) -> None:
        self.drop_stolen(x.report_id)
        self.stolen[x.report_id] = x
        _add(self.stolen_vin, x.vin, x)
        _add2(self.stolen_plate, x.plate_country, x.plate, x)
        _add(self.stolen_ocr, _ocr(x.plate), x)
        _add(self.stolen_engine, x.engine_number, x)

    def drop_stolen(self, report_id: int) -> None:
        x = self.stolen.pop(report_id, None)
        if x is not None:
            _discard(self.stolen_vin, x.vin, x)
            _discard2(self.stolen_plate, x.plate_country, x.plate, x)
            _discard(self.stolen_ocr, _ocr(x.plate), x)
            _discard(self.stolen_engine, x.engine_number, x)

    def put_vehicle(self, x: RegisteredVehicle) -> None:
        self.drop_vehicle(x.vehicle_id)
        self.vehicles[x.vehicle_id] = x
        _add(self.vehicle_vin, x.vin, x)
        _add2(self.vehicle_plate, x.plate_country, x.plate, x)
        _add(self.vehicle_engine, x.engine_number, x)

    def drop_vehicle(self, vehicle_id: int) -> None:
        x = self.vehicles.pop(vehicle_id, None)
        if x is not None:
            _discard(self.vehicle_vin, x.vin, x)
            _discard2(self.vehicle_plate, x.plate_country, x.plate, x)
            _discard(self.vehicle_engine, x.engine_number, x)

    def put_retired(self, x: RetiredVehicle) -> None:
        self.drop_retired(x.vehicle_id)
        self.retired[x.vehicle_id] = x
        _add(self.retired_vin, x.vin, x)
        _add(self.retired_engine, x.engine_number, x)

    def drop_retired(self, vehicle_id: int) -> None:
        x = self.retired.pop(vehicle_id, None)
        if x is not None:
            _discard(self.retired_vin, x.vin, x)
            _discard(self.retired_engine, x.engine_number, x)

    def put_warrant(self, x: Warrant) -> None:
        self.drop_warrant(x.warrant_id)
        self.warrants[x.warrant_id] = x
        _add2(self.warrant_person, x.country, x.national_id, x)

    def drop_warrant(self, warrant_id: int) -> None:
        x = self.warrants.pop(warrant_id, None)
        if x is not None:
            _discard2(self.warrant_person, x.country, x.national_id, x)

    def put_theft(self, x: LivestockTheft) -> None:
        self.drop_theft(x.theft_id)
        self.thefts[x.theft_id] = x
        _add(self.theft_brand, x.brand, x)
        for tag in dict.fromkeys(x.ear_tags):
            _add(self.theft_tag, tag, x)

    def drop_theft(self, theft_id: int) -> None:
        x = self.thefts.pop(theft_id, None)
        if x is not None:
            _discard(self.theft_brand, x.brand, x)
            for tag in dict.fromkeys(x.ear_tags):
                _discard(self.theft_tag, tag, x)

    def put_permit(self, x: Permit) -> None:
        self.drop_permit(x.permit_id)
        self.permits[x.permit_id] = x
        _add(self.permit_number, x.number, x)

    def drop_permit(self, permit_id: int) -> None:
        x = self.permits.pop(permit_id, None)
        if x is not None:
            _discard(self.permit_number, x.number, x)

    def counts(self) -> dict[str, int]:
        """The number of records of each kind."""
        return {
            "stolen": len(self.stolen),
            "vehicles": len(self.vehicles),
            "retired": len(self.retired),
            "warrants": len(self.warrants),
            "thefts": len(self.thefts),
            "permits": len(self.permits),
        }

    def __len__(self) -> int:
        return sum(self.counts().values())


def _ocr(plate: str) -> str:
    key = plate.translate(OCR_TABLE)
    return plate if key == plate else key  # share the plate's string when nothing folds
