"""Who may open which page, CSRF on every form, signing in and out, and error pages, through
TestClient (on SQLite and PostgreSQL, like the API tests).

The page policy below is written out by hand, like the API's in ``tests/api/test_roles.py``,
and gives each page exactly the roles the API gives the action it performs. A page missing
from it fails the test.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from fastapi.routing import APIRoute

PASSWORD = "correct-horse-battery"  # as set by the ``pages`` fixture
OF, R, L, S, A, ADM = "officer", "registrar", "livestock", "supervisor", "auditor", "admin"
OV, CU = "oversight", "custodian"
ALL = (OF, R, L, S, A, ADM, OV, CU)
PUBLIC = "public"
VIN = "1M8GDM9AXKP042788"

POLICY: dict[tuple[str, str], tuple[str, ...] | str] = {
    ("GET", "/"): PUBLIC,
    ("GET", "/lookup"): PUBLIC,
    ("GET", "/receipt"): PUBLIC,
    ("GET", "/registro"): PUBLIC,
    ("POST", "/registro"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): PUBLIC,
    ("GET", "/console"): (OF, S),
    ("GET", "/console/checkpoint"): (OF, S),
    ("POST", "/console/checkpoint"): (OF, S),
    ("POST", "/console/check"): (OF, S),
    ("GET", "/console/checks/{check_id}"): (OF, S, A),
    ("GET", "/console/checks/{check_id}/hits"): (OF, S, A),
    ("GET", "/registry"): (R, S),
    ("GET", "/registry/vehicles"): (R, S, OF),
    ("GET", "/registry/vehicles/{vin}"): (R, S, OF),
    ("GET", "/registry/new-vehicle"): (R,),
    ("POST", "/registry/new-vehicle"): (R,),
    ("POST", "/registry/vehicles/{vin}/report"): (R,),
    ("POST", "/registry/reports/{report_id}/{action}"): (R,),
    ("POST", "/registry/vehicles/{vin}/retire"): (R,),
    ("GET", "/registry/persons"): (R, S),
    ("GET", "/registry/new-person"): (R,),
    ("POST", "/registry/new-person"): (R,),
    ("GET", "/registry/warrants/new"): (R,),
    ("POST", "/registry/warrants/new"): (R,),
    ("POST", "/registry/warrants/{warrant_id}/{action}"): (R,),
    ("GET", "/registry/hits"): (R, S),
    ("POST", "/registry/hits/{hit_id}/{action}"): (R, S),
    ("GET", "/registry/due"): (R, S),
    ("POST", "/registry/due/{number}/validate"): (R,),
    ("GET", "/livestock"): (L, R, OF, S),
    ("GET", "/livestock/permits"): (L, OF, S),
    ("GET", "/livestock/permits/new"): (L,),
    ("POST", "/livestock/permits/new"): (L,),
    ("POST", "/livestock/permits/{permit_id}/cancel"): (L,),
    ("GET", "/livestock/thefts/new"): (L, R),
    ("POST", "/livestock/thefts/new"): (L, R),
    ("GET", "/livestock/thefts"): (L, R),
    ("POST", "/livestock/thefts/{theft_id}/{action}"): (L, R),
    ("GET", "/dashboard"): (S, OV),
    ("GET", "/complaints/new"): PUBLIC,
    ("POST", "/complaints/new"): PUBLIC,
    ("GET", "/complaints"): PUBLIC,
    ("POST", "/complaints"): PUBLIC,
    ("GET", "/complaints/stats"): PUBLIC,
    ("GET", "/complaints/{complaint}"): PUBLIC,
    ("POST", "/complaints/{complaint}/proof-status"): PUBLIC,
    ("POST", "/complaints/{complaint}/information"): PUBLIC,
    ("GET", "/certificados"): PUBLIC,
    ("POST", "/certificados"): PUBLIC,
    ("GET", "/certificados/{serial}"): PUBLIC,
    ("GET", "/verificar"): PUBLIC,
    ("POST", "/verificar"): PUBLIC,
    ("GET", "/verificar/offline"): PUBLIC,
    ("GET", "/oversight/complaints"): (OV, S, A),
    ("GET", "/oversight/complaints/{complaint}"): (OV, S, A),
    ("POST", "/oversight/complaints/{complaint}/move"): (OV,),
    ("POST", "/oversight/complaints/{complaint}/note"): (OV, S),
    ("GET", "/incautacion/{seizure}"): PUBLIC,
    ("GET", "/custodia/incautaciones/{seizure}"): (OF, S, CU, OV, A),
    ("POST", "/custodia/incautaciones/{seizure}/liberar"): (S, CU),
    ("GET", "/custodia/salidas/{outcome}"): (OF, S, CU, OV, A),
    ("GET", "/custodia/discrepancias"): (S, CU, OV, A),
    ("GET", "/custodia"): (OF, S, CU),
    ("POST", "/custodia/traspasos"): (OF, S, CU),
    ("POST", "/custodia/traspasos/{transfer}/recibir"): (OF, S, CU),
    ("POST", "/custodia/traspasos/{transfer}/rechazar"): (OF, S, CU),
    ("GET", "/custodia/nueva"): (OF, S),
    ("POST", "/custodia/detenciones/{detention}/{action}"): (S,),
    ("GET", "/alertas"): (R, S, A, OV),
    ("GET", "/alertas/lista"): (R, S, A, OV),
    ("GET", "/alertas/{alert}"): (R, S, A, OV),
    ("POST", "/alertas/{alert}/{to}"): (R, S),
    ("POST", "/custodia/nueva"): (OF, S),
}
SAMPLE = {
    "check_id": "00000000-0000-4000-8000-000000000000", "vin": VIN, "report_id": "999999",
    "action": "recover", "warrant_id": "999999", "hit_id": "999999", "number": "NOPE-1",
    "permit_id": "999999", "theft_id": "999999", "complaint": "D-AAAAA-AAAAA",
    "serial": "C-AAAAA-AAAAA", "seizure": "I-AAAAA-AAAAA", "outcome": "999999",
    "transfer": "999999", "detention": "999999", "alert": "999999", "to": "closed",
}  # fmt: skip


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def console_routes(app: Any) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()

    def walk(routes: list[Any]) -> None:
        for route in routes:
            if isinstance(route, APIRoute):
                found.update((m, route.path) for m in route.methods if m != "HEAD")
            elif hasattr(route, "original_router"):
                walk(route.original_router.routes)
            elif hasattr(route, "routes"):
                walk(route.routes)

    walk(app.state.console.routes)
    return found


def test_policy_covers_every_page(api: Any) -> None:
    routes = console_routes(api.app)
    assert routes - set(POLICY) == set(), "pages without a policy entry"
    assert set(POLICY) - routes == set(), "policy entries for pages that do not exist"


@pytest.fixture
def clients(pages: Any) -> dict[str, Any]:
    return {role: pages.login(role) for role in ALL}


def test_page_role_matrix(pages: Any, clients: dict[str, Any]) -> None:
    anonymous = pages.client()
    tokens = {role: csrf_of(client.get("/").text) for role, client in clients.items()}
    for (method, path), allowed in sorted(POLICY.items()):
        url = path.format(**SAMPLE)
        if allowed == PUBLIC:
            continue
        token = csrf_of(anonymous.get("/login").text)
        response = anonymous.request(
            method, url, data={"csrf_token": token} if method == "POST" else None,
            follow_redirects=False,
        )  # fmt: skip
        assert response.status_code == 303, (method, path, response.status_code)
        assert response.headers["location"].startswith("/login?next=")
        for role, client in clients.items():
            data = {"csrf_token": tokens[role]}
            response = client.request(
                method, url, data=data if method == "POST" else None, follow_redirects=False
            )
            if role in allowed:
                assert response.status_code not in (401, 403), (role, method, path)
                assert response.status_code < 500, (role, method, path, response.text[:500])
                assert "/login" not in response.headers.get("location", ""), (role, path)
            else:
                assert response.status_code == 403, (role, method, path, response.status_code)
                assert "<!doctype html>" in response.text  # the friendly page, not JSON


def test_every_post_without_token_is_refused(pages: Any, clients: dict[str, Any]) -> None:
    for (method, path), allowed in sorted(POLICY.items()):
        if method != "POST":
            continue
        role = allowed[0] if isinstance(allowed, tuple) else OF
        url = path.format(**SAMPLE)
        for data in ({}, {"csrf_token": "forged-" + "x" * 40}):
            response = clients[role].post(url, data=data, follow_redirects=False)
            assert response.status_code == 403, (path, data, response.status_code)
            assert "no viene de este sitio" in response.text
    header = {"X-CSRF-Token": csrf_of(clients[OF].get("/console/checkpoint").text)}
    ok = clients[OF].post("/console/checkpoint", headers=header, data={"checkpoint": "GUA-ALDAO"})
    assert ok.status_code == 200  # the htmx header is accepted as well


def test_login_failure_says_only_wrong_username_or_password(pages: Any) -> None:
    client = pages.client()
    for username, password in (("officer", "nope-nope-nope"), ("nobody", PASSWORD)):
        token = csrf_of(client.get("/login").text)
        response = client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )
        assert response.status_code == 401
        assert "Usuario o contraseña incorrectos." in response.text
        assert 'value="' + username + '"' in response.text  # the username is kept


def test_session_cookie_flags_and_logout(pages: Any) -> None:
    client = pages.client()
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": OF, "password": PASSWORD, "csrf_token": token, "next": "//evil.example"},
        follow_redirects=False,
    )
    assert "default-src 'self'" in response.headers["content-security-policy"]
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert response.headers["location"] == "/console"  # never to another site
    token = csrf_of(client.get("/console/checkpoint").text)
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_unknown_pages_and_api_paths(pages: Any) -> None:
    client = pages.client()
    assert client.get("/no-such-page").status_code == 404
    assert "<!doctype html>" in client.get("/no-such-page").text
    api = client.get("/v1/no-such-route")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    officer = pages.login(OF)
    missing = officer.get(f"/console/checks/{uuid.uuid4()}")
    assert missing.status_code == 404 and "<!doctype html>" in missing.text


def test_a_bug_shows_a_page_not_a_traceback(pages: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from alcabala.web import public

    def broken(*args: Any) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(public.lookups, "public_status", broken)
    client = pages.client()
    client = type(client)(pages.app, raise_server_exceptions=False)
    response = client.get("/lookup?q=AB123CD")
    assert response.status_code == 500
    assert "Algo salió mal" in response.text
    assert "boom" not in response.text and "Traceback" not in response.text
