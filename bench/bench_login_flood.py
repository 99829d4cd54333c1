"""Benchmark: check latency when idle versus under a flood of console sign-ins.

Seeds a temporary SQLite database (the demo registry, default 2,000 vehicles, plus 16
sign-in users whose passwords are hashed at the production argon2 cost), starts ONE uvicorn
server (1 worker, no access log, uvloop + httptools when installed, 127.0.0.1) serving the
real app, and measures ``POST /v1/checks`` at a fixed rate (open loop: each request has a
scheduled time and its latency counts from then, so a stalled server cannot hide its
stalls) in four phases, all on the same server in the same run:

1. ``idle``: checks only, the baseline;
2. ``flood``: checks while 16 clients sign in as fast as they can (fresh cookie, sign-in
   page, form with the right password, again), so argon2 runs all the time;
3. ``wrong``: checks while 16 clients sign in with wrong passwords (throttled, then locked:
   cheap refusals, each one an audit row);
4. ``idle again``: checks only, to see that nothing drifted.

It prints p50/p90/p99/max for each phase, the sign-ins done, and the ratio of the flood's
p99 to the idle p99 (target <= 2). ``--naive`` adds a second server whose password hashing
runs as it did before (40 ordinary threads at normal priority, like a sync route in the
shared threadpool), for contrast.

    .venv/bin/python bench/bench_login_flood.py [--duration 20] [--rate 100] [--clients 16]
        [--vehicles 2000] [--rounds 3] [--naive] [--no-wrong]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import _server

URL_ENV = "ALCABALA_BENCH_DATABASE_URL"
DATA_ENV = "ALCABALA_BENCH_DATA_DIR"
NAIVE_ENV = "ALCABALA_BENCH_NAIVE_HASHING"
PASSWORD = "flood-password-1"
RATIO_TARGET = 2.0


def make_app() -> Any:
    """What uvicorn serves (``--factory bench_login_flood:make_app``): the real app on the
    benchmark's database, with production settings; with ``NAIVE_ENV`` set, hashing runs in
    40 normal-priority threads, on any CPU and without rest, instead of the pool's."""
    from concurrent.futures import ThreadPoolExecutor

    from alcabala.api.app import create_app
    from alcabala.config import Settings

    settings = Settings.from_env().replace(
        database_url=os.environ[URL_ENV], data_dir=Path(os.environ[DATA_ENV])
    )
    app = create_app(settings)
    if os.environ.get(NAIVE_ENV):
        import alcabala.accounts.passwords as passwords

        passwords.REST = 0.0
        pool = app.state.hash_pool
        pool._executor = ThreadPoolExecutor(max_workers=40)
        pool._limit = 10_000
    return app


# -- database ----------------------------------------------------------------------------------
def prepare(folder: Path, vehicles: int, clients: int) -> tuple[_server.Seeded, list[str]]:
    """Seed the demo registry and ``clients`` sign-in users; the stops' ingredients."""
    from sqlalchemy import text

    from alcabala.accounts.passwords import hasher_for
    from alcabala.accounts.services import add_user
    from alcabala.config import Settings
    from alcabala.context import SYSTEM, Door
    from alcabala.db.engine import make_engine
    from alcabala.db.migrate import upgrade
    from alcabala.demo.seed import seed

    url = f"sqlite:///{folder / 'bench.db'}"
    settings = Settings(database_url=url, data_dir=folder / "data")
    engine = make_engine(url)
    upgrade(engine)
    door = Door(engine, settings)
    t0 = time.perf_counter()
    report = seed(door, vehicles=vehicles)
    users = [f"flood-{n:02d}" for n in range(clients)]
    with door.write(SYSTEM) as ctx:
        for name in users:
            add_user(ctx.session, name, "registrar", "CICPC", PASSWORD, hasher_for(settings))
    token = next(t for user, _role, t in report.users if user == "oficial")
    with engine.connect() as conn:
        checkpoints = list(conn.execute(text("SELECT code FROM checkpoints")).scalars())
        rows = conn.execute(
            text("SELECT plate, plate_country, vin, engine_number, year FROM vehicles v WHERE NOT "
                 "EXISTS (SELECT 1 FROM stolen_reports r WHERE r.vehicle_id = v.id) LIMIT 500")
        ).all()  # fmt: skip
        people = list(conn.execute(text("SELECT national_id FROM persons LIMIT 500")).scalars())
    engine.dispose()
    clean = [
        {"plate": p, "plate_country": c, "vin": v, "engine_number": e, "declared_year": y}
        for p, c, v, e, y in rows
    ]
    print(
        f"database: {vehicles:,} vehicles and {clients} sign-in users seeded in "
        f"{time.perf_counter() - t0:.1f} s (argon2 at the production cost)"
    )
    return _server.Seeded(url, token, checkpoints, clean, [], people, {}), users


