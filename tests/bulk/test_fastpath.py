"""The bulk fast path decides exactly like pydantic: same rows accepted, same values.

``fast_parse`` may only ever *accept* a row, and only one that ``model_validate`` accepts
with the same values; everything else goes the slow way and gets pydantic's own refusal.
Checked on a table of tricky values and property-based, for vehicles and persons.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alcabala.bulk.codec import RowProblems
from alcabala.bulk.fastpath import fast_parse, fast_schema, slow_parse
from alcabala.demo.generator import generate
from alcabala.persons.schemas import PersonIn
from alcabala.vehicles.bulk import RetirementRow, StolenReportRow, VehicleCodec
from alcabala.vehicles.schemas import VehicleIn

VEHICLE = {
    "vin": "1M8GDM9AXKP042788",
    "plate": "AB123CD",
    "plate_country": "VE",
    "engine_number": "4G63-AB1234",
    "make": "Fiat",
    "model": "Siena",
    "year": "2010",
    "colour": "Blanco",
    "owner_national_id": "V-12.345.678",
    "owner_country": "VE",
}
PERSON = {
    "national_id": "V12345678",
    "country": "VE",
    "given_names": "Elena",
    "surnames": "Flores García",
    "birth_date": "1980-03-24",
}
NEXT_YEARS = [str(dt.date.today().year + n) for n in (1, 2, 3)]
VEHICLE_CHANGES: list[dict[str, Any]] = [
    {},
    {"vin": "1m8gdm9axkp042788"},
    {"vin": "1M8-GDM9AXKP042788"},
    {"vin": " 1M8GDM9AXKP042788"},
    {"vin": "1M8GDM9A1KP042788"},  # check digit
    {"vin": ""},
    {"vin": "1M8GDM9AXKP04278\x00"},
    {"vin": 12345},
    {"vin": None},
    {"plate": "ab-123-cd"},
    {"plate": ""},
    {"plate": "A" * 40},
    {"plate": "AB123CD\x00"},
    {"plate": " AB123CD"},
    {"plate": "ÁB123CD"},
    {"plate": "AB123\ud800"},
    {"plate": "ABC123", "plate_country": "co"},
    {"plate_country": "VEN"},
    {"plate_country": ""},
    {"plate_country": 12},
    {"engine_number": "4g63 ab 1234"},
    {"engine_number": "S/N"},
    {"engine_number": "1234"},
    {"engine_number": "X" * 30},
    {"make": "Citroën"},
    {"make": "x" * 60},
    {"make": "x" * 61},
    {"make": "  Fiat"},
    {"make": "Fiat\t"},
    {"make": "Fi\x00at"},
    {"year": "02010"},
    {"year": "1949"},
    {"year": "1950"},
    {"year": "2101"},
    {"year": " 2010"},
    {"year": "2010.0"},
    {"year": "+2010"},
    {"year": "٢٠١٠"},
    {"year": "2_010"},
    {"year": 2010},
    {"year": 2010.0},
    {"year": True},
    *({"year": y} for y in NEXT_YEARS),
    {"colour": "x" * 41},
    {"owner_national_id": "v12345678"},
    {"owner_national_id": "V12A"},
    {"owner_national_id": "12.345.678", "owner_country": "co"},
    {"owner_national_id": "39053344705", "owner_country": "BR"},
    {"owner_national_id": "39053344706", "owner_country": "BR"},
    {"owner_national_id": "x" * 65},
    {"owner_agency": "GNB"},
    {"owner_agency": "gnb", "owner_national_id": None},
    {"owner_agency": "-X", "owner_national_id": None},
    {"owner_agency": "G N B", "owner_national_id": None},
    {"unknown": "1"},
]
PERSON_CHANGES: list[dict[str, Any]] = [
    {},
    {"birth_date": "1990-13-45"},
    {"birth_date": "1990-02-30"},
    {"birth_date": "1990-1-2"},
    {"birth_date": "19900102"},
    {"birth_date": "0000-01-01"},
    {"birth_date": "1990-01-02T00:00:00"},
    {"birth_date": 19900102},
    {"national_id": "v-12.345.678"},
    {"national_id": ""},
    {"national_id": "12345678", "country": "mx"},
    {"given_names": "x" * 121},
    {"surnames": "Núñez\x00"},
]


def outcome(parse: Any, model: type[pydantic.BaseModel], row: dict[str, Any]) -> Any:
    try:
        return "accepted", parse(model, row)
    except RowProblems as exc:
        return "refused", exc.problems


def _row(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    row = {**base, **change}
    return {k: v for k, v in row.items() if v is not None or change.get(k, 0) is None}


CASES = [(VehicleIn, _row(VEHICLE, c)) for c in VEHICLE_CHANGES] + [
    (PersonIn, _row(PERSON, c)) for c in PERSON_CHANGES
]


@pytest.mark.parametrize(("model", "row"), CASES, ids=[repr(r)[:60] for _, r in CASES])
def test_fast_and_slow_paths_decide_alike(model: type[pydantic.BaseModel], row: dict) -> None:
    _same_decision(model, row)


@pytest.mark.parametrize(("model", "kind"), [(VehicleIn, "vehicles"), (PersonIn, "persons")])
def test_ordinary_rows_take_the_fast_path(model: type[pydantic.BaseModel], kind: str) -> None:
    schema = fast_schema(model)
    assert schema is not None
    rows = generate(vehicles=300, seed=9)[kind]
    for raw in rows:
        row = {k: v for k, v in raw.items() if v != ""}
        values = schema.check(row)
        assert values is not None, row
        assert values == slow_parse(model, row)


def test_schemas_it_cannot_reproduce_always_go_the_slow_way() -> None:
    assert fast_schema(StolenReportRow) is None  # datetimes, enums
    assert fast_schema(RetirementRow) is None


def test_the_vehicle_codec_checks_through_the_fast_path() -> None:
    codec = VehicleCodec()
    checked = codec.check(dict(VEHICLE))
    assert checked[:4] == ("1M8GDM9AXKP042788", "AB123CD", "VE", "A8123C0")  # OCR key
    assert checked[4] == "4G63AB1234"
    assert checked[9:] == ("V12345678", "VE", None)


# --- property-based ------------------------------------------------------------------------

_TEXT = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "Z", "Cc")), max_size=24)


def _mutated(value: str) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.just(value),
        st.just(value.lower()),
        st.just(f" {value}"),
        st.just(f"{value}\x00"),
        st.just(value[:-1]),
        st.just(value + "9"),
        st.just("-".join(value)),
        _TEXT,
        st.integers(-5, 3000),
        st.booleans(),
        st.none(),
    )


def _rows(samples: list[dict[str, str]]) -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        base = draw(st.sampled_from(samples))
        row: dict[str, Any] = {}
        for key, value in base.items():
            choice = draw(st.integers(0, 9))
            if choice == 0:
                continue  # the cell is empty: the key is absent
            row[key] = value if choice < 6 or not value else draw(_mutated(value))
        return row

    return build()


_DATA = generate(vehicles=200, seed=13)
_VEHICLES = [{k: v for k, v in r.items() if v} for r in _DATA["vehicles"]]
_PERSONS = [{k: v for k, v in r.items() if v} for r in _DATA["persons"]]


def _same_decision(model: type[pydantic.BaseModel], row: dict[str, Any]) -> None:
    schema = fast_schema(model)
    assert schema is not None
    slow = outcome(slow_parse, model, row)
    values = schema.check(row)
    if values is not None:
        assert slow == ("accepted", values)
    assert outcome(fast_parse, model, row) == slow


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(row=_rows(_VEHICLES))
def test_vehicle_rows_property(row: dict[str, Any]) -> None:
    _same_decision(VehicleIn, row)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(row=_rows(_PERSONS))
def test_person_rows_property(row: dict[str, Any]) -> None:
    _same_decision(PersonIn, row)
