"""The re-validation queue over HTTP, on both databases.

Records become due by moving the app's clock (``api.clock``), not by editing rows. Only a user
of the agency that owns a record may re-validate it: the stolen-vehicle report R-OLD belongs to
CICPC (the ``registrar`` of the ``api`` fixture), the warrant W-OLD to the court TSJ-GUA, whose
registrar ``clerk`` each test adds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, select

from alcabala.accounts.models import Agency, AuditEntry, User
from alcabala.accounts.services import add_user
from alcabala.config import Settings
from alcabala.db.engine import read_session, unit_of_work

VIN = "1M8GDM9AXKP042788"
WHY = {"reason": "re-validation"}  # registrars must say why they read a warrant


@pytest.fixture
def clerk(api: Any, engine: Engine) -> dict[str, str]:
    """The Authorization header of a registrar of the court TSJ-GUA."""
    with unit_of_work(engine) as s:
        _, token = add_user(s, "clerk", "registrar", "TSJ-GUA")
    return {"Authorization": f"Bearer {token}"}


def seed(api: Any, overdue_days: int = 5) -> dict[str, int]:
    """A stolen-vehicle report R-OLD and a warrant W-OLD, entered now; then the clock moves
    until both are ``overdue_days`` past due."""
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
            "issued_at": (api.clock.now() - dt.timedelta(days=30)).isoformat(),
        },
        headers=api.auth_for("court"),  # the court issues its warrants
    )
    assert r.status_code == 201, r.text
    warrant_id = r.json()["id"]
    due_on = dt.date.fromisoformat(r.json()["validate_by"])
    api.clock.advance(dt.timedelta(days=(due_on - api.clock.now().date()).days + overdue_days))
    return {"report": report_id, "warrant": warrant_id}


def due(api: Any, role: str = "supervisor") -> list[dict[str, Any]]:
    r = api.get("/v1/records/due", headers=api.auth_for(role))
    assert r.status_code == 200, r.text
    return list(r.json())


def validate(api: Any, number: str, role: str = "registrar", **body: Any) -> Any:
    return api.post(f"/v1/records/{number}/validate", json=body, headers=api.auth_for(role))


def warrant(api: Any, wid: int) -> dict[str, Any]:
    r = api.get(f"/v1/warrants/{wid}", headers=api.auth_for("supervisor"))
    assert r.status_code == 200, r.text
    return dict(r.json())


def audit_rows(engine: Engine) -> list[tuple[Any, ...]]:
    with read_session(engine) as s:
        rows = s.execute(
            select(
                User.username,
                AuditEntry.role,
                Agency.code,
                AuditEntry.client,
                AuditEntry.action,
                AuditEntry.subject_kind,
                AuditEntry.subject,
                AuditEntry.reason,
                AuditEntry.at,
            )
            .outerjoin(User, AuditEntry.user_id == User.id)
            .outerjoin(Agency, AuditEntry.agency_id == Agency.id)
            .order_by(AuditEntry.id)
        )
        return [tuple(row) for row in rows]


def test_due_records_are_listed(api: Any, engine: Engine, settings: Settings) -> None:
    assert due(api) == []
    entered = api.clock.now().date()
    ids = seed(api)
    past = (entered + dt.timedelta(days=settings.first_validation_days)).isoformat()
    assert past == (api.clock.now().date() - dt.timedelta(days=5)).isoformat()
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
    # The list names a VIN and a national ID: each is audited as read by the registrar.
    listed = ("registrar", "registrar", "CICPC", "api", "list")
    why = "re-validation queue"
    assert audit_rows(engine) == [
        (*listed, "vehicle", VIN, why, api.clock.now()),
        (*listed, "person", "V123", why, api.clock.now()),
    ]
    api.clock.advance(dt.timedelta(days=2))
    assert [r["days_overdue"] for r in due(api)] == [7, 7]


def test_validation_renews_for_a_year(
    api: Any, engine: Engine, settings: Settings, clerk: dict[str, str]
) -> None:
    ids = seed(api)
    r = api.post("/v1/records/w-old/validate", json={"note": "court confirmed"}, headers=clerk)
    assert r.status_code == 200, r.text
    next_date = api.clock.now().date() + dt.timedelta(days=settings.revalidation_days)
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
    r = api.get(f"/v1/warrants/{ids['warrant']}", params=WHY, headers=api.auth_for("registrar"))
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["version"], r.json()["validate_by"]) == (
        "active",
        2,
        next_date.isoformat(),
    )
    # A year on, both are due again.
    api.clock.advance(dt.timedelta(days=settings.revalidation_days + 1))
    assert [(x["number"], x["days_overdue"]) for x in due(api)] == [("R-OLD", 1), ("W-OLD", 1)]


def test_another_agency_cannot_validate_and_nothing_changes(
    api: Any, clerk: dict[str, str]
) -> None:
    ids = seed(api)
    before = (due(api), warrant(api, ids["warrant"]))
    r = validate(api, "W-OLD", note="not ours")  # CICPC's registrar, TSJ-GUA's warrant
    assert r.status_code == 403
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == ("not_owner", "number")
    r = api.post("/v1/records/R-OLD/validate", json={}, headers=clerk)  # and the other way
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_owner"
    assert (due(api), warrant(api, ids["warrant"])) == before
    assert before[1]["version"] == 1


def test_closed_record_cannot_be_validated(api: Any, clerk: dict[str, str]) -> None:
    ids = seed(api)
    auth = api.auth_for("registrar")
    r = api.post(f"/v1/warrants/{ids['warrant']}/execute", json={}, headers=api.auth_for("court"))
    assert r.status_code == 200, r.text
    r = api.post("/v1/records/W-OLD/validate", json={}, headers=clerk)
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"
    r = api.get(f"/v1/warrants/{ids['warrant']}", params=WHY, headers=auth)
    assert (r.json()["status"], r.json()["version"]) == ("executed", 2)
    assert [x["number"] for x in due(api)] == ["R-OLD"]


def test_bad_input_is_4xx_with_field(api: Any) -> None:
    seed(api)
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


def test_auth_required_and_roles_enforced(api: Any) -> None:
    seed(api)
    assert api.get("/v1/records/due").status_code == 401
    assert api.post("/v1/records/W-OLD/validate", json={}).status_code == 401
    for role in ("officer", "livestock", "auditor", "admin"):
        r = api.get("/v1/records/due", headers=api.auth_for(role))
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", role
    for role in ("officer", "livestock", "supervisor", "auditor", "admin"):
        r = validate(api, "W-OLD", role)
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", role
    assert len(due(api)) == 2
