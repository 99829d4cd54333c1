"""Licence plates: normalization, a country-aware format check and the OCR look-alike key.

What: ``parse_plate`` upper-cases a plate and drops the separators people and cameras
add (spaces, dashes, dots), then checks it against the formats its country issues.
``ocr_key`` folds characters that cameras and tired eyes confuse (0/O/D/Q, 1/I, 2/Z,
5/S, 6/G, 8/B) into one, so that a camera read can be matched against the hotlist as a
*possible* hit; the key is never evidence on its own.

Why country formats: a plate that fits no format its country issues is usually a typo
or a misread, and saying so at the edge is cheaper than a false "clear". Countries are
ISO 3166-1 alpha-2 codes; for a country without a table here the generic rule (2-10
letters and digits) applies. The formats and their sources are listed in
``docs/identifiers.md``; motorcycle, official and diplomatic series that are not listed
are reported as ``plate_format`` errors rather than guessed at.
"""

from __future__ import annotations

import re
from typing import Any

from alcabala.identifiers.result import (
    IdentifierResult,
    Problem,
    ascii_upper,
    drop_separators,
    normalize_country,
    show_chars,
)

__all__ = ["FORMATS", "fold", "normalize_plate", "ocr_key", "parse_plate"]

# (format id, shape shown to people with L = letter and 9 = digit, regex, description)
_Format = tuple[str, str, "re.Pattern[str]", str]


def _f(ident: str, shape: str, description: str) -> _Format:
    pattern = "".join("[A-Z]" if c == "L" else "[0-9]" for c in shape)
    return ident, shape, re.compile(pattern), description


FORMATS: dict[str, tuple[_Format, ...]] = {
    "VE": (
        _f("ve_2008", "LL999LL", "current series since 2008, e.g. AB123CD"),
        _f("ve_1997", "LLL99L", "1997-2008 series, e.g. RAP44W"),
        _f("ve_1982", "LLL999", "1982-1997 series, e.g. FAH467"),
    ),
    "CO": (
        _f("co_car", "LLL999", "cars, e.g. ABC123"),
        _f("co_motorcycle", "LLL99L", "motorcycles, e.g. ABC12D"),
        _f("co_diplomatic", "LL9999", "diplomatic and consular, e.g. CD1234"),
        _f("co_trailer", "L99999", "trailers and semi-trailers, e.g. R12345"),
        _f("co_cargo", "L9999", "special cargo (red plates), e.g. T1234"),
    ),
    "MX": (
        _f("mx_letters_3", "LLL999", "three letters and three digits, e.g. ABC123"),
        _f("mx_letters_4", "LLL9999", "three letters and four digits, e.g. ABC1234"),
        _f("mx_cdmx_digits_first", "999LLL", "Mexico City, digits first, e.g. 123ABC"),
        _f("mx_cdmx_letter_first", "L99LLL", "Mexico City, e.g. A12BCD"),
    ),
    "BR": (
        _f("br_mercosur", "LLL9L99", "Mercosur series since 2018, e.g. ABC1D23"),
        _f("br_old", "LLL9999", "pre-Mercosur series, e.g. ABC1234"),
    ),
}
_COUNTRY_NAMES = {"VE": "Venezuelan", "CO": "Colombian", "MX": "Mexican", "BR": "Brazilian"}
_GENERIC = re.compile(r"[A-Z0-9]{2,10}")
_LEGAL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
# Look-alike groups folded by the OCR key; each maps to its first member.
_OCR_GROUPS = ("0ODQ", "1I", "2Z", "5S", "6G", "8B")
_OCR = str.maketrans({ch: group[0] for group in _OCR_GROUPS for ch in group[1:]})


def normalize_plate(value: str) -> str:
    """Upper-case ASCII letters and drop whitespace, dashes and dots; idempotent."""
    return ascii_upper(drop_separators(value, dots=True))


def ocr_key(value: str) -> str:
    """The plate with look-alike characters folded: 0/O/D/Q→0, 1/I→1, 2/Z→2, 5/S→5,
    6/G→6, 8/B→8. Normalizes first, so ``ocr_key("ab-0d1")`` equals ``ocr_key("A8OO1")``."""
    return normalize_plate(value).translate(_OCR)


def fold(plate: str) -> str:
    """:func:`ocr_key` of a plate already normalized (stored plates are): the folding alone,
    for hot loops that judge millions of reads."""
    return plate.translate(_OCR)


def _details(country: str, plate: str) -> dict[str, Any]:
    return {
        "country": country,
        "ocr_key": plate.translate(_OCR),
        "format": None,
        "format_shape": None,
        "national_rule": country in FORMATS,
    }


def parse_plate(value: str, country: str = "VE") -> IdentifierResult:
    """Normalize and validate a plate for ``country`` (ISO 3166 alpha-2); never raises."""
    try:
        return _parse(value, country)
    except Exception:  # pragma: no cover - a bug must still give a clean answer
        text = value if isinstance(value, str) else ""
        problem = Problem("plate_invalid", "This plate could not be read.")
        return IdentifierResult.build("plate", text, "", [problem], [], _details("", ""))


def _parse(value: str, country: str | None) -> IdentifierResult:
    if not isinstance(value, str):
        value = ""
    if not isinstance(country, str | None):
        country = ""
    plate = normalize_plate(value)
    code, country_ok = normalize_country(country)
    details = _details(code if country_ok else (country or ""), plate)
    errors: list[Problem] = []
    if not country_ok:
        errors.append(
            Problem(
                "plate_country",
                f"{show_chars([country or ''])} is not a two-letter ISO 3166 country code.",
            )
        )
    if not plate:
        errors.append(Problem("plate_empty", "No plate was given."))
        return IdentifierResult.build("plate", value, plate, errors, [], details)
    illegal = [ch for ch in plate if ch not in _LEGAL]
    if illegal:
        errors.append(
            Problem(
                "plate_characters",
                f"A plate uses only the letters A-Z and the digits 0-9; this one contains "
                f"{show_chars(illegal)}.",
            )
        )
        return IdentifierResult.build("plate", value, plate, errors, [], details)
    if len(set(plate)) == 1 and len(plate) >= 3:
        errors.append(
            Problem("plate_junk", "This is a placeholder, not a plate (one repeated character).")
        )
    formats = FORMATS.get(code, ()) if country_ok else ()
    if formats:
        for ident, shape, pattern, _ in formats:
            if pattern.fullmatch(plate):
                details.update(format=ident, format_shape=shape)
                break
        else:
            described = "; ".join(f"{shape} ({text})" for _, shape, _, text in formats)
            errors.append(
                Problem(
                    "plate_format",
                    f"This is not a {_COUNTRY_NAMES[code]} plate: they look like {described} "
                    "(L is a letter, 9 a digit).",
                )
            )
    elif _GENERIC.fullmatch(plate):
        details.update(format="generic", format_shape=None)
    else:
        shown = len(plate) if len(plate) < 1000 else "more than 1000"
        errors.append(
            Problem(
                "plate_length", f"A plate has 2 to 10 letters and digits; this one has {shown}."
            )
        )
    return IdentifierResult.build("plate", value, plate, errors, [], details)
