"""What a stop is checked with (:class:`Stop`), what the engine answers (:class:`Verdict`),
and the livestock rules (theft hits and the transit permit).

What: plain frozen, slotted dataclasses, no pydantic: the API layer normalizes the
officer's input once and builds a :class:`Stop`; the engine returns a :class:`Verdict`
whose ``to_dict()`` is exactly the JSON shape of "A check, end to end" in DESIGN.md
(minus ``check_id`` and ``receipt``, which the recording service adds). Confirmation
deadlines: 10 minutes (``urgent``) or 1 hour (``routine``) for a certain hit, 10 minutes
(``visual``) for a possible one.

The livestock rules live here rather than in the engine because they are never on the
hot path: only a stop that declares animals, ear tags or a permit reaches them.

Why plain dataclasses: the engine answers a stop in microseconds and most stops are
clean, so a clean stop gets the shared :data:`CLEAR` verdict and allocates nothing.

A verdict is ``hit`` if any hit is certain; else ``irregular`` if any hit is possible
(an OCR look-alike plate, a livestock brand) or any irregularity was found; else
``clear``. Each irregularity code appears at most once in a verdict; when a rule finds
several problems of one kind, their sentences are joined in one ``detail``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, TypeAlias

from alcabala.checks.index import Hotlist, LivestockTheft, Permit, each

__all__ = [
    "CLEAR",
    "IRREGULARITY_CODES",
    "ROUTINE",
    "URGENT",
    "VISUAL",
    "Category",
    "Certainty",
    "Confirmation",
    "Hit",
    "Irregularity",
    "LivestockLine",
    "MatchedOn",
    "Person",
    "Stop",
    "Urgency",
    "Verdict",
    "VerdictKind",
    "livestock_findings",
]

VerdictKind: TypeAlias = Literal["clear", "hit", "irregular"]
Category: TypeAlias = Literal["stolen_vehicle", "wanted_person", "stolen_livestock"]
Certainty: TypeAlias = Literal["certain", "possible"]
MatchedOn: TypeAlias = Literal[
    "vin", "plate", "plate~ocr", "engine_number", "national_id", "ear_tag", "brand"
]
Urgency: TypeAlias = Literal["urgent", "routine", "visual"]

URGENT = timedelta(minutes=10)
ROUTINE = timedelta(hours=1)
VISUAL = timedelta(minutes=10)

#: Every irregularity code the engine emits, in the order they appear in a verdict.
#: ``ear_tag_not_on_permit`` is an addition to DESIGN.md's list: a declared ear tag that a
#: permit listing ear tags does not list.
IRREGULARITY_CODES: tuple[str, ...] = (
    "vin_check_digit",
    "vin_year_mismatch",
    "plate_vin_mismatch",
    "engine_vin_mismatch",
    "retired_vehicle",
    "permit_missing",
    "permit_expired",
    "permit_vehicle_mismatch",
    "head_count_exceeds_permit",
    "brand_not_on_permit",
    "ear_tag_not_on_permit",
)


@dataclass(frozen=True, slots=True)
class Person:
    """Someone aboard (the driver included), by national ID and its issuing country."""

    national_id: str
    country: str


@dataclass(frozen=True, slots=True)
class LivestockLine:
    """Animals declared at the stop: a species, a head count, and their brand if any."""

    species: str
    head_count: int
    brand: str | None = None
    category: str = ""


@dataclass(frozen=True, slots=True)
class Stop:
    """The normalized inputs of one stop. ``people`` includes the driver."""

    plate: str | None = None
    plate_country: str = "VE"
    vin: str | None = None
    engine_number: str | None = None
    declared_year: int | None = None
    people: tuple[Person, ...] = ()
    permit_number: str | None = None
    lines: tuple[LivestockLine, ...] = ()
    ear_tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Confirmation:
    """Whether the owning agency must confirm a hit before anyone acts on it, and by when.

    ``urgent`` (10 minutes) and ``routine`` (1 hour) are confirmations by the agency;
    ``visual`` (10 minutes) asks the officer to compare the record with what is in front
    of them, for a possible match.
    """

    required: bool
    urgency: Urgency
    deadline: datetime | None

    @classmethod
    def agency(cls, now: datetime, urgent: bool) -> Confirmation:
        """For a certain hit: the owning agency confirms within 10 minutes or 1 hour."""
        return cls(True, "urgent", now + URGENT) if urgent else cls(True, "routine", now + ROUTINE)

    @classmethod
    def visual(cls, now: datetime) -> Confirmation:
        """For a possible hit: the officer compares the record with what is in front of them."""
        return cls(True, "visual", now + VISUAL)

    def to_dict(self) -> dict[str, Any]:
        deadline = None if self.deadline is None else self.deadline.isoformat()
        return {"required": self.required, "urgency": self.urgency, "deadline": deadline}


@dataclass(frozen=True, slots=True)
class Hit:
    """One match of the stop against one record; ``record`` is a JSON-ready summary."""

    category: Category
    certainty: Certainty
    matched_on: MatchedOn
    record: dict[str, Any]
    confirmation: Confirmation

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "certainty": self.certainty,
            "matched_on": self.matched_on,
            "record": dict(self.record),
            "confirmation": self.confirmation.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Irregularity:
    """Something wrong that is not a match: a stable ``code`` and a sentence for the officer."""

    code: str
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer to one stop."""

    verdict: VerdictKind
    hits: tuple[Hit, ...]
    irregularities: tuple[Irregularity, ...]

    @classmethod
    def of(cls, hits: Sequence[Hit], irregularities: Sequence[Irregularity]) -> Verdict:
        """Classify: ``hit`` if a hit is certain, ``irregular`` if anything else was found,
        else the shared :data:`CLEAR`."""
        if not hits and not irregularities:
            return CLEAR
        kind: VerdictKind = "hit" if any(h.certainty == "certain" for h in hits) else "irregular"
        return cls(kind, tuple(hits), tuple(irregularities))

    def codes(self) -> tuple[str, ...]:
        """The irregularity codes, in order."""
        return tuple(i.code for i in self.irregularities)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "hits": [h.to_dict() for h in self.hits],
            "irregularities": [i.to_dict() for i in self.irregularities],
        }


