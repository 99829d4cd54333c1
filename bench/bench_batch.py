"""Benchmark: POST /v1/checks/batch (1,000 stops a request) versus raw inserts.

Seeds a database (``--database sqlite``, a temporary file, or ``postgres``, the benchmark's
own PostgreSQL database, see ``_server.bench_database``), starts uvicorn as bench_http.py
does (``--workers`` processes: 1 on SQLite, 2 by default on PostgreSQL; no access log,
uvloop + httptools, 127.0.0.1), and sends ``--stops`` stops (default 2,000,000) in batches
of ``--batch`` (1,000) over ``--clients`` (3) keep-alive connections, one thread each.
Every stop has a unique check_id and is a seeded vehicle's plate, VIN and engine number
(about 98% clean, 2% stolen) with 1-2 people. Request bodies are built before the clock
starts; the clock stops at the last response, and each response comes only after its stops
are durably committed (SQLite WAL with synchronous=FULL; PostgreSQL synchronous_commit on).
Prints stops/s, the time 14,000,000 stops would take (target: under 10 minutes, i.e.
23,333 stops/s), the rates of the first and last tenth, and checks that ``checks`` holds
exactly the stops sent.

``--prefill N`` then fills ``checks`` (and one person audit row per 1.5 stops) with
synthetic rows up to N rows (e.g. 10,000,000), the way a year of stops would leave it, and
sends the same number of stops again: the second rate over the first is the "grown table"
ratio (target >= 0.8).

Baselines, in the same run, after the server is stopped:
- the same check rows inserted raw into a bare one-table schema (``executemany`` on SQLite,
  ``COPY`` on PostgreSQL), one transaction per batch;
- the "schema floor": the rows the recorder writes for those stops (one check row each and
  one audit row per person) inserted raw into alcabala's own indexed tables.

    .venv/bin/python bench/bench_batch.py [--database sqlite|postgres] [--stops 2000000]
        [--workers N] [--prefill 10000000] [--batch 1000] [--clients 3] [--vehicles 20000]
        [--profile DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import resource
import secrets
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import _server
from alcabala.checks.receipts import new_receipt

TARGET_STOPS = 14_000_000
TARGET_SECONDS = 600.0
GROWN_TARGET = 0.8


def build_bodies(templates: list[str], stops: int, batch: int) -> list[tuple[int, bytes]]:
    """(stops in it, body) per request, every stop with its own check_id."""
    nonce = secrets.token_hex(4)
    n = len(templates)
    bodies = []
    for start in range(0, stops, batch):
        count = min(batch, stops - start)
        parts = [
            f'{{"check_id":"{nonce}-0000-4000-8000-{i:012x}",{templates[(i * 7919) % n]}'
            for i in range(start, start + count)
        ]
        bodies.append((count, ('{"stops":[' + ",".join(parts) + "]}").encode()))
    return bodies


class Client(threading.Thread):
    """One keep-alive connection posting bodies taken from a shared list."""

    def __init__(
        self,
        port: int,
        token: str,
        bodies: list[tuple[int, bytes]],
        cursor: list[int],
        lock: threading.Lock,
        done: list[tuple[float, int]],
    ) -> None:
        super().__init__(daemon=True)
        self.port, self.token, self.bodies = port, token, bodies
        self.cursor, self.lock, self.done = cursor, lock, done
        self.error: str | None = None

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        try:
            while True:
                with self.lock:
                    i = self.cursor[0]
                    if i >= len(self.bodies) or self.error:
                        return
                    self.cursor[0] = i + 1
                count, body = self.bodies[i]
                conn.request("POST", "/v1/checks/batch", body, headers)
                response = conn.getresponse()
                data = response.read()
                if response.status != 200:
                    self.error = f"HTTP {response.status}: {data[:300]!r}"
                    return
                answered = data.count(b'"receipt":')
                if answered != count:
                    self.error = f"{answered} results for {count} stops"
                    return
                with self.lock:
                    self.done.append((time.perf_counter(), count))
        except Exception as exc:
            self.error = repr(exc)
        finally:
            conn.close()


def send_all(
    server: _server.Server, token: str, bodies: list[tuple[int, bytes]], clients: int
) -> tuple[float, float, list[tuple[float, int]], list[str]]:
    cursor, lock = [0], threading.Lock()
    done: list[tuple[float, int]] = []
    threads = [Client(server.port, token, bodies, cursor, lock, done) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    last_report = start
    while any(t.is_alive() for t in threads):
        for t in threads:
            t.join(timeout=0.5)
        if time.perf_counter() - last_report > 30:
            last_report = time.perf_counter()
            sent = sum(c for _, c in done)
            print(f"  ... {sent:,} stops answered after {last_report - start:.0f} s", flush=True)
    end = max((t for t, _ in done), default=time.perf_counter())
    errors = [t.error for t in threads if t.error]
    return start, end, done, errors


def tenth_rates(start: float, done: list[tuple[float, int]]) -> tuple[float, float]:
    """Stops/s over the first and over the last tenth of the stops."""
    done = sorted(done)
    total = sum(c for _, c in done)
    acc, marks = 0, []
    for t, c in done:
        acc += c
        marks.append((acc, t))
    tenth = total / 10
    first = next((a, t) for a, t in marks if a >= tenth)
    before_last = [(a, t) for a, t in marks if a <= total - tenth]
    a0, t0 = before_last[-1] if before_last else (0, start)
    return first[0] / (first[1] - start), (total - a0) / (marks[-1][1] - t0)


# -- baseline ----------------------------------------------------------------------------------
CHECK_COLUMNS = (
    "check_id", "checkpoint_id", "officer_id", "at", "recorded_at", "plate", "plate_country",
    "vin", "inputs", "verdict", "irregularities", "receipt", "offline", "lat", "lon", "role",
    "agency_id", "client", "reason",
)  # fmt: skip
AUDIT_COLUMNS = (
    "at", "user_id", "role", "agency_id", "client", "action", "subject_kind", "subject",
    "checkpoint_id", "check_id", "reason",
)  # fmt: skip
BARE_TYPES = {"checkpoint_id": "INTEGER", "officer_id": "INTEGER", "agency_id": "INTEGER",
              "lat": "FLOAT", "lon": "FLOAT", "offline": "BOOLEAN", "at": "TIMESTAMP",
              "recorded_at": "TIMESTAMP"}  # fmt: skip


@dataclass
class Rows:
    """What the recorder writes for one batch: check rows and the people's audit rows."""

    checks: list[tuple[Any, ...]]
    audit: list[tuple[Any, ...]]


