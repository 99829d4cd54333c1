"""Several API processes on one PostgreSQL: a stolen report filed through one process hits
at a check made through another within 1 s.

Two real ``alcabala serve`` processes share one PostgreSQL database; each has its own
hotlist, woken by the change notification of the other's commit. Then ``serve --workers 2``
on PostgreSQL: two worker processes answer, and every one of them sees a new report. And
``serve --workers 2`` on SQLite is refused with one line, before anything is started.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from alcabala.accounts.services import add_agency, add_user
from alcabala.checkpoints.schemas import CheckpointIn
from alcabala.checkpoints.services import add_checkpoint
from alcabala.cli.serve import SQLITE_ONE_WRITER
from alcabala.config import Settings
from alcabala.context import SYSTEM, Door
from alcabala.db.engine import make_engine
from alcabala.identifiers.vin import compute_check_digit

from .helpers import stop_processes, wait_healthy

ON_POSTGRES = pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
TARGET = 1.0  # seconds from a report's 201 in one process to a hit in another


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def vin(serial: int) -> str:
    """A valid VIN (check digit included) per serial number."""
    draft = f"1M8GDM9A0KP{serial:06d}"
    digit = compute_check_digit(draft)
    assert digit is not None
    return draft[:8] + digit + draft[9:]


class Cluster:
    """Seeded users, and ``alcabala serve`` processes started on one database."""

    def __init__(self, db_url: str, tmp: Path) -> None:
        self.tmp = tmp
        self.env = {
            **os.environ,
            "ALCABALA_DATABASE_URL": db_url,
            "ALCABALA_DATA_DIR": str(tmp / "data"),
            "ALCABALA_SECRET_KEY": "several-processes-share-one-key-" + "x" * 24,
        }
        self.procs: list[subprocess.Popen[bytes]] = []
        self.urls: list[str] = []
        door = Door(make_engine(db_url), Settings(database_url=db_url))
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
        door.engine.dispose()
        self.registrar = {"Authorization": f"Bearer {registrar}"}
        self.officer = {"Authorization": f"Bearer {officer}"}

    def start(self, *args: str) -> str:
        port = free_port()
        log = (self.tmp / f"server-{len(self.procs)}.log").open("wb")
        command = [sys.executable, "-m", "alcabala.cli.main", "serve", "--port", str(port), *args]
        proc = subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        self.urls.append(url)
        deadline = time.monotonic() + 90
        wait_healthy(url, proc, deadline, self.logs)
        return url

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.tmp.glob("server-*.log"))

    def stop(self) -> None:
        stop_processes(self.procs, timeout=20)

    def register(self, url: str, serial: int) -> str:
        plate = f"AB{serial:03d}CD"
        body = {"vin": vin(serial), "plate": plate, "make": "Toyota", "year": 2019}
        r = httpx.post(url + "/v1/vehicles", json=body, headers=self.registrar, timeout=15)
        assert r.status_code == 201, r.text
        return plate

    def report_stolen(self, url: str, serial: int) -> None:
        body = {"number": f"CICPC-2026-{serial:06d}", "agency": "CICPC"}
        path = f"/v1/vehicles/{vin(serial)}/stolen-reports"
        r = httpx.post(url + path, json=body, headers=self.registrar, timeout=15)
        assert r.status_code == 201, r.text

    def verdict(self, client: httpx.Client, url: str, plate: str) -> str:
        stop = {"check_id": str(uuid.uuid4()), "checkpoint": "GUA-ALDAO", "plate": plate}
        r = client.post(url + "/v1/checks", json=stop, headers=self.officer, timeout=15)
        assert r.status_code == 200, r.text
        return str(r.json()["verdict"])


@pytest.fixture
def cluster(db_url: str, tmp_path: Path) -> Iterator[Cluster]:
    c = Cluster(db_url, tmp_path)
    try:
        yield c
    finally:
        c.stop()


@ON_POSTGRES
def test_a_report_through_one_process_hits_through_the_other_within_a_second(
    cluster: Cluster,
) -> None:
    one, other = cluster.start(), cluster.start()
    took = []
    with httpx.Client() as client:
        for serial in range(1, 6):
            plate = cluster.register(one, serial)
            assert cluster.verdict(client, other, plate) == "clear"
            cluster.report_stolen(one, serial)
            filed = time.monotonic()
            while cluster.verdict(client, other, plate) != "hit":
                assert time.monotonic() - filed < 5, cluster.logs()
            took.append(time.monotonic() - filed)
    assert max(took) < TARGET, took
    assert all(proc.poll() is None for proc in cluster.procs)


def worker_pids(log: str) -> set[int]:
    return {int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", log)}


def children_of(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


@ON_POSTGRES
def test_serve_with_two_workers_on_postgres(cluster: Cluster) -> None:
    url = cluster.start("--workers", "2")
    deadline = time.monotonic() + 60
    while len(worker_pids(cluster.logs())) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    pids = worker_pids(cluster.logs())
    assert len(pids) == 2, cluster.logs()
    assert pids <= children_of(cluster.procs[0].pid)  # two processes under the one serve
    with httpx.Client() as client:
        assert all(client.get(url + "/healthz").status_code == 200 for _ in range(20))
        plate = cluster.register(url, 1)
        cluster.report_stolen(url, 1)
        time.sleep(TARGET)  # whichever worker filed it, the other has it by now
        assert [cluster.verdict(client, url, plate) for _ in range(12)] == ["hit"] * 12


def test_serve_refuses_several_workers_on_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    from alcabala.cli.main import app

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("a server was started")

    monkeypatch.setattr(uvicorn, "run", never)
    database = tmp_path / "one-writer.db"
    runner = CliRunner()
    for args, env in [
        (["serve", "--workers", "2", "--database", f"sqlite:///{database}"], {}),
        (["serve", "--database", f"sqlite:///{database}"], {"ALCABALA_WORKERS": "3"}),
    ]:
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 2, result.output
        assert result.output.strip() == SQLITE_ONE_WRITER
    assert not database.exists()  # not even migrated
