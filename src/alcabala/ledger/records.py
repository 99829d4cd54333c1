"""What the log commits to for a stored record, and the one function that logs a change.

What: :func:`stored_records` reads rows back from the database *as stored* (in the
caller's transaction) and turns each into a JSON object — every column, by name, with
times as RFC 3339 UTC, dates ISO, decimals as text and bytes as hex — except columns
marked ``info={"unlogged": True}`` (bookkeeping that legitimately changes without a
change of the record, such as a user's last sign-in). A column marked
``info={"added_later": True}`` (added to a logged table by a later migration) is left out
while it is NULL, so that the rows logged before it existed still match their entries.
:func:`log_changes` appends one
entry per record with :func:`alcabala.ledger.models.append_many`, typed
``<entity>.<what>`` (``stolen_report.recovered``, ``vehicle.created``), under the owning
agency's code (the row's ``agency_id``), referring to ``(table, id)``.

Why read back rather than serialize the object in memory: ``alcabala log verify``
recomputes each record's commitment from the row as stored *now* with this same function
(:func:`record_loader`), so the two can only agree if both see what the database holds —
its time zone handling, float and JSON round trips included. A record changed behind the
services' back with plain SQL no longer matches its latest entry, and is reported.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from alcabala.db.base import Base
from alcabala.ledger.models import append_many
from alcabala.ledger.verify import Loader

__all__ = [
    "Loader",
    "forget_agencies",
    "json_time",
    "json_value",
    "log_changes",
    "record_loader",
    "stored_records",
]

#: ``session.info`` key of the agency id → code map, read once per transaction.
_AGENCIES = "alcabala.ledger.agencies"


def json_time(at: dt.datetime) -> str:
    """``at`` as RFC 3339 UTC with microseconds; a naive time (SQLite's) is UTC already."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def json_value(value: Any) -> Any:
    """A column value as JSON can hold it, the same whichever database it came from."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, dt.datetime):
        return json_time(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


def _logged_columns(table: Table) -> list[Any]:
    return [c for c in table.columns if not c.info.get("unlogged")]


def stored_records(session: Session, table: Table, ids: Sequence[Any]) -> dict[str, dict[str, Any]]:
    """The rows of ``table`` with these ids as the log commits to them, by id (as text)."""
    columns = _logged_columns(table)
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 5_000):
        chunk = list(ids[start : start + 5_000])
        rows = session.execute(select(*columns).where(table.c.id.in_(chunk))).mappings()
        for row in rows:
            found[str(row["id"])] = {
                c.name: json_value(row[c.name])
                for c in columns
                if not (row[c.name] is None and c.info.get("added_later"))
            }
    return found


def _agency_codes(session: Session) -> dict[int, str]:
    codes = session.info.get(_AGENCIES)
    if codes is None:
        agencies = Base.metadata.tables["agencies"]
        codes = {i: c for i, c in session.execute(select(agencies.c.id, agencies.c.code))}
        session.info[_AGENCIES] = codes
    return codes


def log_changes(
    session: Session,
    entity: str,
    table: Table,
    ids: Sequence[Any],
    at: dt.datetime,
    what: str | Callable[[Mapping[str, Any]], str],
) -> None:
    """One log entry per record of ``table`` with these ids, as now stored, in the session's
    transaction: type ``<entity>.<what>`` (``what`` may depend on the record, e.g. its
    status), the owning agency's code, the time ``at``. Pending changes are flushed first."""
    if not ids:
        return
    session.flush()
    records = stored_records(session, table, ids)
    agency_of = "agency_id" in table.c
    codes = _agency_codes(session) if agency_of else {}
    if agency_of and any(r.get("agency_id") not in codes for r in records.values()):
        session.info.pop(_AGENCIES, None)  # an agency created in this transaction
        codes = _agency_codes(session)
    items = []
    for key in (str(i) for i in ids):
        record = records[key]
        kind = what if isinstance(what, str) else what(record)
        agency = codes.get(record["agency_id"]) if agency_of else None
        items.append((f"{entity}.{kind}", agency, at, record, (table.name, key)))
    append_many(session, items)


def forget_agencies(session: Session) -> None:
    """Drop the cached agency codes (after creating an agency in this transaction)."""
    session.info.pop(_AGENCIES, None)


def record_loader(session: Session, special: Mapping[str, Loader] | None = None) -> Loader:
    """``loader(kind, id)`` for :func:`alcabala.ledger.verify.verify_commitments`: the record
    an entry refers to as stored now, or None if it is gone. ``kind`` is a table name, or
    one of ``special``'s kinds, whose records a domain builds itself (a check's receipt)."""
    others = dict(special or {})

    def load(kind: str, ref_id: str) -> Mapping[str, Any] | None:
        if kind in others:
            return others[kind](kind, ref_id)
        table = Base.metadata.tables.get(kind)
        if table is None:
            return None
        key: Any = int(ref_id) if ref_id.isdigit() else ref_id
        return stored_records(session, table, [key]).get(ref_id)

    return load
