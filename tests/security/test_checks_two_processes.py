"""Two real API server processes on one database: a revocation holds in both.

Two ``alcabala serve`` processes (each its own runtime, token cache and hotlist) over one
SQLite file, then over one PostgreSQL database. Each caches the officers' tokens; then

- ``alcabala users revoke-tokens`` (a third process) revokes one officer's tokens: both
  servers refuse them within the refresh interval, and record nothing more with them;
- another officer is deactivated, and a third's token revoked, *without* any process having
  read a change yet (their tokens still cached for reads): neither server records a check
  by them — the recorder refuses it inside its write transaction — and once the change row
  is written, both refuse them for reads too.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from alcabala.accounts.models import ApiToken, User
from alcabala.accounts.services import add_agency, add_user, get_user
from alcabala.checkpoints.schemas import CheckpointIn
from alcabala.checkpoints.services import add_checkpoint
from alcabala.checks.models import Check
from alcabala.checks.runtime import REFRESH_SECONDS
from alcabala.config import Settings
from alcabala.context import SYSTEM, Door
from alcabala.db.engine import make_engine, read_session
from alcabala.db.history import Change, record_change

from ..helpers import stop_processes, wait_healthy

REACH = REFRESH_SECONDS + 2.0  # one refresh interval, and slack for a loaded machine
OFFICERS = ("ana", "beto", "cara")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Servers:
    def __init__(self, db_url: str, tmp: Path) -> None:
        self.db_url = db_url
        self.door = Door(make_engine(db_url), Settings(database_url=db_url))
        self.env = {
            **os.environ,
            "ALCABALA_DATABASE_URL": db_url,
            "ALCABALA_DATA_DIR": str(tmp / "data"),
            "ALCABALA_SECRET_KEY": "two-processes-share-one-key-" + "x" * 24,
        }
        self.tmp = tmp
        self.urls: list[str] = []
        self.procs: list[subprocess.Popen[bytes]] = []
        self.tokens: dict[str, str] = {}

    def seed(self) -> None:
        with self.door.write(SYSTEM) as ctx:
            add_agency(ctx.session, "GNB", "Guardia Nacional Bolivariana", "police")
            add_checkpoint(
                ctx,
                CheckpointIn(
                    code="GUA-ALDAO",
                    name="Puente Aldao",
                    road="Troncal 2",
                    state="Guárico",
                    lat=8.87,
                    lon=-67.43,
                    agency="GNB",
                ),
            )
            for name in OFFICERS:
                _, self.tokens[name] = add_user(ctx.session, name, "officer", "GNB")

    def start(self, count: int = 2) -> None:
        for i in range(count):
            port = _free_port()
            log = (self.tmp / f"server-{i}.log").open("wb")
            command = [sys.executable, "-m", "alcabala.cli.main", "serve", "--port", str(port)]
            self.procs.append(
                subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
            )
            self.urls.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        for url, proc in zip(self.urls, self.procs, strict=True):
            wait_healthy(url, proc, deadline, self.logs)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.tmp.glob("server-*.log"))

    def stop(self) -> None:
        stop_processes(self.procs, timeout=15)
        self.door.engine.dispose()

    def auth(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def check(self, url: str, name: str) -> httpx.Response:
        stop = {"check_id": str(uuid.uuid4()), "checkpoint": "GUA-ALDAO", "plate": "XY999ZZ"}
        return httpx.post(url + "/v1/checks", json=stop, headers=self.auth(name), timeout=15)

    def batch(self, url: str, name: str) -> httpx.Response:
        stops = [
            {"check_id": str(uuid.uuid4()), "checkpoint": "GUA-ALDAO", "plate": "XY999ZZ"}
            for _ in range(3)
        ]
        body = {"stops": stops}
        return httpx.post(url + "/v1/checks/batch", json=body, headers=self.auth(name), timeout=15)

    def read(self, url: str, name: str) -> int:
        r = httpx.get(url + "/v1/checkpoints", headers=self.auth(name), timeout=15)
        return r.status_code

    def checks_by(self, name: str) -> int:
        with read_session(self.door.engine) as s:
            query = (
                select(func.count())
                .select_from(Check)
                .join(User, Check.officer_id == User.id)
                .where(User.username == name)
            )
            return s.scalar(query) or 0

    def user_changed(self, name: str) -> None:
        """The change row the accounts services write (here by hand, for a change made
        behind their back)."""
        with self.door.write(SYSTEM) as ctx:
            record_change(ctx.session, "user", get_user(ctx.session, name), ctx.now())

    def refused_everywhere_within(self, name: str, seconds: float) -> float:
        start = time.monotonic()
        pending = set(self.urls)
        while pending and time.monotonic() - start < seconds:
            pending = {url for url in pending if self.read(url, name) != 401}
            time.sleep(0.05)
        assert not pending, f"{name}'s token still works on {pending} after {seconds} s"
        return time.monotonic() - start


@pytest.fixture
def servers(db_url: str, tmp_path: Path) -> Iterator[Servers]:
    s = Servers(db_url, tmp_path)
    s.seed()
    s.start()
    try:
        yield s
    finally:
        s.stop()


def test_a_revocation_holds_in_every_process(servers: Servers) -> None:
    two = servers.urls[1]
    for url in servers.urls:  # every token works, and is cached, in both processes
        for name in OFFICERS:
            assert servers.check(url, name).status_code == 200, servers.logs()
    assert {name: servers.checks_by(name) for name in OFFICERS} == dict.fromkeys(OFFICERS, 2)

    # 1. Revoked by the CLI (a third process): both servers refuse within the interval.
    cli = [sys.executable, "-m", "alcabala.cli.main", "users", "revoke-tokens", "ana"]
    done = subprocess.run(cli, env=servers.env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    with read_session(servers.door.engine) as s:
        ana = get_user(s, "ana").id
        changed = s.scalar(
            select(func.count()).where(Change.entity == "user", Change.entity_id == ana)
        )
    if not changed:  # the accounts service records it; until then, as it would
        servers.user_changed("ana")
    assert servers.refused_everywhere_within("ana", REACH) <= REACH
    for url in servers.urls:
        assert servers.check(url, "ana").status_code == 401
    assert servers.checks_by("ana") == 2

    # 2. Deactivated and revoked behind every cache's back: still nothing is recorded.
    for url in servers.urls:  # fresh in both caches
        assert servers.read(url, "beto") == 200 and servers.read(url, "cara") == 200
    with servers.door.write(SYSTEM) as ctx:
        get_user(ctx.session, "beto").active = False
        cara = get_user(ctx.session, "cara").id
        for token in ctx.session.scalars(select(ApiToken).where(ApiToken.user_id == cara)):
            token.revoked_at = ctx.now()
    for url in servers.urls:
        for name in ("beto", "cara"):
            r = servers.check(url, name)
            assert r.status_code == 401, r.text
            assert servers.batch(url, name).status_code == 401
    assert servers.read(two, "beto") == 200  # the cache did still admit beto, for reads
    assert servers.checks_by("beto") == 2 and servers.checks_by("cara") == 2

    # 3. Once the change rows are written, reads are refused in both processes too.
    servers.user_changed("beto")
    servers.user_changed("cara")
    assert servers.refused_everywhere_within("beto", REACH) <= REACH
    assert servers.refused_everywhere_within("cara", REACH) <= REACH
    assert {name: servers.checks_by(name) for name in OFFICERS} == dict.fromkeys(OFFICERS, 2)
    assert all(proc.poll() is None for proc in servers.procs)  # neither server fell over


def test_two_processes_record_one_stop_once(servers: Servers) -> None:
    """The same stop sent to both processes at once (a device retrying through the load
    balancer): one row, one verdict; another stop under that id is 409 on either."""
    import concurrent.futures

    stop: dict[str, Any] = {
        "check_id": str(uuid.uuid4()),
        "checkpoint": "GUA-ALDAO",
        "plate": "XY999ZZ",
    }

    def send(url: str) -> httpx.Response:
        return httpx.post(url + "/v1/checks", json=stop, headers=servers.auth("ana"), timeout=15)

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(send, servers.urls * 4))
    assert {r.status_code for r in results} == {200}, [r.text for r in results]
    assert len({r.text for r in results}) == 1
    assert servers.checks_by("ana") == 1
    for url in servers.urls:
        other = {**stop, "plate": "XY998ZZ"}
        r = httpx.post(url + "/v1/checks", json=other, headers=servers.auth("ana"), timeout=15)
        assert r.status_code == 409 and r.json()["error"]["code"] == "check_id_conflict"
