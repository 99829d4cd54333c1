"""The premises, brand, transit-permit and livestock-theft routes over HTTP, on both databases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, select

from alcabala.accounts.models import Agency, AuditEntry, User
from alcabala.db.engine import read_session

TAG_1 = "862000000000001"
TAG_2 = "862000000000002"
WHY = {"reason": "stop at Puente Aldao"}  # officers must say why they look a permit up


def post(api: Any, path: str, body: dict[str, Any], role: str = "livestock") -> Any:
    return api.post(f"/v1{path}", json=body, headers=api.auth_for(role))


def setup(api: Any) -> None:
    """Premises HATO-1 (brand LP) and HATO-2 (brand ZZ)."""
    for code in ("HATO-1", "HATO-2"):
        r = post(api, "/premises", {"code": code.lower(), "name": f"Hato {code}"})
        assert r.status_code == 201, r.text
    for mark, premises in (("LP", "HATO-1"), ("ZZ", "HATO-2")):
        r = post(api, "/brands", {"mark": mark, "premises": premises})
        assert r.status_code == 201, r.text


def permit_body(api: Any, **overrides: Any) -> dict[str, Any]:
    """A permit valid from an hour before the app's now to two days after it."""
    now = api.clock.now()
    body: dict[str, Any] = {
        "number": "G-0001",
        "issuer": "INSAI",
        "origin_premises": "HATO-1",
        "destination_premises": "HATO-2",
        "vehicle_plate": "AB123CD",
        "valid_from": (now - dt.timedelta(hours=1)).isoformat(),
        "valid_to": (now + dt.timedelta(days=2)).isoformat(),
        "lines": [
            {"species": "bovine", "category": "novillos", "head_count": 10, "brand": "LP"},
            {"species": "bovine", "category": "vacas", "head_count": 2},
        ],
        "ear_tags": [TAG_1, TAG_2],
    }
    return body | overrides


def issue(api: Any, **overrides: Any) -> dict[str, Any]:
    r = post(api, "/permits", permit_body(api, **overrides))
    assert r.status_code == 201, r.text
    return dict(r.json())


def permit(api: Any, pid: int, role: str = "supervisor") -> dict[str, Any]:
    r = api.get(f"/v1/permits/{pid}", params=WHY, headers=api.auth_for(role))
    assert r.status_code == 200, r.text
    return dict(r.json())


def report(api: Any, role: str = "registrar", **overrides: Any) -> dict[str, Any]:
    body = {"number": "AB-1", "agency": "CICPC", "species": "bovine", "head_count": 3}
    r = post(api, "/livestock-thefts", body | {"brand": "LP"} | overrides, role)
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_premises_and_brands(api: Any) -> None:
    r = post(
        api,
        "/premises",
        {"code": "hato-9", "name": "Hato La Esperanza", "owner_national_id": "V-1.234.567"},
    )
    assert r.status_code == 201, r.text
    assert (r.json()["code"], r.json()["lat"]) == ("HATO-9", None)
    r = post(api, "/premises", {"code": "HATO-9", "name": "again"})
    assert r.status_code == 409
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == ("duplicate", "code")
    r = post(api, "/premises", {"code": "HATO-8", "name": "x", "lat": 8.9})
    assert r.status_code == 422 and r.json()["error"]["field"] == "lon"
    r = post(api, "/brands", {"mark": "lp", "premises": "hato-9", "registered_at": "2020-05-01"})
    assert r.status_code == 201, r.text
    brand = r.json()
    assert (brand["mark"], brand["premises"], brand["registered_at"]) == (
        "LP",
        "HATO-9",
        "2020-05-01",
    )
    r = post(api, "/brands", {"mark": "XY", "premises": "NOWHERE"})
    assert r.status_code == 404 and r.json()["error"]["field"] == "premises"


def test_issue_read_and_use_permit(api: Any) -> None:
    setup(api)
    p = issue(api)
    assert (p["status"], p["version"], p["issuer"]) == ("issued", 1, "INSAI")
    assert (p["origin_premises"], p["destination_premises"]) == ("HATO-1", "HATO-2")
    assert [line["brand"] for line in p["lines"]] == ["LP", ""]
    assert p["ear_tags"] == [TAG_1, TAG_2]
    for role in ("livestock", "officer", "supervisor"):
        assert permit(api, p["id"], role) == p
        r = api.get("/v1/permits/by-number/%20g-0001", params=WHY, headers=api.auth_for(role))
        assert r.status_code == 200 and r.json() == p
    r = post(api, f"/permits/{p['id']}/use", {"version": 1, "reason": "arrived"}, "officer")
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["version"]) == ("used", 2)


