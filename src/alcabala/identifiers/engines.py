"""Engine numbers: the serial a maker stamps on the engine block.

What: ``parse_engine_number`` reduces an engine number to its letters and digits
(upper case; spaces, dashes, dots, slashes and any other symbol removed), then requires
4 to 20 characters. There is no international standard for engine numbers, so there is
no check digit to verify; the rule is deliberately a shape check.

Why: the engine number is the second serial on a vehicle. Pairing it with the VIN
catches engines moved between vehicles and re-stamped VINs, and that only works if the
same engine written as ``"4G63-AB1234"`` and ``"4g63 ab 1234"`` compares equal.
Placeholders that clerks type when the number is unreadable (``"S/N"``, ``"ILEGIBLE"``,
``"00000"``) are rejected as junk so they never pair with anything.
"""

from __future__ import annotations

from typing import Any

from alcabala.identifiers.result import IdentifierResult, Problem, ascii_upper, show_chars

__all__ = ["normalize_engine_number", "parse_engine_number"]

_LEGAL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
MIN_LENGTH = 4
MAX_LENGTH = 20
# What clerks type when there is no readable number (Spanish, Portuguese and English).
_PLACEHOLDERS = frozenset(
    {
        "SINNUMERO",
        "SINSERIAL",
        "SINSERIE",
        "SINMOTOR",
        "NOTIENE",
        "NOPOSEE",
        "NOLEGIBLE",
        "ILEGIBLE",
        "DESCONOCIDO",
        "NOAPLICA",
        "NAOPOSSUI",
        "UNKNOWN",
        "NONE",
        "NULL",
        "NOTAVAILABLE",
        "UNREADABLE",
        "ABCD",
        "1234",
        "12345",
        "123456",
        "1234567",
        "12345678",
        "123456789",
        "1234567890",
    }
)


def normalize_engine_number(value: str) -> str:
    """Upper-case ASCII letters and drop every character that is not a letter or digit.

    Non-ASCII letters and digits (e.g. a Cyrillic 'А') are kept, so that they are reported
    as illegal rather than silently removed. Idempotent.
    """
    return ascii_upper("".join(ch for ch in value if ch.isalnum()))


def _details(text: str) -> dict[str, Any]:
    return {"length": len(text)}


def parse_engine_number(value: str) -> IdentifierResult:
    """Normalize and validate an engine number; never raises."""
    try:
        return _parse(value)
    except Exception:  # pragma: no cover - a bug must still give a clean answer
        text = value if isinstance(value, str) else ""
        problem = Problem("engine_invalid", "This engine number could not be read.")
        return IdentifierResult.build("engine", text, "", [problem], [], _details(""))


def _parse(value: str) -> IdentifierResult:
    if not isinstance(value, str):
        value = ""
    serial = normalize_engine_number(value)
    details = _details(serial)
    errors: list[Problem] = []
    if not serial:
        errors.append(Problem("engine_empty", "No engine number was given."))
        return IdentifierResult.build("engine", value, serial, errors, [], details)
    illegal = [ch for ch in serial if ch not in _LEGAL]
    if illegal:
        message = (
            "An engine number uses only the letters A-Z and the digits 0-9; "
            f"this one contains {show_chars(illegal)}."
        )
        errors.append(Problem("engine_characters", message))
        return IdentifierResult.build("engine", value, serial, errors, [], details)
    if not MIN_LENGTH <= len(serial) <= MAX_LENGTH:
        shown = len(serial) if len(serial) < 1000 else "more than 1000"
        message = (
            f"An engine number has {MIN_LENGTH} to {MAX_LENGTH} letters and digits; "
            f"this one has {shown}."
        )
        errors.append(Problem("engine_length", message))
    if len(set(serial)) == 1 or serial in _PLACEHOLDERS:
        errors.append(Problem("engine_junk", "This is a placeholder, not an engine number."))
    return IdentifierResult.build("engine", value, serial, errors, [], details)
