"""Security headers on every response — the API, its docs, the console, static files and
errors — with a docs CSP allowing exactly what the docs load; ``no-store`` on every
signed-in page and every authenticated API answer (SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from alcabala.api.errors import SECURITY_HEADERS, STRICT_POLICY

STATIC = ("x-content-type-options", "x-frame-options", "referrer-policy")


def policy(response: Any) -> dict[str, list[str]]:
    """The response's CSP as {directive: sources}."""
    out = {}
    for part in response.headers["content-security-policy"].split(";"):
        name, *sources = part.split()
        out[name] = sources
    return out


def assert_hardened(response: Any, strict: bool = True) -> None:
    for name in STATIC:
        assert response.headers[name] == SECURITY_HEADERS[name], name
    if strict:
        assert response.headers["content-security-policy"] == STRICT_POLICY
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_every_api_answer_is_hardened_and_authenticated_ones_are_not_stored(api: Any) -> None:
    officer = api.auth_for("officer")
    for response in (
        api.get("/v1/checkpoints", headers=officer),
        api.get("/v1/checkpoints"),  # 401
        api.get("/v1/no-such-route", headers=officer),  # 404
        api.post("/v1/checks", headers=officer, json={}),  # 422
        api.get("/v1/checkpoints", headers={"Authorization": "Bearer alc_forged"}),
        api.get("/openapi.json"),
        api.get("/healthz"),
    ):
        assert_hardened(response)
    assert api.get("/v1/checkpoints", headers=officer).headers["cache-control"] == "no-store"
    forged = api.get("/v1/checkpoints", headers={"Authorization": "Bearer alc_forged"})
    assert forged.status_code == 401 and forged.headers["cache-control"] == "no-store"
    assert "cache-control" not in api.get("/healthz").headers


def test_a_bug_on_the_api_is_hardened_too(api: Any) -> None:
    from fastapi.testclient import TestClient

    def boom() -> None:
        raise RuntimeError("boom")

    api.app.add_api_route("/v1/boom", boom)
    response = TestClient(api.app, raise_server_exceptions=False).get("/v1/boom")
    assert response.status_code == 500 and response.json()["error"]["code"] == "internal"
    assert_hardened(response)


def _external(html: str) -> dict[str, set[str]]:
    """Origins the page loads from, by kind: scripts, stylesheets, images (icons)."""
    found: dict[str, set[str]] = {"script-src": set(), "style-src": set(), "img-src": set()}
    for url in re.findall(r'<script[^>]*src="([^"]+)"', html):
        found["script-src"].add(url)
    for tag in re.findall(r"<link[^>]*>", html):
        url = re.search(r'href="([^"]+)"', tag)
        assert url
        found["style-src" if "stylesheet" in tag else "img-src"].add(url.group(1))
    return found


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_docs_may_load_exactly_what_they_load(api: Any, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 200
    assert_hardened(response, strict=False)
    csp = policy(response)
    assert csp["default-src"] == ["'none'"] and csp["connect-src"] == ["'self'"]
    assert csp["base-uri"] == ["'none'"] and csp["form-action"] == ["'none'"]
    html = response.text
    for directive, urls in _external(html).items():
        origins = {f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in urls}
        assert origins <= set(csp[directive]), (directive, origins)
    hashes = {
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in re.findall(r"<script>(.*?)</script>", html, re.S)
    }
    # Scripts: the CDN it loads and the hash of each inline script, nothing else.
    scripts = {
        f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in _external(html)["script-src"]
    }
    assert set(csp["script-src"]) == scripts | hashes
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert not any("*" in s for sources in csp.values() for s in sources)
    if path == "/docs":
        assert len(hashes) == 1 and "validatorUrl" in html  # no badge from another site
        assert "font-src" not in csp and "worker-src" not in csp
    else:
        assert hashes == set()
        assert csp["font-src"] == ["https://fonts.gstatic.com"] and csp["worker-src"] == ["blob:"]


def test_console_pages_are_hardened_and_signed_in_ones_not_stored(console: Any) -> None:
    anonymous = console.client()
    first = anonymous.get("/")
    assert_hardened(first)
    assert first.headers["cache-control"] == "no-store"  # it handed out a session id
    again = anonymous.get("/")
    assert_hardened(again)
    assert "cache-control" not in again.headers  # a public page, nobody signed in
    assert_hardened(anonymous.get("/no-such-page"))
    static = anonymous.get("/static/style.css")
    assert static.status_code == 200 and "cache-control" not in static.headers
    assert_hardened(static)
    officer = console.login("officer")
    for path in ("/console/checkpoint", "/registry/vehicles", "/", "/no-such-page"):
        response = officer.get(path, follow_redirects=False)
        assert_hardened(response)
        assert response.headers["cache-control"] == "no-store", path
    assert "cache-control" not in officer.get("/static/style.css").headers