def test_illegal_transition_leaves_state(api: Any) -> None:
    setup(api)
    p = issue(api)
    assert post(api, f"/permits/{p['id']}/use", {}).status_code == 200
    r = post(api, f"/permits/{p['id']}/use", {}, "officer")
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"
    r = post(api, f"/permits/{p['id']}/cancel", {"reason": "issued in error"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"
    after = permit(api, p["id"])
    assert (after["status"], after["version"]) == ("used", 2)


def test_permit_not_yet_valid_cannot_be_used(api: Any) -> None:
    setup(api)
    now = api.clock.now()
    p = issue(
        api,
        valid_from=(now + dt.timedelta(days=1)).isoformat(),
        valid_to=(now + dt.timedelta(days=2)).isoformat(),
    )
    r = post(api, f"/permits/{p['id']}/use", {}, "officer")
    assert r.status_code == 409
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == (
        "illegal_transition",
        "valid_from",
    )
    assert permit(api, p["id"])["status"] == "issued"


def test_stale_version_is_a_conflict(api: Any) -> None:
    setup(api)
    p = issue(api)
    r = post(api, f"/permits/{p['id']}/use", {"version": 3}, "officer")
    assert r.status_code == 409
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == ("conflict", "version")
    after = permit(api, p["id"])
    assert (after["status"], after["version"]) == ("issued", 1)


def test_cancel_needs_a_reason(api: Any) -> None:
    setup(api)
    p = issue(api)
    r = post(api, f"/permits/{p['id']}/cancel", {"version": 1})
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    assert permit(api, p["id"])["status"] == "issued"
    r = post(api, f"/permits/{p['id']}/cancel", {"version": 1, "reason": "wrong plate"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"


def test_status_shown_is_effective_at_now(api: Any) -> None:
    setup(api)
    p = issue(api)
    api.clock.advance(dt.timedelta(days=2, minutes=5))  # past valid_to; the sweeper has not run
    after = permit(api, p["id"])
    assert (after["status"], after["version"]) == ("expired", 1)
    r = post(api, f"/permits/{p['id']}/use", {}, "officer")
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"


def test_bad_permit_input_is_4xx_with_field(api: Any) -> None:
    setup(api)
    r = post(
        api,
        "/permits",
        permit_body(
            api, lines=[{"species": "bovine", "head_count": 1, "brand": "ZZ"}], ear_tags=[]
        ),
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "lines.0.brand"
    r = post(api, "/permits", permit_body(api, destination_premises="HATO-1"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "destination_premises"
    r = post(api, "/permits", permit_body(api, issuer="NOPE"))  # not the issuer's own agency
    assert r.status_code == 403 and r.json()["error"]["field"] == "issuer"
    r = post(api, "/permits", permit_body(api, lines=[]))
    assert r.status_code == 422 and r.json()["error"]["field"] == "lines"
    issue(api)
    r = post(api, "/permits", permit_body(api))
    assert r.status_code == 409
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == ("duplicate", "number")
    auth = api.auth_for("officer")
    r = api.get("/v1/permits/by-number/G-9999", params=WHY, headers=auth)
    assert r.status_code == 404 and r.json()["error"]["field"] == "number"
    for bad in ("%00", "%20", "G%20G", "G" * 41, "%C3%91"):
        r = api.get(f"/v1/permits/by-number/{bad}", params=WHY, headers=auth)
        assert r.status_code == 422 and r.json()["error"]["field"] == "number", (bad, r.text)
    assert api.get("/v1/permits/999999", params=WHY, headers=auth).status_code == 404
    r = api.get("/v1/permits/x", params=WHY, headers=auth)
    assert r.status_code == 422 and r.json()["error"]["field"] == "permit_id"
    for huge in ("2147483648", "99999999999999999999"):
        r = api.get(f"/v1/permits/{huge}", params=WHY, headers=auth)
        assert r.status_code == 422 and r.json()["error"]["field"] == "permit_id", huge
        r = post(api, f"/permits/{huge}/use", {}, "officer")
        assert r.status_code == 422 and r.json()["error"]["field"] == "permit_id", huge
        r = post(api, f"/livestock-thefts/{huge}/recover", {}, "registrar")
        assert r.status_code == 422 and r.json()["error"]["field"] == "theft_id", huge


def test_livestock_theft_lifecycle(api: Any) -> None:
    setup(api)
    t = report(api, ear_tags=[TAG_1], premises="hato-1")
    assert (t["status"], t["version"], t["agency"], t["premises"]) == (
        "active",
        1,
        "CICPC",
        "HATO-1",
    )
    assert (t["brand"], t["ear_tags"]) == ("LP", [TAG_1])
    # Only the owning agency (CICPC) recovers its report; INSAI's livestock user may not.
    r = post(api, f"/livestock-thefts/{t['id']}/recover", {"version": 1}, "livestock")
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_owner"
    r = post(api, f"/livestock-thefts/{t['id']}/recover", {"version": 1}, "registrar")
    assert r.status_code == 200 and (r.json()["status"], r.json()["version"]) == ("recovered", 2)
    r = post(api, f"/livestock-thefts/{t['id']}/recover", {}, "registrar")
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"
    r = post(api, f"/livestock-thefts/{t['id']}/cancel", {"reason": "error"}, "registrar")
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"


def test_livestock_theft_cancel_reason_and_version(api: Any) -> None:
    t = report(api, role="livestock", agency="INSAI")
    assert t["premises"] is None and t["ear_tags"] == []
    r = post(api, f"/livestock-thefts/{t['id']}/cancel", {"version": 1, "reason": "x"}, "registrar")
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_owner"  # INSAI's report
    r = post(api, f"/livestock-thefts/{t['id']}/cancel", {"version": 1}, "livestock")
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    r = post(api, f"/livestock-thefts/{t['id']}/cancel", {"version": 2, "reason": "dup"})
    assert r.status_code == 409 and r.json()["error"]["field"] == "version"
    r = post(api, f"/livestock-thefts/{t['id']}/cancel", {"version": 1, "reason": "dup"})
    assert r.status_code == 200 and (r.json()["status"], r.json()["version"]) == ("cancelled", 2)
    r = post(
        api,
        "/livestock-thefts",
        {"number": "AB-2", "agency": "CICPC", "species": "bovine", "head_count": 1},
        "registrar",
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "brand"
    assert post(api, "/livestock-thefts/999999/recover", {}).status_code == 404


def test_auth_required_and_roles_enforced(api: Any) -> None:
    setup(api)
    p = issue(api)
    t = report(api)
    pid, tid = p["id"], t["id"]
    writes: list[tuple[str, dict[str, Any], set[str]]] = [
        ("/premises", {"code": "H-X", "name": "x"}, {"livestock"}),
        ("/brands", {"mark": "QQ", "premises": "HATO-1"}, {"livestock"}),
        ("/permits", permit_body(api, number="G-2"), {"livestock"}),
        (f"/permits/{pid}/use", {}, {"livestock", "officer"}),
        (f"/permits/{pid}/cancel", {"reason": "x"}, {"livestock"}),
        ("/livestock-thefts", {"number": "AB-3"}, {"livestock", "registrar"}),
        (f"/livestock-thefts/{tid}/recover", {}, {"livestock", "registrar"}),
        (f"/livestock-thefts/{tid}/cancel", {"reason": "x"}, {"livestock", "registrar"}),
    ]
    roles = ("officer", "registrar", "livestock", "supervisor", "auditor", "admin")
    for path, body, allowed in writes:
        assert api.post(f"/v1{path}", json=body).status_code == 401, path
        for role in set(roles) - allowed:
            r = post(api, path, body, role)
            assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", (path, role)
    for path in (f"/v1/permits/{pid}", "/v1/permits/by-number/G-0001"):
        assert api.get(path, params=WHY).status_code == 401
        for role in ("registrar", "auditor", "admin"):
            r = api.get(path, params=WHY, headers=api.auth_for(role))
            assert r.status_code == 403, (path, role)
    assert permit(api, pid)["status"] == "issued"


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


def test_officers_must_say_why_they_read_a_permit(api: Any, engine: Engine) -> None:
    setup(api)
    p = issue(api)
    auth = api.auth_for("officer")
    for path in (f"/v1/permits/{p['id']}", "/v1/permits/by-number/G-0001"):
        for params in ({}, {"reason": "  "}):
            r = api.get(path, params=params, headers=auth)
            assert r.status_code == 422, (path, params, r.text)
            assert r.json()["error"]["field"] == "reason"
    assert audit_rows(engine) == []  # a refused lookup is not one
    looked = api.clock.advance(dt.timedelta(minutes=10))
    r = api.get(f"/v1/permits/{p['id']}", params=WHY, headers=auth)
    assert r.status_code == 200 and r.json()["id"] == p["id"]
    r = api.get("/v1/permits/by-number/G-0001", params={"reason": "guía check"}, headers=auth)
    assert r.status_code == 200 and r.json()["id"] == p["id"]
    # The livestock agency and supervisors need no reason.
    for role in ("livestock", "supervisor"):
        r = api.get(f"/v1/permits/{p['id']}", headers=api.auth_for(role))
        assert r.status_code == 200, (role, r.text)
    plate = ("read", "vehicle", "AB123CD")
    assert audit_rows(engine) == [
        ("officer", "officer", "GNB", "api", *plate, WHY["reason"], looked),
        ("officer", "officer", "GNB", "api", *plate, "guía check", looked),
        ("livestock", "livestock", "INSAI", "api", *plate, "", looked),
        ("supervisor", "supervisor", "GNB", "api", *plate, "", looked),
    ]
