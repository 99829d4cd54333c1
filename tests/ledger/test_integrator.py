"""The log's storage and integrator, on SQLite and PostgreSQL.

Entries are written in the caller's transaction (a rollback takes them away); the
integrator numbers them densely in id order, builds the C2SP tiles and signs one checkpoint
per run, all in one transaction; one integrator runs at a time per database; the
background thread checkpoints within a second; and ``kill -9`` at random moments, 20
times, never loses a committed entry nor leaves a log that does not verify.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session

from alcabala.clock import FixedClock
from alcabala.config import Settings
from alcabala.context import SYSTEM, Door
from alcabala.db.engine import read_session, unit_of_work
from alcabala.db.models import Base
from alcabala.ledger import ProofError, merkle
from alcabala.ledger.checkpoint import Checkpoint, open_checkpoint
from alcabala.ledger.integrator import Integrator, integrate, integrator_for
from alcabala.ledger.keys import Signer
from alcabala.ledger.keystore import key_path, write_signer
from alcabala.ledger.models import (
    LogCheckpoint,
    LogEntry,
    LogTile,
    append,
    append_many,
    flush_entries,
)
from alcabala.ledger.tiles import TileWriter
from alcabala.ledger.verify import verify_log

ORIGIN = "registro.example/log"
SIGNER = Signer.generate(ORIGIN)
VKEY = SIGNER.verifier_key()
ROOT = Path(__file__).resolve().parents[2]


def fill(engine: Engine, count: int, *, start: int = 0, tag: str = "r") -> None:
    """``count`` entries for records ``tag-start`` ..., in one transaction."""
    at = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    with unit_of_work(engine) as session:
        for n in range(start, start + count):
            append(
                session, "test.record", "CICPC", at, {"n": n, "tag": tag}, ("test", f"{tag}-{n}")
            )


def run_all(engine: Engine, clock: FixedClock, max_entries: int = 10_000) -> Checkpoint | None:
    """Integrate until nothing is pending; the last checkpoint signed."""
    last = None
    while (checkpoint := integrate(engine, SIGNER, ORIGIN, clock, max_entries)) is not None:
        last = checkpoint
    return last


def stored(engine: Engine) -> tuple[list[bytes], dict[tuple[int, int], bytes], list[LogCheckpoint]]:
    """The integrated entries in index order, the tiles, and the checkpoints by size."""
    with read_session(engine) as session:
        entries = list(
            session.scalars(
                select(LogEntry.entry).where(LogEntry.idx.is_not(None)).order_by(LogEntry.idx)
            )
        )
        tiles = {(t.level, t.idx): t.hashes for t in session.scalars(select(LogTile))}
        checkpoints = list(session.scalars(select(LogCheckpoint).order_by(LogCheckpoint.size)))
    return entries, tiles, checkpoints


def test_the_migration_and_the_models_agree(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, Base.metadata) if "log_" in repr(d)]
    assert diffs == []


def test_entries_commit_and_roll_back_with_the_change_they_record(
    engine: Engine, settings: Settings, clock: FixedClock
) -> None:
    door = Door(engine, settings, clock)
    with door.write(SYSTEM) as ctx:
        append(ctx.session, "test.kept", None, ctx.now(), {"n": 1}, ("test", 1))
    with pytest.raises(RuntimeError), door.write(SYSTEM) as ctx:
        append(ctx.session, "test.lost", None, ctx.now(), {"n": 2}, ("test", 2))
        raise RuntimeError("the change fails")
    with read_session(engine) as session:
        rows = session.execute(select(LogEntry.ref_id, LogEntry.idx, LogEntry.created_at)).all()
    assert [(r.ref_id, r.idx) for r in rows] == [("1", None)]
    assert rows[0].created_at == clock.now()


def test_entries_are_written_at_flush_and_commit_and_savepoints_roll_theirs_back(
    engine: Engine, settings: Settings, clock: FixedClock
) -> None:
    def count(session: Session) -> int:
        return int(session.scalar(select(func.count()).select_from(LogEntry)) or 0)

    with Door(engine, settings, clock).write(SYSTEM) as ctx:
        s = ctx.session
        append(s, "test.outer", None, ctx.now(), {"n": 1}, ("test", 1))
        assert count(s) == 0  # held on the session until a flush...
        flush_entries(s)
        assert count(s) == 1  # ... or written at once
        append(s, "test.outer", None, ctx.now(), {"n": 2}, ("test", 2))
        savepoint = s.begin_nested()
        append(s, "test.inner", None, ctx.now(), {"n": 3}, ("test", 3))
        savepoint.rollback()
        with s.begin_nested():
            append(s, "test.inner", None, ctx.now(), {"n": 4}, ("test", 4))
    with read_session(engine) as session:
        assert sorted(session.scalars(select(LogEntry.ref_id))) == ["1", "2", "4"]
    session = Session(engine)  # a plain session reused after a rollback keeps nothing
    append(session, "test.lost", None, clock.now(), {"n": 5}, ("test", 5))
    session.rollback()
    session.commit()
    session.close()
    with read_session(engine) as session:
        assert count(session) == 3


def test_the_first_run_signs_the_empty_tree_then_only_new_entries_make_checkpoints(
    engine: Engine, clock: FixedClock
) -> None:
    empty = integrate(engine, SIGNER, ORIGIN, clock)
    assert empty == Checkpoint(ORIGIN, 0, merkle.root_hash([]))
    assert integrate(engine, SIGNER, ORIGIN, clock) is None  # nothing pending
    fill(engine, 3)
    checkpoint = integrate(engine, SIGNER, ORIGIN, clock)
    assert checkpoint is not None and checkpoint.size == 3
    entries, _, checkpoints = stored(engine)
    assert checkpoint.root == merkle.root_hash([merkle.leaf_hash(e) for e in entries])
    assert [c.size for c in checkpoints] == [0, 3]
    assert open_checkpoint(checkpoints[1].note, [VKEY], origin=ORIGIN) == checkpoint
    assert checkpoints[1].root == checkpoint.root
    assert checkpoints[1].created_at == clock.now()


def test_indices_are_dense_in_id_order_and_tiles_match_a_fresh_build(
    engine: Engine, clock: FixedClock
) -> None:
    """700 entries in uneven batches across tile boundaries: the stored tiles are those of
    one build from scratch, and every checkpoint's root is the root of its prefix."""
    written = 0
    for batch in (1, 255, 1, 100, 343):
        fill(engine, batch, start=written)
        written += batch
        run_all(engine, clock, max_entries=97)
    entries, tiles, checkpoints = stored(engine)
    with read_session(engine) as session:
        order = list(session.execute(select(LogEntry.id, LogEntry.idx).order_by(LogEntry.id)))
    assert [idx for _, idx in order] == list(range(written))
    leaves = [merkle.leaf_hash(e) for e in entries]
    fresh = TileWriter()
    for leaf in leaves:
        fresh.append(leaf)
    assert tiles == fresh.take_changed()
    assert {(0, 0), (0, 1), (0, 2), (1, 0)} == set(tiles)  # 700 = 2*256 + 188; level 1: 2
    for checkpoint in checkpoints:
        assert checkpoint.root == merkle.root_hash(leaves[: checkpoint.size])
    assert checkpoints[-1].size == written


