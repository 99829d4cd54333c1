"""Recovered vehicles' condition and location audits, on SQLite and PostgreSQL.

- a vehicle recovered with its engine and returned without it is flagged, "returned
  without its engine", to oversight, and its owner is sent both inventories;
- ``alcabala custody audit LOCATION`` lists every difference between the records and a
  count typed or scanned in (missing, elsewhere, unrecorded, a short quantity), records
  each for oversight, and exits 1; a clean count exits 0;
- ``alcabala log verify`` reports a seized item's quantity edited behind the services.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text
from typer.testing import CliRunner

from alcabala.cli.main import app as cli
from alcabala.config import Settings
from alcabala.custody.models import Discrepancy
from alcabala.db.engine import read_session
from alcabala.ledger.keys import Signer
from alcabala.ledger.keystore import key_path, write_signer
from alcabala.notifications.models import Notification

from ..helpers import integrate_all, post
from ..ledger.test_logged_changes import run_verify
from .test_api import _location, _seizure

runner = CliRunner()
VIN = "1M8GDM9AXKP042788"


def _recovered(api: Any) -> str:
    post(api, "/v1/persons", "registrar", {"national_id": "V5555555", "given_names": "Ana"})
    post(api, "/v1/vehicles", "registrar", {
        "vin": VIN, "plate": "AB123CD", "engine_number": "4G63AB1234",
        "owner_national_id": "V5555555",
    })  # fmt: skip
    report = post(api, f"/v1/vehicles/{VIN}/stolen-reports", "registrar",
                  {"number": "R-77", "agency": "CICPC"})  # fmt: skip
    post(api, f"/v1/stolen-reports/{report['id']}/recover", "registrar", {"reason": "Hallado"}, 200)
    return "R-77"


def test_a_vehicle_returned_without_its_engine_is_flagged_and_the_owner_gets_both(
    api: Any, engine: Engine
) -> None:
    number = _recovered(api)
    base = {"report": number, "wheels": 4, "battery": True, "radio": True, "cargo": ""}
    r = api.post("/v1/custody/vehicle-conditions", headers=api.auth_for("custodian"),
                 json=base | {"stage": "return"})  # fmt: skip
    assert r.status_code == 409 and r.json()["error"]["field"] == "stage"  # recovery first
    came = post(api, "/v1/custody/vehicle-conditions", "custodian",
                base | {"stage": "recovery", "engine_number": "4g63ab1234"})  # fmt: skip
    assert came["recovery"]["engine_number"] == "4G63AB1234" and came["differences"] == []
    went = post(api, "/v1/custody/vehicle-conditions", "custodian",
                base | {"stage": "return", "engine_number": "", "radio": False,
                        "owner_contact": "dueno@example.org"})  # fmt: skip
    assert [(d["part"], d["message"]) for d in went["differences"]] == [
        ("engine", "returned without its engine"),
        ("radio", "returned without its radio"),
    ]
    assert went["recovery"]["engine_number"] == "4G63AB1234" and went["returned"]["wheels"] == 4
    seen = api.get("/v1/custody/oversight", headers=api.auth_for("oversight")).json()
    flagged = [(d["report"], d["kind"], d["explanation"]) for d in seen["recent"]]
    assert ("R-77", "engine", "returned without its engine") in flagged
    with read_session(engine) as s:
        sent = s.scalars(select(Notification).where(Notification.kind == "vehicle_inventories"))
        rows = list(sent)
    assert {(n.person_id is not None, n.to_address) for n in rows} == {
        (True, None),
        (False, "dueno@example.org"),
    }
    body = rows[0].body
    assert "Al recuperarlo: motor 4G63AB1234" in body and "Al devolverlo: motor —" in body
    assert "radio ✗" in body and "Partes que difieren: 2" in body
    r = api.post("/v1/custody/vehicle-conditions", headers=api.auth_for("custodian"),
                 json=base | {"stage": "return"})  # fmt: skip
    assert r.status_code == 409  # recorded once


def _cli_env(db_url: str, data_dir: Path) -> dict[str, str]:
    return {"ALCABALA_DATABASE_URL": db_url, "ALCABALA_DATA_DIR": str(data_dir)}


def test_custody_audit_lists_every_difference_and_records_it(
    api: Any, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    _location(api, "GNB-DEP-1")
    _location(api, "GNB-DEP-2")
    seizures = [_seizure(api, detained=[]) for _ in range(2)]
    first, second = ([i["label"] for i in s["items"]] for s in seizures)
    for labels, where in ((first, "GNB-DEP-1"), (second, "GNB-DEP-2")):
        t = post(
            api,
            "/v1/custody/transfers",
            "officer",
            {"items": labels, "to": "custodian", "purpose": "Depósito", "location": where},
        )
        post(api, f"/v1/custody/transfers/{t['id']}/receive", "custodian", {}, 200)
    env = _cli_env(db_url, tmp_path)

    clean = tmp_path / "clean.txt"
    clean.write_text(f"# estante A\n{first[0]} 88\n{first[1]}\n{first[1]}\n{first[2]}\n")
    result = runner.invoke(cli, ["custody", "audit", "GNB-DEP-1", "--count", str(clean),
                                 "--actor", "custodian"], env=env)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "3 on record, 3 counted, 3 found" in result.output

    # One pack short, one item not found, one from the other room, one label nobody has.
    count = f"{first[0]}, 87\n{first[2]}\n{second[1]}\nI-ZZZZZ-ZZZZZ/1\n"
    result = runner.invoke(cli, ["custody", "audit", "GNB-DEP-1", "--count", "-", "--actor",
                                 "custodian", "--note", "Conteo trimestral"],
                           env=env, input=count)  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "4 difference(s)" in result.output
    with read_session(engine) as s:
        found = {(d.kind, d.expected, d.found) for d in s.scalars(select(Discrepancy))}
    assert found == {
        ("quantity", "88 packs", "87"),
        ("missing", f"{first[1]} on hand", "not counted"),
        ("elsewhere", f"{second[1]} in GNB-DEP-2", "GNB-DEP-1"),
        ("unrecorded", "", "I-ZZZZZ-ZZZZZ/1"),
    }
    seen = api.get("/v1/custody/oversight", headers=api.auth_for("oversight")).json()
    assert sum(r["discrepancies"] for r in seen["rows"]) == 4

    for args, message in [
        (["GNB-DEP-9", "--count", str(clean), "--actor", "custodian"], "location"),
        (["GNB-DEP-1", "--count", str(clean), "--actor", "officer"], "Only oversight"),
        (["GNB-DEP-1", "--count", str(tmp_path / "none.txt"), "--actor", "custodian"], "count"),
    ]:
        result = runner.invoke(cli, ["custody", "audit", *args], env=env)
        assert result.exit_code == 1 and message in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1
    bad = tmp_path / "bad.txt"
    bad.write_text(f"{first[0]}\nnot-a-label\n")
    result = runner.invoke(cli, ["custody", "audit", "GNB-DEP-1", "--count", str(bad),
                                 "--actor", "custodian"], env=env)  # fmt: skip
    assert result.exit_code == 1 and "line 2" in result.output, result.output


def test_log_verify_reports_a_seized_quantity_edited_behind_the_services(
    api: Any, engine: Engine, db_url: str, settings: Settings, clock: Any,
    log_signer: Signer, tmp_path: Path,
) -> None:  # fmt: skip
    from ..ledger.test_integrator import ORIGIN, SIGNER

    data_dir = tmp_path / "cli"
    write_signer(key_path(Settings(data_dir=data_dir, log_origin=ORIGIN)), SIGNER)
    _seizure(api)
    integrate_all(engine, SIGNER, ORIGIN, clock)
    assert run_verify(db_url, data_dir)[0] == 0
    with engine.begin() as conn:  # the holder is bookkeeping; the seized quantity is not
        conn.execute(text("UPDATE seized_items SET holder_id = NULL"))
    assert run_verify(db_url, data_dir)[0] == 0
    with engine.begin() as conn:
        conn.execute(text("UPDATE seized_items SET quantity = '80' WHERE number = 1"))
    code, out = run_verify(db_url, data_dir)
    assert code != 0 and any("seized_items" in line for line in out), out
