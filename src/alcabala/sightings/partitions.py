"""On PostgreSQL, camera sightings are partitioned by day (migration 0011).

Why: a national network stores tens of millions of reads a day and keeps 90 days of them.
Day partitions let the purge drop a whole day at once instead of deleting row by row (and
bloating the table), and let a search "since the theft" touch only the days since.

:func:`ensure_days` creates the partitions a batch of reads needs before it is stored
(``sightings_YYYYMMDD``, from midnight UTC to the next), and the detector's hourly job
creates today's and the next two days' ahead of time; rows for a day with no partition
would land in ``sightings_default``. :func:`drop_days_before` drops the partitions wholly
older than the retention. On SQLite all of this is a no-op: the table is a plain one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

#: The day partitions this process has seen exist, per database.
_KNOWN: dict[str, set[dt.date]] = {}


def _known(session: Session) -> set[dt.date]:
    return _KNOWN.setdefault(str(session.get_bind().engine.url), set())


def is_partitioned(session: Session) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return False
    found = session.execute(
        text(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = 'sightings'"
        )
    ).first()
    return found is not None


def name_of(day: dt.date) -> str:
    return f"sightings_{day:%Y%m%d}"


def ensure_days(session: Session, days: Iterable[dt.date]) -> None:
    """Create the day partitions of ``days`` that do not exist yet (PostgreSQL)."""
    known = _known(session)
    wanted = sorted(set(days) - known)
    if not wanted or not is_partitioned(session):
        return
    for day in wanted:
        start, end = day.isoformat(), (day + dt.timedelta(days=1)).isoformat()
        try:
            with session.begin_nested():
                session.execute(
                    text(
                        f"CREATE TABLE IF NOT EXISTS {name_of(day)} PARTITION OF sightings "
                        f"FOR VALUES FROM ('{start} 00:00:00') TO ('{end} 00:00:00')"
                    )
                )
        except ProgrammingError:  # another process created it meanwhile
            pass
        known.add(day)


def drop_days_before(session: Session, cutoff: dt.datetime) -> int:
    """Drop the day partitions that end at or before ``cutoff``; how many rows they held."""
    if not is_partitioned(session):
        return 0
    rows = session.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'sightings' "
            "AND c.relname ~ '^sightings_[0-9]{8}$'"
        )
    ).scalars()
    dropped = 0
    for name in sorted(rows):
        day = dt.datetime.strptime(name[-8:], "%Y%m%d").replace(tzinfo=dt.UTC)
        if day + dt.timedelta(days=1) <= cutoff:
            dropped += int(session.execute(text(f"SELECT count(*) FROM {name}")).scalar() or 0)
            session.execute(text(f"DROP TABLE {name}"))
            _known(session).discard(day.date())
    return dropped