@dataclass
class Seed:
    places: dict[str, tuple[int, float, float]]  # checkpoint code -> id, lat, lon
    officer: int
    agency: int | None


def seed_facts(url: str) -> Seed:
    from sqlalchemy import text

    from alcabala.db.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        places = {
            code: (id_, lat, lon)
            for id_, code, lat, lon in conn.execute(
                text("SELECT id, code, lat, lon FROM checkpoints")
            )
        }
        officer, agency = conn.execute(
            text("SELECT id, agency_id FROM users WHERE username = 'oficial'")
        ).one()
    engine.dispose()
    return Seed(places, officer, agency)


def baseline_rows(bodies: list[tuple[int, bytes]], seed: Seed, nonce: str = "") -> list[Rows]:
    """The rows the recorder writes for the same stops, per batch, built before timing."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    out = []
    for _, body in bodies:
        rows = Rows([], [])
        for stop in json.loads(body)["stops"]:
            check_id = nonce + stop.pop("check_id")[len(nonce) :]
            place, lat, lon = seed.places[stop.pop("checkpoint")]
            rows.checks.append(
                (
                    check_id, place, seed.officer, now, now, stop["plate"],
                    stop["plate_country"], stop["vin"], json.dumps(stop, separators=(",", ":")),
                    "clear", "[]", new_receipt(), False, lat, lon, "officer", seed.agency,
                    "api", stop["reason"],
                )
            )  # fmt: skip
            rows.audit += [
                (
                    now, seed.officer, "officer", seed.agency, "api", "check", "person",
                    p["national_id"], place, check_id, stop["reason"],
                )
                for p in stop["people"]
            ]  # fmt: skip
        out.append(rows)
    return out


def raw_insert(url: str, table: str, columns: tuple[str, ...], batches: list[list[Any]]) -> float:
    """Seconds to insert ``batches`` of tuples into ``table``, one transaction per batch:
    ``executemany`` on SQLite (WAL, synchronous=FULL), ``COPY`` on PostgreSQL."""
    cols = ", ".join(columns)
    if url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(columns))})"
        start = time.perf_counter()
        for rows in batches:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(sql, rows)
            conn.execute("COMMIT")
        elapsed = time.perf_counter() - start
        conn.close()
        return elapsed
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        start = time.perf_counter()
        for rows in batches:
            with conn.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            conn.commit()
        return time.perf_counter() - start


def bare_table(url: str) -> None:
    """A one-table schema with the check row's columns and no index but the key."""
    from sqlalchemy import text

    from alcabala.db.engine import make_engine

    engine = make_engine(url)
    key = "id INTEGER PRIMARY KEY" if url.startswith("sqlite") else "id BIGSERIAL PRIMARY KEY"
    columns = ", ".join(f"{c} {BARE_TYPES.get(c, 'TEXT')}" for c in CHECK_COLUMNS)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_bare"))
        conn.execute(text(f"CREATE TABLE bench_bare ({key}, {columns})"))
    engine.dispose()


