"""Demo livestock records: llanos premises, their brands, transit permits and cattle thefts.

Part of the pure demo generator (``alcabala.demo.generator``). Ear tags are ISO 11784
numbers of Venezuela (``862`` + 12 digits); each premises hands out its own range, so a
tag is never on two permits or on both a permit and a theft report.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import unicodedata
from typing import Final

from alcabala.demo import catalog, catalog_places
from alcabala.demo.catalog_vehicles import MODELS
from alcabala.demo.common import Row, Sequencer, Weighted, coordinate, moment_between, timestamp

PREMISES_PER_STATE: Final = {"GUA": 5, "APU": 5, "BAR": 3, "COJ": 2, "POR": 2, "ZUL": 3}
# Permit timing: valid now, valid from tomorrow, and past ones by final status.
PERMIT_MIX: Final = (("now", 6), ("future", 2), ("used", 20), ("expired", 11), ("cancelled", 1))
THEFT_STATUSES: Final = ("active", "active", "active", "active", "recovered", "recovered")
_PICKUPS: Final = frozenset(model.model for model in MODELS if model.kind == "pickup")


class _EarTags:
    """Hands out unique ear tags, one consecutive range per premises."""

    def __init__(self, rng: random.Random, codes: list[str]) -> None:
        self._next = {code: rng.randint(1, 20_000) for code in codes}
        self._number = {code: index for index, code in enumerate(codes, start=1)}

    def take(self, premises: str, count: int) -> str:
        first = self._next[premises]
        self._next[premises] = first + count
        prefix = f"{catalog.EAR_TAG_COUNTRY}{self._number[premises]:04d}"
        return " ".join(f"{prefix}{serial:08d}" for serial in range(first, first + count))


def _initial(word: str) -> str:
    return unicodedata.normalize("NFKD", word)[0].upper()


def _unique_mark(rng: random.Random, stem: str, taken: set[str]) -> str:
    mark = stem
    while mark in taken:
        mark = f"{stem}{rng.randint(2, 99)}"
    taken.add(mark)
    return mark


def _premises(rng: random.Random, persons: list[Row]) -> list[Row]:
    names = rng.sample(catalog_places.RANCH_NAMES, sum(PREMISES_PER_STATE.values()))
    owners = rng.sample(persons, min(len(persons), len(names)))
    rows: list[Row] = []
    for state, prefix, seats in catalog_places.RANCH_COUNTRY:
        for number in range(1, PREMISES_PER_STATE[prefix] + 1):
            if len(rows) == len(owners):
                return rows
            municipality, lat, lon = rng.choice(seats)
            owner = owners[len(rows)]
            rows.append(
                {
                    "code": f"{prefix}-{number:04d}",
                    "name": f"{rng.choice(catalog_places.RANCH_KINDS)} {names[len(rows)]}",
                    "owner_national_id": owner["national_id"], "owner_country": owner["country"],
                    "state": state, "municipality": municipality,
                    "lat": coordinate(lat + rng.uniform(-0.08, 0.08)),
                    "lon": coordinate(lon + rng.uniform(-0.08, 0.08)),
                }
            )  # fmt: skip
    return rows


def _brands(rng: random.Random, premises: list[Row], persons: dict[str, Row]) -> list[Row]:
    """One brand (hierro) per premises from its name's initials; half get the owner's too."""
    taken: set[str] = set()
    rows = []
    for place in premises:
        owner = persons[place["owner_national_id"]]
        stems = ["".join(_initial(word) for word in place["name"].split())]
        if rng.random() < 0.5:
            stems.append(f"{_initial(owner['given_names'])}{rng.randint(1, 9)}")
        for stem in stems:
            registered = dt.date(1975, 1, 1) + dt.timedelta(days=rng.randrange(45 * 365))
            rows.append(
                {
                    "mark": _unique_mark(rng, stem, taken),
                    "premises": place["code"],
                    "registered_at": registered.isoformat(),
                }
            )
    return rows


def _lines(rng: random.Random, marks: list[str]) -> list[dict[str, str | int]]:
    species = Weighted([(name, weight) for name, (weight, _) in catalog.SPECIES.items()])
    lines: list[dict[str, str | int]] = []
    seen: set[tuple[str, str]] = set()
    for position in range(rng.choice((1, 1, 1, 2, 2, 3))):
        kind = "bovine" if position == 0 else species.draw(rng)
        category = rng.choice(catalog.SPECIES[kind][1])
        if (kind, category) in seen:
            continue
        seen.add((kind, category))
        most = 30 if kind in ("bovine", "buffalo") else 12
        lines.append(
            {"species": kind, "category": category, "head_count": rng.randint(2, most),
             "brand": rng.choice(marks)}
        )  # fmt: skip
    return lines


def _window(rng: random.Random, timing: str, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """A 1-3 day validity window: covering all of today, from tomorrow, or in the past."""
    if timing == "now":
        start = now - dt.timedelta(days=1) + dt.timedelta(hours=rng.randint(4, 9))
        return start, start + dt.timedelta(days=rng.randint(2, 3))
    if timing == "future":
        start = now + dt.timedelta(days=1, hours=rng.randint(4, 9))
    else:
        start = moment_between(rng, now - dt.timedelta(days=120), now - dt.timedelta(days=3))
    return start, start + dt.timedelta(days=rng.randint(1, 3))


def livestock(
    rng: random.Random, persons: list[Row], vehicles: list[Row], blocked: set[str], now: dt.datetime
) -> dict[str, list[Row]]:
    """Premises, brands, permits and livestock thefts; ``blocked`` VINs never carry cattle."""
    premises = _premises(rng, persons)
    by_id = {person["national_id"]: person for person in persons}
    owners = {place["owner_national_id"]: by_id[place["owner_national_id"]] for place in premises}
    brands = _brands(rng, premises, owners)
    marks: dict[str, list[str]] = {}
    for brand in brands:
        marks.setdefault(brand["premises"], []).append(brand["mark"])
    tags = _EarTags(rng, [place["code"] for place in premises])
    usable = [vehicle for vehicle in vehicles if vehicle["vin"] not in blocked]
    trucks = [vehicle["plate"] for vehicle in usable if vehicle["model"] in _PICKUPS]
    plates = trucks or [vehicle["plate"] for vehicle in usable] or ["AB123CD"]
    permits: list[Row] = []
    if len(premises) >= 2:
        timings = [timing for timing, count in PERMIT_MIX for _ in range(count)]
        rng.shuffle(timings)
        drafts = []
        for timing in timings:
            origin, destination = rng.sample(premises, 2)
            lines = _lines(rng, marks[origin["code"]])
            heads = sum(int(line["head_count"]) for line in lines)
            ear_tags = tags.take(origin["code"], heads) if rng.random() < 0.5 else ""
            start, end = _window(rng, timing, now)
            status = timing if timing in ("used", "expired", "cancelled") else "issued"
            drafts.append(
                (start, end, origin["code"], destination["code"], status, lines, ear_tags)
            )
        drafts.sort(key=lambda draft: draft[0])
        numbers = Sequencer(rng, stride=40)
        for start, end, origin_code, destination_code, status, lines, ear_tags in drafts:
            key = f"INSAI-GM-{start.year}"
            permits.append(
                {
                    "number": f"{key}-{numbers.next(key):06d}", "issuer": "INSAI",
                    "origin_premises": origin_code, "destination_premises": destination_code,
                    "vehicle_plate": rng.choice(plates), "plate_country": "VE",
                    "valid_from": timestamp(start), "valid_to": timestamp(end), "status": status,
                    "lines": json.dumps(lines, separators=(",", ":"), ensure_ascii=False),
                    "ear_tags": ear_tags,
                }
            )  # fmt: skip
    return {
        "premises": premises,
        "brands": brands,
        "permits": permits,
        "livestock-thefts": _thefts(rng, premises, marks, tags, now),
    }


def _thefts(
    rng: random.Random,
    premises: list[Row],
    marks: dict[str, list[str]],
    tags: _EarTags,
    now: dt.datetime,
) -> list[Row]:
    """A handful of recent cattle thefts (abigeato), some with the stolen animals' tags."""
    victims = rng.sample(premises, min(len(premises), len(THEFT_STATUSES)))
    agencies = ("CICPC", "GNB")
    drafts = []
    for place, status in zip(victims, THEFT_STATUSES, strict=False):
        heads = rng.randint(3, 40)
        ear_tags = (
            tags.take(place["code"], rng.randint(1, min(heads, 12))) if rng.random() < 0.5 else ""
        )
        reported = moment_between(rng, now - dt.timedelta(days=90), now)
        species = "buffalo" if rng.random() < 0.15 else "bovine"
        drafts.append(
            (reported, rng.choice(agencies), place["code"], heads, ear_tags, species, status)
        )
    drafts.sort()
    numbers = Sequencer(rng, stride=6)
    rows = []
    for reported, agency, code, heads, ear_tags, species, status in drafts:
        key = f"{agency}-ABG-{reported.year}"
        rows.append(
            {
                "number": f"{key}-{numbers.next(key):05d}", "agency": agency, "premises": code,
                "brand": rng.choice(marks[code]), "ear_tags": ear_tags, "head_count": str(heads),
                "species": species, "reported_at": timestamp(reported), "status": status,
            }
        )  # fmt: skip
    return rows
