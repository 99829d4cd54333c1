"""Vehicle Identification Numbers: normalization, the check digit, WMI and model year.

What: ``parse_vin`` turns whatever an officer typed (spaces, dashes, lower case) into the
17-character VIN and says whether it is acceptable, following ISO 3779 (content), ISO 3780
(the World Manufacturer Identifier, WMI) and 49 CFR 565.15 (the North-American rules: the
check digit in position 9 and the model-year code in position 10).

Why these rules: a cloned or re-stamped VIN usually still *looks* like a VIN. The check
digit catches a single altered character on every vehicle built to 49 CFR 565 (North
America) and China's GB 16735, where it is mandatory, so a mismatch there is an error.
European and South-American makers often leave position 9 as a filler (``WVWZZZ...``), so
elsewhere a mismatch is only a warning and the VIN stays valid.

The ``vininfo`` library is used for *hints* only (country and manufacturer names). Its
two-character fallback can name the wrong maker (``1M8`` is Motor Coach Industries, the
``1M`` fallback says Mercury), so a name from that fallback is reported separately as
``manufacturer_hint``, and nothing from vininfo ever decides validity.
"""

from __future__ import annotations

import itertools
from typing import Any

from alcabala.identifiers.result import (
    IdentifierResult,
    Problem,
    ascii_upper,
    drop_separators,
    show_chars,
)

__all__ = ["compute_check_digit", "normalize_vin", "parse_vin"]

LEGAL = frozenset("0123456789ABCDEFGHJKLMNPRSTUVWXYZ")
# 49 CFR 565.15(c): transliteration of letters and the position weights.
_VALUES = dict(
    zip(
        "ABCDEFGHJKLMNPRSTUVWXYZ",
        (1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9),
        strict=True,
    )
)
_VALUES.update({d: int(d) for d in "0123456789"})
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
# 49 CFR 565.15(b) table: position-10 codes, in order, for 1980..2009 and again 2010..2039.
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"
_FIRST_CYCLE = 1980
_CYCLE = 30
_LAST_YEAR = 2039  # the end of the second cycle; extend this table before 2040.
_SEQUENCE = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"


def normalize_vin(value: str) -> str:
    """Strip whitespace and dashes and upper-case ASCII letters; idempotent."""
    return ascii_upper(drop_separators(value))


def compute_check_digit(vin: str) -> str | None:
    """The 49 CFR 565.15 check digit ('0'..'9' or 'X') of a 17-character VIN.

    ``None`` unless ``vin`` is exactly 17 characters from 0-9 and A-Z without I, O, Q
    (it is not normalized first: pass ``normalize_vin(value)``).
    """
    if len(vin) != 17 or not set(vin) <= LEGAL:
        return None
    remainder = sum(_VALUES[ch] * w for ch, w in zip(vin, _WEIGHTS, strict=True)) % 11
    return "X" if remainder == 10 else str(remainder)


def _region(wmi: str) -> tuple[str | None, str | None, bool, bool]:
    """``(region, country_override, north_american, check_digit_mandatory)`` from ISO 3780."""
    first, second = wmi[0], wmi[1]
    if first in "12345":
        return "North America", None, True, True
    if first == "7":  # 7A-7E New Zealand; 7F-70 were reallocated to the United States.
        if second in "ABCDE":
            return "Oceania", "New Zealand", False, False
        return "North America", "United States", True, True
    if first == "6":
        return "Oceania", None, False, False
    if first in "890":
        return "South America", None, False, False
    if first in "ABCDEFGH":
        return "Africa", None, False, False
    if first == "L":  # China: GB 16735 makes the check digit mandatory.
        return "Asia", "China", False, True
    if first in "JKMNPR":
        return "Asia", None, False, False
    return "Europe", None, False, False  # S-Z


def _country_hint(wmi: str) -> str | None:
    """The country vininfo's ISO 3780 table gives for the first two characters, if any."""
    try:
        from vininfo.dicts import COUNTRIES

        country = COUNTRIES.get(wmi[:2])
        return country if isinstance(country, str) and country else None
    except Exception:
        return None


_HINTS: dict[str, tuple[str | None, str | None]] = {}


def _manufacturer_hints(vin: str) -> tuple[str | None, str | None]:
    """vininfo's maker depends on the WMI alone: ask it once per WMI (bulk imports)."""
    wmi = vin[:3]
    hints = _HINTS.get(wmi)
    if hints is None:
        hints = _wmi_hints(vin)
        if len(_HINTS) < 65_536:
            _HINTS[wmi] = hints
    return hints


def _wmi_hints(vin: str) -> tuple[str | None, str | None]:
    """``(manufacturer, manufacturer_hint)`` from vininfo; any failure is no hint.

    The first is named only when vininfo knows the exact three-character WMI; a name
    found through its two-character fallback goes to the second, as a mere hint.
    """
    try:
        from vininfo import Vin
        from vininfo.dicts import WMI

        name = Vin(vin).manufacturer
        if not isinstance(name, str) or not name:
            return None, None
        if vin[:3] in WMI:
            return name, None
        return None, (name if vin[:2] in WMI else None)
    except Exception:
        return None, None


def _is_sequence(vin: str) -> bool:
    """True for '12345678901234567'-like runs (ascending or descending, digits wrap)."""
    for step in (1, -1):
        ok = True
        for a, b in itertools.pairwise(vin):
            ia, ib = _SEQUENCE.find(a), _SEQUENCE.find(b)
            digit_wrap = a.isdigit() and b.isdigit() and (int(b) - int(a)) % 10 == step % 10
            if not (ib - ia == step or digit_wrap):
                ok = False
                break
        if ok:
            return True
    return False


