"""Benchmark: bulk import of vehicles versus a raw insert of the same rows.

For SQLite the baseline is ``executemany`` of the parsed CSV rows into a bare table (no
indexes, no validation); for PostgreSQL it is ``COPY`` of the same file into a bare table.
alcabala's import validates every VIN, plate, engine number and owner, fills the indexed
vehicles table and commits once. Prints rows/s for both and the ratio.

    .venv/bin/python bench/bench_import.py [--rows 1000000] [--postgres URL] [--sqlite-only]
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
from pathlib import Path

from sqlalchemy import text

from alcabala.bulk.kinds import KINDS
from alcabala.bulk.services import import_rows
from alcabala.db.engine import make_engine
from alcabala.db.migrate import upgrade
from alcabala.demo.generator import generate

DEFAULT_PG = os.environ.get(
    "ALCABALA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
FIELDS = (
    "vin",
    "plate",
    "plate_country",
    "engine_number",
    "make",
    "model",
    "year",
    "colour",
    "owner_national_id",
    "owner_country",
    "owner_agency",
)


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def prepare(url: str, data: dict[str, list[dict[str, str]]], folder: Path) -> None:
    """A migrated database holding everything vehicles refer to (agencies, persons)."""
    engine = make_engine(url)
    upgrade(engine)
    for kind in KINDS[: KINDS.index("vehicles")]:
        with (folder / f"{kind}.csv").open(encoding="utf-8", newline="") as f:
            report = import_rows(engine, kind, f, "csv")
        assert report.ok, report.errors[:3]
    engine.dispose()


def time_import(url: str, vehicles_csv: Path) -> float:
    engine = make_engine(url)
    start = time.perf_counter()
    with vehicles_csv.open(encoding="utf-8", newline="") as f:
        report = import_rows(engine, "vehicles", f, "csv")
    elapsed = time.perf_counter() - start
    assert report.ok, report.errors[:3]
    engine.dispose()
    return elapsed


def sqlite_baseline(path: Path, vehicles_csv: Path) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(f"CREATE TABLE bare ({', '.join(FIELDS)})")
    start = time.perf_counter()
    with vehicles_csv.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO bare VALUES ({', '.join('?' * len(FIELDS))})", reader)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def postgres_baseline(url: str, vehicles_csv: Path) -> float:
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        conn.execute("DROP TABLE IF EXISTS bare")
        conn.execute(f"CREATE TABLE bare ({', '.join(f + ' text' for f in FIELDS)})")
        conn.commit()
        start = time.perf_counter()
        copy_sql = "COPY bare FROM STDIN (FORMAT csv, HEADER true)"
        with conn.cursor() as cur, cur.copy(copy_sql) as copy, vehicles_csv.open("rb") as f:
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        conn.commit()
        elapsed = time.perf_counter() - start
        conn.execute("DROP TABLE bare")
        conn.commit()
    return elapsed


def pg_database(admin_url: str, name: str, create: bool) -> str:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    admin = create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if create:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def report(label: str, rows: int, ours: float, base: float, baseline: str) -> None:
    print(
        f"{label:<10} alcabala import {rows / ours:>10,.0f} rows/s ({ours:6.1f} s) | "
        f"{baseline} {rows / base:>10,.0f} rows/s ({base:6.1f} s) | ratio {base / ours:.2f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="vehicles to import")
    parser.add_argument("--postgres", default=DEFAULT_PG, help="PostgreSQL admin URL")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    print(
        f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; rows: {args.rows:,}"
    )
    t0 = time.perf_counter()
    data = generate(vehicles=args.rows, seed=11)
    print(f"generated demo registry in {time.perf_counter() - t0:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for kind in KINDS[: KINDS.index("vehicles") + 1]:
            write_csv(folder / f"{kind}.csv", data[kind])
        vehicles_csv = folder / "vehicles.csv"
        sqlite_url = f"sqlite:///{folder / 'bench.db'}"
        prepare(sqlite_url, data, folder)
        ours = time_import(sqlite_url, vehicles_csv)
        base = sqlite_baseline(folder / "bare.db", vehicles_csv)
        report("SQLite", args.rows, ours, base, "executemany")
        if not args.sqlite_only:
            url = pg_database(args.postgres, "alcabala_bench", create=True)
            prepare(url, data, folder)
            ours = time_import(url, vehicles_csv)
            base = postgres_baseline(url, vehicles_csv)
            report("PostgreSQL", args.rows, ours, base, "COPY")
            pg_database(args.postgres, "alcabala_bench", create=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
