"""``alcabala log verify``: one changed byte anywhere is one line naming where it is.

A log of 700 entries and several checkpoints verifies; then, each alone and with plain
SQL, a changed entry byte (reported with its index), a changed tile byte (with the tile
and hash), a changed checkpoint (with its size), a missing entry, a stray tile, and a
record edited behind the services' back (through :func:`verify_commitments`). On SQLite
and PostgreSQL, through the function and through the command.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, select, text, update
from typer.testing import CliRunner

from alcabala.cli import log as log_cli
from alcabala.cli.main import app
from alcabala.clock import FixedClock
from alcabala.config import Settings
from alcabala.db.engine import read_session, unit_of_work
from alcabala.ledger.integrator import Integrator
from alcabala.ledger.keystore import key_path, write_signer
from alcabala.ledger.models import LogCheckpoint, LogEntry, LogTile, append
from alcabala.ledger.tiles import TileWriter
from alcabala.ledger.verify import Report, verify_commitments, verify_log

from .test_integrator import ORIGIN, SIGNER, VKEY, fill, run_all

runner = CliRunner()


@pytest.fixture
def log(engine: Engine, clock: FixedClock) -> Engine:
    """700 entries in five rounds: checkpoints 0, 100, 256, 300, 555, 700."""
    run_all(engine, clock)
    written = 0
    for size in (100, 256, 300, 555, 700):
        fill(engine, size - written, start=written)
        written = size
        run_all(engine, clock)
    return engine


def verify(engine: Engine, **kwargs: Any) -> Report:
    with read_session(engine) as session:
        return verify_log(session, [VKEY], ORIGIN, **kwargs)


def lines(report: Report) -> list[str]:
    return [str(p) for p in report.problems]


def sql(engine: Engine, statement: Any) -> None:
    with engine.begin() as conn:
        conn.execute(statement)


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


def test_an_untouched_log_verifies_and_reports_progress(log: Engine) -> None:
    seen: list[tuple[int, int]] = []
    report = verify(log, progress=lambda done, total: seen.append((done, total)))
    assert report.ok, lines(report)
    assert (report.entries, report.tiles, report.checkpoints) == (700, 4, 6)
    assert seen[-1][0] == seen[-1][1] == 700 + 6


@pytest.mark.parametrize("index", [0, 123, 699])
def test_one_changed_entry_byte_is_reported_with_its_index(log: Engine, index: int) -> None:
    with read_session(log) as s:
        entry = s.scalar(select(LogEntry.entry).where(LogEntry.idx == index))
    assert entry is not None
    changed = entry.replace(b'"agency":"CICPC"', b'"agency":"CICPD"')
    sql(log, update(LogEntry).where(LogEntry.idx == index).values(entry=changed))
    assert lines(verify(log)) == [
        f"entry {index}: was changed: it no longer hashes to tile 0/00{index // 256} hash "
        f"{index % 256}, nor to the signed roots"
    ]


def test_a_changed_entry_that_no_longer_parses_says_so_too(log: Engine) -> None:
    with read_session(log) as s:
        entry = s.scalar(select(LogEntry.entry).where(LogEntry.idx == 42))
    assert entry is not None
    sql(log, update(LogEntry).where(LogEntry.idx == 42).values(entry=flip(entry, 0)))
    (line,) = lines(verify(log))
    assert line.startswith("entry 42: was changed:") and "not JSON" not in line
    assert "UTF-8 JSON" in line


@pytest.mark.parametrize(
    ("level", "index", "position", "where"),
    [
        (0, 0, 5, "tile 0/000 hash 5: was changed: it is not the hash of entry 5"),
        (0, 2, 187, "tile 0/002 hash 187: was changed: it is not the hash of entry 699"),
        (1, 0, 1, "tile 1/000 hash 1: was changed: it is not the hash of entries 256 to 511"),
    ],
)
def test_one_changed_tile_byte_is_reported_with_the_tile_and_hash(
    log: Engine, level: int, index: int, position: int, where: str
) -> None:
    with read_session(log) as s:
        hashes = s.scalar(
            select(LogTile.hashes).where(LogTile.level == level, LogTile.idx == index)
        )
    assert hashes is not None
    changed = flip(hashes, position * 32 + 7)
    sql(
        log,
        update(LogTile).where(LogTile.level == level, LogTile.idx == index).values(hashes=changed),
    )
    assert lines(verify(log)) == [f"{where}, which the log signed"]


def test_a_changed_checkpoint_is_reported_with_its_size(log: Engine) -> None:
    with read_session(log) as s:
        note = s.scalar(select(LogCheckpoint.note).where(LogCheckpoint.size == 300))
    assert note is not None
    sql(
        log,
        update(LogCheckpoint)
        .where(LogCheckpoint.size == 300)
        .values(note=note.replace("\n300\n", "\n301\n")),
    )
    (line,) = lines(verify(log))
    assert line.startswith("checkpoint 300: its signed note does not verify")
    sql(log, update(LogCheckpoint).where(LogCheckpoint.size == 300).values(note=note))
    sql(log, update(LogCheckpoint).where(LogCheckpoint.size == 555).values(root=bytes(32)))
    assert lines(verify(log)) == ["checkpoint 555: its stored root is not the signed one"]


def test_entries_rewritten_with_their_tiles_are_caught_by_the_signed_roots(log: Engine) -> None:
    """An insider who changes an entry and rebuilds every tile to match is still caught:
    the signatures pin the roots, and the line says between which checkpoints it was."""
    with read_session(log) as s:
        entries = list(s.scalars(select(LogEntry.entry).order_by(LogEntry.idx)))
    entries[400] = entries[400].replace(b'"agency":"CICPC"', b'"agency":"CICPD"')
    sql(log, update(LogEntry).where(LogEntry.idx == 400).values(entry=entries[400]))
    from alcabala.ledger.merkle import leaf_hash

    writer = TileWriter()
    for entry in entries:
        writer.append(leaf_hash(entry))
    for (level, index), hashes in writer.take_changed().items():
        sql(
            log,
            update(LogTile)
            .where(LogTile.level == level, LogTile.idx == index)
            .values(hashes=hashes),
        )
    assert lines(verify(log)) == [
        "checkpoint 555 (and 1 later checkpoints): the entries as stored do not give the "
        "signed root: one from index 300 to 554 was changed"
    ]


def test_a_missing_entry_and_a_stray_tile_are_reported(log: Engine) -> None:
    sql(
        log,
        text("INSERT INTO log_tiles (level, idx, width, hashes) VALUES (5, 0, 1, :h)").bindparams(
            h=bytes(32)
        ),
    )
    assert lines(verify(log)) == ["tile 5/000: is stored but is no tile of the log's tree"]
    sql(log, text("DELETE FROM log_tiles WHERE level = 5"))
    sql(log, text("DELETE FROM log_entries WHERE idx IN (300, 301, 302)"))
    assert lines(verify(log)) == [
        "entries 300 to 302: missing: the checkpoints have them, the entries table not"
    ]
    sql(log, text("DELETE FROM log_entries WHERE idx = 699"))
    assert lines(verify(log))[-1] == (
        "entry 699: missing: the checkpoints have them, the entries table not"
    )


def test_verifying_while_the_integrator_runs(log: Engine, clock: FixedClock) -> None:
    integrator = Integrator(log, SIGNER, ORIGIN, clock, interval=0.01, max_entries=40)
    stop = threading.Event()

    def keep_writing() -> None:
        n = 700
        while not stop.is_set():
            fill(log, 30, start=n)
            n += 30

    writer = threading.Thread(target=keep_writing)
    integrator.start()
    writer.start()
    try:
        for _ in range(5):
            report = verify(log)
            assert report.ok, lines(report)
    finally:
        stop.set()
        writer.join()
        integrator.stop()


# -- commitments: records edited behind the services' back -----------------------------------
@pytest.fixture
def plates(engine: Engine) -> Iterator[Table]:
    """A records table of the test's own, each change logged as a service would."""
    table = Table(
        "test_plates",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("plate", String(10)),
        Column("state", String(10)),
    )
    table.create(engine)
    yield table
    table.drop(engine)


