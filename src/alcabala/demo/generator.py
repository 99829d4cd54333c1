"""A pure, deterministic generator of a synthetic Venezuelan registry for demos and benchmarks.

``generate(vehicles, seed, today)`` returns rows of every record kind, in dependency order,
as plain ``dict[str, str]`` with each value exactly as it would sit in a bulk-import CSV
cell. Nothing here touches a database, a file or the clock: dates are relative to ``today``
and all randomness comes from ``random.Random(seed)``, so the same arguments always give
the same rows. A million vehicles take a few seconds.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Final

from alcabala.demo import catalog, catalog_people, catalog_places
from alcabala.demo.catalog_vehicles import MODELS, VehicleModel, year_weight
from alcabala.demo.common import Data, Row, Weighted, below, coordinate, pick
from alcabala.demo.livestock import livestock
from alcabala.demo.records import retirements, stolen_reports, warrants

DEFAULT_TODAY: Final = dt.date(2026, 11, 27)

FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "agencies": ("code", "name", "kind", "state"),
    "persons": ("national_id", "country", "given_names", "surnames", "birth_date"),
    "checkpoints": ("code", "name", "road", "state", "lat", "lon", "agency"),
    "vehicles": (
        "vin", "plate", "plate_country", "engine_number", "make", "model", "year", "colour",
        "owner_national_id", "owner_country", "owner_agency",
    ),
    "stolen-reports": (
        "number", "agency", "vin", "reported_at", "stolen_at", "place", "status",
        "validate_by", "notes",
    ),
    "retirements": ("vin", "kind", "retired_at", "agency", "reference", "notes"),
    "warrants": (
        "number", "agency", "national_id", "country", "court", "case_number", "offence",
        "issued_at", "expires_at", "status", "validate_by", "urgent",
    ),
    "premises": (
        "code", "name", "owner_national_id", "owner_country", "state", "municipality", "lat",
        "lon",
    ),
    "brands": ("mark", "premises", "registered_at"),
    "permits": (
        "number", "issuer", "origin_premises", "destination_premises", "vehicle_plate",
        "plate_country", "valid_from", "valid_to", "status", "lines", "ear_tags",
    ),
    "livestock-thefts": (
        "number", "agency", "premises", "brand", "ear_tags", "head_count", "species",
        "reported_at", "status",
    ),
}  # fmt: skip

VIN_CHARS: Final = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_VIN_LETTERS: Final = "ABCDEFGHJKLMNPRSTUVWXYZ"
# Model-year codes (VIN position 10) repeat every 30 years: 1980 = A ... 2009 = 9, 2010 = A.
YEAR_CODES: Final = "ABCDEFGHJKLMNPRSTVWXY123456789"
_TRANSLITERATION: Final = {
    **{str(digit): digit for digit in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_WEIGHTS: Final = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_PLATE_LETTERS: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
FLEET_SHARE: Final = 0.08


def _check_digit(vin: str) -> str:
    """The 49 CFR 565 check digit of a 17-character VIN (its own position 9 is ignored)."""
    total = sum(_TRANSLITERATION[char] * weight for char, weight in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def _year_code(year: int) -> str:
    return YEAR_CODES[(year - 1980) % 30]


def _vin(rng: random.Random, wmi: str, stem: str, year: int) -> str:
    if wmi[0] in "12345":  # North America: position 7 tells the 30-year cycle apart
        seventh = pick(rng, "0123456789" if year < 2010 else _VIN_LETTERS)
    else:
        seventh = pick(rng, VIN_CHARS)
    plant = pick(rng, VIN_CHARS)
    serial = below(rng, 1_000_000)
    body = f"{wmi}{stem}{seventh}{pick(rng, VIN_CHARS)}0{_year_code(year)}{plant}{serial:06d}"
    return f"{body[:8]}{_check_digit(body)}{body[9:]}"


def _plate(rng: random.Random) -> str:
    rest, digits = divmod(below(rng, 26**4 * 1000), 1000)
    letters = ""
    for _ in range(4):
        rest, index = divmod(rest, 26)
        letters += _PLATE_LETTERS[index]
    return f"{letters[:2]}{digits:03d}{letters[2:]}"


def _agencies() -> list[Row]:
    keys = FIELDS["agencies"]
    return [dict(zip(keys, agency, strict=True)) for agency in catalog.AGENCIES]


def _checkpoints() -> list[Row]:
    return [
        {
            "code": code, "name": name, "road": road, "state": state,
            "lat": coordinate(lat), "lon": coordinate(lon), "agency": agency,
        }
        for code, name, road, state, lat, lon, agency in catalog_places.CHECKPOINTS
    ]  # fmt: skip


def _given_names(rng: random.Random) -> str:
    female = rng.random() < 0.5
    names = catalog_people.FEMALE_NAMES if female else catalog_people.MALE_NAMES
    roll = rng.random()
    if roll < 0.25:
        return pick(rng, catalog_people.FEMALE_PAIRS if female else catalog_people.MALE_PAIRS)
    if roll < 0.6:
        first, second = rng.sample(names, 2)
        return f"{first} {second}"
    return pick(rng, names)


def _persons(rng: random.Random, count: int, today: dt.date) -> list[Row]:
    """Persons with unique cédulas; the number grows with the birth year, as issued."""
    first = dt.date(1950, 1, 1).toordinal()
    adult = today - dt.timedelta(days=18 * 365 + 5)
    last = min(dt.date(2006, 12, 31), adult).toordinal()
    mode = min(max(dt.date(1985, 1, 1).toordinal(), first), last)
    surnames = Weighted(catalog_people.SURNAMES)
    seen: set[str] = set()
    rows: list[Row] = []
    for _ in range(count):
        born = dt.date.fromordinal(round(rng.triangular(first, last, mode)))
        foreign = rng.random() < 0.03
        while True:
            if foreign:
                national_id = f"E{80_000_000 + below(rng, 5_000_000)}"
            else:
                issued = 3_000_000 + (born.year - 1950) * 500_000
                national_id = f"V{issued - 1_200_000 + below(rng, 2_400_000)}"
            if national_id not in seen:
                break
        seen.add(national_id)
        rows.append(
            {
                "national_id": national_id,
                "country": "VE",
                "given_names": _given_names(rng),
                "surnames": f"{surnames.draw(rng)} {surnames.draw(rng)}",
                "birth_date": born.isoformat(),
            }
        )
    return rows


def _variants(max_year: int) -> list[tuple[VehicleModel, Weighted[int]]]:
    """Each model sold up to ``max_year`` with its model years weighted by the park's age."""
    variants = []
    for model in MODELS:
        years = [
            (y, year_weight(y)) for y in range(model.first_year, min(model.last_year, max_year) + 1)
        ]
        if years:
            variants.append((model, Weighted(years)))
    return variants


