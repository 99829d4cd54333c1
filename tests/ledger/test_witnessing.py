"""The log sends its checkpoints to two real witnesses and serves their cosignatures.

Two ``alcabala witness serve`` processes (as in test_witness.py) trust the logs of these
tests; an integrator built by ``integrator_for`` with them in ``Settings`` runs on SQLite
and PostgreSQL. The served ``/log/checkpoint`` note carries both cosignatures and still
verifies with the log's key; k of n is counted from it; a witness that hangs or is down
delays no checkpoint; one restarted on its state is caught up through its 409 answer.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from alcabala.api import errors
from alcabala.cli.main import app
from alcabala.clock import FixedClock
from alcabala.config import Settings
from alcabala.context import Door
from alcabala.db.engine import read_session
from alcabala.ledger.checkpoint import Checkpoint, open_checkpoint
from alcabala.ledger.cosignature import cosignatures
from alcabala.ledger.integrator import Integrator, integrator_for
from alcabala.ledger.keys import Signer
from alcabala.ledger.keystore import key_path, write_signer
from alcabala.ledger.models import LogCheckpoint
from alcabala.ledger.routes import router
from alcabala.ledger.verify import verify_log
from alcabala.ledger.witnessing import is_witnessed, witness_status

from ..conftest import settings_for
from .test_integrator import fill
from .test_witness import Served, _free_port, _wait_until_up

#: One log per test run (the witnesses remember each log's tree): they trust them all.
LOGS = [Signer.generate(f"witnessed{i}.example/log") for i in range(16)]
_FREE = iter(LOGS)
T = TypeVar("T")


def launch(home: Path, port: int, vkey: str) -> Served:
    command = [sys.executable, "-m", "alcabala.cli.main", "witness", "serve", "--port", str(port)]
    command += ["--key", str(home / "witness.key"), "--state", str(home / "state")]
    for signer in LOGS:
        command += ["--log", signer.verifier_key()]
    with open(home / "out.log", "ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    return Served(f"http://127.0.0.1:{port}", vkey, process, home)


def halt(served: Served) -> None:
    served.process.terminate()
    try:
        served.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        served.process.kill()
        served.process.wait()


@pytest.fixture(scope="module")
def witnesses(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Served]]:
    started: list[Served] = []
    try:
        for name in ("w1.example", "w2.example"):
            home = tmp_path_factory.mktemp(name)
            args = ["keys", "generate", "--witness", "--name", name]
            result = CliRunner().invoke(app, [*args, "--out", str(home / "witness.key")])
            assert result.exit_code == 0, result.stderr
            started.append(launch(home, _free_port(), result.stdout.strip()))
        for served in started:
            _wait_until_up(served)
        yield started
    finally:
        for served in started:
            halt(served)


@pytest.fixture
def log_key() -> Signer:
    return next(_FREE)


def configure(
    db_url: str, tmp_path: Path, signer: Signer, pairs: list[tuple[str, str]], quorum: int = 0
) -> Settings:
    settings = settings_for(
        db_url,
        tmp_path / "data",
        log_origin=signer.name,
        witnesses=tuple(pairs),
        witness_quorum=quorum,
    )
    write_signer(key_path(settings), signer)
    return settings


def served_note(engine: Engine, settings: Settings, clock: FixedClock) -> str:
    """``GET /log/checkpoint`` through the log's router."""
    found = serving(engine, settings, clock)
    assert found is not None
    return found


def serving(engine: Engine, settings: Settings, clock: FixedClock) -> str | None:
    """The served note, or None before the first checkpoint (404)."""
    api = FastAPI()
    api.state.door = Door(engine, settings, clock)
    errors.install(api)
    api.include_router(router)
    with TestClient(api) as client:
        response = client.get("/log/checkpoint")
    assert response.status_code in (200, 404), response.text
    return response.text if response.status_code == 200 else None


def wait_for(what: Callable[[], T | None], timeout: float = 30) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = what()
        if found is not None:
            return found
        time.sleep(0.05)
    pytest.fail("timed out")


def size_of(signed: str, signer: Signer) -> int:
    return open_checkpoint(signed, [signer.verifier_key()], origin=signer.name).size


def test_each_checkpoint_is_cosigned_and_served(
    engine: Engine,
    db_url: str,
    tmp_path: Path,
    clock: FixedClock,
    witnesses: list[Served],
    log_key: Signer,
) -> None:
    vkeys = [w.vkey for w in witnesses]
    settings = configure(db_url, tmp_path, log_key, [(w.url, w.vkey) for w in witnesses])
    integrator = integrator_for(engine, settings, clock)
    assert integrator.witnessing is not None and integrator.witnessing in integrator.on_checkpoint

    def cosigned_at(size: int) -> Callable[[], str | None]:
        def look() -> str | None:
            text = serving(engine, settings, clock)
            if text is None or size_of(text, log_key) != size:
                return None
            return text if len(cosignatures(text, vkeys)) == 2 else None

        return look

    integrator.start()
    try:
        fill(engine, 5)
        first = wait_for(cosigned_at(5))
        fill(engine, 300, start=5)  # the next proof spans a full tile and a partial one
        latest = wait_for(cosigned_at(305))
    finally:
        integrator.stop()
    assert not integrator.running
    for signed in (first, latest):
        checkpoint = open_checkpoint(signed, [log_key.verifier_key()], origin=log_key.name)
        assert set(cosignatures(signed, vkeys)) == set(vkeys)
        assert is_witnessed(signed, settings)
        assert signed.startswith(Checkpoint(log_key.name, checkpoint.size, checkpoint.root).body())
    status = witness_status(latest, settings)
    assert [name for name, _ in status] == ["w1.example", "w2.example"]
    assert all(at is not None and at.tzinfo is not None for _, at in status)
    with read_session(engine) as session:
        assert verify_log(session, [log_key.verifier_key()], log_key.name).problems == []
        stored = session.scalar(select(LogCheckpoint.note).where(LogCheckpoint.size == 305))
    assert stored == latest
    assert integrator.witnessing.run_once() == {w.url: True for w in witnesses}
    assert served_note(engine, settings, clock) == latest  # nothing appended twice


