"""The typed result every identifier parser returns, and the small helpers they share.

Why one result type: the check engine, the API, the web console and the CLI all need the
same four answers about an identifier an officer typed or a camera read — what it becomes
once normalized, whether it is acceptable, what is wrong with it (errors make it invalid,
warnings do not) and what can be read out of it (``details``). Parsers never raise: any
input, however malformed, gives a result with ``valid=False`` and at least one error.

The helpers here are the shared, deliberately ASCII-only text handling: identifiers are
ASCII by definition, so non-ASCII letters are never "upper-cased into" legal characters
(``"ı".upper() == "I"`` in Python), they stay in place and are reported as illegal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "IdentifierResult",
    "Problem",
    "ascii_upper",
    "drop_separators",
    "is_junk_repetition",
    "normalize_country",
    "show_chars",
]

_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# Hyphen-minus plus the Unicode dashes a phone keyboard or a word processor may produce.
_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")
_COUNTRY = re.compile(r"[A-Z]{2}")
_SEPARATORS = re.compile("[\\s" + "".join(sorted(_DASHES)).replace("-", "\\-") + "]+")
_SEPARATORS_AND_DOTS = re.compile(_SEPARATORS.pattern[:-2] + ".]+")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an identifier: a stable machine ``code`` and a sentence."""

    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True, slots=True)
class IdentifierResult:
    """The outcome of normalizing and validating one identifier.

    ``valid`` is true exactly when ``errors`` is empty; warnings never make a result
    invalid. ``details`` holds JSON-friendly values only (str, int, bool, None, lists
    and dicts of those), so ``to_dict()`` can go straight to ``json.dumps``.
    """

    kind: str
    input: str
    normalized: str
    valid: bool
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    details: dict[str, Any]

    @classmethod
    def build(
        cls,
        kind: str,
        value: str,
        normalized: str,
        errors: Iterable[Problem],
        warnings: Iterable[Problem],
        details: dict[str, Any],
    ) -> IdentifierResult:
        """Assemble a result; ``valid`` follows from the errors."""
        errs = tuple(errors)
        return cls(kind, value, normalized, not errs, errs, tuple(warnings), details)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "input": self.input,
            "normalized": self.normalized,
            "valid": self.valid,
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
            "details": _copy(self.details),
        }

    def codes(self) -> tuple[str, ...]:
        """The codes of all errors and warnings, errors first."""
        return tuple(p.code for p in (*self.errors, *self.warnings))


def _copy(value: Any) -> Any:
    """A copy of nested dicts and lists, so callers cannot mutate a result's details."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(v) for v in value]
    return value


def ascii_upper(value: str) -> str:
    """Upper-case ASCII letters only; every other character is left as it is."""
    return value.translate(_ASCII_UPPER)


def drop_separators(value: str, *, dots: bool = False) -> str:
    """Remove whitespace and dashes (and dots when asked): the separators people type."""
    return (_SEPARATORS_AND_DOTS if dots else _SEPARATORS).sub("", value)


def normalize_country(country: str | None, default: str = "VE") -> tuple[str, bool]:
    """``(code, ok)``: the upper-cased ISO 3166 alpha-2 code and whether it is well formed."""
    if country is None:
        return default, True
    code = ascii_upper(country.strip())
    return code, _COUNTRY.fullmatch(code) is not None


def is_junk_repetition(value: str, *, max_distinct: int = 1) -> bool:
    """True when ``value`` is made of at most ``max_distinct`` different characters."""
    return bool(value) and len(set(value)) <= max_distinct


def show_chars(chars: Iterable[str], limit: int = 5) -> str:
    """Quote offending characters for a message, escaping invisible ones ('\\x00', '\\u200b')."""
    seen: list[str] = []
    for ch in chars:
        if ch not in seen:
            seen.append(ch)
    shown = [repr(ch) if ch.isprintable() else ascii(ch) for ch in seen[:limit]]
    more = f" and {len(seen) - limit} more" if len(seen) > limit else ""
    return ", ".join(shown) + more
