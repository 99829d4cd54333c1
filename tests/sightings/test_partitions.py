"""On PostgreSQL, camera sightings are partitioned by UTC day: reads land in their day's
partition, created as they arrive, and the purge drops whole days past the retention."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, text

from alcabala.context import SYSTEM
from alcabala.sightings.ingest import ingest, purge
from alcabala.sightings.partitions import name_of
from alcabala.sightings.schemas import ReadIn


@pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_reads_land_in_their_days_partition_and_old_days_are_dropped(
    api: Any, engine: Engine
) -> None:
    door, clock = api.app.state.door, api.clock
    clock.set(dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC))  # midday: days are clear-cut
    now = clock.now()
    yesterday = now - dt.timedelta(days=1)
    reads = [
        ReadIn(plate=p, checkpoint="GUA-ALDAO", camera="C1", at=at)
        for p, at in (("AB123CD", yesterday), ("XY987ZW", now))
    ]
    with door.write(SYSTEM) as ctx:
        assert ingest(ctx, reads) == (2, 0)
    with engine.connect() as conn:
        where = dict(
            conn.execute(text("SELECT plate, tableoid::regclass::text FROM sightings")).all()
        )
        kind = conn.execute(
            text(
                "SELECT partstrat FROM pg_partitioned_table p "
                "JOIN pg_class c ON c.oid = p.partrelid WHERE c.relname = 'sightings'"
            )
        ).scalar()
    assert kind == "r"  # by range
    assert where == {"AB123CD": name_of(yesterday.date()), "XY987ZW": name_of(now.date())}
    clock.advance(dt.timedelta(days=90, hours=-6))  # the cutoff: 06:00 of today
    with door.write(SYSTEM) as ctx:
        assert purge(ctx) == 1  # yesterday's day is past; today's straddles the cutoff
    with engine.connect() as conn:
        tables = set(conn.execute(text("SELECT tablename FROM pg_tables")).scalars())
        left = conn.execute(text("SELECT plate FROM sightings")).scalars().all()
    assert name_of(yesterday.date()) not in tables and left == ["XY987ZW"]
    assert name_of(clock.now().date()) in tables  # the days ahead are created by the purge
