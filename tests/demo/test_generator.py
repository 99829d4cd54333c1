"""Tests of the synthetic registry generator: determinism, formats, keys and references."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from typing import Any

import pytest

from alcabala.demo import generator
from alcabala.demo.catalog_places import CHECKPOINTS
from alcabala.demo.catalog_vehicles import MODELS
from alcabala.demo.common import Data
from alcabala.demo.generator import FIELDS, VIN_CHARS, _check_digit, counts, generate

TODAY = generator.DEFAULT_TODAY
NOW = dt.datetime.combine(TODAY, dt.time())
KINDS = [
    "agencies", "persons", "checkpoints", "vehicles", "stolen-reports", "retirements",
    "warrants", "premises", "brands", "permits", "livestock-thefts",
]  # fmt: skip
DATES = {"birth_date", "validate_by", "registered_at"}
TIMESTAMPS = {
    "reported_at", "stolen_at", "retired_at", "issued_at", "expires_at", "valid_from", "valid_to",
}  # fmt: skip
VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")
PLATE = re.compile(r"[A-Z]{2}[0-9]{3}[A-Z]{2}")
CEDULA = re.compile(r"V[0-9]{7,8}|E[0-9]{8}")
EAR_TAG = re.compile(r"862[0-9]{12}")


@pytest.fixture(scope="module")
def data() -> Data:
    return generate(2000)


def parse_time(value: str) -> dt.datetime:
    return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")


def north_american_model_year(vin: str) -> int:
    """The model year of a North-American VIN: position 7 tells the 30-year cycles apart."""
    return 1980 + generator.YEAR_CODES.index(vin[9]) + (0 if vin[6].isdigit() else 30)


def keys(rows: list[dict[str, str]], field: str) -> set[str]:
    values = [row[field] for row in rows]
    assert len(values) == len(set(values)), f"{field} is not unique"
    return set(values)


def assert_consistent(data: Data) -> None:
    """Shapes, unique keys and references that must hold for any size of registry."""
    assert list(data) == KINDS
    for kind, rows in data.items():
        for row in rows:
            assert list(row) == list(FIELDS[kind]), kind
            assert all(isinstance(value, str) for value in row.values()), kind
    agencies = keys(data["agencies"], "code")
    persons = keys(data["persons"], "national_id")
    vins = keys(data["vehicles"], "vin")
    keys(data["vehicles"], "plate")
    keys(data["vehicles"], "engine_number")
    premises = keys(data["premises"], "code")
    for kind, field in (("stolen-reports", "number"), ("warrants", "number"), ("permits", "number"),
                        ("livestock-thefts", "number"), ("retirements", "vin"),
                        ("retirements", "reference")):  # fmt: skip
        keys(data[kind], field)
    for row in data["checkpoints"]:
        assert row["agency"] in agencies
    for row in data["vehicles"]:
        if row["owner_agency"]:
            assert row["owner_agency"] in agencies
            assert row["owner_national_id"] == row["owner_country"] == ""
        else:
            assert row["owner_national_id"] in persons
            assert row["owner_country"] == "VE"
    for kind in ("stolen-reports", "retirements"):
        for row in data[kind]:
            assert row["vin"] in vins
            assert row["agency"] in agencies
    stolen = {row["vin"] for row in data["stolen-reports"] if row["status"] == "active"}
    assert not stolen & {row["vin"] for row in data["retirements"]}
    for row in data["warrants"]:
        assert row["national_id"] in persons
        assert row["agency"] in agencies
    for row in data["premises"]:
        assert row["owner_national_id"] in persons
    marks: dict[str, set[str]] = {}
    for row in data["brands"]:
        assert row["premises"] in premises
        marks.setdefault(row["premises"], set()).add(row["mark"])
    keys(data["brands"], "mark")
    for row in data["permits"]:
        assert row["issuer"] in agencies
        assert row["origin_premises"] in premises
        assert row["destination_premises"] in premises
        assert row["origin_premises"] != row["destination_premises"]
        for line in json.loads(row["lines"]):
            assert line["brand"] in marks[row["origin_premises"]]
    for row in data["livestock-thefts"]:
        assert row["agency"] in agencies
        assert row["premises"] in premises
        assert row["brand"] in marks[row["premises"]]


@pytest.mark.parametrize("vehicles", [0, 1, 10, 120, 2000])
def test_registries_of_any_size_are_consistent(vehicles: int, data: Data) -> None:
    generated = data if vehicles == 2000 else generate(vehicles, seed=vehicles)
    assert_consistent(generated)
    assert counts(generated)["vehicles"] == vehicles


def test_same_arguments_give_the_same_rows() -> None:
    assert generate(300, seed=3) == generate(300, seed=3)
    assert generate(50) == generate(50, seed=7, today=TODAY)


def test_another_seed_or_day_gives_other_rows() -> None:
    assert generate(300, seed=3) != generate(300, seed=4)
    assert generate(300, seed=3) != generate(300, seed=3, today=dt.date(2025, 1, 15))


def test_counts(data: Data) -> None:
    sizes = counts(data)
    assert list(sizes) == KINDS
    expected = {"vehicles": 2000, "persons": 1650, "stolen-reports": 80, "retirements": 20}
    expected |= {"warrants": 33, "premises": 20, "permits": 40, "livestock-thefts": 6}
    assert {kind: sizes[kind] for kind in expected} == expected
    assert len(CHECKPOINTS) == sizes["checkpoints"] >= 12


def test_check_digit_matches_known_vins() -> None:
    assert _check_digit("1M8GDM9AXKP042788") == "X"
    assert _check_digit("1HGCM82633A004352") == "3"
    assert _check_digit("11111111111111111") == "1"


def test_year_codes_follow_the_30_year_cycle() -> None:
    code = generator._year_code
    assert (code(1980), code(2000), code(2001), code(2009), code(2010)) == ("A", "Y", "1", "9", "A")
    assert (code(1995), code(2026)) == ("S", "T")
    assert not set(generator.YEAR_CODES) & set("IOQUZ0")


def test_vins_carry_their_check_digit_and_model_year(data: Data) -> None:
    for row in data["vehicles"]:
        vin = row["vin"]
        assert VIN.fullmatch(vin), vin
        assert vin[8] == _check_digit(vin), vin
        year = int(row["year"])
        assert 1995 <= year <= 2026
        assert vin[9] == generator.YEAR_CODES[(year - 1980) % 30], vin
        if vin[0] in "12345":
            assert north_american_model_year(vin) == year, vin


def test_vehicle_identifiers_have_their_shapes(data: Data) -> None:
    fleet = 0
    for row in data["vehicles"]:
        assert PLATE.fullmatch(row["plate"]) and row["plate_country"] == "VE"
        assert re.fullmatch(r"[A-Z0-9]{8,14}", row["engine_number"])
        fleet += bool(row["owner_agency"])
    assert 0.05 < fleet / len(data["vehicles"]) < 0.11


def test_persons_have_venezuelan_cedulas(data: Data) -> None:
    foreign = 0
    for row in data["persons"]:
        assert CEDULA.fullmatch(row["national_id"]) and row["country"] == "VE"
        assert len(row["surnames"].split()) >= 2 and row["given_names"]
        assert "1950-01-01" <= row["birth_date"] <= "2006-12-31"
        foreign += row["national_id"].startswith("E")
    assert 0 < foreign / len(data["persons"]) < 0.06


def test_catalogue_covers_every_model_year() -> None:
    for model in MODELS:
        for year in range(model.first_year, model.last_year + 1):
            assert any(first <= year <= last for _, first, last in model.wmis), model
            assert any(first <= year <= last for _, first, last in model.engines), model
        assert all(len(stem) == 3 and set(stem) <= set(VIN_CHARS) for stem in model.vds)


def test_coordinates_are_in_venezuela(data: Data) -> None:
    for row in data["checkpoints"] + data["premises"]:
        assert 0.6 <= float(row["lat"]) <= 12.3, row
        assert -73.4 <= float(row["lon"]) <= -59.8, row
        assert re.fullmatch(r"-?[0-9]+\.[0-9]{4,6}", row["lat"])
        assert re.fullmatch(r"-?[0-9]+\.[0-9]{4,6}", row["lon"])


def test_dates_and_timestamps_parse(data: Data) -> None:
    for kind, rows in data.items():
        for row in rows:
            for field, value in row.items():
                if value and field in DATES:
                    dt.date.fromisoformat(value)
                elif value and field in TIMESTAMPS:
                    moment = parse_time(value)
                    if field not in ("expires_at", "valid_from", "valid_to"):
                        assert moment < NOW, (kind, field, value)


def test_stolen_reports_follow_their_lifecycle(data: Data) -> None:
    rows = data["stolen-reports"]
    statuses = Counter(row["status"] for row in rows)
    assert statuses == {"active": 48, "recovered": 20, "returned": 8, "cancelled": 4}
    years = {row["vin"]: int(row["year"]) for row in data["vehicles"]}
    overdue = 0
    for row in rows:
        reported = parse_time(row["reported_at"])
        assert parse_time(row["stolen_at"]) < reported
        assert NOW - dt.timedelta(days=4 * 366) <= reported
        assert reported.year >= years[row["vin"]] - 1
        assert row["number"].startswith(f"{row['agency']}-{reported.year}-")
        assert bool(row["validate_by"]) == (row["status"] == "active")
        if row["validate_by"]:
            due = dt.date.fromisoformat(row["validate_by"])
            assert (due - reported.date()).days % 90 == 0 and due > reported.date()
            overdue += due < TODAY
    assert overdue >= 1


def test_warrants_past_expiry_are_expired(data: Data) -> None:
    statuses = set()
    for row in data["warrants"]:
        statuses.add(row["status"])
        assert row["urgent"] in ("true", "false")
        assert re.fullmatch(r"[0-9]{1,2}C-[0-9]{5}-[0-9]{2}", row["case_number"])
        assert row["court"].startswith("Tribunal ")
        if row["expires_at"]:
            assert parse_time(row["expires_at"]) > parse_time(row["issued_at"])
        if row["status"] == "active":
            assert not row["expires_at"] or parse_time(row["expires_at"]) > NOW
            assert row["validate_by"]
        if row["status"] == "expired":
            assert parse_time(row["expires_at"]) <= NOW
    assert {"active", "executed", "cancelled"} <= statuses


def test_retirements_prefer_fleet_vehicles(data: Data) -> None:
    fleet = {row["vin"] for row in data["vehicles"] if row["owner_agency"]}
    rows = data["retirements"]
    assert sum(row["vin"] in fleet for row in rows) > len(rows) / 2
    assert {row["kind"] for row in rows} <= {"scrapped", "dismantled", "exported"}


def test_permits_windows_statuses_and_tags(data: Data) -> None:
    plates = {row["plate"] for row in data["vehicles"]}
    statuses: Counter[str] = Counter()
    tags: list[str] = []
    for row in data["permits"]:
        start, end = parse_time(row["valid_from"]), parse_time(row["valid_to"])
        assert dt.timedelta(days=1) <= end - start <= dt.timedelta(days=3)
        assert row["vehicle_plate"] in plates and row["plate_country"] == "VE"
        lines: list[dict[str, Any]] = json.loads(row["lines"])
        assert row["lines"] == json.dumps(lines, separators=(",", ":"), ensure_ascii=False)
        heads = sum(line["head_count"] for line in lines)
        assert all(list(line) == ["species", "category", "head_count", "brand"] for line in lines)
        if row["ear_tags"]:
            assert len(row["ear_tags"].split(" ")) == heads
            tags += row["ear_tags"].split(" ")
        valid_today = start <= NOW and end >= NOW + dt.timedelta(days=1)
        statuses["issued-now" if valid_today and row["status"] == "issued" else row["status"]] += 1
        if row["status"] in ("used", "expired"):
            assert end < NOW
    assert statuses["issued-now"] >= 3 and statuses["cancelled"] == 1
    assert statuses["used"] > 0 and statuses["expired"] > 0
    for row in data["livestock-thefts"]:
        assert row["status"] in ("active", "recovered")
        if row["ear_tags"]:
            assert len(row["ear_tags"].split(" ")) <= int(row["head_count"])
            tags += row["ear_tags"].split(" ")
    assert tags and len(tags) == len(set(tags))
    assert all(EAR_TAG.fullmatch(tag) for tag in tags)


def test_custom_today_moves_every_date() -> None:
    today = dt.date(2020, 3, 1)
    data = generate(300, seed=5, today=today)
    assert_consistent(data)
    assert max(int(row["year"]) for row in data["vehicles"]) <= 2021
    reported = max(row["reported_at"] for row in data["stolen-reports"])
    assert parse_time(reported) < dt.datetime(2020, 3, 1)


def test_identifiers_accept_every_generated_identifier(data: Data) -> None:
    ids: Any = pytest.importorskip("alcabala.identifiers")
    for row in data["vehicles"]:
        assert ids.parse_vin(row["vin"]).valid, row["vin"]
        assert ids.parse_plate(row["plate"], "VE").valid, row["plate"]
    for row in data["persons"]:
        assert ids.parse_national_id(row["national_id"], "VE").valid, row["national_id"]
    for row in data["permits"] + data["livestock-thefts"]:
        for tag in row["ear_tags"].split():
            assert ids.parse_ear_tag(tag).valid, tag
