"""Benchmark: POST /v1/checks/batch (1,000 stops a request) versus a raw SQLite insert.

Seeds a temporary SQLite database (default 20,000 vehicles), starts ONE uvicorn server as
bench_http.py does (1 worker, no access log, uvloop + httptools, 127.0.0.1), and sends
``--stops`` stops (default 1,000,000) in batches of ``--batch`` (1,000) over ``--clients``
(3) keep-alive connections, one thread each. Every stop has a unique check_id and is a
seeded vehicle's plate, VIN and engine number (about 98% clean, 2% stolen) with 1-2 people.
The request bodies are built as bytes before the clock starts; the clock stops at the last
response, and each response comes only after its stops are durably committed. Prints
stops/s, the time 14,000,000 stops would take at that rate (target: under 10 minutes), the
rate of the first and last tenth, and checks that ``checks`` holds exactly the stops sent.

Baseline, in the same run, after the server is stopped: the same number of rows, with the
same columns as ``checks``, inserted by plain ``executemany`` into a bare SQLite table (no
index but the rowid; WAL, synchronous=FULL as alcabala uses), one transaction per batch.
Also printed, for reference: the "schema floor", raw ``executemany`` of every row the
recorder writes for those stops (checks, sightings, audit entries) into a copy of the
seeded database, with alcabala's indexes and foreign keys.

    .venv/bin/python bench/bench_batch.py [--stops 1000000] [--batch 1000] [--clients 3]
        [--vehicles 20000] [--profile DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import resource
import secrets
import sqlite3
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import _server
from alcabala.checks.receipts import new_receipt

TARGET_STOPS = 14_000_000
TARGET_SECONDS = 600.0


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
    "id INTEGER PRIMARY KEY",
    "check_id VARCHAR(36)",
    "checkpoint_id INTEGER",
    "officer_id INTEGER",
    "at DATETIME",
    "recorded_at DATETIME",
    "plate VARCHAR(16)",
    "plate_country VARCHAR(2)",
    "vin VARCHAR(17)",
    "inputs JSON",
    "verdict VARCHAR(10)",
    "irregularities JSON",
    "receipt VARCHAR(16)",
    "offline BOOLEAN",
)


@dataclass
class Rows:
    """What the recorder writes for one batch: checks, sightings and audit rows."""

    checks: list[tuple[Any, ...]]
    sightings: list[tuple[Any, ...]]
    audit: list[tuple[Any, ...]]


def baseline_rows(bodies: list[tuple[int, bytes]], db: Path) -> list[Rows]:
    """The rows the recorder writes for the same stops, per batch, built before timing
    (checkpoint ids, places and the officer's id are read from the seeded database ``db``)."""
    conn = sqlite3.connect(db)
    places = {
        code: (id_, lat, lon)
        for id_, code, lat, lon in conn.execute("SELECT id, code, lat, lon FROM checkpoints")
    }
    officer = conn.execute("SELECT id FROM users WHERE username = 'oficial'").fetchone()[0]
    conn.close()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0).isoformat(" ")
    out = []
    for _, body in bodies:
        rows = Rows([], [], [])
        for stop in json.loads(body)["stops"]:
            check_id = stop.pop("check_id")
            place, lat, lon = places[stop.pop("checkpoint")]
            plate, country, vin = stop["plate"], stop["plate_country"], stop["vin"]
            rows.checks.append(
                (
                    check_id,
                    place,
                    officer,
                    now,
                    now,
                    plate,
                    country,
                    vin,
                    json.dumps(stop, separators=(",", ":")),
                    "clear",
                    "[]",
                    new_receipt(),
                    0,
                )
            )
            rows.sightings.append((now, plate, country, vin, place, lat, lon, "check", check_id))
            base = (now, officer, "check", place, check_id, stop["reason"])
            rows.audit += [(*base, "vehicle", subject) for subject in (vin, plate)]
            rows.audit += [(*base, "person", p["national_id"]) for p in stop["people"]]
        out.append(rows)
    return out