class Blackhole:
    """A TCP port that accepts connections and never answers: a hung witness."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"

    def close(self) -> None:
        self.socket.close()


def test_k_of_n_and_a_hung_witness_delays_nothing(
    engine: Engine,
    db_url: str,
    tmp_path: Path,
    clock: FixedClock,
    witnesses: list[Served],
    log_key: Signer,
) -> None:
    good, other = witnesses
    hole = Blackhole()
    pairs = [(good.url, good.vkey), (hole.url, other.vkey)]
    settings = configure(db_url, tmp_path, log_key, pairs, quorum=1)
    integrator = integrator_for(engine, settings, clock)
    assert integrator.witnessing is not None
    integrator.witnessing.timeout = 60  # the hung witness holds its submission all along
    integrator.start()
    try:
        for batch in range(4):
            fill(engine, 10, start=batch * 10, tag="h")
            begun = time.monotonic()
            text = wait_for(
                lambda n=batch: _cosigned_at(
                    serving(engine, settings, clock), log_key, (n + 1) * 10, good.vkey
                ),
                timeout=10,
            )
            assert time.monotonic() - begun < 3  # checkpointed and cosigned by the good one
    finally:
        integrator.stop()
        hole.close()
    assert is_witnessed(text, settings)  # 1 of 2
    assert not is_witnessed(text, settings.replace(witness_quorum=2))  # 2 of 2
    assert witness_status(text, settings)[1] == ("w2.example", None)


def _cosigned_at(text: str | None, signer: Signer, size: int, vkey: str) -> str | None:
    if text is None or size_of(text, signer) != size or not cosignatures(text, [vkey]):
        return None
    return text


def run(integrator: Integrator) -> int:
    checkpoint = integrator.run_once()
    assert checkpoint is not None
    return checkpoint.size


def test_a_down_witness_then_a_restarted_one_catches_up(
    engine: Engine,
    db_url: str,
    tmp_path: Path,
    clock: FixedClock,
    witnesses: list[Served],
    log_key: Signer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    w1, w2 = witnesses
    settings = configure(db_url, tmp_path, log_key, [(w.url, w.vkey) for w in witnesses])
    integrator = integrator_for(engine, settings, clock)
    assert integrator.witnessing is not None
    integrator.witnessing.timeout = 5
    fill(engine, 5, tag="d")
    assert run(integrator) == 5
    assert integrator.witnessing.run_once() == {w1.url: True, w2.url: True}

    halt(w1)  # down: the log goes on, w2 cosigns alone
    fill(engine, 4, start=5, tag="d")
    assert run(integrator) == 9
    with caplog.at_level(logging.WARNING, "alcabala.ledger.witnessing"):
        assert integrator.witnessing.run_once() == {w1.url: False, w2.url: True}
    assert any("unavailable" in r.getMessage() for r in caplog.records)
    nine = served_note(engine, settings, clock)
    assert set(cosignatures(nine, [w1.vkey, w2.vkey])) == {w2.vkey}
    assert not is_witnessed(nine, settings)

    port = int(w1.url.rsplit(":", 1)[1])
    w1.process = launch(w1.home, port, w1.vkey).process  # on its state, at size 5
    _wait_until_up(w1)
    fresh = integrator_for(engine, settings, clock)  # a restarted log: knows no sizes
    assert fresh.witnessing is not None
    fill(engine, 3, start=9, tag="d")
    assert run(fresh) == 12
    caplog.clear()
    with caplog.at_level(logging.INFO, "alcabala.ledger.witnessing"):
        assert fresh.witnessing.run_once() == {w1.url: True, w2.url: True}
    told = {r.getMessage() for r in caplog.records if "proving" in r.getMessage()}
    assert told == {  # the 409s: each witness's size, then the proof from it
        f"witness {w1.url} is at size 5: proving 12 from it",
        f"witness {w2.url} is at size 9: proving 12 from it",
    }
    twelve = served_note(engine, settings, clock)
    assert size_of(twelve, log_key) == 12 and is_witnessed(twelve, settings)
    assert fresh.witnessing.sizes == {w1.url: 12, w2.url: 12}
    with read_session(engine) as session:
        assert verify_log(session, [log_key.verifier_key()], log_key.name).problems == []


def test_without_witnesses_nothing_is_attached_or_witnessed(
    engine: Engine, db_url: str, tmp_path: Path, clock: FixedClock, log_key: Signer
) -> None:
    settings = configure(db_url, tmp_path, log_key, [])
    integrator = integrator_for(engine, settings, clock)
    assert integrator.witnessing is None and integrator.on_checkpoint == []
    fill(engine, 1, tag="n")
    run(integrator)
    text = served_note(engine, settings, clock)
    assert not is_witnessed(text, settings) and witness_status(text, settings) == []