def change(engine: Engine, table: Table, clock: FixedClock, id_: int, **values: str) -> None:
    """Write the record and its entry in one transaction (the services' way)."""
    with unit_of_work(engine) as s:
        if s.execute(select(table.c.id).where(table.c.id == id_)).first() is None:
            s.execute(table.insert().values(id=id_, **values))
        else:
            s.execute(table.update().where(table.c.id == id_).values(**values))
        row = s.execute(select(table).where(table.c.id == id_)).mappings().one()
        append(s, "plate.changed", "CICPC", clock.now(), dict(row), ("plate", id_))


def loader_for(engine: Engine, table: Table) -> Any:
    def load(kind: str, id_: str) -> Mapping[str, Any] | None:
        assert kind == "plate"
        with read_session(engine) as s:
            row = s.execute(select(table).where(table.c.id == int(id_))).mappings().first()
        return dict(row) if row is not None else None

    return load


def test_records_edited_with_plain_sql_no_longer_match_their_commitment(
    engine: Engine, plates: Table, clock: FixedClock
) -> None:
    for i in range(1, 5):
        change(engine, plates, clock, i, plate=f"AB{i}00CD", state="active")
    change(engine, plates, clock, 2, state="stolen")  # a second entry: the latest counts
    run_all(engine, clock, max_entries=3)  # some integrated, the last ones as well
    change(engine, plates, clock, 5, plate="ZZ999ZZ", state="active")  # still pending
    load = loader_for(engine, plates)
    seen: list[int] = []
    with read_session(engine) as s:
        assert verify_commitments(s, load, progress=lambda d, t: seen.append(t)) == []
    assert seen == [5]
    sql(engine, plates.update().where(plates.c.id == 2).values(state="recovered"))
    sql(engine, plates.update().where(plates.c.id == 5).values(plate="ZZ999ZY"))
    sql(engine, plates.delete().where(plates.c.id == 3))
    with read_session(engine) as s:
        problems = [str(p) for p in verify_commitments(s, load)]
    assert problems == [
        "record plate 2: was changed after entry 4 was logged: it no longer matches its commitment",
        "record plate 3: is gone, but entry 2 commits to it",
        "record plate 5: was changed after pending entry #6 was logged: it no longer matches "
        "its commitment",
    ]


