"""Engine numbers: a normalized free-form serial."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alcabala.identifiers import parse, parse_engine_number
from alcabala.identifiers.engines import normalize_engine_number


@pytest.mark.parametrize(
    ("value", "normalized"),
    [
        ("4G63-AB1234", "4G63AB1234"),
        ("4g63 ab 1234", "4G63AB1234"),
        ("1ZZ-FE/1234567", "1ZZFE1234567"),
        ("k24a.1.234567", "K24A1234567"),
        ("ABCD1", "ABCD1"),
        ("A" * 19 + "1", "A" * 19 + "1"),
    ],
)
def test_valid(value: str, normalized: str) -> None:
    result = parse_engine_number(value)
    assert result.valid, result.errors
    assert result.normalized == normalized
    assert result.details["length"] == len(normalized)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "engine_empty"),
        ("- / .", "engine_empty"),
        ("S/N", "engine_length"),
        ("ABC", "engine_length"),
        ("A" * 20 + "1", "engine_length"),
        ("0000000", "engine_junk"),
        ("sin serial", "engine_junk"),
        ("ILEGIBLE", "engine_junk"),
        ("А123456", "engine_characters"),  # Cyrillic А looks like a Latin A
        ("１２３４５", "engine_characters"),  # full-width digits
    ],
)
def test_invalid(value: str, code: str) -> None:
    result = parse_engine_number(value)
    assert not result.valid
    assert code in [p.code for p in result.errors]


def test_separators_and_symbols_do_not_change_the_serial() -> None:
    assert parse("engine", "🔧 4G63\x00AB1234 ✓").normalized == "4G63AB1234"


@given(st.text(max_size=40))
def test_normalization_is_idempotent(value: str) -> None:
    once = normalize_engine_number(value)
    assert normalize_engine_number(once) == once
    assert parse_engine_number(once).normalized == parse_engine_number(value).normalized


@given(st.text(max_size=60))
def test_never_raises(value: str) -> None:
    result = parse_engine_number(value)
    assert result.valid == (not result.errors)
    json.dumps(result.to_dict())


@pytest.mark.parametrize("value", ["9" * 10_000, "\x00" * 8, "🚜🚜🚜🚜", "\ud800\udfff"])
def test_malformed_inputs_give_clean_invalid_results(value: str) -> None:
    result = parse_engine_number(value)
    assert not result.valid
    json.dumps(result.to_dict())
