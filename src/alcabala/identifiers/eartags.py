"""Livestock ear tags: the ISO 11784 15-digit animal identification code.

What: ``parse_ear_tag`` normalizes what is printed on a visual ear tag or read from an
ISO 11785 (FDX-B/HDX) transponder, e.g. ``"862 0000 1234 5678"`` or ``"862-000012345678"``,
to the 15-digit form ``862000012345678`` and splits it into the 3-digit code and the
12-digit national number.

The 3-digit code (ISO 11784 section 6):

* 001-899: an ISO 3166-1 numeric country code (862 Venezuela, 170 Colombia, 076 Brazil);
  the number is allocated by that country's registry. A code that is not an ISO 3166
  country we know of is accepted with no country name.
* 900-998: a manufacturer code (assigned by ICAR); the tag is valid, but its country is
  not encoded, so a warning ``tag_manufacturer_code`` says so.
* 999: reserved for test transponders. A test tag does not identify an animal, so it is
  rejected (``tag_test``).
* 000: not a country, rejected.

Why: theft reports and transit permits list tag numbers; normalizing them once means a
tag read at a checkpoint matches the report however it was written down.
"""

from __future__ import annotations

from typing import Any

from alcabala.identifiers.result import IdentifierResult, Problem, drop_separators, show_chars

__all__ = ["COUNTRY_CODES", "normalize_ear_tag", "parse_ear_tag"]

# ISO 3166-1 numeric codes of the countries whose tags are most likely at a checkpoint.
COUNTRY_CODES: dict[str, str] = {
    "032": "Argentina",
    "036": "Australia",
    "040": "Austria",
    "068": "Bolivia",
    "076": "Brazil",
    "124": "Canada",
    "152": "Chile",
    "170": "Colombia",
    "188": "Costa Rica",
    "218": "Ecuador",
    "250": "France",
    "276": "Germany",
    "328": "Guyana",
    "340": "Honduras",
    "372": "Ireland",
    "484": "Mexico",
    "528": "Netherlands",
    "554": "New Zealand",
    "558": "Nicaragua",
    "591": "Panama",
    "600": "Paraguay",
    "604": "Peru",
    "724": "Spain",
    "780": "Trinidad and Tobago",
    "826": "United Kingdom",
    "840": "United States",
    "858": "Uruguay",
    "862": "Venezuela",
}


def normalize_ear_tag(value: str) -> str:
    """Drop whitespace, dashes and dots; idempotent (digits are left as they are)."""
    return drop_separators(value, dots=True)


def _details() -> dict[str, Any]:
    return {"country_code": None, "national_number": None, "country": None, "code_type": None}


def parse_ear_tag(value: str) -> IdentifierResult:
    """Normalize and validate an ISO 11784 ear-tag number; never raises."""
    try:
        return _parse(value)
    except Exception:  # pragma: no cover - a bug must still give a clean answer
        text = value if isinstance(value, str) else ""
        problem = Problem("tag_invalid", "This ear-tag number could not be read.")
        return IdentifierResult.build("tag", text, "", [problem], [], _details())


def _parse(value: str) -> IdentifierResult:
    if not isinstance(value, str):
        value = ""
    tag = normalize_ear_tag(value)
    details = _details()
    errors: list[Problem] = []
    warnings: list[Problem] = []
    if not tag:
        errors.append(Problem("tag_empty", "No ear-tag number was given."))
        return IdentifierResult.build("tag", value, tag, errors, warnings, details)
    illegal = [ch for ch in tag if ch not in "0123456789"]
    if illegal:
        message = f"An ear-tag number has only digits; this one contains {show_chars(illegal)}."
        errors.append(Problem("tag_characters", message))
        return IdentifierResult.build("tag", value, tag, errors, warnings, details)
    if len(tag) != 15:
        shown = len(tag) if len(tag) < 1000 else "more than 1000"
        message = (
            "An ISO 11784 ear-tag number has 15 digits (3 for the country or maker, "
            f"12 for the animal); this one has {shown}."
        )
        errors.append(Problem("tag_length", message))
        return IdentifierResult.build("tag", value, tag, errors, warnings, details)

    code, national = tag[:3], tag[3:]
    details.update(country_code=code, national_number=national)
    number = int(code)
    if number == 0:
        errors.append(Problem("tag_country_code", "The code 000 is not a country or a maker."))
    elif number == 999:
        details["code_type"] = "test"
        errors.append(
            Problem("tag_test", "Code 999 marks a test transponder, which identifies no animal.")
        )
    elif number >= 900:
        details["code_type"] = "manufacturer"
        warnings.append(
            Problem(
                "tag_manufacturer_code",
                f"Code {code} is a tag maker's code: the number is unique, "
                "but the country of the animal is not encoded in it.",
            )
        )
    else:
        details["code_type"] = "country"
        details["country"] = COUNTRY_CODES.get(code)
    if len(set(national)) == 1:
        errors.append(
            Problem(
                "tag_junk",
                "The animal number is one repeated digit: a placeholder, not a tag.",
            )
        )
    return IdentifierResult.build("tag", value, tag, errors, warnings, details)
