"""Input rules of premises, brands, permits and theft reports; every refusal names its field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from alcabala.errors import ValidationError
from alcabala.livestock.schemas import (
    BrandIn,
    LivestockTheftIn,
    PermitIn,
    PremisesIn,
)
from alcabala.schemas import validate

FROM = dt.datetime(2030, 1, 1, 6, 0, tzinfo=dt.UTC)
TAG_1 = "862000000000001"
TAG_2 = "862000000000002"


def _permit(**overrides: Any) -> dict[str, Any]:
    return {
        "number": "g-1",
        "issuer": "insai",
        "origin_premises": "hato-1",
        "destination_premises": "hato-2",
        "vehicle_plate": "ab-123 cd",
        "valid_from": FROM.isoformat(),
        "valid_to": (FROM + dt.timedelta(days=2)).isoformat(),
        "lines": [{"species": "bovine", "category": "novillos", "head_count": 2, "brand": "lp"}],
        "ear_tags": ["862 000000000001"],
    } | overrides


def _field_of(model: type[Any], data: dict[str, Any]) -> str | None:
    with pytest.raises(ValidationError) as exc:
        validate(model, data)
    return exc.value.field


def test_a_valid_permit_is_normalized() -> None:
    permit = validate(PermitIn, _permit(valid_to="2030-01-03T06:00:00Z"))
    assert (permit.number, permit.issuer, permit.origin_premises) == ("G-1", "INSAI", "HATO-1")
    assert permit.vehicle_plate == "AB123CD" and permit.plate_country == "VE"
    assert permit.valid_to == FROM + dt.timedelta(days=2)
    assert permit.lines[0].brand == "LP" and permit.lines[0].species == "bovine"
    assert permit.ear_tags == [TAG_1]


def test_a_window_of_exactly_seven_days_is_allowed() -> None:
    validate(PermitIn, _permit(valid_to=(FROM + dt.timedelta(days=7)).isoformat()))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"destination_premises": "HATO-1"}, "destination_premises"),
        ({"valid_to": FROM.isoformat()}, "valid_to"),
        ({"valid_to": (FROM - dt.timedelta(hours=1)).isoformat()}, "valid_to"),
        ({"valid_to": (FROM + dt.timedelta(days=7, seconds=1)).isoformat()}, "valid_to"),
        ({"lines": []}, "lines"),
        ({"lines": [{"species": "feline", "head_count": 1}]}, "lines.0.species"),
        ({"lines": [{"species": "bovine", "head_count": 0}]}, "lines.0.head_count"),
        ({"lines": [{"species": "bovine", "head_count": 10_001}]}, "lines.0.head_count"),
        ({"lines": [{"species": "ovine", "head_count": 1, "brand": "L P"}]}, "lines.0.brand"),
        ({"ear_tags": [TAG_1, "862-000000000001"]}, "ear_tags"),
        ({"ear_tags": ["12345"]}, "ear_tags.0"),
        ({"ear_tags": [TAG_1, TAG_2, "862000000000003"]}, "ear_tags"),  # 3 tags, 2 head
        ({"vehicle_plate": "!!"}, "vehicle_plate"),
        ({"plate_country": "VEN"}, "plate_country"),
        ({"number": "g 1"}, "number"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_permit_rules(overrides: dict[str, Any], field: str) -> None:
    assert _field_of(PermitIn, _permit(**overrides)) == field


def test_premises_rules() -> None:
    premises = validate(
        PremisesIn, {"code": "hato-1", "name": " Hato ", "owner_national_id": "v-12.345.678"}
    )
    assert (premises.code, premises.name, premises.owner_national_id) == (
        "HATO-1",
        "Hato",
        "V12345678",
    )
    blank = validate(PremisesIn, {"code": "H", "name": "H", "owner_national_id": ""})
    assert blank.owner_national_id is None
    base = {"code": "H", "name": "H"}
    assert _field_of(PremisesIn, base | {"lat": 91, "lon": 0}) == "lat"
    assert _field_of(PremisesIn, base | {"lat": 0, "lon": -181}) == "lon"
    assert _field_of(PremisesIn, base | {"lat": 7.5}) == "lon"
    assert _field_of(PremisesIn, base | {"owner_national_id": "x"}) == "owner_national_id"
    assert _field_of(PremisesIn, {"code": "H", "name": ""}) == "name"


def test_brand_rules() -> None:
    brand = validate(BrandIn, {"mark": " lp-2 ", "premises": "hato-1"})
    assert (brand.mark, brand.premises, brand.registered_at) == ("LP-2", "HATO-1", None)
    assert _field_of(BrandIn, {"mark": "", "premises": "H"}) == "mark"
    assert _field_of(BrandIn, {"mark": "X" * 41, "premises": "H"}) == "mark"
    assert _field_of(BrandIn, {"mark": "LP", "premises": "H", "registered_at": "x"}) == (
        "registered_at"
    )


def test_theft_rules() -> None:
    base = {"number": "r-1", "agency": "insai", "species": "equine", "head_count": 2}
    theft = validate(LivestockTheftIn, base | {"brand": "lp", "ear_tags": [TAG_1]})
    assert (theft.brand, theft.ear_tags, theft.reported_at) == ("LP", [TAG_1], None)
    assert _field_of(LivestockTheftIn, base | {"head_count": 0}) == "head_count"
    assert _field_of(LivestockTheftIn, base | {"species": "cat"}) == "species"
    assert _field_of(LivestockTheftIn, base | {"ear_tags": [TAG_1, TAG_1]}) == "ear_tags"
    three = [TAG_1, TAG_2, "862000000000003"]
    assert _field_of(LivestockTheftIn, base | {"ear_tags": three}) == "ear_tags"
