"""Ear tags: the ISO 11784 15-digit animal number."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alcabala.identifiers import parse, parse_ear_tag


def test_country_coded_tag() -> None:
    # ISO 11784 numeric form: 3-digit ISO 3166 code + 12-digit national number; 862 Venezuela.
    result = parse_ear_tag("862 0000 1234 5678")
    assert result.valid
    assert result.normalized == "862000012345678"
    assert result.details["country_code"] == "862"
    assert result.details["national_number"] == "000012345678"
    assert result.details["country"] == "Venezuela"
    assert result.details["code_type"] == "country"


def test_published_examples() -> None:
    # Worked examples in the pro-k-tierschutz transponder list (ISO 11784 country and
    # manufacturer codes): 040098100111917 was implanted in Austria (040), 968000004531234 is
    # a chip of the manufacturer AEG (968) whose country cannot be read.
    austria = parse_ear_tag("040098100111917")
    assert austria.valid
    assert austria.details["country"] == "Austria"
    maker = parse_ear_tag("968000004531234")
    assert maker.valid
    assert maker.details["code_type"] == "manufacturer"
    assert maker.details["country"] is None
    assert [p.code for p in maker.warnings] == ["tag_manufacturer_code"]


def test_unknown_country_code_is_valid_without_a_name() -> None:
    result = parse_ear_tag("123-456789012345")
    assert result.valid
    assert result.details["country"] is None


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "tag_empty"),
        ("999000000012345", "tag_test"),  # ISO 11784: 999 is for test transponders
        ("000123456789012", "tag_country_code"),
        ("862000000000000", "tag_junk"),
        ("86200001234567", "tag_length"),
        ("8620000123456789", "tag_length"),
        ("862A00012345678", "tag_characters"),
        ("८६२000012345678", "tag_characters"),  # Devanagari digits are not ASCII digits
    ],
)
def test_invalid(value: str, code: str) -> None:
    result = parse_ear_tag(value)
    assert not result.valid
    assert [p.code for p in result.errors] == [code]


@given(st.text(alphabet="0123456789 -.", max_size=25))
def test_normalization_is_idempotent(value: str) -> None:
    once = parse_ear_tag(value).normalized
    assert parse_ear_tag(once).normalized == once


@given(st.integers(1, 998), st.integers(1, 10**12 - 1))
def test_every_15_digit_number_splits_into_code_and_number(code: int, number: int) -> None:
    tag = f"{code:03d}{number:012d}"
    result = parse_ear_tag(tag)
    assert result.details["country_code"] == tag[:3]
    assert result.details["national_number"] == tag[3:]
    assert result.valid == (len(set(tag[3:])) > 1)


@given(st.text(max_size=40))
def test_never_raises(value: str) -> None:
    result = parse("tag", value)
    assert result.valid == (not result.errors)
    json.dumps(result.to_dict())


@pytest.mark.parametrize("value", ["1" * 10_000, "\x00", "🐄", "\ud800862000012345678"])
def test_malformed_inputs_give_clean_invalid_results(value: str) -> None:
    result = parse_ear_tag(value)
    assert not result.valid
    json.dumps(result.to_dict())
