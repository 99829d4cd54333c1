"""``alcabala check`` and ``alcabala audit`` on the local database (both databases)."""

from __future__ import annotations

import json

from sqlalchemy import Engine
from typer.testing import CliRunner

from alcabala.checkpoints.schemas import CheckpointIn
from alcabala.checkpoints.services import add_checkpoint
from alcabala.cli.main import app
from alcabala.db.engine import unit_of_work
from alcabala.schemas import validate
from alcabala.vehicles import services
from alcabala.vehicles.schemas import StolenReportIn, VehicleIn

runner = CliRunner()
VIN = "1M8GDM9AXKP042788"


def run(db_url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"ALCABALA_DATABASE_URL": db_url})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def setup(engine: Engine) -> None:
    with unit_of_work(engine) as s:
        add_checkpoint(s, CheckpointIn(code="GUA-ALDAO", name="Puente Aldao", lat=8.9, lon=-67.4))
        services.register_vehicle(s, validate(VehicleIn, {"vin": VIN, "plate": "AB123CD"}))
        services.report_stolen(s, VIN, StolenReportIn(number="R-1", agency="CICPC"), None)


def test_check_prints_verdict_and_exits_by_class(
    db_url: str, engine: Engine, actors: dict[str, int]
) -> None:
    setup(engine)
    args = ("check", "--checkpoint", "GUA-ALDAO", "--officer", "officer")
    code, out, err = run(db_url, *args, "--plate", "AB123CD", "--json")
    assert code == 4, err
    result = json.loads(out)
    assert result["verdict"] == "hit"
    assert result["hits"][0]["matched_on"] == "plate"
    code, out, _ = run(db_url, *args, "--plate", "XY999ZZ")
    assert code == 0 and "CLEAR" in out and "receipt" in out
    code, out, _ = run(db_url, *args, "--plate", "A8I23CD")
    assert code == 3 and "IRREGULAR" in out
    code, out, err = run(db_url, *args, "--vin", "123")
    assert code == 1 and err.startswith("error: vin:")


def test_audit_lists_the_checks(db_url: str, engine: Engine, actors: dict[str, int]) -> None:
    setup(engine)
    run(
        db_url,
        "check",
        "--checkpoint",
        "GUA-ALDAO",
        "--officer",
        "officer",
        "--vin",
        VIN,
        "--person",
        "V-1.234.567",
        "--reason",
        "operativo",
    )
    code, out, _ = run(db_url, "audit", "--vehicle", "AB123CD")
    assert code == 0 and "officer" in out and "GUA-ALDAO" in out and "operativo" in out
    code, out, _ = run(db_url, "audit", "--person", "V1234567")
    assert code == 0 and "check" in out
    code, _, err = run(db_url, "audit", "--person", "V7777777")
    assert code == 1 and "Nobody" in err
