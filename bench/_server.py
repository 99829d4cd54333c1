"""Shared helpers of the HTTP benchmarks: a seeded database, one uvicorn server, the stops.

The server is one uvicorn process (1 worker, no access log, log level warning, uvloop and
httptools when installed) bound to 127.0.0.1, serving ``create_app(settings)`` plus a bare route
``POST /bench/bare`` that parses a JSON body and returns a small constant JSON: the "bare
FastAPI endpoint under the same server settings". uvicorn imports this module as
``_server:make_app`` (``--factory``) with ``bench/`` on ``PYTHONPATH``; the database URL
comes from ``ALCABALA_BENCH_DATABASE_URL``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import platform
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

URL_ENV = "ALCABALA_BENCH_DATABASE_URL"
BENCH_DIR = Path(__file__).resolve().parent
#: The PostgreSQL database the benchmarks may empty and fill (created when missing).
PG_ENV = "ALCABALA_BENCH_POSTGRES_URL"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/alcabala_bench"


def bench_database(kind: str, folder: Path) -> Path | str:
    """Where a benchmark's database lives: a SQLite file in ``folder``, or the benchmark's
    own PostgreSQL database (``ALCABALA_BENCH_POSTGRES_URL``; never the tests' database)."""
    if kind == "sqlite":
        return folder / "bench.db"
    url = os.environ.get(PG_ENV, DEFAULT_PG)
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
        ).first()
        if found is None:
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
        durability = conn.execute(text("SHOW synchronous_commit")).scalar()
        fsync = conn.execute(text("SHOW fsync")).scalar()
    admin.dispose()
    print(f"postgresql: {parsed.render_as_string()} (synchronous_commit={durability}, "
          f"fsync={fsync})")  # fmt: skip
    return url


def _bare_models() -> tuple[Any, Any]:
    """Plain pydantic models of a stop's shape (the same fields and limits as ``StopIn``,
    none of alcabala's normalization): what "a bare endpoint that parses the same body with
    pydantic" parses."""
    import datetime as dt
    import uuid

    from pydantic import BaseModel, Field

    class BarePerson(BaseModel):
        national_id: str = Field(min_length=1, max_length=64)
        country: str = Field(default="VE", max_length=2)
        role: str = "passenger"

    class Stop(BaseModel):
        check_id: uuid.UUID
        checkpoint: str = Field(max_length=40)
        at: dt.datetime | None = None
        plate: str | None = Field(default=None, max_length=32)
        plate_country: str = Field(default="VE", max_length=2)
        vin: str | None = Field(default=None, max_length=64)
        engine_number: str | None = Field(default=None, max_length=64)
        declared_year: int | None = Field(default=None, ge=1900, le=2100)
        people: list[BarePerson] = Field(default_factory=list, max_length=60)
        cargo: str = Field(default="", max_length=2000)
        reason: str = Field(default="routine", max_length=200)

    class Batch(BaseModel):
        stops: list[Stop] = Field(min_length=1, max_length=1000)

    return Stop, Batch


BareStop, BareBatch = _bare_models()


def make_app() -> Any:
    """The application uvicorn serves: alcabala's API plus the bare route."""
    from alcabala.api.app import create_app
    from alcabala.config import Settings

    settings = Settings.from_env().replace(database_url=os.environ[URL_ENV])
    app = create_app(settings)
    first = len(app.router.routes)

    @app.post("/bench/bare", include_in_schema=False)
    async def bare(payload: BareStop) -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/bench/bare-batch", include_in_schema=False)
    async def bare_batch(payload: BareBatch) -> dict[str, int]:
        return {"stops": len(payload.stops)}

    # How many checks each recorder transaction carried (one list append per transaction).
    recorder = app.state.runtime.recorder
    sizes: list[int] = []
    write_jobs = recorder.write_jobs

    def counted_write_jobs(jobs: Any) -> Any:
        sizes.append(sum(len(job) for job in jobs))
        return write_jobs(jobs)

    recorder.write_jobs = counted_write_jobs

    @app.get("/bench/transactions", include_in_schema=False)
    async def transactions() -> dict[str, int]:
        """Recorder transactions so far and the checks they carried; resets the counters.
        With several uvicorn workers this is the answering worker's recorder only."""
        taken = sizes[:]
        del sizes[: len(taken)]
        return {"transactions": len(taken), "checks": sum(taken), "largest": max(taken, default=0)}

    # First in the route table: a catch-all mount (the web console at "/") may come last.
    ours = app.router.routes[first:]
    del app.router.routes[first:]
    app.router.routes[:0] = ours
    return app