# -- server ------------------------------------------------------------------------------------
@contextlib.contextmanager
def serve(url: str, data_dir: Path, naive: bool) -> Iterator[_server.Server]:
    port = _server.free_port()
    cmd = _server.server_command(port)
    cmd[cmd.index("_server:make_app")] = "bench_login_flood:make_app"
    env = {**os.environ, URL_ENV: url, DATA_ENV: str(data_dir)}
    env.pop(NAIVE_ENV, None)
    if naive:
        env[NAIVE_ENV] = "1"
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(_server.BENCH_DIR), env.get("PYTHONPATH")) if p
    )
    process = subprocess.Popen(cmd, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(base + "/healthz", timeout=2) as r,
            ):
                if r.status == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("server not ready in time")
            time.sleep(0.2)
        label = "naive hashing (40 normal threads)" if naive else "as shipped"
        print(f"server ({label}): pid {process.pid} on {base}", flush=True)
        yield _server.Server(process, port, cmd)
    finally:
        _server.stop_process(process)


# -- load --------------------------------------------------------------------------------------
async def _checks(
    base: str, token: str, bodies: list[str], rate: float, seconds: float
) -> dict[str, Any]:
    import httpx

    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    loop = asyncio.get_running_loop()
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:

        async def one(i: int, at: float) -> None:
            body = f'{{"check_id":"{uuid.uuid4()}",' + bodies[i % len(bodies)]
            try:
                r = await http.post("/v1/checks", content=body, headers=headers)
                statuses[r.status_code] += 1
            except httpx.HTTPError as exc:
                statuses[type(exc).__name__] += 1  # type: ignore[index]
            latencies.append((loop.time() - at) * 1000)

        start = loop.time() + 0.1
        tasks = []
        for i in range(int(rate * seconds)):
            at = start + i / rate
            if (delay := at - loop.time()) > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i, at)))
        await asyncio.gather(*tasks)
    return {"latencies": latencies, "statuses": dict(statuses), "seconds": loop.time() - start}


async def _flood(base: str, users: list[str], password: str, stop: Any) -> dict[str, Any]:
    import httpx

    statuses: Counter[str] = Counter()
    latencies: list[float] = []

    async def client(username: str) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=120) as http:
            while not stop.is_set():
                http.cookies.clear()
                t0 = time.perf_counter()
                try:
                    page = await http.get("/login")
                    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
                    form = {"username": username, "password": password, "csrf_token": token}
                    r = await http.post("/login", data=form)
                    statuses[str(r.status_code)] += 1
                except (httpx.HTTPError, IndexError) as exc:
                    statuses[type(exc).__name__] += 1
                latencies.append((time.perf_counter() - t0) * 1000)

    await asyncio.gather(*(client(u) for u in users))
    return {"latencies": latencies, "statuses": dict(statuses)}


def _run(target: Any, out: Any, *args: Any) -> None:
    out.put(asyncio.run(target(*args)))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def phase(
    label: str,
    server: _server.Server,
    seeded: _server.Seeded,
    bodies: list[str],
    args: Any,
    flood_users: list[str] | None = None,
    password: str = PASSWORD,
) -> dict[str, Any]:
    """One phase: the flood (if any) started first, then the checks at a fixed rate. Prints
    the latencies, the sign-ins, and the CPU used meanwhile by the server, by the drivers
    and by everything else on the machine (other work skews the figures)."""
    ctx = multiprocessing.get_context("spawn")
    stop, flood_out, checks_out = ctx.Event(), ctx.Queue(), ctx.Queue()
    flood = None
    base = server.base
    if flood_users:
        flood = ctx.Process(
            target=_run, args=(_flood, flood_out, base, flood_users, password, stop)
        )
        flood.start()
        time.sleep(3.0)  # let the flood fill the hashing queue first
    checks = ctx.Process(
        target=_run,
        args=(_checks, checks_out, base, seeded.token, bodies, args.rate, args.duration),
    )
    machine0, server0 = _server.machine_cpu()[0], sum(_server.cpu_times(server.process.pid))
    t0 = time.perf_counter()
    checks.start()
    result = checks_out.get(timeout=args.duration + 300)
    checks.join()
    seconds = time.perf_counter() - t0
    machine1, server1 = _server.machine_cpu()[0], sum(_server.cpu_times(server.process.pid))
    stop.set()
    logins = flood_out.get(timeout=300) if flood else None
    if flood:
        flood.join()
    lat = result["latencies"]
    server_cores = (server1 - server0) / seconds
    summary = {
        "label": label,
        "p50": pct(lat, 0.5),
        "p90": pct(lat, 0.9),
        "p99": pct(lat, 0.99),
        "max": max(lat),
        "statuses": result["statuses"],
        "rate": len(lat) / result["seconds"],
        "rest": (machine1 - machine0) / seconds - server_cores,
    }
    line = (
        f"{label:<20} checks {summary['rate']:4.0f}/s | p50 {summary['p50']:7.2f} ms | "
        f"p90 {summary['p90']:7.2f} ms | p99 {summary['p99']:7.2f} ms | "
        f"max {summary['max']:7.1f} ms | {summary['statuses']} | server {server_cores:.2f} "
        f"cores, drivers + others {summary['rest']:.2f}"
    )
    if logins:
        ll = logins["latencies"]
        line += (
            f" || sign-ins {len(ll)} ({len(ll) / args.duration:.1f}/s) {logins['statuses']}, "
            f"p50 {statistics.median(ll):.0f} ms, p99 {pct(ll, 0.99):.0f} ms"
        )
    print(line, flush=True)
    return summary


