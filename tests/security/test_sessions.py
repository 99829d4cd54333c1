"""Console sessions live in the database: the cookie holds only a random id, and a session
ends at logout, password change, deactivation, token revocation, and idle or absolute
expiry by the app's clock. A cookie saved before the end never works after it (SQLite and
PostgreSQL)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from alcabala.accounts.models import ApiToken, User, WebSession
from alcabala.accounts.passwords import hasher_for
from alcabala.accounts.services import deactivate_user, revoke_tokens, set_password
from alcabala.context import SYSTEM
from alcabala.db.engine import read_session
from alcabala.db.history import Change
from alcabala.web.context import SESSION_COOKIE

OF = "officer"
PAGE = "/console/checkpoint"  # an officer's page (choosing where they stand)


def cookie_of(client: Any) -> str:
    value: str = client.cookies[SESSION_COOKIE]
    return value


def replay(console: Any, cookie: str) -> Any:
    """A new browser presenting a saved cookie: the officer's page, or the way to sign in."""
    thief = console.client()
    thief.cookies.set(SESSION_COOKIE, cookie)
    return thief.get(PAGE, follow_redirects=False)


def sessions_of(console: Any, username: str) -> list[WebSession]:
    with read_session(console.engine) as s:
        user_id = s.scalar(select(User.id).where(User.username == username))
        return list(
            s.scalars(select(WebSession).where(WebSession.user_id == user_id).order_by("id"))
        )


def user_changes(console: Any, username: str) -> int:
    with read_session(console.engine) as s:
        user_id = s.scalar(select(User.id).where(User.username == username))
        rows = s.scalars(select(Change).where(Change.entity == "user", Change.entity_id == user_id))
        return len(rows.all())


def test_the_cookie_holds_only_a_random_id(console: Any) -> None:
    client = console.login(OF)
    cookie = cookie_of(client)
    assert len(cookie) == 43 and cookie.replace("-", "").replace("_", "").isalnum()
    (row,) = sessions_of(console, OF)
    assert row.token_hash == hashlib.sha256(cookie.encode()).hexdigest()
    assert row.created_at == row.last_seen_at == console.clock.now() and row.ended_at is None
    assert replay(console, cookie).status_code == 200  # the id alone signs in: nothing else
    # Another sign-in is another session with another id.
    assert cookie_of(console.login(OF)) != cookie
    assert len(sessions_of(console, OF)) == 2


def test_a_cookie_saved_before_logout_is_worthless_after(console: Any) -> None:
    client = console.login(OF)
    saved = cookie_of(client)
    token = console.csrf_of(client.get(PAGE).text)
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login?signed_out=1"
    assert "Sesión cerrada." in client.get(out.headers["location"]).text
    assert cookie_of(client) != saved  # the browser got a new, anonymous id
    assert client.get(PAGE, follow_redirects=False).status_code == 303
    stolen = replay(console, saved)
    assert stolen.status_code == 303 and stolen.headers["location"].startswith("/login?next=")
    (row,) = sessions_of(console, OF)
    assert (row.ended_at, row.end_reason) == (console.clock.now(), "logout")


ENDINGS: dict[str, Callable[[Any], object]] = {
    "password": lambda ctx: set_password(
        ctx.session, OF, "another-password-1", hasher_for(ctx.settings)
    ),
    "deactivated": lambda ctx: deactivate_user(ctx.session, OF),
    "revoked": lambda ctx: revoke_tokens(ctx.session, OF),
}


@pytest.mark.parametrize("reason", sorted(ENDINGS))
def test_user_changes_end_every_session_and_say_so(console: Any, reason: str) -> None:
    first, second = console.login(OF), console.login(OF)
    bystander = console.login("supervisor")
    saved = [cookie_of(first), cookie_of(second)]
    before = user_changes(console, OF)
    with console.door.write(SYSTEM.via("cli")) as ctx:
        ENDINGS[reason](ctx)
    for cookie in saved:
        response = replay(console, cookie)
        assert response.status_code == 303, reason
        assert "ended=1" in response.headers["location"]
    assert "Su sesión terminó." in first.get("/login?ended=1").text
    assert [(r.end_reason, r.ended_at) for r in sessions_of(console, OF)] == [
        (reason, console.clock.now())
    ] * 2
    assert user_changes(console, OF) == before + 1  # every process drops what it cached
    assert bystander.get(PAGE, follow_redirects=False).status_code == 200
    if reason == "revoked":
        with read_session(console.engine) as s:
            assert s.scalars(select(ApiToken.revoked_at).where(ApiToken.user_id.in_(
                select(User.id).where(User.username == OF)
            ))).all() == [console.clock.now()]  # fmt: skip


def test_a_user_deactivated_behind_the_services_back_is_signed_out(console: Any) -> None:
    client = console.login(OF)
    with console.door.write(SYSTEM) as ctx:
        ctx.session.scalars(select(User).where(User.username == OF)).one().active = False
    assert client.get(PAGE, follow_redirects=False).status_code == 303
    assert [r.end_reason for r in sessions_of(console, OF)] == ["deactivated"]


