"""The re-validation queue over HTTP, on both databases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, update

from alcabala.config import Settings
from alcabala.db.base import utcnow
from alcabala.db.engine import unit_of_work
from alcabala.persons.models import Warrant
from alcabala.vehicles.models import StolenReport

VIN = "1M8GDM9AXKP042788"


def seed(api: Any, engine: Engine, overdue_days: int = 5) -> dict[str, int]:
    """A stolen-vehicle report R-OLD and a warrant W-OLD, both ``overdue_days`` past due."""
    auth = api.auth_for("registrar")
    r = api.post("/v1/vehicles", json={"vin": VIN, "plate": "AB123CD"}, headers=auth)
    assert r.status_code == 201, r.text
    r = api.post(
        f"/v1/vehicles/{VIN}/stolen-reports",
        json={"number": "R-OLD", "agency": "CICPC"},
        headers=auth,
    )
    assert r.status_code == 201, r.text
    report_id = r.json()["id"]
    r = api.post(
        "/v1/warrants",
        json={
            "number": "W-OLD",
            "agency": "TSJ-GUA",
            "national_id": "V123",
            "court": "c",
            "case_number": "1",
            "offence": "o",
            "issued_at": "2025-01-01T00:00:00Z",
        },
        headers=auth,
    )
    assert r.status_code == 201, r.text
    warrant_id = r.json()["id"]
    past = utcnow().date() - dt.timedelta(days=overdue_days)
    with unit_of_work(engine) as s:  # as if entered long ago
        s.execute(update(StolenReport).values(validate_by=past))
        s.execute(update(Warrant).values(validate_by=past))
    return {"report": report_id, "warrant": warrant_id}


def due(api: Any, role: str = "supervisor") -> list[dict[str, Any]]:
    r = api.get("/v1/records/due", headers=api.auth_for(role))
    assert r.status_code == 200, r.text
    return list(r.json())


def validate(api: Any, number: str, role: str = "registrar", **body: Any) -> Any:
    return api.post(f"/v1/records/{number}/validate", json=body, headers=api.auth_for(role))


def test_due_records_are_listed(api: Any, engine: Engine) -> None:
    assert due(api) == []
    ids = seed(api, engine)
    past = (utcnow().date() - dt.timedelta(days=5)).isoformat()
    assert due(api, "registrar") == [
        {
            "kind": "stolen-report",
            "id": ids["report"],
            "number": "R-OLD",
            "agency": "CICPC",
            "subject": VIN,
            "validate_by": past,
            "days_overdue": 5,
        },
        {
            "kind": "warrant",
            "id": ids["warrant"],
            "number": "W-OLD",
            "agency": "TSJ-GUA",
            "subject": "V123",
            "validate_by": past,
            "days_overdue": 5,
        },
    ]


def test_validation_renews_for_a_year(api: Any, engine: Engine) -> None:
    ids = seed(api, engine)
    r = validate(api, "w-old", note="court confirmed")
    assert r.status_code == 200, r.text
    next_date = utcnow().date() + dt.timedelta(days=Settings.from_env().revalidation_days)
    assert r.json() == {
        "kind": "warrant",
        "id": ids["warrant"],
        "number": "W-OLD",
        "agency": "TSJ-GUA",
        "subject": "V123",
        "validate_by": next_date.isoformat(),
        "days_overdue": 0,
    }
    assert [x["number"] for x in due(api)] == ["R-OLD"]
    r = validate(api, "R-OLD", kind="stolen-report")
    assert r.status_code == 200 and r.json()["validate_by"] == next_date.isoformat()
    assert due(api) == []
    r = api.get(f"/v1/warrants/{ids['warrant']}", headers=api.auth_for("registrar"))
    assert (r.json()["status"], r.json()["version"]) == ("active", 2)


def test_closed_record_cannot_be_validated(api: Any, engine: Engine) -> None:
    ids = seed(api, engine)
    auth = api.auth_for("registrar")
    r = api.post(f"/v1/warrants/{ids['warrant']}/execute", json={}, headers=auth)
    assert r.status_code == 200, r.text
    r = validate(api, "W-OLD")
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"
    r = api.get(f"/v1/warrants/{ids['warrant']}", headers=auth)
    assert (r.json()["status"], r.json()["version"]) == ("executed", 2)
    assert [x["number"] for x in due(api)] == ["R-OLD"]


def test_bad_input_is_4xx_with_field(api: Any, engine: Engine) -> None:
    seed(api, engine)
    r = validate(api, "W-OLD", kind="vehicle")
    assert r.status_code == 422 and r.json()["error"]["field"] == "kind"
    r = validate(api, "W-OLD", kind="stolen-report")
    assert r.status_code == 404 and r.json()["error"]["field"] == "number"
    r = validate(api, "W-NONE")
    assert r.status_code == 404 and r.json()["error"]["field"] == "number"
    r = validate(api, "W-OLD", note="x" * 2001)
    assert r.status_code == 422 and r.json()["error"]["field"] == "note"
    r = validate(api, "W-OLD", colour="red")
    assert r.status_code == 422 and r.json()["error"]["field"] == "colour"
    for bad in ("%00", "%20", "W%20OLD", "W" * 41):
        r = validate(api, bad)
        assert r.status_code == 422 and r.json()["error"]["field"] == "number", (bad, r.text)
    assert len(due(api)) == 2


def test_auth_required_and_roles_enforced(api: Any, engine: Engine) -> None:
    seed(api, engine)
    assert api.get("/v1/records/due").status_code == 401
    assert api.post("/v1/records/W-OLD/validate", json={}).status_code == 401
    for role in ("officer", "livestock", "auditor", "admin"):
        r = api.get("/v1/records/due", headers=api.auth_for(role))
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", role
    for role in ("officer", "livestock", "supervisor", "auditor", "admin"):
        assert validate(api, "W-OLD", role).status_code == 403, role
    assert len(due(api)) == 2
