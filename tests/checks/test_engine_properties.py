"""Property tests of the check engine: its fast VIN arithmetic agrees with parse_vin, the
screen agrees with the full evaluation, and identifiers not on record give a clear verdict."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from alcabala.checks.engine import BAD_CHECK_DIGIT, READABLE, Engine, model_years, vin_flags
from alcabala.checks.index import (
    OCR_TABLE,
    RegisteredVehicle,
    RetiredVehicle,
    StolenVehicle,
    Warrant,
)
from alcabala.checks.verdict import CLEAR, IRREGULARITY_CODES, Person, Stop
from alcabala.identifiers import compute_check_digit, ocr_key, parse_vin

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LEGAL = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
legal_vins = st.text(LEGAL, min_size=17, max_size=17)
any_vins = st.one_of(legal_vins, st.text(LEGAL + "IOQio \0é-", max_size=20), st.text())


def fixed(vin: str) -> str:
    digit = compute_check_digit(vin)
    return vin[:8] + digit + vin[9:] if digit else vin


@given(any_vins)
def test_vin_flags_agree_with_parse_vin(vin: str) -> None:
    for candidate in (vin, fixed(vin)):
        result = parse_vin(candidate)
        flags = vin_flags(candidate)
        readable = len(candidate) == 17 and set(candidate) <= set(LEGAL)
        assert bool(flags & READABLE) is readable
        assert bool(flags & BAD_CHECK_DIGIT) is (
            "vin_check_digit" in [p.code for p in result.errors]
        )
        if readable:
            assert list(model_years(candidate)) == result.details["model_years"]


@given(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", max_size=10))
def test_ocr_table_is_ocr_key_for_normalized_plates(plate: str) -> None:
    assert plate.translate(OCR_TABLE) == ocr_key(plate)


# An index whose identifiers all start with a character the random stops never start with
# (even after OCR folding), so the stops below are, by construction, not on record.
def _indexed() -> Engine:
    engine = Engine()
    h = engine.hotlist
    for n in range(60):
        vin = fixed(f"1M{n:015d}")
        plate = f"MB{n:03d}LL"
        h.put_stolen(
            StolenVehicle(
                n,
                f"D{n}",
                "CICPC",
                vin,
                plate,
                "VE",
                f"MENG{n:06d}",
                "Ford",
                "Fiesta",
                "red",
                2010,
                NOW - timedelta(days=n),
            )
        )
        h.put_vehicle(
            RegisteredVehicle(n, fixed(f"3M{n:015d}"), f"MR{n:03d}LL", "VE", f"MREG{n:06d}", 2012)
        )
        h.put_retired(RetiredVehicle(n, fixed(f"4M{n:015d}"), f"MRET{n:05d}", "scrapped", NOW))
        h.put_warrant(
            Warrant(
                n,
                f"W{n}",
                "CICPC",
                f"M{n:08d}",
                "VE",
                "court",
                "case",
                "theft",
                n % 2 == 0,
                None if n % 3 else NOW - timedelta(days=1),
            )
        )
    return engine


INDEXED = _indexed()
NOT_M = "ACEFHJKLNPRTUVWXY"  # no M and nothing that folds under OCR
free_plates = st.builds(lambda a, b: a + b, st.sampled_from(NOT_M), st.text(LEGAL, max_size=7))
free_vins = st.builds(
    lambda a, b: a + b, st.sampled_from("ACEFHJK9572L"), st.text(LEGAL, min_size=16, max_size=16)
)
free_engines = st.builds(
    lambda a, b: a + b, st.sampled_from(NOT_M), st.text(LEGAL, min_size=3, max_size=12)
)
free_people = st.lists(
    st.builds(
        Person,
        st.builds(lambda a, b: a + b, st.sampled_from(NOT_M), st.text(LEGAL, max_size=9)),
        st.sampled_from(["VE", "CO"]),
    ),
    max_size=3,
).map(tuple)


@settings(max_examples=300)
@given(
    st.builds(
        Stop,
        plate=st.none() | free_plates,
        plate_country=st.sampled_from(["VE", "CO", "BR"]),
        vin=st.none() | free_vins | free_vins.map(fixed),
        engine_number=st.none() | free_engines,
        declared_year=st.none() | st.integers(1975, 2040),
        people=free_people,
    )
)
def test_stops_not_on_record_are_clear_apart_from_their_own_vin(stop: Stop) -> None:
    expected = []
    if stop.vin:
        result = parse_vin(stop.vin)
        if "vin_check_digit" in [p.code for p in result.errors]:
            expected.append("vin_check_digit")
        years = result.details["model_years"]
        if stop.declared_year is not None and years and stop.declared_year not in years:
            expected.append("vin_year_mismatch")
    verdict = INDEXED.check(stop, NOW)
    assert verdict.hits == ()
    assert list(verdict.codes()) == expected
    if not expected:
        assert verdict is CLEAR


def _pick(fmt: str) -> st.SearchStrategy[str]:
    return (
        st.integers(0, 59)
        .map(lambda n: fmt.format(n=n))
        .map(lambda s: fixed(s) if len(s) == 17 else s)
    )


near_plates = st.one_of(
    _pick("MB{n:03d}LL"), _pick("MR{n:03d}LL"), _pick("M8{n:03d}LL"), free_plates
)
near_vins = st.one_of(_pick("1M{n:015d}"), _pick("3M{n:015d}"), _pick("4M{n:015d}"), free_vins)
near_engines = st.one_of(
    _pick("MENG{n:06d}"), _pick("MREG{n:06d}"), _pick("MRET{n:05d}"), free_engines
)
near_people = st.lists(
    st.builds(Person, _pick("M{n:08d}"), st.sampled_from(["VE", "CO"])), max_size=2
).map(tuple)


@settings(max_examples=500)
@given(
    st.builds(
        Stop,
        plate=st.none() | near_plates,
        plate_country=st.sampled_from(["VE", "CO"]),
        vin=st.none() | near_vins,
        engine_number=st.none() | near_engines,
        declared_year=st.none() | st.integers(2008, 2013),
        people=near_people,
    )
)
def test_the_screen_gives_the_same_verdict_as_the_full_evaluation(stop: Stop) -> None:
    verdict = INDEXED.check(stop, NOW)
    assert verdict == INDEXED.explain(stop, NOW)
    if not verdict.hits and not verdict.irregularities:
        assert verdict is CLEAR
    # each code at most once, in the documented order
    positions = [IRREGULARITY_CODES.index(code) for code in verdict.codes()]
    assert positions == sorted(set(positions))