def _vehicles(rng: random.Random, count: int, persons: list[Row], today: dt.date) -> list[Row]:
    """Vehicles with unique VINs (valid check digit and year code), plates and engines."""
    variants = _variants(today.year + 1)
    if count and (not variants or not persons):
        raise ValueError("no vehicle model or owner to draw from")
    models = Weighted([(index, model.weight) for index, (model, _) in enumerate(variants)])
    fleet_weight = sum(model.weight for model, _ in variants if model.fleet)
    fleet_odds = FLEET_SHARE * sum(model.weight for model, _ in variants) / max(fleet_weight, 1)
    colours = Weighted(catalog.COLOURS)
    fleets = Weighted(catalog.FLEET_OWNERS)
    spans: dict[tuple[int, int], tuple[list[str], list[str]]] = {}
    vins: set[str] = set()
    plates: set[str] = set()
    engines: set[str] = set()
    rows: list[Row] = []
    for _ in range(count):
        index = models.draw(rng)
        model, years = variants[index]
        year = years.draw(rng)
        if (index, year) not in spans:
            spans[index, year] = (
                [code for code, first, last in model.wmis if first <= year <= last],
                [code for code, first, last in model.engines if first <= year <= last],
            )
        wmis, codes = spans[index, year]
        vin = _vin(rng, pick(rng, wmis), pick(rng, model.vds), year)
        while vin in vins:
            vin = _vin(rng, pick(rng, wmis), pick(rng, model.vds), year)
        vins.add(vin)
        plate = _plate(rng)
        while plate in plates:
            plate = _plate(rng)
        plates.add(plate)
        code = pick(rng, codes)
        digits = 7 if len(code) <= 4 else 6
        engine = f"{code}{below(rng, 10**digits):0{digits}d}"
        while engine in engines:
            engine = f"{code}{below(rng, 10**digits):0{digits}d}"
        engines.add(engine)
        fleet = model.fleet and rng.random() < fleet_odds
        if fleet:
            colour = "Blanco" if rng.random() < 0.7 else colours.draw(rng)
            owner_id, owner_country, owner_agency = "", "", fleets.draw(rng)
        else:
            colour = colours.draw(rng)
            owner_id, owner_country, owner_agency = pick(rng, persons)["national_id"], "VE", ""
        rows.append(
            {
                "vin": vin, "plate": plate, "plate_country": "VE", "engine_number": engine,
                "make": model.make, "model": model.model, "year": str(year), "colour": colour,
                "owner_national_id": owner_id, "owner_country": owner_country,
                "owner_agency": owner_agency,
            }
        )  # fmt: skip
    return rows


def generate(vehicles: int = 2000, seed: int = 7, today: dt.date | None = None) -> Data:
    """A synthetic registry around ``vehicles`` vehicles, as bulk-import rows per kind.

    Kinds come in dependency order (insertion order of the result): agencies, persons,
    checkpoints, vehicles, stolen-reports, retirements, warrants, premises, brands, permits,
    livestock-thefts. The same ``(vehicles, seed, today)`` always gives the same rows.
    """
    if vehicles < 0:
        raise ValueError("vehicles must not be negative")
    today = today or DEFAULT_TODAY
    now = dt.datetime.combine(today, dt.time())
    master = random.Random(seed)
    # One stream per part, so that changing one part does not reshuffle the others.
    streams = [random.Random(master.getrandbits(64)) for _ in range(6)]
    persons = _persons(streams[0], int(vehicles * 0.8) + 50, today)
    vehicle_rows = _vehicles(streams[1], vehicles, persons, today)
    stolen = stolen_reports(streams[2], vehicle_rows, now)
    retired = retirements(streams[3], vehicle_rows, stolen, now)
    blocked = {row["vin"] for row in retired}
    blocked.update(row["vin"] for row in stolen if row["status"] == "active")
    data: Data = {
        "agencies": _agencies(),
        "persons": persons,
        "checkpoints": _checkpoints(),
        "vehicles": vehicle_rows,
        "stolen-reports": stolen,
        "retirements": retired,
        "warrants": warrants(streams[4], persons, now),
    }
    data.update(livestock(streams[5], persons, vehicle_rows, blocked, now))
    return data


def counts(data: Data) -> dict[str, int]:
    """How many rows of each kind ``data`` holds."""
    return {kind: len(rows) for kind, rows in data.items()}
