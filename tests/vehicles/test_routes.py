"""The vehicle routes over HTTP, on both databases."""

from __future__ import annotations

from typing import Any

VIN = "1M8GDM9AXKP042788"


def register(api: Any, vin: str = VIN, plate: str = "AB123CD") -> dict[str, Any]:
    r = api.post(
        "/v1/vehicles",
        json={
            "vin": vin,
            "plate": plate,
            "engine_number": "1ZZ1234567",
            "make": "Toyota",
            "owner_national_id": "V12345678",
        },
        headers=api.auth_for("registrar"),
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_register_and_lifecycle(api: Any) -> None:
    assert register(api)["owner_national_id"] == "V12345678"
    r = api.post(
        f"/v1/vehicles/{VIN}/stolen-reports",
        json={"number": "R-1", "agency": "CICPC"},
        headers=api.auth_for("registrar"),
    )
    assert r.status_code == 201, r.text
    report = r.json()
    assert (report["status"], report["version"]) == ("active", 1)
    r = api.post(
        f"/v1/stolen-reports/{report['id']}/recover",
        json={"version": 1},
        headers=api.auth_for("registrar"),
    )
    assert r.json()["status"] == "recovered"
    r = api.post(
        f"/v1/stolen-reports/{report['id']}/recover", json={}, headers=api.auth_for("registrar")
    )
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "illegal_transition"
    r = api.get(f"/v1/vehicles/{VIN}", headers=api.auth_for("officer"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    r = api.get(f"/v1/vehicles/{VIN}?reason=stop", headers=api.auth_for("officer"))
    assert r.status_code == 200
    assert [x["status"] for x in r.json()["reports"]] == ["recovered"]


def test_bad_input_is_4xx_with_field(api: Any) -> None:
    r = api.post(
        "/v1/vehicles",
        json={"vin": "1M8GDM9A1KP042788", "plate": "AB123CD"},
        headers=api.auth_for("registrar"),
    )
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "vin"
    r = api.post(
        "/v1/vehicles", json={"vin": VIN, "plate": "!!"}, headers=api.auth_for("registrar")
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "plate"
    r = api.post("/v1/vehicles", json={"vin": VIN}, headers=api.auth_for("registrar"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "plate"


def test_auth_required_and_roles_enforced(api: Any) -> None:
    body = {"vin": VIN, "plate": "AB123CD"}
    assert api.post("/v1/vehicles", json=body).status_code == 401
    assert (
        api.post("/v1/vehicles", json=body, headers={"Authorization": "Bearer nope"}).status_code
        == 401
    )
    r = api.post("/v1/vehicles", json=body, headers=api.auth_for("officer"))
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_a_lookup_that_finds_nothing_is_still_audited(api: Any) -> None:
    r = api.get("/v1/vehicles/9BWZZZ377VT004251?reason=tip", headers=api.auth_for("officer"))
    assert r.status_code == 404
    rows = api.get("/v1/audit?vehicle=9BWZZZ377VT004251", headers=api.auth_for("auditor")).json()
    assert [(x["username"], x["action"], x["reason"]) for x in rows] == [
        ("officer", "search", "tip")
    ]
    r = api.get("/v1/persons/VE/V-1.111.111?reason=tip", headers=api.auth_for("registrar"))
    assert r.status_code == 404
    rows = api.get("/v1/audit?person=V1111111", headers=api.auth_for("auditor")).json()
    assert [(x["username"], x["action"]) for x in rows] == [("registrar", "search")]
