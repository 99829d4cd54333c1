"""One rule, three doors: the API, the console form and a bulk file (or the CLI, where no
bulk file can carry the change) refuse the same bad input with the same error code.

Each case sets up the same registry, then sends the same bad input through each door, and
checks the code each door reports: the API's JSON ``error.code``, the console's
``X-Alcabala-Error`` header (with the API's HTTP status), and the importer's ``[code]`` after
``line N: field: reason`` (or, for the CLI, its one-line message, which must be the API's).
Both databases.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from alcabala.accounts.passwords import hasher_for
from alcabala.accounts.services import add_user, set_password
from alcabala.cli.main import app as cli
from alcabala.context import SYSTEM, Door
from alcabala.db.engine import read_session
from alcabala.vehicles.models import StolenReport

from .helpers import PASSWORD, console_login, post

VIN, VIN2, PLATE = "1M8GDM9AXKP042788", "9BWZZZ377VT004251", "AB123CD"
runner = CliRunner()


def _login(api: Any, username: str) -> Any:
    client, csrf = console_login(api, username)
    client.csrf = csrf
    return client


def _form(client: Any, path: str, data: dict[str, Any]) -> tuple[int, str]:
    page = client.get("/registry").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    csrf = token.group(1) if token else client.csrf
    r = client.post(path, data={**data, "csrf_token": csrf, "confirmed": "1"})
    return r.status_code, r.headers.get("x-alcabala-error", "")


def _import(db_url: str, tmp: Path, kind: str, rows: list[dict[str, Any]]) -> tuple[int, str]:
    path = tmp / f"{kind}.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(cli, ["import", kind, str(path)], env={"ALCABALA_DATABASE_URL": db_url})
    return result.exit_code, result.stderr


def _cli(db_url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli, list(args), env={"ALCABALA_DATABASE_URL": db_url})
    return result.exit_code, result.stderr


@dataclass
class World:
    api: Any
    console: Any
    door: Door
    db_url: str
    tmp: Path

    def now(self, **delta: float) -> dt.datetime:
        now: dt.datetime = self.api.clock.now()
        return now + dt.timedelta(**delta)


@pytest.fixture
def world(api: Any, door: Door, db_url: str, tmp_path: Path) -> World:
    with door.write(SYSTEM) as ctx:
        set_password(ctx.session, "registrar", PASSWORD, hasher_for(ctx.settings))
        set_password(ctx.session, "livestock", PASSWORD, hasher_for(ctx.settings))
        _, token = add_user(ctx.session, "clerk", "registrar", "TSJ-GUA")
    api.tokens["clerk"] = token
    return World(api, _login(api, "registrar"), door, db_url, tmp_path)


# --- the cases -----------------------------------------------------------------------------


def retired_vin_reported_stolen(w: World) -> dict[str, Any]:
    post(w.api, "/v1/vehicles", "registrar", {"vin": VIN, "plate": PLATE})
    post(
        w.api,
        f"/v1/vehicles/{VIN}/retirements",
        "registrar",
        {"kind": "dismantled", "agency": "CICPC"},
    )
    report = {"number": "R-9", "agency": "CICPC"}
    return {
        "api": lambda: w.api.post(
            f"/v1/vehicles/{VIN}/stolen-reports", json=report, headers=w.api.auth_for("registrar")
        ),
        "console": lambda: _form(w.console, f"/registry/vehicles/{VIN}/report", report),
        "third": lambda: _import(
            w.db_url,
            w.tmp,
            "stolen-reports",
            [{**report, "vin": VIN, "reported_at": "2026-01-02T03:04:05Z"}],
        ),
        "code": "retired_vehicle",
        "status": 409,
    }


def duplicate_vin(w: World) -> dict[str, Any]:
    post(w.api, "/v1/vehicles", "registrar", {"vin": VIN, "plate": PLATE})
    again = {"vin": VIN, "plate": "XY999ZZ", "plate_country": "VE"}
    return {
        "api": lambda: w.api.post("/v1/vehicles", json=again, headers=w.api.auth_for("registrar")),
        "console": lambda: _form(w.console, "/registry/new-vehicle", again),
        "third": lambda: _import(w.db_url, w.tmp, "vehicles", [again]),
        "code": "duplicate",
        "status": 409,
    }


def permit_window_over_the_limit(w: World) -> dict[str, Any]:
    for code in ("P-1", "P-2"):
        post(w.api, "/v1/premises", "livestock", {"code": code, "name": f"Hato {code}"})
    start, end = w.now(hours=1), w.now(days=9)
    body = {
        "number": "G-9", "issuer": "INSAI", "origin_premises": "P-1",
        "destination_premises": "P-2", "vehicle_plate": PLATE, "plate_country": "VE",
        "valid_from": start.isoformat(), "valid_to": end.isoformat(),
        "lines": [{"species": "bovine", "head_count": 3}],
    }  # fmt: skip
    form = {
        **{k: v for k, v in body.items() if k != "lines"},
        "valid_from": start.strftime("%Y-%m-%dT%H:%M"),
        "valid_to": end.strftime("%Y-%m-%dT%H:%M"),
        "line_species": "bovine", "line_category": "", "line_heads": "3", "line_brand": "",
    }  # fmt: skip
    row = {
        **{k: v for k, v in body.items() if k != "lines"},
        "lines": '[{"species":"bovine","head_count":3}]', "status": "issued", "ear_tags": "",
    }  # fmt: skip
    livestock = _login(w.api, "livestock")
    return {
        "api": lambda: w.api.post("/v1/permits", json=body, headers=w.api.auth_for("livestock")),
        "console": lambda: _form(livestock, "/livestock/permits/new", form),
        "third": lambda: _import(w.db_url, w.tmp, "permits", [row]),
        "code": "invalid",
        "status": 422,
    }


def warrant_expiring_before_issue(w: World) -> dict[str, Any]:
    issued, expires = w.now(days=-1), w.now(days=-2)
    body = {
        "number": "W-9", "agency": "CICPC", "national_id": "V7654321", "country": "VE",
        "court": "Tribunal 3", "case_number": "3C-1", "offence": "Robo",
        "issued_at": issued.isoformat(), "expires_at": expires.isoformat(),
    }  # fmt: skip
    form = {
        **body,
        "issued_at": issued.strftime("%Y-%m-%dT%H:%M"),
        "expires_at": expires.strftime("%Y-%m-%dT%H:%M"),
    }
    post(w.api, "/v1/persons", "registrar", {"national_id": "V7654321", "country": "VE"})
    return {
        "api": lambda: w.api.post("/v1/warrants", json=body, headers=w.api.auth_for("registrar")),
        "console": lambda: _form(w.console, "/registry/warrants/new", form),
        "third": lambda: _import(
            w.db_url, w.tmp, "warrants", [{**body, "status": "active", "urgent": "false"}]
        ),
        "code": "invalid",
        "status": 422,
    }


def _recovered_report(w: World) -> int:
    post(w.api, "/v1/vehicles", "registrar", {"vin": VIN, "plate": PLATE})
    report = post(
        w.api,
        f"/v1/vehicles/{VIN}/stolen-reports",
        "registrar",
        {"number": "R-1", "agency": "CICPC"},
    )
    post(w.api, f"/v1/stolen-reports/{report['id']}/recover", "registrar", {"reason": "x"}, 200)
    return int(report["id"])


def revalidating_a_closed_report(w: World) -> dict[str, Any]:
    """A transition from the wrong state: a recovered report cannot be re-validated."""
    _recovered_report(w)
    return {
        "api": lambda: w.api.post(
            "/v1/records/R-1/validate", json={}, headers=w.api.auth_for("registrar")
        ),
        "console": lambda: _form(w.console, "/registry/due/R-1/validate", {"note": ""}),
        "third": lambda: _cli(w.db_url, "records", "validate", "R-1", "--actor", "registrar"),
        "code": "illegal_transition",
        "status": 409,
    }


def returning_an_active_report(w: World) -> dict[str, Any]:
    """A transition from the wrong state through the report's own actions (no CLI or file
    door carries it: the third door is the API again, with a stale version)."""
    post(w.api, "/v1/vehicles", "registrar", {"vin": VIN, "plate": PLATE})
    report = post(
        w.api,
        f"/v1/vehicles/{VIN}/stolen-reports",
        "registrar",
        {"number": "R-1", "agency": "CICPC"},
    )
    rid = report["id"]
    body = {"inventory": "keys", "reason": ""}
    return {
        "api": lambda: w.api.post(
            f"/v1/stolen-reports/{rid}/return", json=body, headers=w.api.auth_for("registrar")
        ),
        "console": lambda: _form(w.console, f"/registry/reports/{rid}/return", body),
        "third": None,
        "code": "illegal_transition",
        "status": 409,
    }


def revalidation_by_another_agency(w: World) -> dict[str, Any]:
    """CICPC's registrar may not vouch for the court's warrant."""
    post(
        w.api,
        "/v1/warrants",
        "court",
        {
            "number": "W-1", "agency": "TSJ-GUA", "national_id": "V7654321", "court": "T3",
            "case_number": "3C-1", "offence": "Robo", "issued_at": w.now(days=-1).isoformat(),
        },
    )  # fmt: skip
    return {
        "api": lambda: w.api.post(
            "/v1/records/W-1/validate", json={}, headers=w.api.auth_for("registrar")
        ),
        "console": lambda: _form(w.console, "/registry/due/W-1/validate", {"note": ""}),
        "third": lambda: _cli(w.db_url, "records", "validate", "W-1", "--actor", "registrar"),
        "code": "not_owner",
        "status": 403,
    }


CASES: dict[str, Callable[[World], dict[str, Any]]] = {
    f.__name__: f
    for f in (
        retired_vin_reported_stolen,
        duplicate_vin,
        permit_window_over_the_limit,
        warrant_expiring_before_issue,
        revalidating_a_closed_report,
        returning_an_active_report,
        revalidation_by_another_agency,
    )
}


def _reports(door: Door) -> int:
    with read_session(door.engine) as s:
        return s.scalar(select(func.count()).select_from(StolenReport)) or 0


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_door_refuses_alike(world: World, case: str) -> None:
    doors = CASES[case](world)
    code, status = doors["code"], doors["status"]
    before = _reports(world.door)

    r = doors["api"]()
    assert (r.status_code, r.json()["error"]["code"]) == (status, code), r.text
    api_message = r.json()["error"]["message"]

    console_status, console_code = doors["console"]()
    assert (console_status, console_code) == (status, code)

    if doors["third"] is not None:
        exit_code, stderr = doors["third"]()
        assert exit_code == 1, stderr
        if "line " in stderr:  # a bulk file: the row's code
            assert f"[{code}]" in stderr, stderr
            assert "nothing was imported" in stderr
        else:  # the CLI: the API's own sentence
            assert api_message in stderr, (api_message, stderr)
    assert _reports(world.door) == before, "a refused input changes nothing"
