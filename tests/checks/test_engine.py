"""The check engine: stolen-vehicle and warrant hits, confirmation deadlines, verdicts, index.

Irregularities are in ``test_engine_irregularities.py``, the property tests in
``test_engine_properties.py``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from alcabala.checks.engine import Engine
from alcabala.checks.index import Hotlist, StolenVehicle, Warrant, each
from alcabala.checks.verdict import (
    CLEAR,
    Confirmation,
    Hit,
    Irregularity,
    Person,
    Stop,
    Verdict,
)
from alcabala.identifiers import compute_check_digit

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MINUTES_10 = timedelta(minutes=10)
HOUR = timedelta(hours=1)


def valid_vin(body: str) -> str:
    """``body`` (17 legal characters) with its correct check digit in position 9."""
    digit = compute_check_digit(body)
    assert digit is not None
    return body[:8] + digit + body[9:]


STOLEN_VIN = valid_vin("1HGCM82603A004352")
OTHER_VIN = valid_vin("1FTFW1ET5DFC10312")


def stolen(report_id: int = 1, **changes: object) -> StolenVehicle:
    record = StolenVehicle(
        report_id=report_id,
        number=f"DEN-{report_id:04d}",
        agency="CICPC",
        vin=STOLEN_VIN,
        plate="AB123CD",
        plate_country="VE",
        engine_number="4G63AB1234",
        make="Toyota",
        model="Corolla",
        colour="white",
        year=2003,
        reported_at=NOW - timedelta(days=3),
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def warrant(warrant_id: int = 1, **changes: object) -> Warrant:
    record = Warrant(
        warrant_id=warrant_id,
        number=f"OC-{warrant_id}",
        agency="CICPC",
        national_id="V12345678",
        country="VE",
        court="Tribunal 3 de Control, Caracas",
        case_number="AP01-2026-000123",
        offence="robo agravado",
        urgent=False,
        expires_at=None,
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def engine_with(*records: StolenVehicle | Warrant) -> Engine:
    engine = Engine()
    for record in records:
        if isinstance(record, StolenVehicle):
            engine.hotlist.put_stolen(record)
        else:
            engine.hotlist.put_warrant(record)
    return engine


# -- stolen vehicles ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stop", "matched_on"),
    [
        (Stop(vin=STOLEN_VIN), "vin"),
        (Stop(plate="AB123CD"), "plate"),
        (Stop(engine_number="4G63AB1234"), "engine_number"),
    ],
)
def test_vin_plate_and_engine_number_are_certain_hits(stop: Stop, matched_on: str) -> None:
    verdict = engine_with(stolen()).check(stop, NOW)
    assert verdict.verdict == "hit"
    (hit,) = verdict.hits
    assert (hit.category, hit.certainty, hit.matched_on) == (
        "stolen_vehicle",
        "certain",
        matched_on,
    )
    assert hit.record["kind"] == "stolen_vehicle_report"
    assert (hit.record["id"], hit.record["number"], hit.record["agency"]) == (
        1,
        "DEN-0001",
        "CICPC",
    )
    assert hit.record["reported_at"] == (NOW - timedelta(days=3)).isoformat()
    assert verdict.irregularities == ()


@pytest.mark.parametrize("read", ["A8123CD", "AB123C0", "A8I23CO", "A8123CQ"])
def test_ocr_look_alike_plate_is_only_a_possible_hit(read: str) -> None:
    verdict = engine_with(stolen()).check(Stop(plate=read), NOW)
    assert verdict.verdict == "irregular"
    (hit,) = verdict.hits
    assert (hit.certainty, hit.matched_on) == ("possible", "plate~ocr")
    assert hit.confirmation == Confirmation(True, "visual", NOW + MINUTES_10)


def test_same_plate_under_another_country_is_a_possible_hit() -> None:
    verdict = engine_with(stolen()).check(Stop(plate="AB123CD", plate_country="CO"), NOW)
    assert verdict.verdict == "irregular"
    assert [h.matched_on for h in verdict.hits] == ["plate~ocr"]


def test_a_plate_that_only_shares_some_characters_does_not_match() -> None:
    assert engine_with(stolen()).check(Stop(plate="AB123CE"), NOW) is CLEAR


@pytest.mark.parametrize(
    ("stop", "matched_on"),
    [
        (Stop(vin=STOLEN_VIN, plate="AB123CD", engine_number="4G63AB1234"), "vin"),
        (Stop(plate="AB123CD", engine_number="4G63AB1234"), "plate"),
        (Stop(plate="A8123CD", engine_number="4G63AB1234"), "engine_number"),
        (Stop(vin=STOLEN_VIN, plate="A8123CD"), "vin"),
    ],
)
def test_one_report_matched_on_several_keys_is_one_hit_on_the_strongest(
    stop: Stop, matched_on: str
) -> None:
    verdict = engine_with(stolen()).check(stop, NOW)
    assert [(h.matched_on, h.certainty) for h in verdict.hits] == [(matched_on, "certain")]
    assert verdict.verdict == "hit"


def test_two_reports_give_two_hits_in_strength_order() -> None:
    engine = engine_with(stolen(1), stolen(2, vin=OTHER_VIN, plate="XY999ZZ", engine_number=None))
    verdict = engine.check(Stop(vin=OTHER_VIN, plate="AB123CD"), NOW)
    assert [(h.record["id"], h.matched_on) for h in verdict.hits] == [(2, "vin"), (1, "plate")]


def test_recovered_report_dropped_from_the_index_gives_clear() -> None:
    engine = engine_with(stolen())
    stop = Stop(vin=STOLEN_VIN, plate="AB123CD", engine_number="4G63AB1234")
    assert engine.check(stop, NOW).verdict == "hit"
    engine.hotlist.drop_stolen(1)
    assert engine.check(stop, NOW) is CLEAR
    assert engine.check(Stop(plate="A8123CD"), NOW) is CLEAR
    assert len(engine.hotlist) == 0


def test_put_replaces_the_previous_version_and_its_keys() -> None:
    engine = engine_with(stolen())
    engine.hotlist.put_stolen(stolen(plate="KL456MN", engine_number="NEWENGINE1"))
    assert engine.check(Stop(plate="AB123CD"), NOW) is CLEAR
    assert engine.check(Stop(plate="A8123CD"), NOW) is CLEAR  # old OCR key gone too
    assert engine.check(Stop(engine_number="4G63AB1234"), NOW) is CLEAR
    assert [h.matched_on for h in engine.check(Stop(plate="KL456MN"), NOW).hits] == ["plate"]
    assert engine.hotlist.counts()["stolen"] == 1


def test_drop_of_an_unknown_id_is_a_no_op() -> None:
    hotlist = engine_with(stolen(), warrant()).hotlist
    before = (hotlist.counts(), dict(hotlist.stolen_vin), dict(hotlist.warrant_person))
    for drop in (
        hotlist.drop_stolen,
        hotlist.drop_vehicle,
        hotlist.drop_retired,
        hotlist.drop_warrant,
        hotlist.drop_theft,
        hotlist.drop_permit,
    ):
        drop(999)
    assert (hotlist.counts(), dict(hotlist.stolen_vin), dict(hotlist.warrant_person)) == before
    assert len(hotlist) == 2


def test_shared_keys_are_promoted_to_a_tuple_and_back() -> None:
    hotlist = Hotlist()
    first, second = stolen(1), stolen(2, plate="XY999ZZ")
    hotlist.put_stolen(first)
    assert hotlist.stolen_vin[STOLEN_VIN] is first
    hotlist.put_stolen(second)
    assert hotlist.stolen_vin[STOLEN_VIN] == (first, second)
    hotlist.drop_stolen(1)
    assert hotlist.stolen_vin[STOLEN_VIN] is second
    assert each(hotlist.stolen_plate["VE"].get("AB123CD")) == ()
    hotlist.drop_stolen(2)
    assert hotlist.stolen_vin == {} and hotlist.stolen_plate == {} and hotlist.stolen_ocr == {}


# -- wanted persons ----------------------------------------------------------------------


def test_person_with_a_warrant_is_a_certain_hit() -> None:
    stop = Stop(people=(Person("V1", "VE"), Person("V12345678", "VE")))
    verdict = engine_with(warrant()).check(stop, NOW)
    assert verdict.verdict == "hit"
    (hit,) = verdict.hits
    assert (hit.category, hit.certainty, hit.matched_on) == (
        "wanted_person",
        "certain",
        "national_id",
    )
    assert hit.record["kind"] == "warrant"
    assert hit.record["national_id"] == "V12345678"
    assert hit.record["court"] == "Tribunal 3 de Control, Caracas"


def test_same_number_in_another_country_does_not_match() -> None:
    stop = Stop(people=(Person("V12345678", "CO"),))
    assert engine_with(warrant()).check(stop, NOW) is CLEAR


def test_every_warrant_of_a_person_is_a_hit_once() -> None:
    engine = engine_with(warrant(1), warrant(2, urgent=True))
    person = Person("V12345678", "VE")
    verdict = engine.check(Stop(people=(person, person)), NOW)
    assert sorted(h.record["id"] for h in verdict.hits) == [1, 2]


@pytest.mark.parametrize(
    ("expires_at", "hit"),
    [(None, True), (NOW + timedelta(seconds=1), True), (NOW, False), (NOW - HOUR, False)],
)
def test_warrant_expiry_is_judged_at_the_time_of_the_stop(
    expires_at: datetime | None, hit: bool
) -> None:
    engine = engine_with(warrant(expires_at=expires_at))
    verdict = engine.check(Stop(people=(Person("V12345678", "VE"),)), NOW)
    assert (verdict.verdict == "hit") is hit
    assert (verdict is CLEAR) is not hit


@pytest.mark.parametrize(
    ("urgent", "urgency", "delay"), [(True, "urgent", MINUTES_10), (False, "routine", HOUR)]
)
def test_warrant_confirmation_deadline(urgent: bool, urgency: str, delay: timedelta) -> None:
    engine = engine_with(warrant(urgent=urgent))
    (hit,) = engine.check(Stop(people=(Person("V12345678", "VE"),)), NOW).hits
    assert hit.confirmation == Confirmation(True, urgency, NOW + delay)  # type: ignore[arg-type]


def test_stolen_vehicle_with_people_aboard_is_urgent_without_is_routine() -> None:
    engine = engine_with(stolen())
    (aboard,) = engine.check(Stop(vin=STOLEN_VIN, people=(Person("V1", "VE"),)), NOW).hits
    (empty,) = engine.check(Stop(vin=STOLEN_VIN), NOW).hits
    assert aboard.confirmation == Confirmation(True, "urgent", NOW + MINUTES_10)
    assert empty.confirmation == Confirmation(True, "routine", NOW + HOUR)


# -- verdicts ----------------------------------------------------------------------------


def _hit(certainty: str) -> Hit:
    return Hit(
        "stolen_vehicle",
        certainty,  # type: ignore[arg-type]
        "vin" if certainty == "certain" else "plate~ocr",
        {"kind": "stolen_vehicle_report", "id": 1},
        Confirmation(True, "routine", NOW + HOUR),
    )


def test_verdict_classification() -> None:
    irregularity = Irregularity("vin_check_digit", "…")
    assert Verdict.of([], []) is CLEAR
    assert Verdict.of([_hit("possible")], []).verdict == "irregular"
    assert Verdict.of([], [irregularity]).verdict == "irregular"
    assert Verdict.of([_hit("possible"), _hit("certain")], [irregularity]).verdict == "hit"


def test_clean_stops_get_the_shared_clear_verdict() -> None:
    engine = engine_with(stolen(), warrant())
    stop = Stop(
        plate="KL456MN",
        vin=OTHER_VIN,
        engine_number="QR20DE9999",
        people=(Person("V7654321", "VE"), Person("E8123456", "VE")),
    )
    assert engine.check(stop, NOW) is CLEAR
    assert engine.check(Stop(), NOW) is CLEAR
    assert CLEAR.to_dict() == {"verdict": "clear", "hits": [], "irregularities": []}


def test_to_dict_is_the_json_shape_of_the_design() -> None:
    engine = engine_with(stolen())
    verdict = engine.check(Stop(vin=STOLEN_VIN, plate="A8123CD", declared_year=1999), NOW)
    data = json.loads(json.dumps(verdict.to_dict()))
    assert set(data) == {"verdict", "hits", "irregularities"}
    (hit,) = data["hits"]
    assert set(hit) == {"category", "certainty", "matched_on", "record", "confirmation"}
    assert hit["confirmation"] == {
        "required": True,
        "urgency": "routine",
        "deadline": (NOW + HOUR).isoformat(),
    }
    assert data["irregularities"] == [
        {"code": "vin_year_mismatch", "detail": verdict.irregularities[0].detail}
    ]