def test_bulk_appends_go_through_copy_or_executemany(engine: Engine, clock: FixedClock) -> None:
    at = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    with unit_of_work(engine) as session:
        count = append_many(
            session, [("test.bulk", None, at, {"n": n}, ("test", n)) for n in range(300)]
        )
    assert count == 300
    assert run_all(engine, clock) == Checkpoint(ORIGIN, 300, stored_root(engine))
    assert verify_log_ok(engine)


def stored_root(engine: Engine) -> bytes:
    entries, _, _ = stored(engine)
    return merkle.root_hash([merkle.leaf_hash(e) for e in entries])


def verify_log_ok(engine: Engine) -> bool:
    with read_session(engine) as session:
        report = verify_log(session, [VKEY], ORIGIN)
    assert report.problems == []
    return True


def test_a_key_of_another_origin_is_refused(engine: Engine, clock: FixedClock) -> None:
    with pytest.raises(ProofError):
        integrate(engine, Signer.generate("other.example/log"), ORIGIN, clock)


def test_one_integrator_per_database(engine: Engine, clock: FixedClock) -> None:
    """Integrators racing in threads while entries arrive: every entry gets exactly one
    index, the checkpoints' sizes only grow, and the log verifies."""
    stop = threading.Event()

    def keep_integrating() -> None:
        while not stop.is_set():
            integrate(engine, SIGNER, ORIGIN, clock, max_entries=50)

    workers = [threading.Thread(target=keep_integrating) for _ in range(3)]
    for worker in workers:
        worker.start()
    try:
        for batch in range(20):
            fill(engine, 25, start=batch * 25)
    finally:
        stop.set()
        for worker in workers:
            worker.join()
    run_all(engine, clock)
    entries, _, checkpoints = stored(engine)
    assert len(entries) == 500
    sizes = [c.size for c in checkpoints]
    assert sizes == sorted(set(sizes))
    assert verify_log_ok(engine)


