"""Log entries: what the log holds for one change, check or audit row — and no more.

What: an entry is RFC 8785 canonical JSON (JCS) of exactly four members::

    {"agency":"CICPC","commitment":"<64 hex>","time":"2026-01-02T03:04:05Z","type":"vehicle.stolen"}

``type`` says what happened (a short lowercase code), ``agency`` which agency's record it
was (or ``null``), ``time`` when (RFC 3339, UTC, whole seconds), and ``commitment`` is
``hex(SHA-256(salt ‖ JCS(record)))`` with a fresh 32-byte random ``salt`` that stays in the
database beside the record, never in the entry.

Why this shape: the log is public, so an entry must name nobody — no plate, VIN, name or
document number. The salted commitment binds the entry to the record's exact content
(``alcabala log verify`` recomputes it from the record as stored now, and a receipt
holder given the salt can recompute it), while the 256-bit salt makes it impossible to
confirm a guessed record from the public entry alone. Canonical JSON makes the bytes, and
so the leaf hash, a pure function of the values, whatever produced them. An entry is at
most :data:`MAX_ENTRY_BYTES` (64 KiB less one byte), because C2SP entry bundles prefix
each entry with a 2-byte length.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import rfc8785

from alcabala.ledger.errors import ProofError

__all__ = [
    "MAX_ENTRY_BYTES",
    "SALT_BYTES",
    "Entry",
    "EntryError",
    "canonical",
    "commitment_of",
    "commits_to",
    "entry_for",
    "format_time",
    "parse_entry",
]

#: The largest entry: a C2SP entry bundle prefixes each entry with a big-endian uint16.
MAX_ENTRY_BYTES = 0xFFFF
SALT_BYTES = 32
_KIND = re.compile(r"[a-z][a-z0-9_.:-]{0,63}")
_AGENCY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_COMMITMENT = re.compile(r"[0-9a-f]{64}")
_MEMBERS = frozenset({"type", "agency", "time", "commitment"})


class EntryError(ProofError):
    """An entry that cannot be made (bad kind, naive time, too big) or is not well formed."""

    code = "entry_invalid"


@dataclass(frozen=True)
class Entry:
    """A parsed entry: its four members, as they are in the JSON."""

    type: str
    agency: str | None
    time: str
    commitment: str


#: The largest integer RFC 8785 writes as an integer (IEEE 754 doubles hold it exactly).
_MAX_SAFE = 2**53 - 1
_PLAIN = (str, bool, type(None))


def _plain(value: object) -> bool:
    """Whether the standard library's JSON writes ``value`` exactly as RFC 8785 does: objects
    with ASCII keys (sorted alike by code point and by UTF-16 unit), lists, strings,
    booleans, null and integers up to 2^53 - 1 — no floats (their shortest forms differ)."""
    if isinstance(value, _PLAIN):
        return True
    if isinstance(value, int):
        return -_MAX_SAFE <= value <= _MAX_SAFE
    if isinstance(value, dict):
        return all(isinstance(k, str) and k.isascii() and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return False


def canonical(value: object, *, field: str = "record") -> bytes:
    """RFC 8785 canonical JSON of ``value``, or :class:`EntryError`.

    Every entry's record goes through here, so values the standard library writes exactly
    as RFC 8785 (:func:`_plain`: no floats, ASCII keys, safe integers) take ``json.dumps``,
    about twice as fast; anything else takes the ``rfc8785`` package. A property test holds
    the two to the same bytes."""
    if _plain(value):
        try:
            text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            return text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: rfc8785 says why it is refused
            pass
    try:
        return rfc8785.dumps(cast(Any, value))
    except (rfc8785.CanonicalizationError, ValueError, TypeError) as exc:
        raise EntryError(f"not canonicalizable JSON: {exc}", field=field) from None


def commitment_of(salt: bytes, record: Mapping[str, Any]) -> str:
    """``hex(SHA-256(salt ‖ JCS(record)))``: what an entry commits to."""
    if not isinstance(salt, bytes) or len(salt) != SALT_BYTES:
        raise EntryError(f"a salt is {SALT_BYTES} bytes", field="salt")
    if not isinstance(record, Mapping):
        raise EntryError("a record is a JSON object (a mapping)", field="record")
    return hashlib.sha256(salt + canonical(dict(record))).hexdigest()


def format_time(at: dt.datetime) -> str:
    """``at`` in RFC 3339, UTC, to the second (``2026-01-02T03:04:05Z``)."""
    if not isinstance(at, dt.datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise EntryError("an entry's time must be an aware datetime", field="at")
    return _utc_text(at)


@functools.lru_cache(maxsize=4096)
def _utc_text(at: dt.datetime) -> str:
    """The text of an aware time, cached: a transaction stamps its entries with a few times."""
    t = at.astimezone(dt.UTC)
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}Z"


def entry_for(
    kind: str, agency: str | None, at: dt.datetime, record: Mapping[str, Any]
) -> tuple[bytes, bytes]:
    """The entry of ``record`` (of type ``kind``, by ``agency``, at ``at``) and its salt.

    ``kind`` is a lowercase code (``[a-z][a-z0-9_.:-]``, at most 64 characters) and
    ``agency`` an agency code or ``None``: neither can carry a free text, so nothing
    personal reaches the log through them. ``record`` is any JSON object; only its
    salted commitment is in the entry.
    """
    if not isinstance(kind, str) or not _KIND.fullmatch(kind):
        raise EntryError("an entry type is a lowercase code of at most 64 characters", field="kind")
    if agency is not None and (not isinstance(agency, str) or not _AGENCY.fullmatch(agency)):
        raise EntryError("an agency is a code of at most 64 characters, or None", field="agency")
    salt = secrets.token_bytes(SALT_BYTES)
    # JCS by hand: the members sorted, and every value drawn from alphabets that JSON
    # writes unescaped (the tests check this against the rfc8785 package).
    quoted_agency = "null" if agency is None else f'"{agency}"'
    entry = (
        f'{{"agency":{quoted_agency},"commitment":"{commitment_of(salt, record)}",'
        f'"time":"{format_time(at)}","type":"{kind}"}}'
    ).encode("ascii")
    if len(entry) > MAX_ENTRY_BYTES:  # unreachable with the rules above; kept as the contract
        raise EntryError(f"an entry is at most {MAX_ENTRY_BYTES} bytes", field="entry")
    return entry, salt


def parse_entry(data: bytes) -> Entry:
    """Read an entry back, refusing anything :func:`entry_for` would not have written."""
    if not isinstance(data, bytes) or not 0 < len(data) <= MAX_ENTRY_BYTES:
        raise EntryError(f"an entry is 1 to {MAX_ENTRY_BYTES} bytes", field="entry")
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise EntryError("an entry is UTF-8 JSON", field="entry") from None
    if not isinstance(body, dict) or set(body) != _MEMBERS:
        raise EntryError("an entry has exactly type, agency, time and commitment", field="entry")
    kind, agency, time, commitment = (body[k] for k in ("type", "agency", "time", "commitment"))
    if not isinstance(kind, str) or not _KIND.fullmatch(kind):
        raise EntryError("the entry's type is not a type code", field="type")
    if agency is not None and (not isinstance(agency, str) or not _AGENCY.fullmatch(agency)):
        raise EntryError("the entry's agency is not an agency code", field="agency")
    if not isinstance(time, str) or not _TIME.fullmatch(time):
        raise EntryError("the entry's time is not RFC 3339 UTC seconds", field="time")
    if not isinstance(commitment, str) or not _COMMITMENT.fullmatch(commitment):
        raise EntryError("the entry's commitment is not 64 hex digits", field="commitment")
    if canonical(body, field="entry") != data:
        raise EntryError("the entry is not RFC 8785 canonical JSON", field="entry")
    return Entry(kind, agency, time, commitment)


def commits_to(entry: Entry, salt: bytes, record: Mapping[str, Any]) -> bool:
    """Whether ``entry``'s commitment is that of ``record`` with ``salt`` (constant time)."""
    return hmac.compare_digest(entry.commitment, commitment_of(salt, record))
