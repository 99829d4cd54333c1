"""Plate rules: national formats, the OCR look-alike key and robustness."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alcabala.identifiers import normalize_plate, ocr_key, parse, parse_plate

LOOK_ALIKES = ("0ODQ", "1I", "2Z", "5S", "6G", "8B")


@pytest.mark.parametrize(
    ("value", "country", "normalized", "fmt"),
    [
        # Wikipedia "Vehicle registration plates of Venezuela": AB123CD since 2008,
        # RAP 44W (1997-2008) and FAH-467 (1982-1997) in the photo captions.
        ("ab-123-cd", "VE", "AB123CD", "ve_2008"),
        ("RAP 44W", "ve", "RAP44W", "ve_1997"),
        ("FAH-467", "VE", "FAH467", "ve_1982"),
        # Colombia: three letters and three digits for cars (Ministerio de Transporte series
        # since 1988, as described by Infobae 2024-08-06); motorcycles three letters, two
        # digits and a letter; diplomatic two letters and four digits; trailers R/S and five
        # digits (simitconsultamultas.com "identificador de placas").
        ("ABC 123", "CO", "ABC123", "co_car"),
        ("abc12d", "co", "ABC12D", "co_motorcycle"),
        ("CD 1234", "CO", "CD1234", "co_diplomatic"),
        ("R 12345", "CO", "R12345", "co_trailer"),
        # Mexico: since 1998 states issue AAA-99-99 (de.wikipedia "Kfz-Kennzeichen (Mexiko)");
        # the Distrito Federal 999-AAA; the other two shapes are the ones named in the issue.
        ("ABC-12-34", "MX", "ABC1234", "mx_letters_4"),
        ("ABC-123", "MX", "ABC123", "mx_letters_3"),
        ("123-ABC", "MX", "123ABC", "mx_cdmx_digits_first"),
        ("A12-BCD", "MX", "A12BCD", "mx_cdmx_letter_first"),
        # Brazil: ABC-1234 (1990-2018) and Mercosur LLLNLNN since 2018 (CONTRAN 729/2018).
        ("ABC-1234", "BR", "ABC1234", "br_old"),
        ("abc 1d23", "BR", "ABC1D23", "br_mercosur"),
        # No national table: the generic rule (2-10 letters and digits).
        ("7ABC123", "US", "7ABC123", "generic"),
        ("B.MW 1", "de", "BMW1", "generic"),
    ],
)
def test_formats(value: str, country: str, normalized: str, fmt: str) -> None:
    result = parse_plate(value, country)
    assert result.valid, result.errors
    assert result.normalized == normalized
    assert result.details["format"] == fmt
    assert result.details["country"] == country.upper()
    assert result.details["ocr_key"] == ocr_key(normalized)


def test_default_country_is_venezuela() -> None:
    assert parse_plate("AB123CD").details["country"] == "VE"
    assert parse("plate", "AB123CD").valid


def test_format_mismatch_still_gives_the_ocr_key() -> None:
    result = parse_plate("AB-123-C", "VE")
    assert [p.code for p in result.errors] == ["plate_format"]
    assert result.details["format"] is None
    assert result.details["ocr_key"] == "A8123C"
    assert "AB123CD" in result.errors[0].message


@pytest.mark.parametrize(
    ("value", "country", "code"),
    [
        ("", "VE", "plate_empty"),
        (" - . ", "VE", "plate_empty"),
        ("ÑAB123", "VE", "plate_characters"),
        ("AB_123", "US", "plate_characters"),
        ("X", "US", "plate_length"),
        ("ABCDEFGHIJK", "US", "plate_length"),
        ("000000", "US", "plate_junk"),
        ("AB123CD", "VEN", "plate_country"),
        ("AB123CD", "", "plate_country"),
    ],
)
def test_invalid(value: str, country: str, code: str) -> None:
    result = parse_plate(value, country)
    assert not result.valid
    assert code in [p.code for p in result.errors]


def test_ocr_key_folds_each_group_to_one_character() -> None:
    assert ocr_key("0ODQ") == "0000"
    assert ocr_key("1I 2Z 5S 6G 8B") == "1122556688"
    assert ocr_key("ab-0d1") == ocr_key("A8OO1") == "A8001"


# --- properties ---------------------------------------------------------------------------

plate_text = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=10)


@given(plate_text, st.data())
def test_ocr_key_is_invariant_under_look_alike_substitution(
    plate: str, data: st.DataObject
) -> None:
    swapped = []
    for ch in plate:
        group = next((g for g in LOOK_ALIKES if ch in g), ch)
        swapped.append(data.draw(st.sampled_from(group)))
    assert ocr_key("".join(swapped)) == ocr_key(plate)
    assert ocr_key("".join(swapped).lower()) == ocr_key(plate)


@given(st.text(max_size=40), st.sampled_from(["VE", "CO", "MX", "BR", "US", "ve", "XX"]))
def test_normalization_is_idempotent(value: str, country: str) -> None:
    once = normalize_plate(value)
    assert normalize_plate(once) == once
    assert parse_plate(once, country).normalized == parse_plate(value, country).normalized
    assert ocr_key(ocr_key(value)) == ocr_key(value)


@given(st.text(max_size=60), st.text(max_size=4))
def test_never_raises(value: str, country: str) -> None:
    result = parse_plate(value, country)
    assert result.valid == (not result.errors)
    assert "ocr_key" in result.details
    json.dumps(result.to_dict())


@pytest.mark.parametrize(
    "value", ["\x00", "Z" * 10_000, "🚓🚓🚓", "\ud800AB123CD", "AB\u200b123CD"]
)
def test_malformed_inputs_give_clean_invalid_results(value: str) -> None:
    result = parse_plate(value, "VE")
    assert not result.valid
    json.dumps(result.to_dict())
