"""The checkpoint routes over HTTP, on both databases."""

from __future__ import annotations

from typing import Any

ROLES = ("officer", "registrar", "livestock", "supervisor", "auditor", "admin")
BODY = {
    "code": "apu-bie",
    "name": "Alcabala El Biete",
    "road": "Troncal 5",
    "state": "Apure",
    "lat": 7.88,
    "lon": -67.47,
    "agency": "gnb",
}


def test_every_signed_in_role_lists_checkpoints(api: Any) -> None:
    for role in ROLES:
        r = api.get("/v1/checkpoints", headers=api.auth_for(role))
        assert r.status_code == 200, (role, r.text)
        assert [c["code"] for c in r.json()] == ["GUA-ALDAO"]
    assert api.get("/v1/checkpoints").status_code == 401
    r = api.get("/v1/checkpoints", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401


def test_admin_adds_a_checkpoint(api: Any) -> None:
    r = api.post("/v1/checkpoints", json=BODY, headers=api.auth_for("admin"))
    assert r.status_code == 201, r.text
    assert r.json() == {
        "code": "APU-BIE",
        "name": "Alcabala El Biete",
        "road": "Troncal 5",
        "state": "Apure",
        "lat": 7.88,
        "lon": -67.47,
    }
    r = api.get("/v1/checkpoints", headers=api.auth_for("officer"))
    assert [c["code"] for c in r.json()] == ["APU-BIE", "GUA-ALDAO"]
    r = api.post("/v1/checkpoints", json=BODY, headers=api.auth_for("admin"))
    assert r.status_code == 409 and r.json()["error"]["field"] == "code"


def test_bad_input_is_4xx_with_field(api: Any) -> None:
    auth = api.auth_for("admin")
    r = api.post("/v1/checkpoints", json=BODY | {"lat": 91}, headers=auth)
    assert r.status_code == 422 and r.json()["error"]["field"] == "lat"
    r = api.post("/v1/checkpoints", json=BODY | {"code": "no spaces"}, headers=auth)
    assert r.status_code == 422 and r.json()["error"]["field"] == "code"
    r = api.post("/v1/checkpoints", json=BODY | {"agency": "NOPE"}, headers=auth)
    assert r.status_code == 404 and r.json()["error"]["field"] == "agency"
    r = api.post("/v1/checkpoints", json={"code": "X"}, headers=auth)
    assert r.status_code == 422 and r.json()["error"]["field"] == "name"


def test_only_admin_adds_checkpoints(api: Any) -> None:
    assert api.post("/v1/checkpoints", json=BODY).status_code == 401
    for role in set(ROLES) - {"admin"}:
        r = api.post("/v1/checkpoints", json=BODY, headers=api.auth_for(role))
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", role
    r = api.get("/v1/checkpoints", headers=api.auth_for("admin"))
    assert [c["code"] for c in r.json()] == ["GUA-ALDAO"]
