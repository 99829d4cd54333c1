"""``insert_rows`` (COPY on PostgreSQL, the driver's executemany on SQLite) stores exactly
what an ordinary Core insert stores, inside the caller's transaction, and reports a unique
violation as SQLAlchemy's ``IntegrityError``."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

from alcabala.db.base import UTCDateTime
from alcabala.db.bulk_insert import insert_rows


@pytest.fixture
def tables(engine: Engine) -> Iterator[tuple[Table, Table]]:
    """Two tables of the same shape: one written by insert_rows, one by Core."""
    metadata = MetaData()
    suffix = uuid.uuid4().hex[:8]
    made = tuple(
        Table(
            f"bulk_{name}_{suffix}",
            metadata,
            Column("id", Integer, primary_key=True),
            Column("code", String(40), unique=True),
            Column("at", UTCDateTime()),
            Column("data", JSON),
            Column("flag", Boolean),
            Column("x", Float),
            Column("note", String(200)),
        )
        for name in ("fast", "core")
    )
    metadata.create_all(engine)
    yield made[0], made[1]
    metadata.drop_all(engine)


TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
ROW = st.fixed_dictionaries(
    {
        "at": st.datetimes(
            min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(2200, 1, 1)
        ).map(lambda d: d.replace(tzinfo=dt.UTC)),
        "data": JSONISH,
        "flag": st.booleans() | st.none(),
        "x": st.floats(allow_nan=False, allow_infinity=False, width=32) | st.none(),
        "note": TEXT.map(lambda t: t[:200]) | st.none(),
    }
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(ROW, min_size=1, max_size=20))
def test_rows_read_back_as_a_core_insert_stores_them(
    engine: Engine, tables: tuple[Table, Table], rows: list[dict[str, Any]]
) -> None:
    fast, core = tables
    rows = [{"code": uuid.uuid4().hex, **row} for row in rows]
    with engine.begin() as conn:
        insert_rows(conn, fast, rows)
        conn.execute(insert(core), rows)
    columns = ["code", "at", "data", "flag", "x", "note"]
    with engine.connect() as conn:
        got = {r.code: tuple(r) for r in conn.execute(select(*(fast.c[c] for c in columns)))}
        want = {r.code: tuple(r) for r in conn.execute(select(*(core.c[c] for c in columns)))}
    assert {code: got[code] for code in want} == want
    assert got[rows[0]["code"]][1] == rows[0]["at"]


def test_a_unique_violation_is_an_integrity_error_and_rolls_back(
    engine: Engine, tables: tuple[Table, Table]
) -> None:
    fast, _ = tables
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    row = {"code": "A", "at": now, "data": {}, "flag": True, "x": 1.0, "note": ""}
    with engine.begin() as conn:
        insert_rows(conn, fast, [row])
    with pytest.raises(IntegrityError), engine.begin() as conn:
        insert_rows(conn, fast, [{**row, "code": "B"}, row])
    with engine.connect() as conn:
        assert [r.code for r in conn.execute(select(fast.c.code))] == ["A"]


def test_no_rows_is_nothing(engine: Engine, tables: tuple[Table, Table]) -> None:
    fast, _ = tables
    with engine.begin() as conn:
        insert_rows(conn, fast, [])
        assert conn.execute(select(fast.c.id)).first() is None
