"""Imports checked in a pool of worker processes: same result as in-process, all or nothing,
line numbers right across chunk boundaries, on SQLite and PostgreSQL, and through the CLI.

Chunks are made small (``chunk_rows``) so that a few hundred rows span many chunks and the
pool starts (it does once an import spans ``POOL_MIN_CHUNKS`` chunks).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select, text
from typer.testing import CliRunner

from alcabala.bulk import copy as bulk_copy
from alcabala.bulk.pool import Checker, check_rows
from alcabala.bulk.services import ImportReport, import_rows
from alcabala.cli.main import app
from alcabala.context import Door
from alcabala.db.engine import read_session, unit_of_work
from alcabala.db.history import Change
from alcabala.demo.generator import generate
from alcabala.vehicles.bulk import VehicleCodec
from alcabala.vehicles.models import Vehicle

CHUNK = 40
ROWS = 300
runner = CliRunner()
DATA = generate(vehicles=ROWS, seed=4)
VEHICLE_COLUMNS = (
    Vehicle.vin,
    Vehicle.plate,
    Vehicle.plate_country,
    Vehicle.plate_ocr_key,
    Vehicle.engine_number,
    Vehicle.make,
    Vehicle.model,
    Vehicle.year,
    Vehicle.colour,
    Vehicle.owner_person_id,
    Vehicle.owner_agency_id,
)


def csv_text(rows: list[dict[str, Any]], blank_after: int | None = None) -> tuple[str, list[int]]:
    """The CSV of ``rows`` and the line each row ends on (the header is line 1)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(DATA["vehicles"][0]), lineterminator="\n")
    writer.writeheader()
    ends = []
    for i, row in enumerate(rows):
        writer.writerow(row)
        ends.append(out.getvalue().count("\n"))
        if i == blank_after:
            out.write("\n")
    return out.getvalue(), ends


def run(door: Door, kind: str, text_: str, **options: Any) -> ImportReport:
    return import_rows(door, kind, io.StringIO(text_), "csv", chunk_rows=CHUNK, **options)


@pytest.fixture
def registry(door: Door) -> Door:
    """Agencies and persons imported: what vehicle rows name."""
    for kind in ("agencies", "persons"):
        rows = DATA[kind]
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        report = run(door, kind, out.getvalue(), jobs=2)
        assert report.ok, report.errors[:3]
    return door


def stored(engine: Engine) -> list[tuple[Any, ...]]:
    with read_session(engine) as s:
        return [tuple(r) for r in s.execute(select(*VEHICLE_COLUMNS).order_by(Vehicle.vin))]


def bulk_changes(engine: Engine) -> list[int]:
    with read_session(engine) as s:
        query = select(Change.entity_id).where(Change.entity == "vehicles_bulk")
        return list(s.scalars(query.order_by(Change.seq)))


def errors_of(report: ImportReport) -> list[tuple[int, str, str]]:
    return [(e.line, e.field, e.code) for e in report.errors]


def test_jobs_1_and_2_store_the_same(registry: Door, engine: Engine) -> None:
    text_, _ = csv_text(DATA["vehicles"])
    first = run(registry, "vehicles", text_, jobs=1)
    assert (first.ok, first.stored, first.workers) == (True, ROWS, 0)
    in_process = stored(engine)
    assert len(in_process) == ROWS
    with read_session(engine) as s:  # stamped with the import's time, read back aware
        assert set(s.scalars(select(Vehicle.created_at))) == {registry.clock.now()}
    assert sum(bulk_changes(engine)) == ROWS  # the hotlist's reload signal, per batch
    with unit_of_work(engine) as s:
        s.execute(delete(Vehicle))
    second = run(registry, "vehicles", text_, jobs=2)
    assert (second.ok, second.stored, second.workers) == (True, ROWS, 2)
    assert stored(engine) == in_process


def bad_file() -> tuple[str, list[tuple[int, str, str]]]:
    """Bad rows on both sides of chunk boundaries, a duplicate VIN three chunks after its
    first row, a blank line and a cell spanning two lines shifting the line numbers."""
    rows = [dict(r) for r in DATA["vehicles"]]
    rows[CHUNK - 1]["vin"] = "1M8GDM9A1KP042788"  # check digit
    rows[CHUNK]["plate"] = "A"
    rows[2 * CHUNK - 1]["owner_national_id"] = "V999"  # unknown owner
    rows[2 * CHUNK - 1]["owner_agency"] = ""
    rows[100]["model"] = "Siena\nSport"  # quoted, two physical lines
    rows[3 * CHUNK + 5]["vin"] = rows[10]["vin"]  # duplicate
    rows[-1]["year"] = "1800"
    text_, ends = csv_text(rows, blank_after=50)
    expected = [
        (ends[CHUNK - 1], "vin", "invalid"),
        (ends[CHUNK], "plate", "invalid"),
        (ends[2 * CHUNK - 1], "owner_national_id", "not_found"),
        (ends[3 * CHUNK + 5], "vin", "duplicate"),
        (ends[-1], "year", "invalid"),
    ]
    return text_, expected


@pytest.mark.parametrize("jobs", [1, 2])
def test_error_lines_are_right_across_chunks(registry: Door, engine: Engine, jobs: int) -> None:
    text_, expected = bad_file()
    assert (expected[0][0], expected[-1][0]) == (CHUNK + 1, ROWS + 3)  # +1 blank, +1 cell
    report = run(registry, "vehicles", text_, jobs=jobs)
    assert report.workers == (2 if jobs == 2 else 0)
    assert errors_of(report) == expected
    assert report.stored == 0
    assert stored(engine) == []