def prefill(url: str, seeded: _server.Seeded, seed: Seed, target: int) -> float:
    """Grow ``checks`` to ``target`` rows of synthetic stops spread over the past year (with
    their people's audit rows), raw, in 50,000-row transactions; returns the seconds."""
    have = _server.count_rows(url, "checks")
    todo = max(target - have, 0)
    rng = __import__("random").Random(11)
    codes = list(seed.places)
    vehicles = seeded.clean + seeded.stolen
    start = time.perf_counter()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    step = 50_000
    for done in range(0, todo, step):
        checks: list[tuple[Any, ...]] = []
        audit: list[tuple[Any, ...]] = []
        for _ in range(min(step, todo - done)):
            serial = have + done + len(checks)  # unique receipts: 10 M random ones might collide
            v = rng.choice(vehicles)
            place, lat, lon = seed.places[rng.choice(codes)]
            at = now - dt.timedelta(seconds=rng.randrange(365 * 86400))
            check_id = str(uuid.UUID(bytes=os.urandom(16), version=4))
            person = rng.choice(seeded.people)
            inputs = json.dumps({"plate": v["plate"], "vin": v["vin"], "people": [person]})
            checks.append(
                (
                    check_id, place, seed.officer, at, at, v["plate"], v["plate_country"],
                    v["vin"], inputs, "clear", "[]", f"P{serial & 0xFFFF:04X}-{serial >> 16:05X}",
                    False, lat, lon, "officer",
                    seed.agency, "api", "routine",
                )
            )  # fmt: skip
            if rng.random() < 0.75:
                audit.append(
                    (at, seed.officer, "officer", seed.agency, "api", "check", "person", person,
                     place, check_id, "routine")
                )  # fmt: skip
        raw_insert(url, "checks", CHECK_COLUMNS, [checks])
        raw_insert(url, "audit_entries", AUDIT_COLUMNS, [audit])
        if (done // step) % 20 == 19:
            print(f"  ... prefilled {have + done + step:,} checks", flush=True)
    return time.perf_counter() - start


def profile_batches(
    server: _server.Server, token: str, bodies: list[tuple[int, bytes]], args: argparse.Namespace
) -> None:
    """A separate, shorter run with py-spy attached (``--gil``); not part of the numbers."""
    args.profile.mkdir(parents=True, exist_ok=True)
    raw = args.profile / "checks_batch.pyspy.txt"
    seconds = 30
    spy = _server.py_spy(server.process.pid, seconds, raw)
    if spy is None:
        return
    time.sleep(1.0)
    user0, sys0 = _server.cpu_times(server.process.pid)
    start, end, done, errors = send_all(server, token, bodies, args.clients)
    user1, sys1 = _server.cpu_times(server.process.pid)
    spy.wait(timeout=seconds + 60)
    sent = sum(c for _, c in done)
    if errors or not raw.exists():
        print(f"profile run failed: {errors or 'no py-spy output'}")
        return
    samples = _server.profile_samples(raw)
    # py-spy ran for ``seconds`` (or until the run ended): scale samples to the stops answered.
    covered = min(seconds, end - start)
    stops_in_profile = sent * covered / (end - start)
    gil_us = 1e6 * samples / _server.PY_SPY_RATE / stops_in_profile
    cpu = user1 - user0 + sys1 - sys0
    head = (
        f"== profile /v1/checks/batch (py-spy --gil, {_server.PY_SPY_RATE}/s, first {covered:.0f} s"
        f" of {sent:,} stops; slower than unprofiled)\n"
        f"{sent / (end - start):,.0f} stops/s; server CPU {1e6 * cpu / sent:.0f} us/stop "
        f"({1e6 * (user1 - user0) / sent:.0f} user + {1e6 * (sys1 - sys0) / sent:.0f} system), "
        f"{cpu / (end - start):.0%} of a core; GIL held (sampled Python) ~{gil_us:.0f} us/stop"
    )
    summary = head + "\n" + _server.summarize_profile(raw, per_request_us=gil_us)
    (args.profile / "checks_batch.summary.txt").write_text(summary + "\n", encoding="utf-8")
    print(summary)


def measure(
    seeded: _server.Seeded, templates: list[str], args: argparse.Namespace, label: str
) -> dict[str, Any]:
    """One timed run of ``args.stops`` stops against a fresh server; what it measured."""
    bodies = build_bodies(templates, args.stops, args.batch)
    size = sum(len(b) for _, b in bodies)
    print(
        f"{label}: {len(bodies):,} requests of {args.batch:,} stops ({size / 2**20:,.0f} MiB "
        f"of JSON); {args.clients} connections",
        flush=True,
    )
    with _server.serve(seeded.url) as server:
        send_all(server, seeded.token, build_bodies(templates, 1000, 100), 1)  # warm-up
        before = _server.count_rows(seeded.url, "checks")
        _server.wait_quiet()
        user0, sys0 = _server.cpu_times(server.process.pid)
        self0, machine0 = resource.getrusage(resource.RUSAGE_SELF), _server.machine_cpu()[0]
        start, end, done, errors = send_all(server, seeded.token, bodies, args.clients)
        self1, machine1 = resource.getrusage(resource.RUSAGE_SELF), _server.machine_cpu()[0]
        user1, sys1 = _server.cpu_times(server.process.pid)
        recorded = _server.count_rows(seeded.url, "checks") - before
        if args.profile and not errors and label == "empty":
            extra = build_bodies(templates, min(args.stops, 100_000), args.batch)
            profile_batches(server, seeded.token, extra, args)
    sent = sum(c for _, c in done)
    elapsed = end - start
    rate = sent / elapsed
    first, last = tenth_rates(start, done)
    cpu = user1 - user0 + sys1 - sys0
    client = self1.ru_utime + self1.ru_stime - self0.ru_utime - self0.ru_stime
    others = max(machine1 - machine0 - cpu - client, 0.0) / elapsed
    print(
        f"alcabala batch ({label}, {before:,} checks stored before) {rate:,.0f} stops/s "
        f"({elapsed:.1f} s for {sent:,} stops; first tenth {first:,.0f}/s, last tenth "
        f"{last:,.0f}/s) | server CPU {1e6 * cpu / max(sent, 1):.0f} us/stop, "
        f"{cpu / elapsed:.2f} cores; client {client / elapsed:.2f} cores, other processes "
        f"{others:.2f} cores (of {os.cpu_count()})",
        flush=True,
    )
    ok = not errors and recorded == sent == args.stops
    print(f"rows added to checks: {recorded:,}; stops answered: {sent:,} of {args.stops:,}: "
          f"{'OK' if ok else 'FAILED'}")  # fmt: skip
    for e in errors:
        print(f"client error: {e}", file=sys.stderr)
    return {"rate": rate, "elapsed": elapsed, "ok": ok, "bodies": bodies}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--stops", type=int, default=2_000_000, help="stops to send")
    parser.add_argument("--batch", type=int, default=1000, help="stops per request (max 1000)")
    parser.add_argument("--clients", type=int, default=3, help="concurrent connections")
    parser.add_argument("--workers", type=int, help="server processes (default 1; 2 on PG)")
    parser.add_argument("--vehicles", type=int, default=20_000, help="vehicles seeded")
    parser.add_argument("--templates", type=int, default=5_000, help="distinct stop shapes")
    parser.add_argument("--prefill", type=int, default=0, help="then grow checks to N rows")
    parser.add_argument(
        "--profile",
        type=Path,
        help="then profile a further 100,000 stops with py-spy into DIR (not in the numbers)",
    )
    args = parser.parse_args()
    workers = args.workers or (2 if args.database == "postgres" else 1)
    os.environ["ALCABALA_BENCH_WORKERS"] = str(workers)
    _server.print_header("bench_batch: POST /v1/checks/batch vs raw inserts")
    print(f"database: {args.database}, {workers} server worker process(es)")
    with tempfile.TemporaryDirectory(prefix="alcabala-bench-batch-") as tmp:
        folder = Path(tmp)
        seeded = _server.prepare_database(_server.bench_database(args.database, folder),
                                          args.vehicles)  # fmt: skip
        seed = seed_facts(seeded.url)
        templates = _server.stop_bodies(seeded, args.templates)
        empty = measure(seeded, templates, args, "empty")
        grown: dict[str, Any] | None = None
        if args.prefill:
            seconds = prefill(seeded.url, seeded, seed, args.prefill)
            rows = _server.count_rows(seeded.url, "checks")
            print(f"prefill: checks grown to {rows:,} rows in {seconds:.0f} s")
            grown = measure(seeded, templates, args, "grown")
        # Baselines: the same rows, raw, with fresh check_ids and receipts.
        batches = baseline_rows(empty["bodies"], seed, nonce=secrets.token_hex(4))
        del empty["bodies"]
        bare_table(seeded.url)
        _server.wait_quiet()
        base = raw_insert(seeded.url, "bench_bare", CHECK_COLUMNS, [r.checks for r in batches])
        _server.wait_quiet()
        floor_checks = raw_insert(seeded.url, "checks", CHECK_COLUMNS, [r.checks for r in batches])
        floor_audit = raw_insert(
            seeded.url, "audit_entries", AUDIT_COLUMNS, [r.audit for r in batches]
        )
        audit_rows = sum(len(r.audit) for r in batches)
    raw = "COPY" if args.database == "postgres" else "executemany"
    rate = empty["rate"]
    print()
    print(f"alcabala batch   {rate:>9,.0f} stops/s on an empty table")
    if grown is not None:
        ratio = grown["rate"] / rate
        print(
            f"alcabala batch   {grown['rate']:>9,.0f} stops/s with {args.prefill:,} checks stored:"
            f" {ratio:.2f} of the empty-table rate (target >= {GROWN_TARGET}: "
            f"{'met' if ratio >= GROWN_TARGET else 'MISSED'})"
        )
    print(f"raw {raw:<12} {args.stops / base:>9,.0f} rows/s into a bare table | ratio "
          f"{base / empty['elapsed']:.3f}")  # fmt: skip
    floor = floor_checks + floor_audit
    print(
        f"schema floor     {args.stops / floor:>9,.0f} stops/s (raw {raw} of the same check rows"
        f" + {audit_rows:,} person audit rows into alcabala's indexed tables) | ratio "
        f"{floor / empty['elapsed']:.3f}"
    )
    projected = TARGET_STOPS / rate
    print(
        f"14,000,000 stops at this rate: {projected / 60:.1f} min (target < "
        f"{TARGET_SECONDS / 60:.0f} min: {'met' if projected < TARGET_SECONDS else 'MISSED'}; "
        f"needs {TARGET_STOPS / TARGET_SECONDS:,.0f} stops/s)"
    )
    ok = empty["ok"] and (grown is None or grown["ok"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
