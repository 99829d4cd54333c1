"""Benchmark: bulk import of vehicles versus a raw insert of the same rows, same run.

For each database, alcabala's import (``import_rows`` called as ``alcabala import vehicles``
calls it: ``--jobs`` worker processes, the file's row count as the hint) checks every VIN,
plate, engine number and owner, fills the indexed ``vehicles`` table, writes its
change-sequence entries and commits once; it is timed from opening the file to the commit.
The baseline loads the same CSV file into a bare one-table schema with no checks and no
indexes: ``executemany`` of the parsed rows on SQLite (WAL, ``synchronous=FULL``, one
transaction), ``COPY ... FROM STDIN (FORMAT csv)`` on PostgreSQL. Both are printed as rows/s,
with the ratio and the targets of issue 10 (≥ 70,000 rows/s; ratio ≥ 0.15 of SQLite's
``executemany``, ≥ 0.05 of PostgreSQL's ``COPY``).

SQLite works in a temporary directory. PostgreSQL works in a fresh schema of the given
database (created, used through ``search_path`` and dropped at the end), so a shared
database is left as it was found.

The machine may be shared, and the import needs every core while the baselines need one, so
the script also prints the CPU time the import took per row, split into the importing
process, its checking workers and (PostgreSQL on this host) the server backends it used,
and the rate that CPU time allows on this machine's cores when nothing else runs.

    .venv/bin/python bench/bench_import.py [--rows 1000000] [--jobs N] [--postgres URL]
                                           [--sqlite-only | --postgres-only]
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, func, select, text

from alcabala.bulk.kinds import KINDS
from alcabala.bulk.services import import_rows
from alcabala.config import Settings
from alcabala.context import Door
from alcabala.db.engine import make_engine, read_session
from alcabala.db.migrate import upgrade
from alcabala.demo.generator import generate
from alcabala.vehicles.models import Vehicle

DEFAULT_PG = os.environ.get(
    "ALCABALA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TARGET_RATE = 70_000
TARGET_RATIO = {"SQLite": 0.15, "PostgreSQL": 0.05}
APP_NAME = "alcabala-bench-import"
TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid: int, children: bool = False) -> float | None:
    """CPU seconds of process ``pid`` (with its reaped children), from /proc; None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICK


def workers_cpu() -> float:
    """CPU seconds of the checking workers so far: they are forked by multiprocessing's
    fork server, which reaps them (its children's times)."""
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    return (proc_cpu(pid, children=True) or 0.0) if pid else 0.0


def backends_cpu(engine: Engine) -> dict[int, float]:
    """CPU seconds of the PostgreSQL backends serving this benchmark's engine."""
    if engine.dialect.name != "postgresql":
        return {}
    with engine.connect() as conn:
        pids = conn.execute(
            text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
            {"name": APP_NAME},
        ).scalars()
        return {pid: cpu for pid in pids if (cpu := proc_cpu(pid)) is not None}