def test_idle_sessions_end_by_the_clock(console: Any) -> None:
    idle = console.door.settings.session_idle_minutes
    client = console.login(OF)
    for _ in range(3):  # each request keeps it alive
        console.clock.advance(dt.timedelta(minutes=idle - 1))
        assert client.get(PAGE, follow_redirects=False).status_code == 200
    (row,) = sessions_of(console, OF)
    assert row.last_seen_at == console.clock.now()
    saved = cookie_of(client)
    console.clock.advance(dt.timedelta(minutes=idle))
    assert replay(console, saved).status_code == 303
    assert client.get(PAGE, follow_redirects=False).status_code == 303
    (row,) = sessions_of(console, OF)
    assert (row.end_reason, row.ended_at) == ("idle", console.clock.now())


def test_sessions_end_after_the_longest_shift_even_when_busy(console: Any) -> None:
    hours = console.door.settings.session_max_hours
    client = console.login(OF)
    started = console.clock.now()
    while console.clock.now() < started + dt.timedelta(hours=hours) - dt.timedelta(minutes=20):
        console.clock.advance(dt.timedelta(minutes=20))
        assert client.get(PAGE, follow_redirects=False).status_code == 200
    console.clock.set(started + dt.timedelta(hours=hours))
    response = client.get(PAGE, follow_redirects=False)
    assert response.status_code == 303 and "ended=1" in response.headers["location"]
    (row,) = sessions_of(console, OF)
    assert (row.end_reason, row.ended_at) == ("expired", started + dt.timedelta(hours=hours))


def test_touching_writes_at_most_once_a_minute(console: Any) -> None:
    client = console.login(OF)
    console.clock.advance(dt.timedelta(seconds=30))
    client.get(PAGE)
    (row,) = sessions_of(console, OF)
    assert row.last_seen_at == row.created_at  # not written for a request 30 s later
    console.clock.advance(dt.timedelta(seconds=30))
    client.get(PAGE)
    assert sessions_of(console, OF)[0].last_seen_at == console.clock.now()


def test_session_data_is_kept_on_the_server(console: Any) -> None:
    client = console.login(OF)
    token = console.csrf_of(client.get("/console/checkpoint").text)
    client.post("/console/checkpoint", data={"checkpoint": "GUA-ALDAO", "csrf_token": token})
    (row,) = sessions_of(console, OF)
    assert row.data["checkpoint"] == "GUA-ALDAO"
    assert "GUA-ALDAO" not in cookie_of(client)
    assert "GUA-ALDAO" in client.get(PAGE).text  # the next request resumes it


def test_csrf_tokens_are_bound_to_the_session_id(console: Any) -> None:
    client = console.client()
    anonymous = console.csrf_of(client.get("/login").text)
    assert console.csrf_of(client.get("/login").text) == anonymous  # stable for one id
    response = client.post(
        "/login",
        data={"username": OF, "password": "correct-horse-battery", "csrf_token": anonymous},
        follow_redirects=False,
    )
    assert response.status_code == 303
    signed_in = console.csrf_of(client.get(PAGE).text)
    assert signed_in != anonymous  # signing in replaced the id, hence the token
    refused = client.post("/logout", data={"csrf_token": anonymous})
    assert refused.status_code == 403
    other = console.login(OF)
    assert console.csrf_of(other.get(PAGE).text) != signed_in


@pytest.mark.parametrize(
    ("base", "forced", "secure"),
    [("http://testserver", False, False), ("https://testserver", False, True),
     ("http://testserver", True, True)],
)  # fmt: skip
def test_cookies_are_secure_over_https_or_when_configured(
    console: Any, base: str, forced: bool, secure: bool
) -> None:
    from fastapi.testclient import TestClient

    from alcabala.api.app import create_app

    # The fixture's app is already running: a second ``with`` would start its runtime twice.
    opened: Any = contextlib.nullcontext(TestClient(console.app, base_url=base))
    if forced:
        settings = console.door.settings.replace(secure_cookies=True)
        opened = TestClient(create_app(settings, console.clock), base_url=base)
    with opened as client:
        anonymous = client.get("/login").headers["set-cookie"]
        assert ("; Secure" in anonymous) is secure and "HttpOnly" in anonymous
        if forced:  # a Secure cookie is not sent back over plain HTTP: no sign-in there
            return
        response = console.attempt(client, OF, "correct-horse-battery")
        cookies = response.headers.get_list("set-cookie")
        (session,) = [c for c in cookies if c.startswith(SESSION_COOKIE + "=")]
        assert ("; Secure" in session) is secure
        assert "HttpOnly" in session and "SameSite=Lax" in session
        assert f"Max-Age={12 * 3600}" in session


def test_the_session_tables_match_their_migration(console: Any) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from alcabala.db.models import Base

    tables = {"web_sessions", "login_throttles"}
    with console.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, Base.metadata) if _table_of(d) in tables]
    assert diffs == []


def _table_of(diff: object) -> str | None:
    item = diff[0] if isinstance(diff, list) else diff
    assert isinstance(item, tuple)
    if item[0] in {"add_table", "remove_table"}:
        return str(item[1].name)
    table = getattr(item[1], "table", None)
    return str(table.name) if table is not None else str(item[2])
