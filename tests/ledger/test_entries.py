"""Log entries: RFC 8785 canonical JSON of type, agency, time and a salted commitment.

The entry carries nothing of the record but its commitment, so no plate, VIN or name can
reach the public log; the commitment is recomputed from the salt and the record; entries
are canonical (the ``rfc8785`` package is the reference) and at most 64 KiB - 1 bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from alcabala.ledger import ProofError
from alcabala.ledger.entries import (
    MAX_ENTRY_BYTES,
    SALT_BYTES,
    EntryError,
    canonical,
    commitment_of,
    commits_to,
    entry_for,
    format_time,
    parse_entry,
)

AT = dt.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=dt.UTC)
VEHICLE = {
    "vin": "1HGCM82633A004352",
    "plate": "AB123CD",
    "owner": "María Pérez",
    "national_id": "V12345678",
    "state": "stolen",
    "version": 3,
}


def test_an_entry_is_canonical_json_of_four_members_and_names_nobody() -> None:
    entry, salt = entry_for("vehicle.stolen", "CICPC", AT, VEHICLE)
    assert len(salt) == SALT_BYTES
    body = json.loads(entry)
    assert body == {
        "type": "vehicle.stolen",
        "agency": "CICPC",
        "time": "2026-03-04T05:06:07Z",
        "commitment": hashlib.sha256(salt + rfc8785.dumps(VEHICLE)).hexdigest(),
    }
    assert entry == rfc8785.dumps(body)  # the hand-written JCS is the reference's
    for value in ("1HGCM82633A004352", "AB123CD", "María", "Pérez", "V12345678"):
        assert value.encode() not in entry
    assert parse_entry(entry).commitment == commitment_of(salt, VEHICLE)


def test_each_entry_has_its_own_salt() -> None:
    (one, salt1), (two, salt2) = (entry_for("check", None, AT, VEHICLE) for _ in range(2))
    assert salt1 != salt2 and one != two
    assert json.loads(one)["agency"] is None
    assert commits_to(parse_entry(one), salt1, VEHICLE)
    assert not commits_to(parse_entry(one), salt2, VEHICLE)
    assert not commits_to(parse_entry(one), salt1, {**VEHICLE, "state": "recovered"})


def test_the_commitment_does_not_depend_on_key_order_or_number_spelling() -> None:
    salt = bytes(range(32))
    assert commitment_of(salt, {"a": 1, "b": [1.0, "x"]}) == commitment_of(
        salt, {"b": [1, "x"], "a": 1.0}
    )


def test_rfc8785_sorts_members_by_utf16_code_units() -> None:
    """RFC 8785 §3.2.3's sorting example: the order is by UTF-16 code units, not by code
    points (the emoji's surrogates sort before U+FB33)."""
    names = ["\u20ac", "\r", "\ufb33", "1", "\U0001f600", "\u0080", "\u00f6"]
    out = canonical({name: i for i, name in enumerate(names)})
    order = list(json.loads(out))
    assert order == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_times_are_utc_seconds() -> None:
    caracas = dt.timezone(dt.timedelta(hours=-4))
    assert format_time(dt.datetime(2026, 1, 1, 20, 0, 0, 999, tzinfo=caracas)) == (
        "2026-01-02T00:00:00Z"
    )
    assert format_time(dt.datetime(5, 1, 1, tzinfo=dt.UTC)) == "0005-01-01T00:00:00Z"
    with pytest.raises(EntryError) as caught:
        entry_for("check", None, dt.datetime(2026, 1, 1), {})  # naive
    assert caught.value.field == "at"


@pytest.mark.parametrize(
    ("kind", "agency", "record", "field"),
    [
        ("", None, {}, "kind"),
        ("Vehicle", None, {}, "kind"),
        ("vehicle stolen", None, {}, "kind"),
        ("v" * 65, None, {}, "kind"),
        ("check", "María Pérez", {}, "agency"),
        ("check", "", {}, "agency"),
        ("check", "A" * 65, {}, "agency"),
        ("check", None, {"at": AT}, "record"),
        ("check", None, {"x": float("nan")}, "record"),
        ("check", None, {"x": 2**64}, "record"),
        ("check", None, ["not", "an", "object"], "record"),
    ],
)
def test_bad_entries_are_refused_naming_the_field(
    kind: str, agency: str | None, record: Any, field: str
) -> None:
    with pytest.raises(EntryError) as caught:
        entry_for(kind, agency, AT, record)
    assert caught.value.field == field
    assert isinstance(caught.value, ProofError)


def test_entries_stay_small_whatever_the_record() -> None:
    entry, _ = entry_for("record.big", "CICPC", AT, {"blob": "x" * 1_000_000})
    assert len(entry) < 200 < MAX_ENTRY_BYTES
    assert MAX_ENTRY_BYTES == 2**16 - 1  # the bundle's length prefix is a uint16


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xff",
        b"[]",
        b"x" * (MAX_ENTRY_BYTES + 1),
        b'{"agency":null,"commitment":"' + b"0" * 64 + b'","time":"2026-01-01T00:00:00Z"}',
        b'{"agency":null,"commitment":"' + b"0" * 64 + b'","extra":1,'
        b'"time":"2026-01-01T00:00:00Z","type":"check"}',
        b'{"agency":null, "commitment":"' + b"0" * 64 + b'","time":"2026-01-01T00:00:00Z",'
        b'"type":"check"}',  # not canonical: a space
        b'{"agency":null,"commitment":"' + b"0" * 63 + b'","time":"2026-01-01T00:00:00Z",'
        b'"type":"check"}',
        b'{"agency":null,"commitment":"' + b"0" * 64 + b'","time":"2026-01-01 00:00:00",'
        b'"type":"check"}',
        b'{"agency":7,"commitment":"' + b"0" * 64 + b'","time":"2026-01-01T00:00:00Z",'
        b'"type":"check"}',
        b'{"agency":null,"commitment":"' + b"0" * 64 + b'","time":"2026-01-01T00:00:00Z",'
        b'"type":"Check"}',
    ],
)
def test_parse_refuses_what_entry_for_would_not_write(data: bytes) -> None:
    with pytest.raises(EntryError):
        parse_entry(data)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(
    kind=st.from_regex(r"[a-z][a-z0-9_.:-]{0,63}", fullmatch=True),
    agency=st.none() | st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", fullmatch=True),
    at=st.datetimes(timezones=st.just(dt.UTC)),
    record=st.dictionaries(st.text(max_size=8), json_values, max_size=5),
)
def test_every_entry_round_trips_and_is_the_reference_jcs(
    kind: str, agency: str | None, at: dt.datetime, record: dict[str, Any]
) -> None:
    entry, salt = entry_for(kind, agency, at, record)
    assert entry == rfc8785.dumps(json.loads(entry))
    parsed = parse_entry(entry)
    assert (parsed.type, parsed.agency, parsed.time) == (kind, agency, format_time(at))
    assert commits_to(parsed, salt, json.loads(json.dumps(record)))


# Every character but lone surrogates, which neither writer accepts; ASCII and not.
_texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_texts, inner, max_size=4),
    max_leaves=16,
)


@settings(max_examples=500, deadline=None)
@given(value=_values)
def test_canonical_is_the_reference_jcs_on_both_paths(value: Any) -> None:
    """The standard-library fast path and the rfc8785 package write the same bytes: control
    characters, non-ASCII text and keys, integers, floats (which take the package)."""
    assert canonical(value) == rfc8785.dumps(value)


def test_the_fast_path_leaves_what_it_cannot_write_to_the_package() -> None:
    for value in ({"\U0001f600": 1, "\ufb33": 2}, [1e21], {"a": 0.1}):
        assert canonical(value) == rfc8785.dumps(value)
    for refused in ({"x": "\ud800"}, {"x": 2**53}):  # refused alike, as RFC 8785 refuses
        with pytest.raises(EntryError):
            canonical(refused)
