"""Benchmark: the log's append and integration cost, and its read latency.

Append: N records are inserted in transactions of ``--batch`` (1,000), once alone (the
baseline: the same inserts without the log) and once with one :func:`append` per record
in the same transaction, while an :class:`Integrator` thread runs as a server would. It
prints both rates, their ratio, how long integration took to catch up, and the delay from
each batch's commit to the first checkpoint covering it (p50, p99).

Reads: a log of ``--read-size`` entries (1,000,000) is filled with :func:`append_many`
and integrated, then random inclusion proofs (``tiles.inclusion_proof`` over stored tiles,
one read transaction each, as ``GET /v1/log/proofs/inclusion`` does) and random full
level-0 tile reads are timed: p50 and p99.

    .venv/bin/python bench/bench_log.py [--db sqlite|postgres] [--entries 100000]
        [--batch 1000] [--read-size 1000000] [--reads 2000]

PostgreSQL: a database of its own (``alcabala_bench_log_<pid>``, created and dropped) on
the server of ``ALCABALA_BENCH_POSTGRES_URL`` (default postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, create_engine, insert, text
from sqlalchemy.engine import make_url

from alcabala.clock import SYSTEM_CLOCK
from alcabala.db.engine import make_engine, read_session, unit_of_work
from alcabala.db.migrate import upgrade
from alcabala.ledger import tiles
from alcabala.ledger.integrator import Integrator, integrate
from alcabala.ledger.keys import Signer
from alcabala.ledger.models import append, append_many, log_size, tile_reader

ORIGIN = "bench.example/log"
AT = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@contextmanager
def database(kind: str) -> Iterator[Engine]:
    """A fresh migrated database: a SQLite file, or a PostgreSQL database of our own."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
            upgrade(engine)
            yield engine
            engine.dispose()
        return
    server = make_url(os.environ.get("ALCABALA_BENCH_POSTGRES_URL", DEFAULT_PG))
    name = f"alcabala_bench_log_{os.getpid()}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(server.set(database=name).render_as_string(hide_password=False))
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def insert_records(engine: Engine, table: Table, n: int, batch: int, *, log: bool) -> list[float]:
    """Insert ``n`` records in transactions of ``batch``; return each commit's time."""
    commits = []
    for start in range(0, n, batch):
        rows = [
            {"n": start + i, "plate": f"AB{(start + i) % 1000:03d}CD", "state": "active"}
            for i in range(min(batch, n - start))
        ]
        with unit_of_work(engine) as session:
            session.execute(insert(table), rows)
            if log:
                for row in rows:
                    append(session, "bench.record", "CICPC", AT, row, ("bench", row["n"]))
        commits.append(time.monotonic())
    return commits


def bench_append(engine: Engine, signer: Signer, n: int, batch: int) -> None:
    records = Table(
        "bench_records",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("n", Integer),
        Column("plate", String(10)),
        Column("state", String(10)),
    )
    records.create(engine)
    integrate(engine, signer, ORIGIN, SYSTEM_CLOCK)  # the empty tree's checkpoint
    started = time.perf_counter()
    insert_records(engine, records, n, batch, log=False)
    baseline = n / (time.perf_counter() - started)

    seen: list[tuple[float, int]] = []
    integrator = Integrator(engine, signer, ORIGIN, SYSTEM_CLOCK)
    integrator.on_checkpoint.append(lambda c: seen.append((time.monotonic(), c.size)))
    integrator.start()
    started = time.perf_counter()
    commits = insert_records(engine, records, n, batch, log=True)
    appended = time.perf_counter()
    while not seen or seen[-1][1] < n:
        time.sleep(0.01)
    caught_up = time.perf_counter()
    integrator.stop()
    with_log = n / (appended - started)
    delays = []
    for b, committed in enumerate(commits):
        covered = min(b * batch + batch, n)
        delays.append(next(t for t, size in seen if size >= covered) - committed)
    print(f"append, {n:,} records in transactions of {batch:,}:")
    print(f"  baseline (records only)     {baseline:10,.0f} records/s")
    print(f"  with the log                {with_log:10,.0f} records+entries/s")
    print(f"  ratio                       {with_log / baseline:10.2f}")
    print(f"  integrated {n:,} by         {caught_up - started:10.2f} s after the first batch")
    print(
        f"  commit -> checkpoint        p50 {pct(delays, 0.5) * 1000:.0f} ms, "
        f"p99 {pct(delays, 0.99) * 1000:.0f} ms ({len(seen)} checkpoints)"
    )


def bench_reads(engine: Engine, signer: Signer, size: int, reads: int) -> None:
    started = time.perf_counter()
    with read_session(engine) as session:
        have = log_size(session)
    chunk = 50_000
    for start in range(have, size, chunk):
        count = min(chunk, size - start)
        with unit_of_work(engine) as session:
            append_many(
                session,
                [
                    ("bench.read", None, AT, {"n": i}, ("bench", i))
                    for i in range(start, start + count)
                ],
            )
        while integrate(engine, signer, ORIGIN, SYSTEM_CLOCK, max_entries=chunk) is not None:
            pass
    filled = time.perf_counter() - started
    print(f"reads at {size:,} entries (filled and integrated in {filled:.0f} s):")
    rng = random.Random(7)
    proof_ms, tile_ms = [], []
    for _ in range(reads):
        index = rng.randrange(size)
        t = time.perf_counter()
        with read_session(engine) as session:
            n = log_size(session)
            reader = tile_reader(session, tiles.proof_tiles([n], [index]))
            proof = tiles.inclusion_proof(index, n, reader)
        proof_ms.append((time.perf_counter() - t) * 1000)
        assert len(proof) <= size.bit_length()
        t = time.perf_counter()
        with read_session(engine) as session:
            tile = tile_reader(session)(0, rng.randrange(size // 256))
        tile_ms.append((time.perf_counter() - t) * 1000)
        assert len(tile) == 8192
    for name, values in (("inclusion proof", proof_ms), ("full level-0 tile", tile_ms)):
        print(
            f"  {name:<18} p50 {statistics.median(values):6.2f} ms   "
            f"p99 {pct(values, 0.99):6.2f} ms   ({reads:,} reads)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--read-size", type=int, default=1_000_000)
    parser.add_argument("--reads", type=int, default=2_000)
    args = parser.parse_args()
    print(f"bench_log: {args.db}, Python {platform.python_version()}, {os.cpu_count()} cores")
    signer = Signer.generate(ORIGIN)
    with database(args.db) as engine:
        bench_append(engine, signer, args.entries, args.batch)
    if args.read_size:
        with database(args.db) as engine:
            bench_reads(engine, signer, args.read_size, args.reads)


if __name__ == "__main__":
    main()
