"""Proxy headers are believed only from ``Settings.trusted_proxies``: by default a client on
the machine sending a new ``X-Forwarded-For`` with every request is still one client to the
sign-in throttle and the public rate limit. Through a real uvicorn started with the options
``alcabala serve`` gives it (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from alcabala.accounts.models import AuditEntry
from alcabala.cli.serve import uvicorn_options
from alcabala.config import Settings
from alcabala.db.engine import read_session

WRONG = "wrong-horse-battery"


def test_serve_trusts_no_proxy_unless_told() -> None:
    assert uvicorn_options(Settings()) == {"proxy_headers": False, "forwarded_allow_ips": []}
    trusted = Settings(trusted_proxies=("10.0.0.5", "10.0.0.6"))
    assert uvicorn_options(trusted) == {
        "proxy_headers": True,
        "forwarded_allow_ips": ["10.0.0.5", "10.0.0.6"],
    }
    env = Settings.from_env({"ALCABALA_TRUSTED_PROXIES": " 10.0.0.5, ,10.0.0.6 "})
    assert env.trusted_proxies == ("10.0.0.5", "10.0.0.6")


def _app(console: Any, **changes: object) -> tuple[Any, Settings]:
    from alcabala.api.app import create_app

    settings = console.door.settings.replace(**changes)
    return create_app(settings, console.clock), settings


def _spray(console: Any, base: str, attempts: int) -> list[httpx.Response]:
    """Failed sign-ins, each under a new account name and a new X-Forwarded-For."""
    answers = []
    with httpx.Client(base_url=base) as http:
        token = console.csrf_of(http.get("/login").text)
        for n in range(attempts):
            spoofed = {"X-Forwarded-For": f"203.0.113.{n + 1}"}
            data = {"username": f"guess-{n}", "password": WRONG, "csrf_token": token}
            answers.append(http.post("/login", data=data, headers=spoofed))
    return answers


def _lookups(base: str, count: int) -> list[int]:
    with httpx.Client(base_url=base) as http:
        return [
            http.get(
                "/v1/public/vehicles/AB123CD", headers={"X-Forwarded-For": f"198.51.100.{n + 1}"}
            ).status_code
            for n in range(count)
        ]


def test_a_rotated_forwarded_for_does_not_escape_the_limits(
    console: Any, serve: Callable[..., str]
) -> None:
    app, settings = _app(console)
    base = serve(app, settings)
    limit = settings.login_address_backoff_after
    answers = _spray(console, base, limit + 1)
    assert [a.status_code for a in answers[:limit]] == [401] * limit
    assert answers[limit].status_code == 429  # one client: 127.0.0.1, whatever it claims
    assert "Demasiados intentos fallidos. Espere" in answers[limit].text
    with read_session(console.engine) as s:
        reasons = s.scalars(select(AuditEntry.reason).where(AuditEntry.action == "login_failed"))
        assert {r.rsplit("from ", 1)[1] for r in reasons} == {"127.0.0.1"}
    statuses = _lookups(base, 15)
    assert 429 in statuses and statuses.index(429) == 10  # the public burst, then refused


@pytest.mark.parametrize("proxy", ["127.0.0.1"])
def test_a_trusted_proxy_is_believed(console: Any, serve: Callable[..., str], proxy: str) -> None:
    app, settings = _app(console, trusted_proxies=(proxy,))
    base = serve(app, settings)
    limit = settings.login_address_backoff_after
    answers = _spray(console, base, limit + 1)
    assert [a.status_code for a in answers] == [401] * (limit + 1)  # a client each
    with read_session(console.engine) as s:
        reasons = s.scalars(select(AuditEntry.reason).where(AuditEntry.action == "login_failed"))
        assert {r.rsplit("from ", 1)[1] for r in reasons} == {
            f"203.0.113.{n + 1}" for n in range(limit + 1)
        }
    assert 429 not in _lookups(base, 15)


def test_the_serve_command_hands_uvicorn_the_proxy_options(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from alcabala.cli.main import app

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda application, **options: seen.update(options))
    env = {"ALCABALA_DATA_DIR": str(tmp_path / "data"), "ALCABALA_TRUSTED_PROXIES": "10.0.0.5"}
    url = f"sqlite:///{tmp_path / 'served.db'}"
    result = CliRunner().invoke(app, ["serve", "--database", url, "--port", "8123"], env=env)
    assert result.exit_code == 0, result.output
    assert seen["proxy_headers"] is True and seen["forwarded_allow_ips"] == ["10.0.0.5"]
    assert seen["port"] == 8123