def forget_throttles(url: str) -> None:
    """Clear the sign-in throttles (the wrong-password phase locked 127.0.0.1)."""
    import sqlite3

    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    with conn:
        conn.execute("DELETE FROM login_throttles")
    conn.close()


def measure(
    server: _server.Server,
    seeded: _server.Seeded,
    bodies: list[str],
    args: Any,
    users: list[str],
    naive: bool,
) -> tuple[list[float], list[dict[str, Any]]]:
    """Warm up, then ``args.rounds`` pairs of idle and flood phases (and, as shipped, the
    wrong-password phase), then idle again; the flood/idle p99 ratio of each round."""
    warm = argparse.Namespace(**{**vars(args), "duration": 3})
    phase("warm-up", server, seeded, bodies, warm)
    ratios, results = [], []
    for _ in range(args.rounds):
        _server.wait_quiet()
        idle = phase("idle", server, seeded, bodies, args)
        flood = phase(f"flood ({len(users)} clients)", server, seeded, bodies, args, users)
        ratios.append(flood["p99"] / idle["p99"])
        results += [idle, flood]
    if not naive and not args.no_wrong:
        _server.wait_quiet()
        wrong = phase("wrong passwords", server, seeded, bodies, args, users, "nope-nope")
        print(f"p99 wrong-password flood / last idle: {wrong['p99'] / results[-2]['p99']:.2f}")
        results.append(wrong)
    _server.wait_quiet()
    results.append(phase("idle again", server, seeded, bodies, args))
    return ratios, results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20, help="seconds per phase")
    parser.add_argument("--rate", type=float, default=100, help="checks per second")
    parser.add_argument("--clients", type=int, default=16, help="signing-in clients")
    parser.add_argument("--rounds", type=int, default=3, help="idle/flood pairs")
    parser.add_argument("--vehicles", type=int, default=2000)
    parser.add_argument("--naive", action="store_true", help="also measure naive hashing")
    parser.add_argument("--no-wrong", action="store_true", help="skip the wrong-password phase")
    args = parser.parse_args()
    _server.print_header("bench_login_flood: check latency, idle vs a sign-in flood")
    ok = True
    with tempfile.TemporaryDirectory(prefix="alcabala-bench-login-") as tmp:
        folder = Path(tmp)
        seeded, users = prepare(folder, args.vehicles, args.clients)
        bodies = _server.stop_bodies(seeded, 2000, stolen_share=0.0)
        for naive in [False, True] if args.naive else [False]:
            forget_throttles(seeded.url)
            with serve(seeded.url, folder / "data", naive) as server:
                ratios, results = measure(server, seeded, bodies, args, users, naive)
            ratio = statistics.median(ratios)
            met = ratio <= RATIO_TARGET
            name = "naive hashing" if naive else "as shipped"
            each = ", ".join(f"{r:.2f}" for r in ratios)
            verdict = "met" if met else "MISSED"
            print(
                f"p99 flood/idle ({name}): median {ratio:.2f} of {each} "
                f"(target <= {RATIO_TARGET}: {verdict})",
                flush=True,
            )
            if not naive:
                ok = ok and met
            bad = sum(c for r in results for s, c in r["statuses"].items() if s != 200)
            if bad:
                print(f"non-200 check answers ({name}): {bad}", file=sys.stderr)
                ok = ok and naive  # the naive server is expected to fail some
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
