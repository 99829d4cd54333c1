"""``GET /v1/checks/{id}`` shows a check only to its officer, to the supervisors of that
officer's agency and to auditors; to anyone else it does not exist (404, never 403, and the
same 404 as for an id nobody used). The console's verdict page, its polled hits and the list
of today's checks keep the same rule. SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from alcabala.accounts.models import AuditEntry
from alcabala.accounts.passwords import hasher_for
from alcabala.accounts.services import add_user, set_password
from alcabala.context import SYSTEM
from alcabala.db.engine import read_session

VIN = "1M8GDM9AXKP042788"
PASSWORD = "correct-horse-battery"


def _user(api: Any, name: str, role: str, agency: str | None) -> dict[str, str]:
    with api.app.state.door.write(SYSTEM) as ctx:
        _, token = add_user(ctx.session, name, role, agency)
    return {"Authorization": f"Bearer {token}"}


def _recorded(api: Any) -> dict[str, Any]:
    for path, data in [
        ("/v1/vehicles", {"vin": VIN, "plate": "AB123CD"}),
        (f"/v1/vehicles/{VIN}/stolen-reports", {"number": "CICPC-2026-000001", "agency": "CICPC"}),
    ]:
        assert api.post(path, json=data, headers=api.auth_for("registrar")).status_code == 201
    stop = {
        "check_id": str(uuid.uuid4()),
        "checkpoint": "GUA-ALDAO",
        "vin": VIN,
        "people": [{"national_id": "V12345678"}],
    }
    r = api.post("/v1/checks", json=stop, headers=api.auth_for("officer"))
    assert r.status_code == 200, r.text
    return dict(r.json())


def _reads(engine: Engine) -> int:
    """Audit rows of reads of stored checks."""
    with read_session(engine) as s:
        query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "read")
        return s.scalar(query) or 0


def test_a_check_is_shown_to_its_officer_their_supervisors_and_auditors(
    api: Any, engine: Engine
) -> None:
    verdict = _recorded(api)
    check_id = verdict["check_id"]
    allowed = {
        "its officer": api.auth_for("officer"),
        "a supervisor of the officer's agency (GNB)": api.auth_for("supervisor"),
        "an auditor": api.auth_for("auditor"),
    }
    refused = {
        "another officer of the same agency": _user(api, "otra", "officer", "GNB"),
        "an officer of another agency": _user(api, "ajena", "officer", "CICPC"),
        "an officer of no agency": _user(api, "suelta", "officer", None),
        "a supervisor of another agency": _user(api, "jefa", "supervisor", "CICPC"),
        "a supervisor of no agency": _user(api, "jefe", "supervisor", None),
    }
    for who, headers in allowed.items():
        r = api.get(f"/v1/checks/{check_id}", headers=headers)
        assert r.status_code == 200, (who, r.text)
        assert r.json() == verdict, who
        upper = api.get(f"/v1/checks/{check_id.upper()}", headers=headers)
        assert upper.json() == verdict, who
    reads = _reads(engine)
    nobody = str(uuid.uuid4())
    for who, headers in refused.items():
        r = api.get(f"/v1/checks/{check_id}", headers=headers)
        assert r.status_code == 404, (who, r.text)
        unknown = api.get(f"/v1/checks/{nobody}", headers=headers)
        assert r.json() == {
            "error": {**unknown.json()["error"], "message": f"No check with id {check_id}."}
        }, who
        assert verdict["receipt"] not in r.text and VIN not in r.text
    assert _reads(engine) == reads  # a refused read names nobody and audits nothing


def test_a_console_verdict_of_another_officer_is_not_found(api: Any, engine: Engine) -> None:
    verdict = _recorded(api)
    check_id = verdict["check_id"]
    _user(api, "otra", "officer", "GNB")
    own, other, supervisor = _login(api, "officer"), _login(api, "otra"), _login(api, "supervisor")
    for client in (own, supervisor):
        assert client.get(f"/console/checks/{check_id}").status_code == 200
        assert client.get(f"/console/checks/{check_id}/hits").status_code in (200, 286)
    assert other.get(f"/console/checks/{check_id}").status_code == 404
    assert other.get(f"/console/checks/{check_id}/hits").status_code == 404
    for client in (own, other):
        r = client.post(
            "/console/checkpoint", data={"checkpoint": "GUA-ALDAO", "csrf_token": client.csrf}
        )
        assert r.status_code in (200, 303), r.text
    assert check_id in own.get("/console").text
    assert check_id not in other.get("/console").text  # today's list: their own checks only


def _login(api: Any, username: str) -> Any:
    door = api.app.state.door
    with door.write(SYSTEM) as ctx:
        set_password(ctx.session, username, PASSWORD, hasher_for(ctx.settings))
    client = TestClient(api.app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    r = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = client.get("/console/checkpoint").text
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', page)
    client.csrf = fresh.group(1) if fresh else token.group(1)  # type: ignore[attr-defined]
    return client
