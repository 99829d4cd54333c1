"""Benchmark: retroactive matching over a large store of sightings, on PostgreSQL.

It creates its own database, migrates it, and stores N camera sightings (default 100
million) spread evenly over 89 days of the retention, oldest first as cameras send them,
in day partitions, for N/3 plates, with ``INSERT … SELECT generate_series`` (server-side,
so loading is not what is measured).
Then it times the lead search of a theft reported now (``retro.report_leads``: the
vehicle's checks and sightings by plate and VIN since the theft, and the lead alert they
make) for vehicles seen a few times in the last day, each in a transaction rolled back,
and compares it with the same search on the same schema holding only those few
sightings (the baseline, measured first in the same run).

    .venv/bin/python bench/bench_retro.py [--rows 100000000] [--url postgresql+psycopg://…/postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from alcabala.config import Settings
from alcabala.context import SYSTEM, Door
from alcabala.db.engine import make_engine
from alcabala.db.migrate import upgrade
from alcabala.sightings.partitions import ensure_days
from alcabala.sightings.retro import report_leads
from alcabala.vehicles.models import StolenReport, Vehicle

NAME = "alcabala_bench_retro"
TARGETS = 20


def _plate(n: int) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    a, b, c, d = (letters[(n // 23**i) % 23] for i in range(4))
    return f"{a}{b}{n % 1000:03d}{c}{d}"


def _setup(url: str) -> str:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{NAME}"'))
    admin.dispose()
    return make_url(url).set(database=NAME).render_as_string(hide_password=False)


def _seed(door: Door, now: dt.datetime) -> list[int]:
    """An agency, a checkpoint and TARGETS vehicles, each seen 5 times in the last day."""
    with door.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO agencies (code, name, kind, state, language, created_at) "
                "VALUES ('CICPC', 'CICPC', 'police', '', 'es', now())"
            )
        )
        conn.execute(
            text(
                "INSERT INTO checkpoints (code, name, road, state, lat, lon, created_at) "
                "VALUES ('GUA-ALDAO', 'Aldao', 'Troncal 2', 'Guárico', 8.87, -67.43, now())"
            )
        )
    ids = []
    with door.write(SYSTEM) as ctx:
        ensure_days(ctx.session, [(now - dt.timedelta(days=d)).date() for d in range(92)])
        for i in range(TARGETS):
            plate = f"ZZ{i:03d}ZZ"
            v = Vehicle(
                vin=f"9BWZZZ377VT{i:06d}",
                plate=plate,
                plate_country="VE",
                plate_ocr_key=plate,
                make="",
                model="",
                colour="",
            )
            ctx.session.add(v)
            ctx.session.flush()
            ids.append(v.id)
            for k in range(5):
                ctx.session.execute(
                    text(
                        "INSERT INTO sightings (at, plate, plate_country, checkpoint_id, source) "
                        "VALUES (:at, :p, 'VE', 1, 'camera')"
                    ),
                    {"at": (now - dt.timedelta(hours=3 * k + 1)).replace(tzinfo=None), "p": plate},
                )
    return ids


def _time(door: Door, vehicle_ids: list[int], now: dt.datetime) -> list[float]:
    spent = []
    for vid in vehicle_ids:
        with door.engine.connect() as conn:
            trans = conn.begin()
            from sqlalchemy.orm import Session

            session = Session(bind=conn)
            from alcabala.context import Ctx

            ctx = Ctx(session, SYSTEM, door.settings, door.clock)
            vehicle = session.get(Vehicle, vid)
            report = StolenReport(
                number=f"R-{vid}-{time.monotonic_ns()}",
                vehicle=vehicle,
                agency_id=1,
                reported_at=now,
                status="active",
                stolen_at=now - dt.timedelta(days=1),
            )
            session.add(report)
            session.flush()
            start = time.perf_counter()
            report_leads(ctx, report)
            session.flush()
            spent.append(time.perf_counter() - start)
            trans.rollback()
            session.close()
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    url = _setup(args.url)
    engine = make_engine(url)
    upgrade(engine)
    from alcabala.clock import FixedClock

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    door = Door(engine, Settings(database_url=url, detection_seconds=0), FixedClock(now))
    ids = _seed(door, now)
    _time(door, ids[:3], now)  # warm the caches
    base = statistics.median(_time(door, ids, now))
    print(f"baseline ({TARGETS * 5} sightings stored): lead search {base * 1000:.1f} ms (median)")
    step = 10_000_000
    start = time.perf_counter()
    for first in range(0, args.rows, step):
        n = min(step, args.rows - first)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO sightings (at, plate, plate_country, checkpoint_id, source) "
                    "SELECT :now - make_interval(secs => 89 * 86400.0 * (1 - g::float8 / :total)), "
                    "chr(65 + (g / 3) % 23) || chr(65 + (g / 69) % 23) "
                    "|| lpad(((g / 3) % 1000)::text, 3, '0') "
                    "|| chr(65 + (g / 1587) % 23) || chr(65 + (g / 36501) % 23), 'VE', 1, 'camera' "
                    "FROM generate_series(:a, :b) g"
                ),
                {
                    "now": now.replace(tzinfo=None),
                    "a": first,
                    "b": first + n - 1,
                    "total": args.rows,
                },
            )
        print(f"  stored {first + n:,} sightings ({time.perf_counter() - start:.0f} s)", flush=True)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE sightings"))
        total = conn.execute(text("SELECT count(*) FROM sightings")).scalar()
        size = conn.execute(
            text("SELECT pg_size_pretty(pg_database_size(current_database()))")
        ).scalar()
    _time(door, ids[:3], now)
    spent = _time(door, ids, now)
    median, worst = statistics.median(spent), max(spent)
    print(
        f"{total:,} sightings stored ({size}): lead search {median * 1000:.1f} ms median, "
        f"{worst * 1000:.1f} ms worst of {TARGETS}; ratio to baseline {median / base:.2f}"
    )
    engine.dispose()


if __name__ == "__main__":
    main()