def copy_database(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()


def schema_floor(path: Path, batches: list[Rows]) -> float:
    """Raw ``executemany`` of the same rows into alcabala's own tables (checks, sightings,
    audit_entries, with their indexes and foreign keys), one transaction per batch: what
    recording costs without HTTP, validation, SQLAlchemy or Python objects."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    names = [c.split()[0] for c in CHECK_COLUMNS[1:]]
    checks = f"INSERT INTO checks ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    sightings = (
        "INSERT INTO sightings (at, plate, plate_country, vin, checkpoint_id, lat, lon, source,"
        " check_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    audit = (
        "INSERT INTO audit_entries (at, user_id, action, checkpoint_id, check_id, reason,"
        " subject_kind, subject) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    start = time.perf_counter()
    for rows in batches:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(checks, rows.checks)
        conn.executemany(sightings, rows.sightings)
        conn.executemany(audit, rows.audit)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def sqlite_baseline(path: Path, batches: list[Rows]) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(f"CREATE TABLE bare ({', '.join(CHECK_COLUMNS)})")
    names = [c.split()[0] for c in CHECK_COLUMNS[1:]]
    sql = f"INSERT INTO bare ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    start = time.perf_counter()
    for rows in batches:
        conn.execute("BEGIN")
        conn.executemany(sql, rows.checks)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    count = conn.execute("SELECT count(*) FROM bare").fetchone()[0]
    conn.close()
    assert count == sum(len(r.checks) for r in batches), count
    return elapsed


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stops", type=int, default=1_000_000, help="stops to send")
    parser.add_argument("--batch", type=int, default=1000, help="stops per request (max 1000)")
    parser.add_argument("--clients", type=int, default=3, help="concurrent connections")
    parser.add_argument("--vehicles", type=int, default=20_000, help="vehicles seeded")
    parser.add_argument("--templates", type=int, default=5_000, help="distinct stop shapes")
    parser.add_argument(
        "--profile",
        type=Path,
        help="then profile a further 100,000 stops with py-spy into DIR (not in the numbers)",
    )
    args = parser.parse_args()
    _server.print_header("bench_batch: POST /v1/checks/batch vs executemany into a bare table")
    with tempfile.TemporaryDirectory(prefix="alcabala-bench-batch-") as tmp:
        folder = Path(tmp)
        seeded = _server.prepare_database(folder / "bench.db", args.vehicles)
        copy_database(folder / "bench.db", folder / "floor.db")
        t0 = time.perf_counter()
        templates = _server.stop_bodies(seeded, args.templates)
        bodies = build_bodies(templates, args.stops, args.batch)
        size = sum(len(b) for _, b in bodies)
        print(
            f"client: {len(bodies):,} requests of {args.batch:,} stops ({size / 2**20:,.0f} MiB "
            f"of JSON) built in {time.perf_counter() - t0:.1f} s; {args.clients} connections"
        )
        with _server.serve(seeded.url) as server:
            # Warm-up: one small batch (first checkpoint lookups, code paths), not counted.
            warm = build_bodies(templates, 1000, 100)
            send_all(server, seeded.token, warm, 1)
            before = _server.count_rows(seeded.url, "checks")
            _server.transactions(server)  # reset the recorder's counters
            _server.wait_quiet()
            user0, sys0 = _server.cpu_times(server.process.pid)
            self0, machine0 = resource.getrusage(resource.RUSAGE_SELF), _server.machine_cpu()[0]
            start, end, done, errors = send_all(server, seeded.token, bodies, args.clients)
            self1, machine1 = resource.getrusage(resource.RUSAGE_SELF), _server.machine_cpu()[0]
            user1, sys1 = _server.cpu_times(server.process.pid)
            recorded = _server.count_rows(seeded.url, "checks") - before
            tx = _server.transactions(server)
            verdicts = _server.new_verdicts(seeded)
            if args.profile and not errors:
                extra = build_bodies(templates, min(args.stops, 100_000), args.batch)
                profile_batches(server, seeded.token, extra, args)
        sent = sum(c for _, c in done)
        del bodies
        t0 = time.perf_counter()
        batches = baseline_rows(
            build_bodies(templates, args.stops, args.batch), folder / "floor.db"
        )
        print(f"baseline rows built in {time.perf_counter() - t0:.1f} s")
        _server.wait_quiet()
        base = sqlite_baseline(folder / "bare.db", batches)
        _server.wait_quiet()
        floor = schema_floor(folder / "floor.db", batches)
        extra_rows = sum(len(r.sightings) + len(r.audit) for r in batches)
    elapsed = end - start
    rate = sent / elapsed
    first, last = tenth_rates(start, done)
    cpu = user1 - user0 + sys1 - sys0
    projected = TARGET_STOPS / rate
    print()
    print(
        f"alcabala batch  {rate:>9,.0f} stops/s ({elapsed:7.1f} s for {sent:,} stops; first "
        f"tenth {first:,.0f}/s, last tenth {last:,.0f}/s) | server CPU {1e6 * cpu / sent:.0f} "
        f"us/stop ({1e6 * (user1 - user0) / sent:.0f} user + {1e6 * (sys1 - sys0) / sent:.0f} "
        f"system), {cpu / elapsed:.0%} of a core"
    )
    client = self1.ru_utime + self1.ru_stime - self0.ru_utime - self0.ru_stime
    others = max(machine1 - machine0 - cpu - client, 0.0) / elapsed
    print(
        f"               client {client / elapsed:.2f} cores, other processes {others:.2f} cores "
        f"(of {os.cpu_count()})"
    )
    print(
        f"executemany    {args.stops / base:>9,.0f} rows/s  ({base:7.1f} s, bare table, one "
        f"transaction per {args.batch:,}) | ratio {base / elapsed:.3f}"
    )
    print(
        f"schema floor   {args.stops / floor:>9,.0f} stops/s ({floor:7.1f} s; raw executemany of "
        f"the same checks + {extra_rows:,} sightings and audit rows into alcabala's own indexed "
        f"tables) | ratio {floor / elapsed:.3f}; 14,000,000 stops: "
        f"{TARGET_STOPS * floor / args.stops / 60:.1f} min"
    )
    print(
        f"14,000,000 stops at this rate: {projected:,.0f} s = {projected / 60:.1f} min (target "
        f"< {TARGET_SECONDS / 60:.0f} min: {'met' if projected < TARGET_SECONDS else 'MISSED'}; "
        f"needs {TARGET_STOPS / TARGET_SECONDS:,.0f} stops/s)"
    )
    print(_server.transactions_line(tx))
    print(f"checks recorded by the benchmark, by verdict (warm-up included): {verdicts}")
    ok = not errors and recorded == sent == args.stops
    print(
        f"rows added to checks: {recorded:,}; stops sent and answered: {sent:,} of "
        f"{args.stops:,}: {'OK' if ok else 'FAILED'}"
    )
    for e in errors:
        print(f"client error: {e}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
