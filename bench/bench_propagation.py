"""Benchmark: how soon a stolen report filed through one API process hits through another.

Creates a private PostgreSQL database on the server named by ``--postgres`` (default
``ALCABALA_BENCH_POSTGRES_URL``, else ``ALCABALA_TEST_POSTGRES_URL``), migrates it, seeds
one registrar, one officer, a checkpoint and ``2 x --rounds`` registered vehicles, and
starts two real ``alcabala serve`` processes on it, A and B. Each round files a stolen
report for a fresh vehicle through A and, from A's ``201``, sends checks of that plate to B
back to back until one is a hit: the propagation time is from A's answer to B's first hit
(so it includes B's check itself, a few ms). Rounds start after a random pause of up to
1 s (one polling interval), so they fall anywhere in B's polling cycle.

Two runs, each on its own pair of fresh processes, in the same invocation:

1. ``notify``: the default, B's hotlist is woken by ``LISTEN/NOTIFY`` at A's commit;
2. ``polling only`` (``ALCABALA_CHANGE_NOTIFY=off``): the baseline, B refreshes every
   ``REFRESH_SECONDS`` (1 s) only.

Target: p99 < 1 s. The database is dropped at the end.

    .venv/bin/python bench/bench_propagation.py [--rounds 100] [--postgres URL]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx

import _server

TARGET_P99 = 1.0
#: The longest random pause before a round: one polling interval, so that rounds do not
#: lock onto B's polling cycle.
PAUSE = 1.0


def create_database(admin_url: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from alcabala.db.engine import make_engine
    from alcabala.db.migrate import upgrade

    name = f"alcabala_bench_propagation_{os.getpid()}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def drop_database(admin_url: str, url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def vin(serial: int) -> str:
    from alcabala.identifiers.vin import compute_check_digit

    draft = f"1M8GDM9A0KP{serial:06d}"
    return draft[:8] + (compute_check_digit(draft) or "0") + draft[9:]


def plate(serial: int) -> str:
    return f"PR{serial % 1000:03d}{chr(65 + serial // 1000 % 26)}Z"  # LL999LL, Venezuelan


def seed(url: str, vehicles: int) -> tuple[str, str]:
    """The registrar's and the officer's tokens; ``vehicles`` vehicles registered."""
    from alcabala.accounts.services import add_agency, add_user
    from alcabala.checkpoints.schemas import CheckpointIn
    from alcabala.checkpoints.services import add_checkpoint
    from alcabala.config import Settings
    from alcabala.context import SYSTEM, Door
    from alcabala.db.engine import make_engine
    from alcabala.vehicles.schemas import VehicleIn
    from alcabala.vehicles.services import register_vehicle

    door = Door(make_engine(url), Settings(database_url=url))
    with door.write(SYSTEM) as ctx:
        add_agency(ctx.session, "CICPC", "Cuerpo de Investigaciones Científicas", "police")
        add_agency(ctx.session, "GNB", "Guardia Nacional Bolivariana", "police")
        checkpoint = CheckpointIn(
            code="GUA-ALDAO", name="Puente Aldao", road="Troncal 2", state="Guárico",
            lat=8.87, lon=-67.43, agency="GNB",
        )  # fmt: skip
        add_checkpoint(ctx, checkpoint)
        _, registrar = add_user(ctx.session, "registrar", "registrar", "CICPC")
        _, officer = add_user(ctx.session, "officer", "officer", "GNB")
        for serial in range(1, vehicles + 1):
            register_vehicle(ctx, VehicleIn(vin=vin(serial), plate=plate(serial), year=2019))
    door.engine.dispose()
    return registrar, officer


@contextlib.contextmanager
def two_servers(url: str, folder: Path, notify: bool) -> Iterator[list[str]]:
    """Processes A and B (``alcabala serve``) on ``url``, stopped on the way out."""
    env = {
        **os.environ,
        "ALCABALA_DATABASE_URL": url,
        "ALCABALA_DATA_DIR": str(folder / "data"),
        "ALCABALA_SECRET_KEY": "propagation-bench-" + "x" * 32,
        "ALCABALA_CHANGE_NOTIFY": "on" if notify else "off",
    }
    procs, bases = [], []
    try:
        for name in ("a", "b"):
            port = _server.free_port()
            log = (folder / f"server-{name}-{int(notify)}.log").open("wb")
            cmd = [sys.executable, "-m", "alcabala.cli.main", "serve", "--port", str(port)]
            procs.append(subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT))
            bases.append(f"http://127.0.0.1:{port}")
        for proc, base in zip(procs, bases, strict=True):
            deadline = time.monotonic() + 120
            while True:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server {base} did not start (see {folder})")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                        break
                time.sleep(0.1)
        pids = ", ".join(str(p.pid) for p in procs)
        mode = env["ALCABALA_CHANGE_NOTIFY"]
        print(f"servers: 2 x `alcabala serve` (pids {pids}), ALCABALA_CHANGE_NOTIFY={mode}")
        yield bases
    finally:
        for proc in procs:
            _server.stop_process(proc)


def run(bases: list[str], tokens: tuple[str, str], serials: range) -> tuple[list[float], int]:
    """Propagation times (s) of one report per serial, and the checks sent to B."""
    a, b = bases
    registrar = {"Authorization": f"Bearer {tokens[0]}"}
    officer = {"Authorization": f"Bearer {tokens[1]}"}
    rng = random.Random(serials.start)
    took, checks = [], 0
    with httpx.Client(timeout=15) as client:

        def verdict(serial: int) -> str:
            stop = {"check_id": str(uuid.uuid4()), "checkpoint": "GUA-ALDAO"}
            stop["plate"] = plate(serial)
            r = client.post(b + "/v1/checks", json=stop, headers=officer)
            r.raise_for_status()
            return str(r.json()["verdict"])

        for _ in range(20):  # warm both processes up
            client.get(a + "/healthz")
            verdict(serials.start)
        for serial in serials:
            time.sleep(rng.uniform(0, PAUSE))
            body = {"number": f"CICPC-2026-{serial:06d}", "agency": "CICPC"}
            r = client.post(f"{a}/v1/vehicles/{vin(serial)}/stolen-reports", json=body,
                            headers=registrar)  # fmt: skip
            r.raise_for_status()
            filed = time.perf_counter()
            while True:
                checks += 1
                if verdict(serial) == "hit":
                    break
                if time.perf_counter() - filed > 10:
                    raise RuntimeError(f"no hit on B 10 s after report {serial}")
            took.append(time.perf_counter() - filed)
    return took, checks


def line(name: str, took: list[float], checks: int) -> str:
    p = statistics.quantiles(took, n=100, method="inclusive")
    ms = [1000 * x for x in (p[49], p[98], max(took), statistics.fmean(took))]
    verdict = "meets" if p[98] < TARGET_P99 else "MISSES"
    return (
        f"{name:<13} n={len(took):>3}  p50 {ms[0]:7.1f} ms  p99 {ms[1]:7.1f} ms  "
        f"max {ms[2]:7.1f} ms  mean {ms[3]:7.1f} ms  ({checks:,} checks on B; "
        f"p99 {verdict} the {TARGET_P99:.0f} s target)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100, help="reports per run")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("ALCABALA_BENCH_POSTGRES_URL")
        or os.environ.get("ALCABALA_TEST_POSTGRES_URL"),
        help="PostgreSQL server URL (a database is created there and dropped)",
    )
    args = parser.parse_args()
    if not args.postgres:
        parser.error("--postgres (or ALCABALA_BENCH_POSTGRES_URL) is required")
    admin = args.postgres.replace("postgresql://", "postgresql+psycopg://", 1)
    _server.print_header("hotlist propagation between two API processes on one PostgreSQL")
    url = create_database(admin)
    results = {}
    try:
        tokens = seed(url, 2 * args.rounds)
        with tempfile.TemporaryDirectory(prefix="alcabala-propagation-") as tmp:
            runs = [("notify", True, 1), ("polling only", False, args.rounds + 1)]
            for name, notify, first in runs:
                busy = _server.wait_quiet(limit=60)
                print(f"machine busy before the run: {busy:.2f} cores", flush=True)
                with two_servers(url, Path(tmp), notify) as bases:
                    results[name] = run(bases, tokens, range(first, first + args.rounds))
                print(line(name, *results[name]), flush=True)
    finally:
        drop_database(admin, url)
    notify_p99 = statistics.quantiles(results["notify"][0], n=100, method="inclusive")[98]
    poll_p99 = statistics.quantiles(results["polling only"][0], n=100, method="inclusive")[98]
    print(f"p99 notify / polling only = {notify_p99 / poll_p99:.3f}")
    return 0 if notify_p99 < TARGET_P99 else 1


if __name__ == "__main__":
    sys.exit(main())
