"""National IDs: VE cédula and RIF, CO cédula, BR CPF, MX CURP, generic."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alcabala.identifiers import parse, parse_national_id


@pytest.mark.parametrize(
    ("value", "normalized", "letter"),
    [
        ("V-12.345.678", "V12345678", "V"),
        ("v 12345678", "V12345678", "V"),
        ("12.345.678", "V12345678", "V"),  # a bare number is a Venezuelan's cédula
        ("E-81.234.567", "E81234567", "E"),
        ("V-00.012.345", "V12345", "V"),  # leading zeros are not part of the number
        ("V-1", "V1", "V"),
    ],
)
def test_ve_cedula(value: str, normalized: str, letter: str) -> None:
    result = parse_national_id(value, "VE")
    assert result.valid, result.errors
    assert result.normalized == normalized
    assert result.details["scheme"] == "ve_cedula"
    assert result.details["type"] == letter
    assert result.details["country"] == "VE"


def test_default_country_is_venezuela() -> None:
    assert parse_national_id("V-12.345.678").details["country"] == "VE"
    assert parse("person", "12345678").normalized == "V12345678"


def test_ve_rif() -> None:
    # python-stdnum stdnum.ve.rif docstring: V-11470283-4 is valid, V-11470283-3 is not.
    good = parse_national_id("V-11470283-4", "VE")
    assert good.valid
    assert good.normalized == "V114702834"
    assert good.details["scheme"] == "ve_rif"
    bad = parse_national_id("V-11470283-3", "VE")
    assert [p.code for p in bad.errors] == ["id_check_digit"]


def test_ve_rif_communal_council_is_unverified() -> None:
    result = parse_national_id("C-12345678-9", "VE")
    assert result.valid
    assert [p.code for p in result.warnings] == ["id_check_unverified"]


@pytest.mark.parametrize("value", ["J-1234", "X-12345678", "V-123456789012", "V-0", "123456789"])
def test_ve_malformed(value: str) -> None:
    assert not parse_national_id(value, "VE").valid


def test_co_cedula_is_digits_only() -> None:
    result = parse_national_id("1.020.304.050", "co")
    assert result.valid
    assert result.normalized == "1020304050"
    assert result.details == {"country": "CO", "scheme": "co_cedula"}
    assert not parse_national_id("12", "CO").valid
    assert not parse_national_id("12345678901", "CO").valid
    assert not parse_national_id("CC12345", "CO").valid


def test_br_cpf() -> None:
    # python-stdnum stdnum.br.cpf docstring: 390.533.447-05 valid, 231.002.999-00 bad checksum.
    good = parse_national_id("390.533.447-05", "BR")
    assert good.valid
    assert good.normalized == "39053344705"
    assert good.details["scheme"] == "br_cpf"
    assert [p.code for p in parse_national_id("231.002.999-00", "BR").errors] == ["id_check_digit"]


def test_br_cpf_repeated_digits_are_rejected() -> None:
    # 111.111.111-11 satisfies the CPF arithmetic but is never issued (Receita Federal).
    assert [p.code for p in parse_national_id("111.111.111-11", "BR").errors] == ["id_junk"]


def test_mx_curp() -> None:
    # python-stdnum stdnum.mx.curp docstring: BOXW310820HNERXN09 valid (born 1931-08-20, M),
    # BOXW310820HNERXN08 has a bad check digit.
    good = parse_national_id("boxw310820hnerxn09", "MX")
    assert good.valid
    assert good.normalized == "BOXW310820HNERXN09"
    assert good.details["birth_date"] == "1931-08-20"
    assert good.details["gender"] == "M"
    assert [p.code for p in parse_national_id("BOXW310820HNERXN08", "MX").errors] == [
        "id_check_digit"
    ]


def test_other_countries_use_the_generic_rule() -> None:
    result = parse_national_id("ab-123.456", "AR")
    assert result.valid
    assert result.normalized == "AB123456"
    assert result.details["scheme"] == "generic"
    assert not parse_national_id("AB", "AR").valid


@pytest.mark.parametrize(
    ("value", "country", "code"),
    [
        ("", "VE", "id_empty"),
        ("V-12.345.678", "VEN", "id_country"),
        ("V-12.345.678", "", "id_country"),
        ("V-12\x00345", "VE", "id_characters"),
        ("Ñ12345", "CO", "id_characters"),
    ],
)
def test_invalid(value: str, country: str, code: str) -> None:
    result = parse_national_id(value, country)
    assert not result.valid
    assert code in [p.code for p in result.errors]


countries = st.sampled_from(["VE", "CO", "BR", "MX", "AR", "ve", "XYZ"])


@given(st.text(alphabet="VEJGPCvej0123456789.- ", max_size=15), countries)
def test_normalization_is_idempotent(value: str, country: str) -> None:
    once = parse_national_id(value, country).normalized
    assert parse_national_id(once, country).normalized == once


@given(st.text(max_size=40), st.text(max_size=3))
def test_never_raises(value: str, country: str) -> None:
    result = parse_national_id(value, country)
    assert result.valid == (not result.errors)
    json.dumps(result.to_dict())


@pytest.mark.parametrize("country", ["VE", "CO", "BR", "MX", "US"])
@pytest.mark.parametrize("value", ["", "9" * 10_000, "\x00\x01", "🪪", "\ud800"])
def test_malformed_inputs_give_clean_invalid_results(value: str, country: str) -> None:
    result = parse_national_id(value, country)
    assert not result.valid
    json.dumps(result.to_dict())
