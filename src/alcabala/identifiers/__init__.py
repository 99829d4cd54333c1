"""Identifiers: normalize once, at the edge, and say plainly what is wrong.

Pure functions, no I/O, no database and no other alcabala import: every parser takes the
text an officer typed or a camera read and returns an :class:`IdentifierResult` with the
normalized form, ``valid``, errors (which make it invalid), warnings (which do not) and
the facts read from it. No parser raises, whatever the input.

========  =====================  ===============================================
kind      parser                 rule
========  =====================  ===============================================
vin       :func:`parse_vin`      ISO 3779/3780, 49 CFR 565.15 check digit, year
plate     :func:`parse_plate`    national formats (VE, CO, MX, BR), OCR key
person    :func:`parse_national_id`  VE cédula/RIF, CO cédula, BR CPF, MX CURP
tag       :func:`parse_ear_tag`  ISO 11784 15-digit animal code
engine    :func:`parse_engine_number`  4-20 letters and digits
========  =====================  ===============================================

The rules and their sources are written up in ``docs/identifiers.md``.
"""

from __future__ import annotations

from alcabala.identifiers.eartags import parse_ear_tag
from alcabala.identifiers.engines import parse_engine_number
from alcabala.identifiers.persons import parse_national_id
from alcabala.identifiers.plates import normalize_plate, ocr_key, parse_plate
from alcabala.identifiers.result import IdentifierResult, Problem
from alcabala.identifiers.vin import compute_check_digit, normalize_vin, parse_vin

__all__ = [
    "COUNTRY_KINDS",
    "KINDS",
    "IdentifierResult",
    "Problem",
    "compute_check_digit",
    "normalize_plate",
    "normalize_vin",
    "ocr_key",
    "parse",
    "parse_ear_tag",
    "parse_engine_number",
    "parse_national_id",
    "parse_plate",
    "parse_vin",
]

#: The identifier kinds :func:`parse` understands, in the order the CLI lists them.
KINDS: tuple[str, ...] = ("vin", "plate", "person", "tag", "engine")
#: The kinds whose rules depend on a country (both default to Venezuela, "VE").
COUNTRY_KINDS: frozenset[str] = frozenset({"plate", "person"})


def parse(kind: str, value: str, country: str | None = None) -> IdentifierResult:
    """Parse ``value`` as an identifier of ``kind`` (one of :data:`KINDS`).

    ``country`` (ISO 3166 alpha-2) matters for plates and persons and defaults to "VE";
    the other kinds ignore it. An unknown ``kind`` is a programming error and raises
    :class:`ValueError`; a bad ``value`` or ``country`` never raises, it gives an invalid
    result.
    """
    if kind == "vin":
        return parse_vin(value)
    if kind == "plate":
        return parse_plate(value, "VE" if country is None else country)
    if kind == "person":
        return parse_national_id(value, "VE" if country is None else country)
    if kind == "tag":
        return parse_ear_tag(value)
    if kind == "engine":
        return parse_engine_number(value)
    raise ValueError(f"unknown identifier kind {kind!r}; expected one of {', '.join(KINDS)}")
