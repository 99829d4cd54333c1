"""Bulk import/export: all-or-nothing, line-numbered errors, byte-for-byte round trips."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from alcabala.bulk.kinds import KINDS
from alcabala.cli.main import app
from alcabala.db.engine import read_session
from alcabala.demo.generator import generate
from alcabala.persons.models import Person
from alcabala.vehicles.models import Vehicle

from ..conftest import wipe

runner = CliRunner()


def run(db_url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"ALCABALA_DATABASE_URL": db_url})
    return result.exit_code, result.stdout, result.stderr


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def load_demo(db_url: str, folder: Path, vehicles: int = 150) -> None:
    data = generate(vehicles=vehicles, seed=3)
    for kind in KINDS:
        path = folder / f"demo-{kind}.csv"
        write_csv(path, data[kind])
        code, _out, err = run(db_url, "import", kind, str(path))
        assert code == 0, f"{kind}: {err}"


def export_all(db_url: str, folder: Path, fmt: str) -> dict[str, bytes]:
    files = {}
    for kind in KINDS:
        path = folder / f"{kind}.{fmt}"
        code, _, err = run(db_url, "export", kind, "--format", fmt, "-o", str(path))
        assert code == 0, err
        files[kind] = path.read_bytes()
    return files


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_import_export_is_identical(
    db_url: str, engine: Engine, tmp_path: Path, fmt: str
) -> None:
    load_demo(db_url, tmp_path)
    (tmp_path / "first").mkdir()
    first = export_all(db_url, tmp_path / "first", fmt)
    assert all(first[kind].count(b"\n") > 1 for kind in KINDS), "every kind has records"
    wipe(engine)
    for kind in KINDS:
        code, _, err = run(db_url, "import", kind, str(tmp_path / "first" / f"{kind}.{fmt}"))
        assert code == 0, f"{kind}: {err}"
    (tmp_path / "second").mkdir()
    second = export_all(db_url, tmp_path / "second", fmt)
    for kind in KINDS:
        assert first[kind] == second[kind], kind


def test_one_bad_row_imports_nothing_and_names_the_line(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    rows = generate(vehicles=20, seed=1)["persons"][:10]
    rows[6] = {**rows[6], "national_id": "V-12A"}
    path = tmp_path / "persons.csv"
    write_csv(path, rows)
    code, _out, err = run(db_url, "import", "persons", str(path))
    assert code == 1
    assert "line 8: national_id:" in err  # header is line 1, row index 6 is line 8
    assert "nothing was imported" in err
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 0


def test_partial_keeps_good_rows_and_writes_rejects(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    rows = generate(vehicles=20, seed=1)["persons"][:5]
    rows[1] = {**rows[1], "birth_date": "1990-13-45"}
    rows[3] = {**rows[3], "country": "VEN"}
    path = tmp_path / "persons.csv"
    write_csv(path, rows)
    code, _out, err = run(db_url, "import", "persons", str(path), "--partial")
    assert code == 0, err
    rejects = list(csv.DictReader(io.StringIO((tmp_path / "persons.rejects.csv").read_text())))
    assert [r["line"] for r in rejects] == ["3", "5"]
    assert rejects[0]["reason"].startswith("birth_date:")
    assert rejects[1]["reason"].startswith("country:")
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 3


def test_vehicle_rows_are_checked_against_the_registry(
    db_url: str, engine: Engine, tmp_path: Path, actors: dict[str, int]
) -> None:
    path = tmp_path / "vehicles.csv"
    path.write_text(
        "vin,plate,owner_national_id\n"
        "1M8GDM9AXKP042788,AB123CD,\n"
        "1M8GDM9AXKP042788,AB124CD,\n"  # same VIN twice
        "1M8GDM9A1KP042788,AB125CD,\n"  # bad check digit (North American: an error)
        "9BWZZZ377VT004251,AB126CD,V999\n"  # owner unknown
    )
    code, _, err = run(db_url, "import", "vehicles", str(path))
    assert code == 1
    lines = [line for line in err.splitlines() if line.startswith("line ")]
    assert [line.split(":")[0:2] for line in lines] == [
        ["line 3", " vin"],
        ["line 4", " vin"],
        ["line 5", " owner_national_id"],
    ]
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Vehicle)) == 0