def transactions(server: Server) -> dict[str, int]:
    """The recorder's transactions since the last call (see ``make_app``)."""
    with urllib.request.urlopen(server.base + "/bench/transactions", timeout=10) as r:
        data: dict[str, int] = json.loads(r.read())
    return data


def transactions_line(t: dict[str, int]) -> str:
    per = t["checks"] / max(t["transactions"], 1)
    return (
        f"recorder: {t['transactions']:,} transactions for {t['checks']:,} checks "
        f"({per:,.1f} per transaction, largest {t['largest']:,})"
    )


# -- machine -----------------------------------------------------------------------------------
def machine() -> str:
    model = "?"
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with contextlib.suppress(OSError), open("/proc/meminfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
                break
    return (
        f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores ({model}), {mem} RAM, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def print_header(title: str) -> None:
    print(f"== {title}")
    print(f"machine: {machine()}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"load average before the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    sys.stdout.flush()


# -- database ----------------------------------------------------------------------------------
@dataclass
class Seeded:
    url: str
    token: str  # the officer's bearer token
    checkpoints: list[str]
    clean: list[dict[str, Any]]  # registered, not stolen or retired: plate, vin, engine, year
    stolen: list[dict[str, Any]]  # vehicles with an active stolen report
    people: list[str]  # Venezuelan national IDs without an active warrant
    seeded_verdicts: dict[str, int]  # checks the demo seed itself recorded, by verdict


def prepare_database(target: Path | str, vehicles: int, seed: int = 7) -> Seeded:
    """Migrate and seed a fresh database: a SQLite file at ``target`` (a path), or the
    PostgreSQL database ``target`` names (a URL; emptied first). Returns what the load needs."""
    from sqlalchemy import text

    from alcabala.config import Settings
    from alcabala.context import Door
    from alcabala.db.engine import make_engine
    from alcabala.db.migrate import upgrade
    from alcabala.demo.seed import seed as seed_demo

    url = target if isinstance(target, str) else f"sqlite:///{target}"
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    t0 = time.perf_counter()
    data_dir = Path(tempfile.mkdtemp(prefix="alcabala-bench-"))
    report = seed_demo(Door(engine, Settings(database_url=url, data_dir=data_dir)),
                       vehicles=vehicles, seed=seed)  # fmt: skip
    token = next(t for user, _role, t in report.users if user == "oficial")
    with engine.connect() as conn:
        checkpoints = list(conn.execute(text("SELECT code FROM checkpoints ORDER BY id")).scalars())
        rows = conn.execute(
            text(
                "SELECT v.plate, v.plate_country, v.vin, v.engine_number, v.year, "
                " EXISTS (SELECT 1 FROM stolen_reports r"
                "         WHERE r.vehicle_id = v.id AND r.status = 'active') AS stolen, "
                " EXISTS (SELECT 1 FROM retirements t WHERE t.vehicle_id = v.id) AS retired "
                "FROM vehicles v ORDER BY v.id"
            )
        ).all()
        people = list(
            conn.execute(
                text(
                    "SELECT p.national_id FROM persons p WHERE p.country = 'VE' AND NOT EXISTS "
                    "(SELECT 1 FROM warrants w WHERE w.person_id = p.id AND w.status = 'active') "
                    "ORDER BY p.id"
                )
            ).scalars()
        )
    engine.dispose()
    clean, stolen = [], []
    for plate, country, vin, engine_number, year, is_stolen, retired in rows:
        v = {
            "plate": plate,
            "plate_country": country,
            "vin": vin,
            "engine_number": engine_number,
            "declared_year": year,
        }
        if is_stolen:
            stolen.append(v)
        elif not retired:
            clean.append(v)
    print(
        f"database: {vehicles:,} vehicles seeded in {time.perf_counter() - t0:.1f} s "
        f"({len(clean):,} clean, {len(stolen):,} stolen, {len(people):,} people usable, "
        f"{len(checkpoints)} checkpoints)"
    )
    before = verdicts(url)
    if before:
        print(f"database: the seed recorded {sum(before.values()):,} checks of its own")
    return Seeded(url, token, checkpoints, clean, stolen, people, before)


def stop_bodies(seeded: Seeded, count: int, seed: int = 1, stolen_share: float = 0.02) -> list[str]:
    """``count`` stops as JSON objects *without* check_id and without the opening brace, so
    that ``'{"check_id":"<uuid>",' + body`` is a complete stop. About 98% of them are clean
    registered vehicles, the rest stolen ones; each carries 1-2 people."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        pool = seeded.stolen if rng.random() < stolen_share and seeded.stolen else seeded.clean
        v = rng.choice(pool)
        people = [
            {"national_id": rng.choice(seeded.people), "country": "VE", "role": role}
            for role in ("driver", "passenger")[: rng.randint(1, 2)]
        ]
        stop: dict[str, Any] = {"checkpoint": rng.choice(seeded.checkpoints), **v}
        stop["people"] = people
        stop["reason"] = "routine"
        if stop["declared_year"] is None or rng.random() < 0.5:
            del stop["declared_year"]
        if not stop["engine_number"]:
            del stop["engine_number"]
        out.append(json.dumps(stop, separators=(",", ":"))[1:])
    return out


def count_rows(url: str, table: str) -> int:
    from sqlalchemy import text

    from alcabala.db.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def new_verdicts(seeded: Seeded) -> dict[str, int]:
    """Checks recorded since seeding, by verdict."""
    now = Counter(verdicts(seeded.url))
    now.subtract(seeded.seeded_verdicts)
    return {k: v for k, v in now.items() if v}


def verdicts(url: str) -> dict[str, int]:
    from sqlalchemy import text

    from alcabala.db.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT verdict, count(*) FROM checks GROUP BY 1")).all()
            return {str(verdict): int(n) for verdict, n in rows}
    finally:
        engine.dispose()


# -- server ------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_command(port: int) -> list[str]:
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "_server:make_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        os.environ.get("ALCABALA_BENCH_WORKERS", "1"),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    if importlib.util.find_spec("uvloop"):
        cmd += ["--loop", "uvloop"]
    if importlib.util.find_spec("httptools"):
        cmd += ["--http", "httptools"]
    return cmd


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    command: list[str]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def serve(url: str, ready_timeout: float = 120.0) -> Iterator[Server]:
    """One uvicorn server on ``url``'s database, always stopped on the way out."""
    port = free_port()
    cmd = server_command(port)
    env = dict(os.environ)
    env[URL_ENV] = url
    env.setdefault("ALCABALA_SECRET_KEY", secrets.token_urlsafe(32))  # the console's, unused
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(BENCH_DIR), env.get("PYTHONPATH")) if p)
    process = subprocess.Popen(cmd, env=env, start_new_session=True)
    server = Server(process, port, cmd)
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode} before it was ready")
            try:
                with urllib.request.urlopen(server.base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server not ready in time")
            time.sleep(0.2)
        print(f"server: {' '.join(Path(c).name if c == sys.executable else c for c in cmd)}")
        print(f"server pid {process.pid} ready on {server.base}")
        sys.stdout.flush()
        yield server
    finally:
        stop_process(process)


def stop_process(process: subprocess.Popen[bytes], grace: float = 30.0) -> None:
    """SIGTERM (uvicorn drains and runs the lifespan shutdown), then SIGKILL."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def cpu_times(pid: int) -> tuple[float, float]:
    """User and system CPU seconds so far of process ``pid`` (all threads) and of its live
    child processes (uvicorn's workers when it runs more than one)."""
    tick = os.sysconf("SC_CLK_TCK")
    user = system = 0
    for stat in _family(pid):
        user += int(stat[11])
        system += int(stat[12])
    return user / tick, system / tick


def _family(root: int) -> list[list[str]]:
    """The /proc stat fields (after the command name) of ``root`` and its descendants."""
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
    family, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            family.append(stats[pid])
            todo += [child for child, f in stats.items() if int(f[1]) == pid]
    return family


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, summed over cores."""
    with open("/proc/stat", encoding="utf-8") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return (sum(values[:8]) - idle) / tick, sum(values[:8]) / tick


def wait_quiet(max_cores: float = 0.25, limit: float = 300.0) -> float:
    """Wait (up to ``limit`` s) until the machine uses less than ``max_cores`` of CPU over 2 s;
    other work on a 2-core machine skews a benchmark. Returns the last busy figure."""
    deadline = time.monotonic() + limit
    while True:
        b0, _ = machine_cpu()
        time.sleep(2.0)
        busy = (machine_cpu()[0] - b0) / 2.0
        if busy < max_cores or time.monotonic() > deadline:
            if busy >= max_cores:
                print(f"warning: the machine is busy ({busy:.2f} cores used by other work)")
            return busy
        print(f"waiting for a quiet machine ({busy:.2f} cores busy) ...", flush=True)


# -- profiling ---------------------------------------------------------------------------------
PY_SPY_RATE = 250  # samples per second


def py_spy(pid: int, seconds: int, out: Path, gil: bool = True) -> subprocess.Popen[bytes] | None:
    """Start ``py-spy record`` (raw collapsed stacks) on ``pid``, or None without py-spy.

    With ``gil`` only the thread holding the GIL is sampled: the shares are then shares of
    the Python CPU time of the process, which is what limits one worker's throughput."""
    exe = Path(sys.executable).with_name("py-spy")
    if not exe.exists():
        print("py-spy not installed in the venv: no profile")
        return None
    cmd = [
        str(exe),
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(seconds),
        "--rate",
        str(PY_SPY_RATE),
    ]
    cmd += ["--format", "raw", "--output", str(out), "--nonblocking"]
    if gil:
        cmd.append("--gil")
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# Where a sample's time goes, first match wins: (label, substrings any of which marks it).
BUCKETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("recorder: COMMIT (fsync; GIL mostly released)", ("do_commit",)),
    ("recorder: hits (ORM add + flush per hit)", ("_insert_hits",)),
    ("recorder: INSERT checks/sightings/audit (Core executemany)", ("_insert (alcabala",)),
    ("recorder: VerdictOut from ORM rows", ("stored_verdict", "hit_out")),
    ("recorder: write_jobs rest (SELECT of stored ids, reload of retries)", ("write_jobs",)),
    ("recorder: resolving futures, queue", ("Recorder._run",)),
    ("threadpool: Runtime.checkpoint", ("checkpoint (alcabala/checks/runtime",)),
    ("threadpool: auth dependencies", ("current_user", "dependency (alcabala")),
    ("threadpool: anyio worker threads", ("WorkerThread.run",)),
    (
        "loop: threadpool hops (anyio run_sync)",
        (
            "run_in_threadpool",
            "run_sync_in_worker",
            "CapacityLimiter",
            "cancel_shielded",
            "to_thread",
        ),
    ),
    ("loop: receipt code (secrets.choice x10)", ("new_receipt",)),
    ("loop: check engine", ("Engine.check", "engine_stop")),
    ("loop: pending_check (model_dump etc.)", ("pending_check",)),
    ("loop: submit to recorder, await future", ("Recorder.submit", "wrap_future", "_chain_future")),
    ("loop: request body read + JSON + validation", ("request_body_to_args", "Request.body")),
    ("loop: dependency resolution", ("solve_dependencies",)),
    (
        "loop: response validation, serialization, send",
        ("serialize_response", "Response.__call__", "RequestResponseCycle.send", "_send", "sender"),
    ),
    ("loop: HTTP protocol (httptools callbacks)", ("HttpToolsProtocol",)),
    (
        "loop: route handler (rest)",
        ("_check (alcabala", "check (alcabala", "run_endpoint_function"),
    ),
    ("loop: Starlette/FastAPI middleware + routing", ("fastapi/", "starlette/")),
    ("loop: event loop itself (uvloop, native)", ("_run_module_as_main", "Runner.run")),
)


def profile_samples(path: Path) -> int:
    total = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        total += int(line.rpartition(" ")[2] or 0)
    return total


def summarize_profile(path: Path, top: int = 25, per_request_us: float | None = None) -> str:
    """Buckets, then self and inclusive shares of the hottest functions, of a py-spy raw
    (collapsed stacks) file. With ``--gil`` sampling the shares are of the time the process
    held the GIL; ``per_request_us`` (GIL-held time per request) turns them into us."""
    selfc: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    buckets: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack:
            continue
        count = int(n)
        total += count
        buckets[_bucket(stack)] += count
        frames = stack.split(";")
        names = [_frame(f) for f in frames]
        selfc[names[-1]] += count
        for name in set(names):
            incl[name] += count
    total = max(total, 1)

    def share(c: int) -> str:
        us = f" {per_request_us * c / total:6.0f} us" if per_request_us else ""
        return f"{100 * c / total:5.1f}%{us}"

    lines = [
        f"samples: {total:,}" + (f"; {per_request_us:.0f} us CPU/request" if per_request_us else "")
    ]
    lines.append("buckets:")
    lines += [f"  {share(c)}  {name}" for name, c in buckets.most_common()]
    lines.append("self (top):")
    lines += [f"  {share(c)}  {name}" for name, c in selfc.most_common(top)]
    lines.append("inclusive (top):")
    lines += [f"  {share(c)}  {name}" for name, c in incl.most_common(top * 3)]
    return "\n".join(lines)


def _bucket(stack: str) -> str:
    for label, marks in BUCKETS:
        if any(m in stack for m in marks):
            return label
    return "other"


def _frame(frame: str) -> str:
    # py-spy frames look like "function (path/to/file.py:123)": keep function and short file.
    func, _, where = frame.partition(" (")
    where = where.rstrip(")")
    file = where.rsplit(":", 1)[0]
    parts = Path(file).parts
    for anchor in ("site-packages", "src", "lib", "python3.11"):
        if anchor in parts:
            parts = parts[parts.index(anchor) + 1 :]
            break
    return f"{func} ({'/'.join(parts[-3:])})"
