"""``alcabala log monitor`` against a real HTTP server of the log's read API.

The log's router runs under uvicorn on a free port (in this process, on a thread), over a
SQLite log integrated with the test key. The monitor, through the CLI, accepts consistent
growth (proving it from the tiles itself) and stores what it saw; it catches a fork — a
second database signed with the same key, served at another URL, as a log would show a
split view — a bad signature, a bad cosignature and a state file edited by hand, each with
one line and exit status 1; it polls until Ctrl-C.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine, update
from typer.testing import CliRunner, Result

from alcabala.api import errors
from alcabala.cli.main import app
from alcabala.clock import FixedClock
from alcabala.config import Settings
from alcabala.context import Door
from alcabala.db.engine import make_engine, read_session, unit_of_work
from alcabala.ledger.cosignature import cosign
from alcabala.ledger.integrator import integrate
from alcabala.ledger.keys import Signer
from alcabala.ledger.keystore import key_path, write_signer
from alcabala.ledger.models import LogCheckpoint, latest_checkpoint
from alcabala.ledger.routes import router

from ..conftest import settings_for
from .test_integrator import ORIGIN, SIGNER, VKEY, fill, run_all
from .test_witness import _free_port

WITNESS = Signer.generate("w1.example")
IMPOSTOR = Signer.generate(ORIGIN)  # the log's name, another key
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def new_log(sqlite_template: Path, tmp_path: Path) -> Iterator[Callable[[], Engine]]:
    """Each call gives a fresh migrated SQLite log (its engine disposed of at the end)."""
    engines: list[Engine] = []

    def make() -> Engine:
        path = tmp_path / f"log{len(engines)}.db"
        shutil.copyfile(sqlite_template, path)
        engines.append(make_engine(f"sqlite:///{path}"))
        return engines[-1]

    yield make
    for engine in engines:
        engine.dispose()


def flip(text: str, at: int) -> str:
    """``text`` with the base64 character at ``at`` changed (still canonical base64)."""
    return text[:at] + ("B" if text[at] == "A" else "A") + text[at + 1 :]


@contextmanager
def serving(engine: Engine, settings: Settings, clock: FixedClock) -> Iterator[str]:
    """The log's read API over ``engine``, under uvicorn on a free port: its base URL."""
    api = FastAPI()
    api.state.door = Door(engine, settings, clock)
    errors.install(api)
    api.include_router(router)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(api, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def monitor(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, ["log", "monitor", *args], env=env)


def once(url: str, state: Path, *more: str) -> Result:
    return monitor("--url", url, "--vkey", VKEY, "--state", str(state), "--once", *more)


def stored_sizes(state: Path) -> list[int]:
    notes = json.loads(state.read_text())["checkpoints"]
    return [int(n.split("\n")[1]) for n in notes]


def test_consistent_growth_is_accepted_and_stored(
    new_log: Callable[[], Engine], tmp_path: Path, clock: FixedClock
) -> None:
    engine = new_log()
    settings = settings_for(str(engine.url), tmp_path / "data")
    state = tmp_path / "mon" / "state.json"
    fill(engine, 5)
    run_all(engine, clock)
    with serving(engine, settings, clock) as url:
        first = once(url, state)
        assert first.exit_code == 0, first.output
        assert first.stdout == f"ok: {ORIGIN} at size 5: the first checkpoint seen\n"
        for start, count in ((5, 300), (305, 400)):  # 705 leaves: tiles at levels 0 and 1
            fill(engine, count, start=start)
            run_all(engine, clock, max_entries=97)
            grown = once(url, state)
            assert grown.exit_code == 0, grown.output
            assert f"at size {start + count}: consistent with size {start}" in grown.stdout
        again = once(url, state)
        assert again.stdout == f"ok: {ORIGIN} at size 705: unchanged\n"
        assert stored_sizes(state) == [5, 305, 705]

        with unit_of_work(engine) as session:  # a witness cosigns the latest checkpoint
            row = latest_checkpoint(session)
            assert row is not None
            body = row.note[: row.note.rindex("\n\n") + 1]
            line = cosign(body, WITNESS, int(clock.now().timestamp()))
            row.note += line
        cosigned = once(url, state, "--witness", WITNESS.verifier_key(0x04))
        assert cosigned.exit_code == 0, cosigned.output
        assert cosigned.stdout.endswith("unchanged; cosigned by 1 of 1 (w1.example)\n")

        set_note(engine, 705, row.note[: -len(line)] + flip(line, len(line) // 2))
        bad = once(url, state, "--witness", WITNESS.verifier_key(0x04))
        assert bad.exit_code == 1
        assert "a witness's cosignature does not verify" in bad.stderr
    assert list((tmp_path / "mon" / "evidence").iterdir())


def set_note(engine: Engine, size: int, text: str) -> None:
    with unit_of_work(engine) as session:
        session.execute(update(LogCheckpoint).where(LogCheckpoint.size == size).values(note=text))


def test_a_forked_log_is_caught(
    new_log: Callable[[], Engine], tmp_path: Path, clock: FixedClock
) -> None:
    """The same key signs two trees: what one URL served first, another contradicts."""
    honest = new_log()
    fork = new_log()
    settings = settings_for(str(honest.url), tmp_path / "data")
    state = tmp_path / "state.json"
    fill(honest, 5)
    run_all(honest, clock)
    fill(fork, 2)
    fill(fork, 3, start=2, tag="forked")  # 5 leaves, the last 3 not the honest ones
    run_all(fork, clock)
    with serving(honest, settings, clock) as url, serving(fork, settings, clock) as split:
        assert once(url, state).exit_code == 0
        same_size = once(split, state)
        assert same_size.exit_code == 1
        assert same_size.stderr.startswith(f"FAILED: {split}: two different trees of size 5")
        fill(fork, 3, start=5, tag="forked")
        run_all(fork, clock)
        larger = once(split, state)
        assert larger.exit_code == 1
        assert "checkpoint 8 is not consistent with checkpoint 5" in larger.stderr
        assert larger.stderr.count("\n") == 1
    assert stored_sizes(state) == [5]  # what contradicts the state never replaces it
    evidence = [json.loads(p.read_text()) for p in (tmp_path / "evidence").iterdir()]
    assert len(evidence) == 2
    with read_session(fork) as session:
        forked = latest_checkpoint(session)
        assert forked is not None
    found = next(e for e in evidence if e["served"] == forked.note)
    assert found["stored"] == json.loads(state.read_text())["checkpoints"][0]
    assert "not consistent" in found["reason"]


def test_a_bad_signature_is_caught(
    new_log: Callable[[], Engine], tmp_path: Path, clock: FixedClock
) -> None:
    engine = new_log()
    settings = settings_for(str(engine.url), tmp_path / "data")
    state = tmp_path / "state.json"
    fill(engine, 3)
    checkpoint = integrate(engine, IMPOSTOR, ORIGIN, clock)  # the log's name, not its key
    assert checkpoint is not None
    with serving(engine, settings, clock) as url:
        result = once(url, state)
        assert result.exit_code == 1
        assert result.stderr.startswith(f"FAILED: {url}: the checkpoint's signature does not")
        assert not state.exists()
        good = checkpoint.sign([SIGNER])  # the right key; then one flipped byte of it
        set_note(engine, 3, good)
        assert once(url, state).exit_code == 0
        set_note(engine, 3, flip(good, len(good) - 30))
        again = once(url, state)
        assert again.exit_code == 1 and "signature does not verify" in again.stderr


def test_a_state_file_edited_by_hand_is_refused(
    new_log: Callable[[], Engine], tmp_path: Path, clock: FixedClock
) -> None:
    engine = new_log()
    settings = settings_for(str(engine.url), tmp_path / "data")
    state = tmp_path / "state.json"
    fill(engine, 6)
    run_all(engine, clock)
    with serving(engine, settings, clock) as url:
        assert once(url, state).exit_code == 0
        kept = state.read_text()
        data = json.loads(kept)
        data["checkpoints"][0] = data["checkpoints"][0].replace("\n6\n", "\n4\n")
        state.write_text(json.dumps(data))
        edited = once(url, state)
        assert edited.exit_code == 1
        assert edited.stderr.startswith(f"error: state file {state}, checkpoint 1: ")
        assert "edited?" in edited.stderr
        state.write_text(kept[:-5])
        assert "is malformed" in once(url, state).stderr
        state.write_text(kept)
        other = Signer.generate(ORIGIN).verifier_key()
        args = ["--url", url, "--vkey", other, "--state", str(state), "--once"]
        foreign = monitor(*args)  # another log's key: this state is not of its log
        assert foreign.exit_code == 1 and "state file" in foreign.stderr
        assert once(url, state).exit_code == 0


def test_arguments_defaults_and_an_unreachable_log(tmp_path: Path, clock: FixedClock) -> None:
    port = _free_port()
    dead = f"http://127.0.0.1:{port}"
    for args in (
        ["--url", "ftp://log.example"],
        ["--url", dead, "--vkey", "not a key"],
        ["--url", dead, "--vkey", WITNESS.verifier_key(0x04)],
        ["--url", dead, "--vkey", VKEY, "--witness", VKEY],
        ["--url", dead, "--interval", "0"],
    ):
        result = monitor(*args, "--once")
        assert result.exit_code == 2, (args, result.output)
    env = {"ALCABALA_DATA_DIR": str(tmp_path), "ALCABALA_LOG_ORIGIN": ORIGIN}
    no_key = monitor("--url", dead, "--once", env=env)
    assert no_key.exit_code == 1 and no_key.stderr.startswith("error: ")
    settings = Settings.from_env(env)
    write_signer(key_path(settings), SIGNER)
    down = monitor("--url", dead, "--once", env=env)  # default keys: the key file's
    assert down.exit_code == 3 and "cannot be read" in down.stderr
    assert not (tmp_path / "monitor").exists()


def test_it_polls_until_ctrl_c(
    new_log: Callable[[], Engine], tmp_path: Path, clock: FixedClock
) -> None:
    engine = new_log()
    settings = settings_for(str(engine.url), tmp_path / "data")
    state = tmp_path / "state.json"
    fill(engine, 2)
    run_all(engine, clock)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with serving(engine, settings, clock) as url:
        command = [sys.executable, "-m", "alcabala.cli.main", "log", "monitor", "--url", url]
        command += ["--vkey", VKEY, "--state", str(state), "--interval", "0.1"]
        child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
        try:
            assert child.stdout is not None
            assert "at size 2: the first checkpoint seen" in child.stdout.readline()
            fill(engine, 3, start=2)
            run_all(engine, clock)
            assert "at size 5: consistent with size 2" in child.stdout.readline()
            assert stored_sizes(state) == [2, 5]
            child.send_signal(signal.SIGINT)
            assert child.wait(timeout=20) == 0
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            if child.stdout is not None:
                child.stdout.close()
