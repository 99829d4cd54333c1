"""VIN rules: published vectors, the check-digit property and robustness."""

from __future__ import annotations

import json

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from alcabala.identifiers import compute_check_digit, normalize_vin, parse, parse_vin

LEGAL = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"
# 49 CFR 565.15(c), written out again here as an independent oracle for the property test.
VALUES = {
    **{d: int(d) for d in "0123456789"},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def with_check_digit(vin: str) -> str:
    digit = compute_check_digit(vin)
    assert digit is not None
    return vin[:8] + digit + vin[9:]


# --- published vectors ------------------------------------------------------------------


def test_check_digit_worked_example() -> None:
    # 49 CFR 565.15(c) worked example, reproduced in Wikipedia "Vehicle identification
    # number" (check-digit calculation) and in the vininfo README (`vininfo check`).
    result = parse_vin("1M8GDM9AXKP042788")
    assert compute_check_digit("1M8GDM9AXKP042788") == "X"
    assert result.valid
    assert result.errors == () and result.warnings == ()
    assert result.details["check_digit"] == {"expected": "X", "found": "X", "mandatory": True}
    assert result.details["wmi"] == "1M8"
    assert result.details["region"] == "North America"
    assert result.details["country"] == "United States"
    # K is 1989 or 2019; position 7 ('9', numeric) selects the 1980-2009 cycle.
    assert result.details["model_years"] == [1989]
    assert result.details["model_years_cycle"] == [1989, 2019]
    # 1M8 is Motor Coach Industries; vininfo's two-character fallback would say Mercury,
    # which must never be reported as the manufacturer.
    assert result.details["manufacturer"] is None


def test_all_ones_passes_the_arithmetic_but_is_junk() -> None:
    # Wikipedia "Vehicle identification number": 11111111111111111 satisfies the check digit.
    assert compute_check_digit("11111111111111111") == "1"
    result = parse_vin("11111111111111111")
    assert not result.valid
    assert [p.code for p in result.errors] == ["vin_junk"]


@pytest.mark.parametrize(
    ("vin", "years"),
    [
        # vpic-api README (NHTSA vPIC client) decode example: a 2021 Ford F-150.
        ("1FTMW1T88MFA00001", [2021]),
        # VinLink command-line decoder README example: a 2002 Ford Escape.
        ("1FMCU04112KA71263", [2002]),
    ],
)
def test_north_american_published_vins(vin: str, years: list[int]) -> None:
    result = parse_vin(vin)
    assert result.valid, result.errors
    assert result.details["model_years"] == years
    assert result.details["check_digit"]["mandatory"] is True


def test_european_vin_without_check_digit_is_valid_with_a_warning() -> None:
    # vininfo README: Vin('VF1LM1B0H36666155') is a Renault and verify_checksum() is False.
    result = parse_vin("VF1LM1B0H36666155")
    assert result.valid
    assert [p.code for p in result.warnings] == ["vin_check_digit"]
    assert result.details["check_digit"] == {"expected": "8", "found": "H", "mandatory": False}
    assert result.details["country"] == "France"
    assert result.details["manufacturer"] == "Renault"
    assert result.details["model_years"] == [2003, 2033]


def test_russian_vin_from_vininfo_readme() -> None:
    # vininfo README: `vininfo show XTAGFK330JY144213` -> AvtoVAZ, years 2018, 1988.
    result = parse_vin("XTAGFK330JY144213")
    assert result.valid
    assert result.details["model_years"] == [1988, 2018]
    assert result.details["region"] == "Europe"


def test_volkswagen_filler_check_position_is_only_a_warning() -> None:
    # VW Europe fills positions 7, 8 and 9 with Z (ISO 3779 leaves position 9 optional).
    result = parse_vin("WVWZZZ1JZXW000001")
    assert result.valid
    assert result.details["check_digit"]["found"] == "Z"
    assert [p.code for p in result.warnings] == ["vin_check_digit"]


# --- rules --------------------------------------------------------------------------------


def test_normalization_strips_spaces_and_dashes_and_upper_cases() -> None:
    assert normalize_vin(" 1m8-gdm9a xkp042788\t") == "1M8GDM9AXKP042788"
    assert parse_vin("1m8-gdm9a xkp042788").valid


def test_length_message_is_a_sentence() -> None:
    result = parse_vin("1M8GDM9AXKP04278")
    assert [(p.code, p.message) for p in result.errors] == [
        ("vin_length", "A VIN has 17 characters; this one has 16.")
    ]


def test_empty() -> None:
    assert [p.code for p in parse_vin("  - ").errors] == ["vin_empty"]


def test_i_o_q_are_rejected_with_a_suggestion() -> None:
    result = parse_vin("1M8GDM9AXKPO42788")
    assert [p.code for p in result.errors] == ["vin_characters"]
    assert result.details["suggestion"] == "1M8GDM9AXKP042788"


def test_check_digit_mismatch_is_an_error_in_north_america_and_china() -> None:
    na = parse_vin("1M8GDM9A1KP042788")
    assert [p.code for p in na.errors] == ["vin_check_digit"]
    china = with_check_digit("LVSHCAMB0CE012345")
    wrong = china[:8] + ("1" if china[8] != "1" else "2") + china[9:]
    assert parse_vin(china).valid
    assert [p.code for p in parse_vin(wrong).errors] == ["vin_check_digit"]


@pytest.mark.parametrize("code", ["U", "Z", "0"])
def test_impossible_year_codes(code: str) -> None:
    na = with_check_digit("1M8GDM9A0" + code + "P042788")
    assert "vin_year_code" in [p.code for p in parse_vin(na).errors]
    # Outside the mandatory regions position 10 need not be a year (Fiat: ZFA...0...).
    eu = parse_vin("ZFA31200" + "0" + code + "J123456")
    assert eu.valid
    assert "vin_year_code" in [p.code for p in eu.warnings]
    assert eu.details["model_years"] == []


def test_position_7_selects_the_cycle_for_north_america() -> None:
    letter = parse_vin(with_check_digit("1FTMW1T80MFA00001"))
    digit = parse_vin(with_check_digit("1FTMW110XMFA00001"))
    assert letter.details["model_years"] == [2021]
    assert digit.details["model_years"] == [1991]
    assert parse_vin("WVWZZZ1JZXW000001").details["model_years"] == [1999, 2029]


def test_sequences_are_junk() -> None:
    assert "vin_junk" in parse_vin("12345678901234567").codes()


def test_compute_check_digit_refuses_what_is_not_a_vin() -> None:
    assert compute_check_digit("1m8gdm9axkp042788") is None
    assert compute_check_digit("1M8GDM9AXKP04278") is None
    assert compute_check_digit("1M8GDM9AXKPO42788") is None


def test_to_dict_shape() -> None:
    data = parse("vin", "1M8GDM9AXKP042788").to_dict()
    assert set(data) == {"kind", "input", "normalized", "valid", "errors", "warnings", "details"}
    assert data["kind"] == "vin"
    bad = parse_vin("1M8GDM9A1KP042788").to_dict()
    assert bad["errors"][0].keys() == {"code", "message"}
    json.dumps(bad)


# --- properties ---------------------------------------------------------------------------

legal_char = st.sampled_from(LEGAL)


@st.composite
def north_american_vins(draw: st.DrawFn) -> str:
    chars = [draw(st.sampled_from("12345"))]
    chars += [draw(legal_char) for _ in range(8)]
    chars += [draw(st.sampled_from(YEAR_CODES))]
    chars += [draw(legal_char) for _ in range(7)]
    return with_check_digit("".join(chars))


@given(north_american_vins(), st.integers(0, 16), legal_char)
def test_any_change_of_the_weighted_sum_is_rejected(vin: str, position: int, new: str) -> None:
    original = parse_vin(vin)
    assume("vin_junk" not in original.codes())
    assert original.valid, original.errors
    if position == 0:
        new = "12345"[LEGAL.index(new) % 5]  # stay North American
    old = vin[position]
    assume(new != old)
    mutated = vin[:position] + new + vin[position + 1 :]
    changes_sum = (
        position == 8 or VALUES[new] * WEIGHTS[position] != VALUES[old] * WEIGHTS[position]
    )
    if changes_sum:
        assert not parse_vin(mutated).valid


@given(st.text(max_size=40))
def test_normalization_is_idempotent(value: str) -> None:
    once = normalize_vin(value)
    assert normalize_vin(once) == once
    assert parse_vin(once).normalized == parse_vin(value).normalized == once


@given(st.text(max_size=60) | st.text(alphabet=LEGAL + "IOQ -", min_size=15, max_size=19))
def test_never_raises(value: str) -> None:
    result = parse_vin(value)
    assert result.valid == (not result.errors)
    if not result.valid:
        assert result.errors
    json.dumps(result.to_dict())


@pytest.mark.parametrize(
    "value",
    ["", "\x00" * 17, "A" * 10_000, "\u202e1M8GDM9AXKP042788", "🚗" * 17, "\ud800", "ＶＩＮ"],
)
def test_malformed_inputs_give_clean_invalid_results(value: str) -> None:
    result = parse_vin(value)
    assert not result.valid
    assert result.kind == "vin"
    json.dumps(result.to_dict())


@given(st.text(max_size=40) | st.text(alphabet=LEGAL + "IOQ -a", min_size=14, max_size=20))
def test_shape_problems_are_the_full_parse_s_shape_errors(value: str) -> None:
    """The cheap shape check at a stop's edge refuses exactly what the full parse calls
    empty, badly lettered or of the wrong length, with the same messages."""
    from alcabala.identifiers.vin import shape_problems

    shape = {"vin_empty", "vin_characters", "vin_length"}
    full = [(p.code, p.message) for p in parse_vin(value).errors if p.code in shape]
    assert [(p.code, p.message) for p in shape_problems(normalize_vin(value))] == full
