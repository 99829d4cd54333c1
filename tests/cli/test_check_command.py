"""``alcabala check`` and ``alcabala audit`` on the local database (both databases)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from alcabala.checkpoints.schemas import CheckpointIn
from alcabala.checkpoints.services import add_checkpoint
from alcabala.cli.main import app
from alcabala.context import SYSTEM, Door
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


def setup(door: Door) -> None:
    with door.write(SYSTEM) as ctx:
        add_checkpoint(ctx, CheckpointIn(code="GUA-ALDAO", name="Puente Aldao", lat=8.9, lon=-67.4))
        services.register_vehicle(ctx, validate(VehicleIn, {"vin": VIN, "plate": "AB123CD"}))
        services.report_stolen(ctx, VIN, StolenReportIn(number="R-1", agency="CICPC"))


def test_check_prints_verdict_and_exits_by_class(
    db_url: str, door: Door, actors: dict[str, int]
) -> None:
    setup(door)
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


def test_audit_lists_the_checks(db_url: str, door: Door, actors: dict[str, int]) -> None:
    setup(door)
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


def test_check_acts_only_as_an_active_officer(
    db_url: str, door: Door, engine: object, actors: dict[str, int]
) -> None:
    """``--officer`` must name an active officer (or supervisor): not a registrar, not a
    livestock user, not a deactivated account; a refused check records nothing."""
    from sqlalchemy import func, select

    from alcabala.accounts.models import User
    from alcabala.checks.models import Check

    setup(door)
    args = ("check", "--checkpoint", "GUA-ALDAO", "--plate", "XY999ZZ")
    for name in ("registrar", "vet"):
        code, _, err = run(db_url, *args, "--officer", name)
        assert code == 1 and err.startswith("error: actor:"), err
    with door.write(SYSTEM) as ctx:
        officer = ctx.session.scalar(select(User).where(User.username == "officer"))
        assert officer is not None
        officer.active = False
    code, _, err = run(db_url, *args, "--officer", "officer")
    assert code == 1 and "deactivated" in err
    with door.read(SYSTEM) as ctx:
        assert ctx.session.scalar(select(func.count()).select_from(Check)) == 0


def test_cli_output_escapes_markup_in_data(db_url: str, door: Door, actors: dict[str, int]) -> None:
    """A reason such as ``[/]`` is printed as typed and never breaks the audit listing."""
    setup(door)
    reason = "[/] [bold]x[/bold] [red"
    code, _, err = run(
        db_url, "check", "--checkpoint", "GUA-ALDAO", "--officer", "officer",
        "--plate", "AB123CD", "--reason", reason,
    )  # fmt: skip
    assert code == 4, err
    code, out, err = run(db_url, "audit", "--vehicle", "AB123CD")
    assert code == 0, err
    # Printed as typed (wrapped by the table): markup would have vanished or crashed.
    assert "[/]" in out and "[bold]x" in out and "[red" in out