def test_a_bad_row_in_the_last_chunk_stores_nothing(registry: Door, engine: Engine) -> None:
    rows = [dict(r) for r in DATA["vehicles"]]
    rows[-1]["plate_country"] = "VEN"
    text_, ends = csv_text(rows)
    report = run(registry, "vehicles", text_, jobs=2)
    assert report.workers == 2
    assert errors_of(report) == [(ends[-1], "plate_country", "invalid")]
    assert str(report.errors[0]).startswith(f"line {ROWS + 1}: plate_country: ")
    assert report.stored == 0
    assert stored(engine) == []
    assert bulk_changes(engine) == []  # the change entries went with the rows


def test_partial_with_a_pool_keeps_the_good_rows(registry: Door, engine: Engine) -> None:
    text_, expected = bad_file()
    report = run(registry, "vehicles", text_, jobs=2, partial=True)
    assert errors_of(report) == expected
    assert [line for line, _, _ in report.rejected_rows] == [line for line, _, _ in expected]
    assert report.stored == ROWS - len(expected)
    assert len(stored(engine)) == ROWS - len(expected)


def test_a_failure_while_storing_undoes_everything(
    registry: Door, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches are stored in a background thread; its first error ends the import."""
    calls = []
    store = VehicleCodec.store

    def failing(self: VehicleCodec, session: Any, payloads: list[Any]) -> None:
        calls.append(len(payloads))
        if len(calls) == 3:
            raise RuntimeError("disk full")
        store(self, session, payloads)

    monkeypatch.setattr(VehicleCodec, "store", failing)
    text_, _ = csv_text(DATA["vehicles"])
    with pytest.raises(RuntimeError, match="disk full"):
        run(registry, "vehicles", text_, jobs=2)
    assert 3 <= len(calls) <= 4  # it stops at once (a batch may already be on its way)
    assert stored(engine) == []
    assert bulk_changes(engine) == []


def _indexes(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            query = "SELECT sql FROM sqlite_master WHERE tbl_name = 'vehicles' AND type = 'index'"
        else:
            query = "SELECT indexdef FROM pg_indexes WHERE tablename = 'vehicles'"
        return sorted(str(r[0]) for r in conn.execute(text(query)))


def test_a_large_import_gets_its_indexes_back(
    registry: Door, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_copy, "REBUILD_MIN_ROWS", 10)
    before = _indexes(engine)
    assert len(before) >= 4
    text_, _ = bad_file()
    assert not run(registry, "vehicles", text_, jobs=2, rows_hint=ROWS).ok
    assert _indexes(engine) == before  # rolled back with the rows
    good, _ = csv_text(DATA["vehicles"])
    assert run(registry, "vehicles", good, jobs=2, rows_hint=ROWS).stored == ROWS
    assert _indexes(engine) == before  # built again
    with read_session(engine) as s:
        vin = DATA["vehicles"][7]["vin"]
        assert s.scalar(select(func.count()).where(Vehicle.vin == vin)) == 1


def test_spawned_workers_check_like_the_importer() -> None:
    codec = VehicleCodec()
    rows = [{k: v for k, v in r.items() if v} for r in DATA["vehicles"]]
    rows[3]["vin"] = "nonsense"
    chunks = [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]
    with Checker(codec, jobs=2, start_method="spawn") as checker:
        checker.start(chunks_hint=len(chunks))
        assert checker.workers == 2
        results = [checker.submit(chunk).result() for chunk in chunks]
    assert results == [check_rows(codec, chunk) for chunk in chunks]


def cli(db_url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"ALCABALA_DATABASE_URL": db_url})
    return result.exit_code, result.stdout, result.stderr


def test_the_cli_jobs_option(db_url: str, engine: Engine, tmp_path: Path) -> None:
    for kind in ("agencies", "persons"):
        path = tmp_path / f"{kind}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(DATA[kind][0]))
            writer.writeheader()
            writer.writerows(DATA[kind])
        assert cli(db_url, "import", kind, str(path), "--jobs", "2")[0] == 0
    bad, expected = bad_file()
    (tmp_path / "bad.csv").write_text(bad, encoding="utf-8")
    code, _out, err = cli(
        db_url, "import", "vehicles", str(tmp_path / "bad.csv"), "--jobs", "2", "--chunk-rows", "40"
    )
    assert code == 1
    listed = [line for line in err.splitlines() if line.startswith("line ")]
    assert [line.split(":")[0] for line in listed] == [f"line {n}" for n, _, _ in expected]
    assert listed[3].endswith("[duplicate]")
    assert f"error: {len(expected)} problem(s)" in err and "nothing was imported" in err
    assert stored(engine) == []
    good, _ = csv_text(DATA["vehicles"])
    (tmp_path / "good.csv").write_text(good, encoding="utf-8")
    code, out, err = cli(
        db_url, "import", "vehicles", str(tmp_path / "good.csv"), "-j", "2", "--chunk-rows", "40"
    )
    assert code == 0, err
    assert out.strip() == f"{ROWS} vehicles imported"
    assert len(stored(engine)) == ROWS
    assert cli(db_url, "import", "vehicles", str(tmp_path / "good.csv"), "--jobs", "0")[0] == 2