def _model_years(vin: str, north_american: bool) -> tuple[list[int], list[int], str | None]:
    """``(model_years, cycle_years, rule)`` from position 10 (and 7 for North America)."""
    index = _YEAR_CODES.find(vin[9])
    if index < 0:
        return [], [], None
    cycle = [y for y in range(_FIRST_CYCLE + index, _LAST_YEAR + 1, _CYCLE)]
    if not north_american:
        return cycle, cycle, "position_10"
    # 49 CFR 565.15(b): for light vehicles, numeric position 7 means 1980-2009, alphabetic
    # means 2010-2039. Heavy trucks and trailers need not follow it, so keep the full cycle.
    early = vin[6].isdigit()
    narrowed = [y for y in cycle if (y <= 2009) == early]
    return narrowed or cycle, cycle, "position_10_and_7"


def _details() -> dict[str, Any]:
    return {
        "wmi": None,
        "vds": None,
        "vis": None,
        "region": None,
        "country": None,
        "manufacturer": None,
        "manufacturer_hint": None,
        "small_manufacturer": False,
        "year_code": None,
        "model_years": [],
        "model_years_cycle": [],
        "model_year_rule": None,
        "check_digit": {"expected": None, "found": None, "mandatory": False},
    }


def shape_problems(vin: str) -> list[Problem]:
    """What keeps a normalized ``vin`` from even being a VIN: empty, characters outside
    ISO 3779's alphabet, a length other than 17 (in that order). Cheap: the edge of a check
    refuses on these alone and leaves the rest (check digit, WMI, year) to the engine."""
    if not vin:
        return [Problem("vin_empty", "No VIN was given.")]
    problems: list[Problem] = []
    if not LEGAL.issuperset(vin):
        illegal = [ch for ch in vin if ch not in LEGAL]
        message = (
            "A VIN uses only the digits 0-9 and the letters A-Z except I, O and Q; "
            f"this one contains {show_chars(illegal)}."
        )
        if set(illegal) & set("IOQ"):
            message += " I, O and Q are never used: they are probably the digits 1 and 0."
        problems.append(Problem("vin_characters", message))
    if len(vin) != 17:
        shown = len(vin) if len(vin) < 1000 else "more than 1000"
        problems.append(Problem("vin_length", f"A VIN has 17 characters; this one has {shown}."))
    return problems


def parse_vin(value: str) -> IdentifierResult:
    """Normalize and validate a VIN; never raises."""
    try:
        return _parse(value)
    except Exception:  # pragma: no cover - a bug must still give a clean answer
        text = value if isinstance(value, str) else ""
        problem = Problem("vin_invalid", "This VIN could not be read.")
        return IdentifierResult.build("vin", text, "", [problem], [], _details())


def _parse(value: str) -> IdentifierResult:
    if not isinstance(value, str):
        value = ""
    vin = normalize_vin(value)
    warnings: list[Problem] = []
    details = _details()
    errors = shape_problems(vin)
    if not vin:
        return IdentifierResult.build("vin", value, vin, errors, warnings, details)
    if any(e.code == "vin_characters" for e in errors):
        suggestion = vin.translate(str.maketrans("IOQ", "100"))
        if len(suggestion) == 17 and set(suggestion) <= LEGAL:
            details["suggestion"] = suggestion
    if len(vin) >= 3 and set(vin[:3]) <= LEGAL:
        region, country, north_american, mandatory = _region(vin)
        details.update(wmi=vin[:3], region=region, country=country or _country_hint(vin))
        details["check_digit"]["mandatory"] = mandatory
    if errors:
        return IdentifierResult.build("vin", value, vin, errors, warnings, details)

    region, country, north_american, mandatory = _region(vin)
    manufacturer, hint = _manufacturer_hints(vin)
    expected = compute_check_digit(vin)
    found = vin[8]
    small = vin[2] == "9"
    years, cycle, rule = _model_years(vin, north_american)
    details.update(
        vds=vin[3:9],
        vis=vin[9:],
        manufacturer=manufacturer,
        manufacturer_hint=hint,
        small_manufacturer=small,
        year_code=vin[9],
        model_years=years,
        model_years_cycle=cycle,
        model_year_rule=rule,
        check_digit={"expected": expected, "found": found, "mandatory": mandatory},
    )
    if small:
        details["wmi_extended"] = vin[:3] + vin[11:14]

    if len(set(vin)) <= 2 or _is_sequence(vin):
        errors.append(
            Problem(
                "vin_junk",
                "This is a placeholder, not a real VIN (repeated or sequential characters).",
            )
        )
    if found != expected:
        if mandatory:
            errors.append(
                Problem(
                    "vin_check_digit",
                    f"The check digit (position 9) is '{found}' but this VIN requires "
                    f"'{expected}': a character was mistyped or the VIN was altered.",
                )
            )
        else:
            warnings.append(
                Problem(
                    "vin_check_digit",
                    f"Position 9 is '{found}', not the check digit '{expected}'. Makers outside "
                    "North America and China often do not use it, so this is only a hint.",
                )
            )
    if vin[9] in "0UZ":
        year = Problem(
            "vin_year_code",
            f"Position 10 is '{vin[9]}', which is not a model-year code "
            "(U, Z and 0 are never used for the year).",
        )
        (errors if mandatory else warnings).append(year)
    return IdentifierResult.build("vin", value, vin, errors, warnings, details)