# -- the command -----------------------------------------------------------------------------
def run(db_url: str, *args: str, **env: str) -> tuple[int, str, str]:
    variables = {"ALCABALA_DATABASE_URL": db_url, "ALCABALA_LOG_ORIGIN": ORIGIN, **env}
    # Its entries refer to records of a table of its own: the log alone is checked here.
    result = runner.invoke(app, ["log", "verify", "--no-records", *args], env=variables)
    return result.exit_code, result.stdout, result.stderr


def test_the_command_exits_0_then_1_with_one_line_per_problem(
    log: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(db_url, "--vkey", VKEY)
    assert (code, out) == (
        0,
        f"the log verifies: 700 entries, 4 tiles, 6 checkpoints of {ORIGIN}\n",
    ), err
    sql(log, update(LogCheckpoint).where(LogCheckpoint.size == 100).values(root=bytes(32)))
    with read_session(log) as s:
        hashes = s.scalar(select(LogTile.hashes).where(LogTile.level == 0, LogTile.idx == 1))
    assert hashes is not None
    sql(
        log,
        update(LogTile).where(LogTile.level == 0, LogTile.idx == 1).values(hashes=flip(hashes, 0)),
    )
    monkeypatch.setattr(log_cli, "LONG_RUN", 10)  # draw the bar too
    code, out, _ = run(db_url, "--vkey", VKEY)
    assert code == 1
    assert out.splitlines() == [
        "checkpoint 100: its stored root is not the signed one",
        "tile 0/001 hash 0: was changed: it is not the hash of entry 256, which the log signed",
        "the log does not verify: 2 problems (700 entries, 4 tiles, 6 checkpoints)",
    ]
    # Without --vkey, the keys of the key file; without a key file, one error line.
    code, _, err = run(db_url, **{"ALCABALA_DATA_DIR": str(tmp_path)})
    assert code == 1 and err.startswith("error: ") and len(err.splitlines()) == 1
    write_signer(key_path(Settings(data_dir=tmp_path, log_origin=ORIGIN)), SIGNER)
    code, out, _ = run(db_url, **{"ALCABALA_DATA_DIR": str(tmp_path)})
    assert code == 1 and out.splitlines()[-1].startswith("the log does not verify: 2 problems")
