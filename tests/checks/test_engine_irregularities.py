"""The check engine's irregularities: VIN, registration pairing, retired vehicles, permits,
and livestock theft hits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from alcabala.checks.engine import Engine
from alcabala.checks.index import (
    LivestockTheft,
    Permit,
    PermitLine,
    RegisteredVehicle,
    RetiredVehicle,
)
from alcabala.checks.verdict import CLEAR, LivestockLine, Stop
from alcabala.identifiers import compute_check_digit

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def valid_vin(body: str) -> str:
    digit = compute_check_digit(body)
    assert digit is not None
    return body[:8] + digit + body[9:]


VIN = valid_vin("1HGCM82603A004352")  # North American: check digit mandatory, year 2003
OTHER_VIN = valid_vin("1FTFW1ET5DFC10312")
EU_VIN = "WVWZZZ1JZXW000001"  # position 9 is a filler: not a check digit


def codes(engine: Engine, stop: Stop) -> list[str]:
    return [i.code for i in engine.check(stop, NOW).irregularities]


# -- the VIN itself ------------------------------------------------------------------------


def test_mandatory_check_digit_mismatch_is_flagged() -> None:
    wrong = VIN[:8] + ("0" if VIN[8] != "0" else "1") + VIN[9:]
    verdict = Engine().check(Stop(vin=wrong), NOW)
    assert verdict.verdict == "irregular"
    (irregularity,) = verdict.irregularities
    assert irregularity.code == "vin_check_digit"
    assert "check digit" in irregularity.detail


def test_advisory_check_digit_is_not_flagged() -> None:
    assert Engine().check(Stop(vin=EU_VIN), NOW) is CLEAR


@pytest.mark.parametrize(("year", "flagged"), [(2003, False), (1999, True), (1973, True)])
def test_declared_year_against_the_vin(year: int, flagged: bool) -> None:
    verdict = Engine().check(Stop(vin=VIN, declared_year=year), NOW)
    assert (verdict.codes() == ("vin_year_mismatch",)) is flagged
    if flagged:
        assert "2003" in verdict.irregularities[0].detail


def test_year_outside_north_america_may_be_either_cycle() -> None:
    engine = Engine()  # EU_VIN position 10 'X': 1999 or 2029
    assert engine.check(Stop(vin=EU_VIN, declared_year=1999), NOW) is CLEAR
    assert engine.check(Stop(vin=EU_VIN, declared_year=2029), NOW) is CLEAR
    assert codes(engine, Stop(vin=EU_VIN, declared_year=2000)) == ["vin_year_mismatch"]


def test_vin_without_year_candidates_skips_the_year_rule() -> None:
    no_year = "WVWZZZ1JZUW000001"  # 'U' is never a year code
    assert Engine().check(Stop(vin=no_year, declared_year=2001), NOW) is CLEAR
    assert Engine().check(Stop(vin="NOTAVIN", declared_year=2001), NOW) is CLEAR


def test_vin_cache_is_bounded() -> None:
    engine = Engine(vin_cache_size=4)
    for n in range(10):
        engine.check(Stop(vin=valid_vin(f"1HGCM8263{n}A004352")), NOW)
        assert len(engine._vin_cache) <= 4


# -- registration pairing ----------------------------------------------------------------


def registered_engine(**changes: object) -> Engine:
    vehicle = RegisteredVehicle(1, VIN, "AB123CD", "VE", "K24A1234567", 2003)
    engine = Engine()
    engine.hotlist.put_vehicle(replace(vehicle, **changes))  # type: ignore[arg-type]
    return engine


def test_registered_vehicle_as_registered_is_clear() -> None:
    engine = registered_engine()
    assert engine.check(Stop(plate="AB123CD", vin=VIN, engine_number="K24A1234567"), NOW) is CLEAR
    assert engine.check(Stop(plate="AB123CD", vin=VIN), NOW) is CLEAR
    assert engine.check(Stop(vin=VIN, engine_number="K24A1234567"), NOW) is CLEAR
    assert engine.check(Stop(plate="ZZ999ZZ"), NOW) is CLEAR  # one identifier: nothing to pair


@pytest.mark.parametrize(
    "stop",
    [
        Stop(plate="XY999ZZ", vin=VIN),  # the VIN is registered with another plate
        Stop(plate="AB123CD", vin=OTHER_VIN),  # the plate belongs to another VIN
        Stop(plate="AB123CD", plate_country="CO", vin=VIN),  # same plate, other country
    ],
)
def test_plate_vin_mismatch(stop: Stop) -> None:
    assert codes(registered_engine(), stop) == ["plate_vin_mismatch"]


def test_vehicle_registered_without_plate_is_not_a_plate_mismatch() -> None:
    assert registered_engine(plate="").check(Stop(plate="XY999ZZ", vin=VIN), NOW) is CLEAR


@pytest.mark.parametrize(
    "stop",
    [Stop(vin=VIN, engine_number="OTHERENGINE9"), Stop(vin=OTHER_VIN, engine_number="K24A1234567")],
)
def test_engine_vin_mismatch(stop: Stop) -> None:
    assert codes(registered_engine(), stop) == ["engine_vin_mismatch"]


def test_vehicle_registered_without_engine_number_is_not_an_engine_mismatch() -> None:
    engine = registered_engine(engine_number=None)
    assert engine.check(Stop(vin=VIN, engine_number="OTHERENGINE9"), NOW) is CLEAR


# -- retired vehicles --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "stop"),
    [
        ("scrapped", Stop(vin=VIN)),
        ("dismantled", Stop(engine_number="K24A1234567")),
        ("exported", Stop(vin=VIN, engine_number="K24A1234567")),
    ],
)
def test_retired_vin_or_engine_is_flagged_once(kind: str, stop: Stop) -> None:
    engine = Engine()
    engine.hotlist.put_retired(
        RetiredVehicle(7, VIN, "K24A1234567", kind, NOW - timedelta(days=400))
    )
    verdict = engine.check(stop, NOW)
    (irregularity,) = verdict.irregularities
    assert irregularity.code == "retired_vehicle"
    assert kind in irregularity.detail
    assert (NOW - timedelta(days=400)).strftime("%Y-%m-%d") in irregularity.detail
    engine.hotlist.drop_retired(7)
    assert engine.check(stop, NOW) is CLEAR


# -- livestock ---------------------------------------------------------------------------

TAG_A, TAG_B, TAG_C = "862000012345678", "862000012345679", "862000099999999"
CATTLE = LivestockLine("bovine", 10, "HF", "steer")


def permit(**changes: object) -> Permit:
    record = Permit(
        permit_id=1,
        number="GUIA-0001",
        plate="AB123CD",
        plate_country="VE",
        valid_from=NOW - timedelta(hours=2),
        valid_to=NOW + timedelta(hours=10),
        status="issued",
        lines=(PermitLine("bovine", "steer", 10, "HF"), PermitLine("porcine", "sow", 4, None)),
        ear_tags=(TAG_A, TAG_B),
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def livestock_engine(**changes: object) -> Engine:
    engine = Engine()
    engine.hotlist.put_permit(permit(**changes))
    return engine


def carrying(**changes: object) -> Stop:
    stop = Stop(plate="AB123CD", permit_number="GUIA-0001", lines=(CATTLE,), ear_tags=(TAG_A,))
    return replace(stop, **changes)  # type: ignore[arg-type]


def test_livestock_on_a_valid_permit_is_clear() -> None:
    assert livestock_engine().check(carrying(), NOW) is CLEAR


@pytest.mark.parametrize(
    "stop",
    [
        carrying(permit_number=None),
        carrying(permit_number=None, lines=()),  # ear tags alone are livestock
        carrying(permit_number="GUIA-9999"),
        Stop(permit_number="GUIA-9999"),  # a number that is on no record
    ],
)
def test_permit_missing(stop: Stop) -> None:
    assert codes(livestock_engine(), stop) == ["permit_missing"]


@pytest.mark.parametrize(
    ("changes", "word"),
    [
        ({"status": "expired"}, "expired"),
        ({"valid_to": NOW}, "expired"),
        ({"status": "used"}, "used"),
        ({"status": "cancelled"}, "cancelled"),
        ({"valid_from": NOW + timedelta(minutes=1)}, "not valid until"),
    ],
)
def test_permit_expired(changes: dict[str, object], word: str) -> None:
    verdict = livestock_engine(**changes).check(carrying(), NOW)
    (irregularity,) = verdict.irregularities
    assert irregularity.code == "permit_expired"
    assert word in irregularity.detail


def test_permit_vehicle_mismatch() -> None:
    engine = livestock_engine()
    assert codes(engine, carrying(plate="XY999ZZ")) == ["permit_vehicle_mismatch"]
    assert codes(engine, carrying(plate_country="CO")) == ["permit_vehicle_mismatch"]
    assert engine.check(carrying(plate=None), NOW) is CLEAR


def test_head_count_exceeds_permit_per_species() -> None:
    engine = livestock_engine()
    two_lines = (LivestockLine("bovine", 6, "HF"), LivestockLine("bovine", 5, "HF"))
    assert codes(engine, carrying(lines=two_lines)) == ["head_count_exceeds_permit"]
    goats = (CATTLE, LivestockLine("caprine", 2, None))
    verdict = engine.check(carrying(lines=goats), NOW)
    assert verdict.codes() == ("head_count_exceeds_permit",)
    assert "caprine" in verdict.irregularities[0].detail
    assert "none" in verdict.irregularities[0].detail
    assert engine.check(carrying(lines=(LivestockLine("porcine", 4, None),)), NOW) is CLEAR


def test_brand_not_on_permit() -> None:
    verdict = livestock_engine().check(carrying(lines=(LivestockLine("bovine", 2, "XX"),)), NOW)
    assert verdict.codes() == ("brand_not_on_permit",)
    assert "XX" in verdict.irregularities[0].detail


def test_ear_tag_not_on_permit_only_when_the_permit_lists_tags() -> None:
    assert codes(livestock_engine(), carrying(ear_tags=(TAG_A, TAG_C))) == ["ear_tag_not_on_permit"]
    assert livestock_engine(ear_tags=()).check(carrying(ear_tags=(TAG_C,)), NOW) is CLEAR


def theft_engine() -> Engine:
    engine = livestock_engine()
    theft = LivestockTheft(5, "ABIGEATO-5", "SUNDDE", "HF", (TAG_B,), "bovine", 12)
    engine.hotlist.put_theft(theft)
    return engine


def test_stolen_ear_tag_is_a_certain_hit_and_brand_a_possible_one() -> None:
    engine = theft_engine()
    (tag_hit,) = engine.check(carrying(ear_tags=(TAG_B,)), NOW).hits
    assert (tag_hit.category, tag_hit.certainty, tag_hit.matched_on) == (
        "stolen_livestock",
        "certain",
        "ear_tag",
    )
    assert tag_hit.record["ear_tags_matched"] == [TAG_B]
    verdict = engine.check(carrying(), NOW)  # brand HF only
    assert verdict.verdict == "irregular"
    assert [(h.certainty, h.matched_on) for h in verdict.hits] == [("possible", "brand")]
    both = engine.check(carrying(ear_tags=(TAG_B, TAG_A)), NOW)  # one theft, one hit
    assert [h.matched_on for h in both.hits] == ["ear_tag"]
    assert both.verdict == "hit"
    engine.hotlist.drop_theft(5)
    assert engine.check(carrying(), NOW) is CLEAR
