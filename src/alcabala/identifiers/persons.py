"""National identity numbers of people (and, for Venezuela, RIF tax numbers).

What: ``parse_national_id(value, country)`` recognizes the scheme of the number for the
given country, normalizes it (upper case, no dots, dashes or spaces) and checks it:

* VE: the cédula de identidad, ``V`` (Venezuelan) or ``E`` (foreigner) and 1-8 digits
  (``"V-12.345.678"`` becomes ``"V12345678"``; a bare number is taken as ``V``), and the
  RIF, a type letter, 8 digits and a check digit, through ``stdnum.ve.rif``.
* CO: the cédula de ciudadanía, 3-10 digits. python-stdnum has no module for it (only
  for the NIT tax number) and it carries no check digit, so only its shape is checked.
* BR: the CPF, 11 digits with two check digits, through ``stdnum.br.cpf``; numbers made
  of one repeated digit pass that arithmetic but are never issued, so they are rejected.
* MX: the CURP, 18 characters with a check digit, through ``stdnum.mx.curp``.
* any other country: a generic rule, 3-20 letters and digits.

Why: the same person typed as ``v12345678``, ``V-12.345.678`` and ``12345678`` must hit the
same warrant, and a mistyped CPF or CURP is caught by its check digit before it misses one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from stdnum.br import cpf as _cpf
from stdnum.exceptions import InvalidChecksum
from stdnum.mx import curp as _curp
from stdnum.ve import rif as _rif

from alcabala.identifiers.result import (
    IdentifierResult,
    Problem,
    ascii_upper,
    drop_separators,
    normalize_country,
    show_chars,
)

__all__ = ["parse_national_id"]

_VE = re.compile(r"([VEJGPC]?)([0-9]+)")
_RIF_TYPES = {
    "V": "Venezuelan natural person",
    "E": "foreign natural person",
    "J": "legal entity",
    "G": "government body",
    "P": "passport holder",
    "C": "communal council",
}
_Outcome = tuple[str, list[Problem], list[Problem], dict[str, Any]]
_LEGAL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_VE_SHAPE = (
    "A Venezuelan cédula is V or E and 1 to 8 digits (V-12.345.678); "
    "a RIF is V, E, J, G, P or C, 8 digits and a check digit (J-12345678-9)."
)


def _normalize(value: str) -> str:
    return ascii_upper(drop_separators(value, dots=True))


def _stdnum_check(validate: Callable[[str], object], number: str) -> list[Problem]:
    """Run a python-stdnum ``validate``; a failure becomes a Problem, never an exception."""
    try:
        validate(number)
        return []
    except InvalidChecksum:
        message = "The check digit does not match: a digit was mistyped or altered."
        return [Problem("id_check_digit", message)]
    except Exception:
        return [Problem("id_format", "This number does not follow the rules of its scheme.")]


def _ve(text: str) -> _Outcome:
    match = _VE.fullmatch(text)
    if match is None:
        return text, [Problem("id_format", _VE_SHAPE)], [], {"scheme": None}
    letter, digits = match.groups()
    if letter and (len(digits) == 9 or letter not in "VE"):
        return _ve_rif(text, letter, digits)
    significant = digits.lstrip("0")
    if len(significant) > 8:
        return text, [Problem("id_format", _VE_SHAPE)], [], {"scheme": None}
    letter = letter or "V"
    details: dict[str, Any] = {"scheme": "ve_cedula", "type": letter, "number": significant}
    if not significant:
        return letter + "0", [Problem("id_format", "A cédula number cannot be zero.")], [], details
    return letter + significant, [], [], details


def _ve_rif(text: str, letter: str, digits: str) -> _Outcome:
    details: dict[str, Any] = {
        "scheme": "ve_rif",
        "type": letter,
        "type_name": _RIF_TYPES[letter],
        "number": digits[:8] if len(digits) == 9 else None,
        "check_digit": digits[8] if len(digits) == 9 else None,
    }
    if len(digits) != 9:
        problem = Problem(
            "id_format", "A RIF is its type letter, 8 digits and a check digit (J-12345678-9)."
        )
        return text, [problem], [], details
    if letter == "C":  # stdnum has no check-digit constant for communal councils
        warning = Problem(
            "id_check_unverified",
            "The check digit of a communal-council RIF (C) cannot be verified here.",
        )
        return text, [], [warning], details
    return text, _stdnum_check(_rif.validate, text), [], details


def _co(text: str) -> _Outcome:
    details: dict[str, Any] = {"scheme": "co_cedula"}
    if not text.isdigit() or not 3 <= len(text.lstrip("0")) <= 10:
        problem = Problem("id_format", "A Colombian cédula has 3 to 10 digits and nothing else.")
        return text, [problem], [], details
    return text.lstrip("0"), [], [], details


def _br(text: str) -> _Outcome:
    details: dict[str, Any] = {"scheme": "br_cpf"}
    if not (text.isdigit() and len(text) == 11):
        problem = Problem("id_format", "A Brazilian CPF has 11 digits (390.533.447-05).")
        return text, [problem], [], details
    if len(set(text)) == 1:
        problem = Problem("id_junk", "A CPF made of one repeated digit is never issued.")
        return text, [problem], [], details
    return text, _stdnum_check(_cpf.validate, text), [], details


def _mx(text: str) -> _Outcome:
    details: dict[str, Any] = {"scheme": "mx_curp", "birth_date": None, "gender": None}
    if len(text) != 18:
        problem = Problem("id_format", "A Mexican CURP has 18 letters and digits.")
        return text, [problem], [], details
    problems = _stdnum_check(_curp.validate, text)
    if not problems:
        try:
            details["birth_date"] = _curp.get_birth_date(text).isoformat()
            details["gender"] = _curp.get_gender(text)
        except Exception:  # pragma: no cover - validate() already checked both
            pass
    return text, problems, [], details


def _generic(text: str) -> _Outcome:
    details: dict[str, Any] = {"scheme": "generic"}
    if not 3 <= len(text) <= 20:
        problem = Problem("id_format", "An identity number has 3 to 20 letters and digits.")
        return text, [problem], [], details
    return text, [], [], details


_SCHEMES: dict[str, Callable[[str], _Outcome]] = {"VE": _ve, "CO": _co, "BR": _br, "MX": _mx}


def parse_national_id(value: str, country: str = "VE") -> IdentifierResult:
    """Normalize and validate a national ID for ``country`` (ISO 3166 alpha-2); never raises."""
    try:
        return _parse(value, country)
    except Exception:  # pragma: no cover - a bug must still give a clean answer
        text = value if isinstance(value, str) else ""
        problem = Problem("id_invalid", "This identity number could not be read.")
        details = {"country": None, "scheme": None}
        return IdentifierResult.build("person", text, "", [problem], [], details)


def _parse(value: str, country: str | None) -> IdentifierResult:
    if not isinstance(value, str):
        value = ""
    if not isinstance(country, str | None):
        country = ""
    text = _normalize(value)
    code, country_ok = normalize_country(country)
    scheme = _SCHEMES.get(code, _generic) if country_ok else _generic
    details: dict[str, Any] = {"country": code if country_ok else country, "scheme": None}
    errors: list[Problem] = []
    if not country_ok:
        message = f"{show_chars([country or ''])} is not a two-letter ISO 3166 country code."
        errors.append(Problem("id_country", message))
    if not text:
        errors.append(Problem("id_empty", "No identity number was given."))
        return IdentifierResult.build("person", value, text, errors, [], details)
    illegal = [ch for ch in text if ch not in _LEGAL]
    if illegal:
        message = (
            "An identity number uses only the letters A-Z and the digits 0-9; "
            f"this one contains {show_chars(illegal)}."
        )
        errors.append(Problem("id_characters", message))
        return IdentifierResult.build("person", value, text, errors, [], details)
    normalized, problems, warnings, extra = scheme(text)
    details.update(extra)
    return IdentifierResult.build("person", value, normalized, errors + problems, warnings, details)
