"""The person and warrant routes over HTTP, on both databases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, select

from alcabala.accounts.models import Agency, AuditEntry, User
from alcabala.db.engine import read_session
from alcabala.persons.models import Warrant

WHY = {"reason": "case 3C-12345-24"}  # registrars must say why they look someone up


def issue(api: Any, number: str = "W-1", **overrides: Any) -> dict[str, Any]:
    now = api.clock.now()
    body: dict[str, Any] = {
        "number": number,
        "agency": "TSJ-GUA",
        "national_id": "V-12.345.678",
        "court": "Tribunal Tercero de Control del estado Guárico",
        "case_number": "3C-12345-24",
        "offence": "Hurto de ganado (abigeato)",
        "issued_at": (now - dt.timedelta(days=10)).isoformat(),
    }
    r = api.post("/v1/warrants", json=body | overrides, headers=api.auth_for("court"))
    assert r.status_code == 201, r.text
    return dict(r.json())


def move(api: Any, wid: int, action: str, role: str = "court", **body: Any) -> Any:
    return api.post(f"/v1/warrants/{wid}/{action}", json=body, headers=api.auth_for(role))


def fetch(api: Any, wid: int) -> dict[str, Any]:
    r = api.get(f"/v1/warrants/{wid}", headers=api.auth_for("supervisor"))
    assert r.status_code == 200, r.text
    return dict(r.json())


def audit_rows(engine: Engine) -> list[tuple[Any, ...]]:
    """(user, role, agency, client, action, subject kind, subject, reason) of each lookup."""
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
            )
            .outerjoin(User, AuditEntry.user_id == User.id)
            .outerjoin(Agency, AuditEntry.agency_id == Agency.id)
            .order_by(AuditEntry.id)
        )
        return [tuple(row) for row in rows]


def audit_times(engine: Engine) -> list[Any]:
    with read_session(engine) as s:
        return list(s.scalars(select(AuditEntry.at).order_by(AuditEntry.id)))


def test_register_person_normalizes_and_refuses_duplicates(api: Any) -> None:
    body = {"national_id": "v-1.234.567", "given_names": "Ana", "surnames": "Pérez"}
    r = api.post("/v1/persons", json=body, headers=api.auth_for("registrar"))
    assert r.status_code == 201, r.text
    person = r.json()
    assert (person["national_id"], person["country"], person["surnames"]) == (
        "V1234567",
        "VE",
        "Pérez",
    )
    r = api.post("/v1/persons", json=body, headers=api.auth_for("registrar"))
    assert r.status_code == 409
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == ("duplicate", "national_id")
    r = api.post("/v1/persons", json={"national_id": "X-12"}, headers=api.auth_for("registrar"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "national_id"


def test_person_lookup_shows_warrants_and_is_audited(api: Any, engine: Engine) -> None:
    first = issue(api, "W-1")
    second = issue(api, "W-2", issued_at=(api.clock.now() - dt.timedelta(days=1)).isoformat())
    r = api.get(
        "/v1/persons/ve/V-12.345.678",
        params={"reason": "traffic stop"},
        headers=api.auth_for("supervisor"),
    )
    assert r.status_code == 200, r.text
    detail = r.json()
    assert detail["person"]["national_id"] == "V12345678"
    assert [w["number"] for w in detail["warrants"]] == ["W-2", "W-1"]  # newest first
    assert {w["id"] for w in detail["warrants"]} == {first["id"], second["id"]}
    assert audit_rows(engine) == [
        ("supervisor", "supervisor", "GNB", "api", "search", "person", "V12345678", "traffic stop")
    ]
    assert audit_times(engine) == [api.clock.now()]


def test_person_lookup_path_is_checked(api: Any, engine: Engine) -> None:
    auth = api.auth_for("registrar")
    r = api.get("/v1/persons/VE/X-12", params=WHY, headers=auth)
    assert r.status_code == 422 and r.json()["error"]["field"] == "national_id"
    r = api.get("/v1/persons/VEN/V123", params=WHY, headers=auth)
    assert r.status_code == 422 and r.json()["error"]["field"] == "country"
    r = api.get("/v1/persons/VE/%00", params=WHY, headers=auth)
    assert r.status_code == 422 and r.json()["error"]["field"] == "national_id"
    r = api.get("/v1/persons/VE/V" + "9" * 5000, params=WHY, headers=auth)
    assert r.status_code == 422 and r.json()["error"]["field"] == "national_id"
    # A NUL (which PostgreSQL text cannot hold) is cleaned out of the reason, not stored;
    # a reason that is nothing but NULs is no reason.
    r = api.get("/v1/persons/VE/V12345678", params={"reason": "\x00"}, headers=auth)
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    r = api.get("/v1/persons/VE/V12345678", params={"reason": "x" * 201}, headers=auth)
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    r = api.get("/v1/persons/VE/V12345678", params={"reason": "case\x00 7"}, headers=auth)
    assert r.status_code == 404 and r.json()["error"]["field"] == "national_id"
    r = api.get("/v1/persons/VE/V7654321", params=WHY, headers=auth)
    assert r.status_code == 404 and r.json()["error"]["field"] == "national_id"
    # Refused inputs are not lookups; a lookup that finds nobody still is one.
    registrar = ("registrar", "registrar", "CICPC", "api", "search", "person")
    assert audit_rows(engine) == [
        (*registrar, "V12345678", "case 7"),
        (*registrar, "V7654321", WHY["reason"]),
    ]


def test_execute_then_illegal_transition_leaves_state(api: Any) -> None:
    warrant = issue(api)
    assert (warrant["status"], warrant["version"]) == ("active", 1)
    assert warrant["national_id"] == "V12345678" and warrant["agency"] == "TSJ-GUA"
    assert warrant["validate_by"] is not None
    r = move(api, warrant["id"], "execute", version=1, reason="arrested at Puente Aldao")
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["version"]) == ("executed", 2)
    r = move(api, warrant["id"], "execute")
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"
    r = move(api, warrant["id"], "cancel", reason="withdrawn")
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"
    after = fetch(api, warrant["id"])
    assert (after["status"], after["version"]) == ("executed", 2)


def test_stale_version_is_a_conflict(api: Any) -> None:
    warrant = issue(api)
    r = move(api, warrant["id"], "execute", version=7)
    assert r.status_code == 409
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == ("conflict", "version")
    after = fetch(api, warrant["id"])
    assert (after["status"], after["version"]) == ("active", 1)


def test_cancel_needs_a_reason(api: Any) -> None:
    warrant = issue(api)
    r = move(api, warrant["id"], "cancel", version=1)
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    assert fetch(api, warrant["id"])["status"] == "active"
    r = move(api, warrant["id"], "cancel", version=1, reason="revoked by the court")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"


def test_status_shown_is_effective_at_now(api: Any, engine: Engine) -> None:
    now = api.clock.now()
    warrant = issue(
        api,
        issued_at=(now - dt.timedelta(days=30)).isoformat(),
        expires_at=(now - dt.timedelta(days=1)).isoformat(),
    )
    assert warrant["status"] == "expired"
    assert fetch(api, warrant["id"])["status"] == "expired"
    r = api.get("/v1/persons/VE/V12345678", params=WHY, headers=api.auth_for("registrar"))
    assert [w["status"] for w in r.json()["warrants"]] == ["expired"]
    r = move(api, warrant["id"], "execute")
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"
    with read_session(engine) as s:
        stored = s.get(Warrant, warrant["id"])
        assert stored is not None
        assert (stored.status, stored.version) == ("active", 1)  # the sweeper has not run
    live = issue(api, "W-LIVE", expires_at=(now + dt.timedelta(days=30)).isoformat())
    assert live["status"] == "active"
    assert fetch(api, live["id"])["status"] == "active"
    api.clock.advance(dt.timedelta(days=30))  # it reaches expires_at
    after = fetch(api, live["id"])
    assert (after["status"], after["version"]) == ("expired", 1)
    r = move(api, live["id"], "execute", version=1)
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"


def test_bad_input_is_4xx_with_field(api: Any) -> None:
    now = api.clock.now()
    auth = api.auth_for("court")
    body = {
        "number": "W-9",
        "agency": "TSJ-GUA",
        "national_id": "V123",
        "court": "c",
        "case_number": "1",
        "offence": "o",
        "issued_at": now.isoformat(),
    }
    r = api.post("/v1/warrants", json=body | {"expires_at": "2000-01-01"}, headers=auth)
    assert r.status_code == 422 and r.json()["error"]["field"] == "expires_at"
    r = api.post("/v1/warrants", json=body | {"agency": "NOPE"}, headers=auth)
    assert r.status_code == 403 and r.json()["error"]["field"] == "agency"  # not its own
    assert r.json()["error"]["code"] == "not_owner"
    r = api.post("/v1/warrants", json=body | {"colour": "red"}, headers=auth)
    assert r.status_code == 422 and r.json()["error"]["field"] == "colour"
    assert api.post("/v1/warrants", json=body, headers=auth).status_code == 201
    r = api.post("/v1/warrants", json=body, headers=auth)
    assert r.status_code == 409
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == ("duplicate", "number")
    r = api.get("/v1/warrants/999999", params=WHY, headers=auth)
    assert r.status_code == 404
    r = api.get("/v1/warrants/abc", params=WHY, headers=auth)
    assert r.status_code == 422 and r.json()["error"]["field"] == "warrant_id"
    r = api.post("/v1/warrants/999999/execute", json={}, headers=auth)
    assert r.status_code == 404
    for huge in ("2147483648", "99999999999999999999", "0", "-1"):
        r = api.get(f"/v1/warrants/{huge}", params=WHY, headers=auth)
        assert r.status_code == 422 and r.json()["error"]["field"] == "warrant_id", huge
        r = api.post(f"/v1/warrants/{huge}/cancel", json={"reason": "x"}, headers=auth)
        assert r.status_code == 422 and r.json()["error"]["field"] == "warrant_id", huge


def test_auth_required_and_roles_enforced(api: Any) -> None:
    warrant = issue(api)
    wid = warrant["id"]
    assert api.post("/v1/persons", json={"national_id": "V1"}).status_code == 401
    assert api.get("/v1/persons/VE/V12345678", params=WHY).status_code == 401
    assert api.get(f"/v1/warrants/{wid}", params=WHY).status_code == 401
    assert api.post(f"/v1/warrants/{wid}/execute", json={}).status_code == 401
    for role in ("officer", "livestock", "auditor", "admin", "supervisor"):
        r = api.post("/v1/persons", json={"national_id": "V1"}, headers=api.auth_for(role))
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
        assert move(api, wid, "execute", role).status_code == 403
        assert move(api, wid, "cancel", role, reason="x").status_code == 403
    for role in ("officer", "livestock", "auditor", "admin"):
        auth = api.auth_for(role)
        assert api.get("/v1/persons/VE/V12345678", params=WHY, headers=auth).status_code == 403
        assert api.get(f"/v1/warrants/{wid}", params=WHY, headers=auth).status_code == 403
    assert fetch(api, wid)["status"] == "active"


def test_registrars_must_say_why_they_look_someone_up(api: Any, engine: Engine) -> None:
    warrant = issue(api)
    auth = api.auth_for("registrar")
    paths = ("/v1/persons/VE/V12345678", f"/v1/warrants/{warrant['id']}")
    for path in paths:
        for params in ({}, {"reason": " "}):
            r = api.get(path, params=params, headers=auth)
            assert r.status_code == 422, (path, params, r.text)
            assert r.json()["error"]["field"] == "reason"
    # No reason, no lookup: even an unknown person is refused before it is searched for.
    r = api.get("/v1/persons/VE/V7654321", headers=auth)
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    assert audit_rows(engine) == []
    looked = api.clock.advance(dt.timedelta(hours=2))
    r = api.get(paths[0], params=WHY, headers=auth)
    assert r.status_code == 200 and [w["id"] for w in r.json()["warrants"]] == [warrant["id"]]
    r = api.get(paths[1], params={"reason": "re-validation"}, headers=auth)
    assert r.status_code == 200 and r.json()["id"] == warrant["id"]
    r = api.get(paths[1], headers=api.auth_for("supervisor"))  # supervisors need no reason
    assert r.status_code == 200
    registrar = ("registrar", "registrar", "CICPC", "api")
    assert audit_rows(engine) == [
        (*registrar, "search", "person", "V12345678", WHY["reason"]),
        (*registrar, "read", "person", "V12345678", "re-validation"),
        ("supervisor", "supervisor", "GNB", "api", "read", "person", "V12345678", ""),
    ]
    assert audit_times(engine) == [looked] * 3


def test_history_rows_carry_the_clock_time(api: Any, engine: Engine) -> None:
    from alcabala.persons.models import WarrantTransition

    issued = api.clock.now()
    warrant = issue(api)
    executed = api.clock.advance(dt.timedelta(days=3))
    r = move(api, warrant["id"], "execute", version=1, reason="arrested")
    assert r.status_code == 200, r.text
    with read_session(engine) as s:
        rows = s.execute(
            select(
                WarrantTransition.from_state,
                WarrantTransition.to_state,
                User.username,
                WarrantTransition.reason,
                WarrantTransition.at,
            )
            .outerjoin(User, WarrantTransition.actor_id == User.id)
            .where(WarrantTransition.warrant_id == warrant["id"])
            .order_by(WarrantTransition.id)
        )
        assert [tuple(row) for row in rows] == [
            (None, "active", "court", "", issued),
            ("active", "executed", "court", "arrested", executed),
        ]