def test_postgresql_integrators_wait_for_the_advisory_lock(
    engine: Engine, clock: FixedClock
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serializes integrators with its one writer lock")
    from alcabala.ledger.integrator import ADVISORY_LOCK

    fill(engine, 5)
    other = create_engine(engine.url)
    try:
        with other.begin() as conn:
            assert conn.scalar(text(f"SELECT pg_try_advisory_xact_lock({ADVISORY_LOCK})"))
            assert integrate(engine, SIGNER, ORIGIN, clock) is None  # held elsewhere
        checkpoint = integrate(engine, SIGNER, ORIGIN, clock)
        assert checkpoint is not None and checkpoint.size == 5
    finally:
        other.dispose()


def test_the_thread_checkpoints_within_a_second_while_entries_arrive(
    engine: Engine, clock: FixedClock
) -> None:
    integrator = Integrator(engine, SIGNER, ORIGIN, clock)
    seen: list[tuple[float, int]] = []
    integrator.on_checkpoint.append(lambda c: seen.append((time.monotonic(), c.size)))
    integrator.start()
    try:
        integrator.start()  # a second start does nothing
        written: list[float] = []
        for batch in range(6):
            fill(engine, 10, start=batch * 10)
            written.append(time.monotonic())
            time.sleep(0.3)
        deadline = time.monotonic() + 5
        while (not seen or seen[-1][1] < 60) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        integrator.stop()
    assert not integrator.running
    assert seen[-1][1] == 60
    for batch, at in enumerate(written):
        covered = [t for t, size in seen if size >= (batch + 1) * 10]
        assert covered and covered[0] - at <= 1.0, (batch, covered[:1], at)


def test_integrator_for_reads_the_key_and_origin_of_the_settings(
    engine: Engine, tmp_path: Path, clock: FixedClock
) -> None:
    settings = Settings(data_dir=tmp_path, log_origin=ORIGIN)
    write_signer(key_path(settings), SIGNER)
    integrator = integrator_for(engine, settings, clock)
    assert (integrator.origin, integrator.signer) == (ORIGIN, SIGNER)
    fill(engine, 2)
    assert integrator.run_once() is not None


CHILD = textwrap.dedent(
    """
    import datetime as dt, sys
    from alcabala.clock import SYSTEM_CLOCK
    from alcabala.db.engine import make_engine, unit_of_work
    from alcabala.ledger.integrator import integrate
    from alcabala.ledger.keys import Signer
    from alcabala.ledger.models import append

    url, skey, tag = sys.argv[1:]
    engine, signer = make_engine(url), Signer.parse(skey)
    at = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    print("ready", flush=True)
    n = 0
    while True:
        with unit_of_work(engine) as session:
            for i in range(n, n + 300):
                append(session, "test.crash", None, at, {"n": i}, ("crash", f"{tag}-{i}"))
        n += 300
        print(n, "integrating", flush=True)
        integrate(engine, signer, signer.name, SYSTEM_CLOCK, max_entries=700)
    """
)


def test_kill_9_at_random_moments_loses_nothing_committed(
    engine: Engine, db_url: str, clock: FixedClock
) -> None:
    """20 times: a process appends and integrates; SIGKILL at a random moment (every other
    time just after an integration began); then the log verifies, every entry the process
    saw committed is there, and every checkpoint seen before is still stored. At the end
    everything integrates and verifies."""
    rng = random.Random(11)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    committed: dict[str, int] = {}
    seen_checkpoints: set[int] = set()
    for round_ in range(20):
        tag = f"k{round_}"
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, db_url, SIGNER.key_string(), tag],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.6))
        lines = []
        if round_ % 2:  # every other round, aim at an integration in progress
            lines.append(child.stdout.readline())
            time.sleep(rng.uniform(0, 0.03))
        child.send_signal(signal.SIGKILL)
        child.wait()
        lines += child.stdout.read().splitlines()
        child.stdout.close()
        committed[tag] = int(lines[-1].split()[0]) if lines else 0
        with read_session(engine) as session:
            report = verify_log(session, [VKEY], SIGNER.name)
            sizes = set(session.scalars(select(LogCheckpoint.size)))
            present = session.scalar(select(func.count()).where(LogEntry.ref_id.like(f"{tag}-%")))
        assert report.problems == [], (round_, report.problems)
        assert present in (committed[tag], committed[tag] + 300), round_
        assert seen_checkpoints <= sizes
        seen_checkpoints = sizes
    run_all(engine, clock)
    entries, _, checkpoints = stored(engine)
    with read_session(engine) as session:
        refs = set(session.scalars(select(LogEntry.ref_id).where(LogEntry.idx.is_not(None))))
        assert session.scalar(select(func.count()).where(LogEntry.idx.is_(None))) == 0
    for tag, count in committed.items():
        assert {f"{tag}-{i}" for i in range(count)} <= refs
    assert checkpoints[-1].size == len(entries) == len(refs)
    assert sum(committed.values()) > 0
    assert verify_log_ok(engine)