class CpuMeter:
    """CPU time of the import: this process, the workers, the server backends."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.start = (time.process_time(), workers_cpu(), backends_cpu(engine))

    def per_row(self, rows: int) -> tuple[float, float, float]:
        own, workers, backends = self.start
        after = backends_cpu(self.engine)
        server = sum(cpu - backends.get(pid, 0.0) for pid, cpu in after.items())
        own_now, workers_now = time.process_time(), workers_cpu()
        return (
            (own_now - own) / rows * 1e6,
            (workers_now - workers) / rows * 1e6,
            server / rows * 1e6,
        )


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def door_on(engine: Engine) -> Door:
    url = engine.url.render_as_string(hide_password=False)
    return Door(engine, Settings.from_env().replace(database_url=url))


def prepare(engine: Engine, folder: Path, jobs: int) -> None:
    """A migrated database holding everything vehicles refer to (agencies, persons)."""
    upgrade(engine)
    door = door_on(engine)
    for kind in KINDS[: KINDS.index("vehicles")]:
        path = folder / f"{kind}.csv"
        with path.open(encoding="utf-8", newline="") as f:
            report = import_rows(door, kind, f, "csv", jobs=jobs, rows_hint=data_rows(path))
        assert report.ok, report.errors[:3]


def data_rows(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for _ in f) - 1


def time_import(
    engine: Engine, vehicles_csv: Path, jobs: int, rows: int
) -> tuple[float, tuple[float, float, float]]:
    door = door_on(engine)
    meter = CpuMeter(engine)
    start = time.perf_counter()
    with vehicles_csv.open(encoding="utf-8", newline="") as f:
        report = import_rows(door, "vehicles", f, "csv", jobs=jobs, rows_hint=rows)
    elapsed = time.perf_counter() - start
    cpu = meter.per_row(rows)
    assert report.ok, report.errors[:3]
    with read_session(engine) as session:
        stored = session.scalar(select(func.count()).select_from(Vehicle))
    assert stored == rows == report.stored, (stored, rows, report.stored)
    return elapsed, cpu


def fields_of(vehicles_csv: Path) -> list[str]:
    with vehicles_csv.open(encoding="utf-8", newline="") as f:
        return next(csv.reader(f))


def sqlite_baseline(path: Path, vehicles_csv: Path) -> float:
    fields = fields_of(vehicles_csv)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(f"CREATE TABLE bare ({', '.join(fields)})")
    start = time.perf_counter()
    with vehicles_csv.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO bare VALUES ({', '.join('?' * len(fields))})", reader)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def postgres_baseline(engine: Engine, vehicles_csv: Path) -> float:
    fields = fields_of(vehicles_csv)
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        assert driver is not None
        conn.exec_driver_sql(f"CREATE TABLE bare ({', '.join(f + ' text' for f in fields)})")
        conn.commit()
        start = time.perf_counter()
        copy_sql = "COPY bare FROM STDIN (FORMAT csv, HEADER true)"
        with driver.cursor() as cur, cur.copy(copy_sql) as copy, vehicles_csv.open("rb") as f:
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        conn.commit()
        elapsed = time.perf_counter() - start
    return elapsed


@contextmanager
def pg_schema(url: str) -> Iterator[Engine]:
    """An engine whose ``search_path`` is a fresh schema, dropped (with all in it) at the end."""
    schema = f"alcabala_bench_{os.getpid()}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    options = {"options": f"-c search_path={schema}", "application_name": APP_NAME}
    engine = make_engine(url, connect_args=options)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(
    label: str, rows: int, ours: float, base: float, baseline: str, cpu: tuple[float, ...]
) -> None:
    rate, base_rate = rows / ours, rows / base
    ratio, target = base / ours, TARGET_RATIO[label]
    own, workers, server = cpu
    total = own + workers + server
    idle_rate = (os.cpu_count() or 1) / total * 1e6
    print(
        f"{label:<10} alcabala import {rate:>9,.0f} rows/s ({ours:6.1f} s) | "
        f"raw {baseline} {base_rate:>10,.0f} rows/s ({base:5.1f} s) | ratio {ratio:.3f}\n"
        f"{'':<10} targets: ≥ {TARGET_RATE:,} rows/s {verdict(rate >= TARGET_RATE)}; "
        f"ratio ≥ {target} {verdict(ratio >= target)}\n"
        f"{'':<10} CPU per row: importer {own:.1f} µs + workers {workers:.1f} µs + "
        f"server {server:.1f} µs = {total:.1f} µs; {os.cpu_count()} idle cores would allow "
        f"≤ {idle_rate:,.0f} rows/s",
        flush=True,
    )


def machine_line(pg_url: str | None) -> str:
    pg = ""
    if pg_url:
        engine = make_engine(pg_url)
        with engine.connect() as conn:
            pg = f", PostgreSQL {conn.exec_driver_sql('SHOW server_version').scalar()}"
        engine.dispose()
    load = ", load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    return (
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}{pg}{load}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="vehicles to import")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="checking workers")
    parser.add_argument("--postgres", default=DEFAULT_PG, help="PostgreSQL URL (a database)")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--sqlite-only", action="store_true")
    only.add_argument("--postgres-only", action="store_true")
    args = parser.parse_args()
    print(machine_line(None if args.sqlite_only else args.postgres))
    print(f"rows: {args.rows:,}; jobs: {args.jobs}; command: {' '.join(sys.argv)}")
    t0 = time.perf_counter()
    data = generate(vehicles=args.rows, seed=11)
    print(f"generated the demo registry in {time.perf_counter() - t0:.1f} s", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for kind in KINDS[: KINDS.index("vehicles") + 1]:
            write_csv(folder / f"{kind}.csv", data[kind])
        del data
        vehicles_csv = folder / "vehicles.csv"
        if not args.postgres_only:
            engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
            prepare(engine, folder, args.jobs)
            ours, cpu = time_import(engine, vehicles_csv, args.jobs, args.rows)
            engine.dispose()
            base = sqlite_baseline(folder / "bare.db", vehicles_csv)
            report("SQLite", args.rows, ours, base, "executemany", cpu)
        if not args.sqlite_only:
            with pg_schema(args.postgres) as engine:
                prepare(engine, folder, args.jobs)
                ours, cpu = time_import(engine, vehicles_csv, args.jobs, args.rows)
                base = postgres_baseline(engine, vehicles_csv)
                report("PostgreSQL", args.rows, ours, base, "COPY", cpu)
    print("load at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