#: The verdict of every clean stop: one shared object, nothing allocated.
CLEAR = Verdict("clear", (), ())


# -- livestock: thefts and the transit permit ---------------------------------------------


def livestock_findings(
    hotlist: Hotlist, stop: Stop, now: datetime, hits: list[Hit], found: list[Irregularity]
) -> None:
    """Theft hits for the declared ear tags and brands, then the permit's irregularities.

    Choices beyond DESIGN.md: a permit number that is on no record is ``permit_missing``
    even when no animal is declared (a forged guía is irregular in itself); a declared ear
    tag missing from a permit is ``ear_tag_not_on_permit``, but only when the permit lists
    ear tags at all; a certain ear-tag hit is confirmed on the routine (1 hour) deadline.
    """
    tagged: dict[int, tuple[LivestockTheft, list[str]]] = {}
    for tag in dict.fromkeys(stop.ear_tags):
        for theft in each(hotlist.theft_tag.get(tag)):
            tagged.setdefault(theft.theft_id, (theft, []))[1].append(tag)
    branded: dict[int, LivestockTheft] = {}
    for line in stop.lines:
        for theft in each(hotlist.theft_brand.get(line.brand or "")):
            if theft.theft_id not in tagged:
                branded.setdefault(theft.theft_id, theft)
    for theft, tags in tagged.values():
        record = theft.summary()
        record["ear_tags_matched"] = tags
        confirmation = Confirmation.agency(now, urgent=False)
        hits.append(Hit("stolen_livestock", "certain", "ear_tag", record, confirmation))
    for theft in branded.values():
        confirmation = Confirmation.visual(now)
        hits.append(Hit("stolen_livestock", "possible", "brand", theft.summary(), confirmation))
    _permit_findings(hotlist, stop, now, found)


def _when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M %Z").strip()


def _permit_findings(
    hotlist: Hotlist, stop: Stop, now: datetime, found: list[Irregularity]
) -> None:
    number = stop.permit_number
    if not number:
        if stop.lines or stop.ear_tags:
            detail = "Livestock is carried but no transit permit (guía) was presented."
            found.append(Irregularity("permit_missing", detail))
        return
    candidates = each(hotlist.permit_number.get(number))
    if not candidates:
        detail = f"No transit permit (guía) numbered {number} is on record."
        found.append(Irregularity("permit_missing", detail))
        return
    permit = next(
        (p for p in candidates if (p.plate, p.plate_country) == (stop.plate, stop.plate_country)),
        candidates[0],
    )
    validity = _validity(permit, now)
    if validity:
        found.append(Irregularity("permit_expired", " ".join(validity)))
    if (
        stop.plate
        and permit.plate
        and (permit.plate, permit.plate_country)
        != (
            stop.plate,
            stop.plate_country,
        )
    ):
        detail = (
            f"Permit {number} was issued for the vehicle with plate {permit.plate} "
            f"({permit.plate_country}), not {stop.plate} ({stop.plate_country})."
        )
        found.append(Irregularity("permit_vehicle_mismatch", detail))
    allowed: dict[str, int] = {}
    for permitted in permit.lines:
        allowed[permitted.species] = allowed.get(permitted.species, 0) + permitted.head_count
    declared: dict[str, int] = {}
    for line in stop.lines:
        declared[line.species] = declared.get(line.species, 0) + line.head_count
    over = [
        f"{heads} head of {species} are carried; permit {number} allows "
        f"{allowed.get(species) or 'none'}."
        for species, heads in declared.items()
        if heads > allowed.get(species, 0)
    ]
    if over:
        found.append(Irregularity("head_count_exceeds_permit", " ".join(over)))
    brands = {permitted.brand for permitted in permit.lines if permitted.brand}
    strays = [b for b in dict.fromkeys(line.brand for line in stop.lines) if b and b not in brands]
    if strays:
        listed = ", ".join(sorted(brands)) if brands else "no brand"
        detail = f"Brand {', '.join(strays)} is not on permit {number} (it lists {listed})."
        found.append(Irregularity("brand_not_on_permit", detail))
    if permit.ear_tags:  # a permit that lists no ear tags does not restrict them
        listed_tags = set(permit.ear_tags)
        missing = [t for t in dict.fromkeys(stop.ear_tags) if t not in listed_tags]
        if missing:
            detail = f"Ear tag {', '.join(missing)} is not listed on permit {number}."
            found.append(Irregularity("ear_tag_not_on_permit", detail))


def _validity(permit: Permit, now: datetime) -> list[str]:
    """Why ``permit`` does not cover a trip at ``now`` (empty when it does)."""
    number, status = permit.number, permit.status
    reasons = []
    if status == "cancelled":
        reasons.append(f"Permit {number} was cancelled.")
    elif status == "used":
        reasons.append(f"Permit {number} has already been used for a trip.")
    elif status not in ("issued", "expired"):
        reasons.append(f"Permit {number} has status '{status}', not 'issued'.")
    if status == "expired" or permit.valid_to <= now:
        reasons.append(f"Permit {number} expired on {_when(permit.valid_to)}.")
    if permit.valid_from > now:
        reasons.append(f"Permit {number} is not valid until {_when(permit.valid_from)}.")
    return reasons
