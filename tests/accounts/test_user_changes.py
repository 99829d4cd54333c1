"""Password changes, deactivation and token revocation end the user's console sessions and
append ("user", id) to the change sequence; ``alcabala users deactivate`` (both databases)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from alcabala.accounts.models import User, WebSession
from alcabala.accounts.passwords import hasher_for
from alcabala.accounts.services import (
    add_user,
    deactivate_user,
    revoke_tokens,
    set_password,
    user_for_token,
)
from alcabala.accounts.sessions import end_session, expiry, start_session
from alcabala.cli.main import app
from alcabala.config import Settings
from alcabala.context import SYSTEM, Door
from alcabala.db.engine import read_session
from alcabala.db.history import Change
from alcabala.errors import NotFoundError

CHEAP = hasher_for(Settings(argon2_time_cost=1, argon2_memory_kib=8, argon2_parallelism=1))


def changes(engine: Engine) -> list[tuple[str, int, dt.datetime]]:
    with read_session(engine) as s:
        return [(c.entity, c.entity_id, c.at) for c in s.scalars(select(Change).order_by("seq"))]


def test_each_change_ends_the_sessions_and_is_announced(door: Door, engine: Engine) -> None:
    now = door.clock.now()
    with door.write(SYSTEM) as ctx:
        user, _ = add_user(ctx.session, "ana", "officer")
        other, _ = add_user(ctx.session, "bob", "officer")
        start_session(ctx.session, user, now)
        start_session(ctx.session, other, now)
    for change in (
        lambda s: set_password(s, "ana", "new-password-1", CHEAP),
        lambda s: revoke_tokens(s, "ana"),
        lambda s: deactivate_user(s, "ana"),
    ):
        with door.write(SYSTEM) as ctx:
            start_session(ctx.session, user, now)
        with door.write(SYSTEM) as ctx:
            change(ctx.session)  # the time comes from the door's clock
    assert changes(engine) == [("user", user.id, now)] * 3
    with read_session(engine) as s:
        rows = s.scalars(select(WebSession).order_by(WebSession.id)).all()
        assert [(r.user_id, r.end_reason) for r in rows] == [
            (user.id, "password"),
            (other.id, None),
            (user.id, "password"),
            (user.id, "revoked"),
            (user.id, "deactivated"),
        ]
        assert s.scalars(select(User.active).where(User.id == user.id)).one() is False
    with pytest.raises(NotFoundError), door.write(SYSTEM) as ctx:
        deactivate_user(ctx.session, "nobody")


def test_sessions_end_once_and_expire_by_the_clock(door: Door) -> None:
    now = door.clock.now()
    settings = Settings(session_idle_minutes=30, session_max_hours=12)
    with door.write(SYSTEM) as ctx:
        user, _ = add_user(ctx.session, "ana", "officer")
        raw, row_id = start_session(ctx.session, user, now)
    with door.write(SYSTEM) as ctx:
        assert end_session(ctx.session, raw, now) is True
        assert end_session(ctx.session, raw, now) is False  # already over
        assert end_session(ctx.session, "no-such-id", now) is False
        row = ctx.session.get(WebSession, row_id)
        assert row is not None
        assert expiry(row, now + dt.timedelta(minutes=29), settings) is None
        assert expiry(row, now + dt.timedelta(minutes=30), settings) == "idle"
        row.last_seen_at = now + dt.timedelta(hours=11, minutes=59)
        assert expiry(row, now + dt.timedelta(hours=12), settings) == "expired"


def test_users_deactivate_command(db_url: str, engine: Engine) -> None:
    runner = CliRunner()
    env = {"ALCABALA_DATABASE_URL": db_url}
    add = runner.invoke(app, ["users", "add", "ana", "--role", "officer"], env=env)
    assert add.exit_code == 0, add.stderr
    token = add.stdout.strip().splitlines()[-1]
    result = runner.invoke(app, ["users", "deactivate", "ana"], env=env)
    assert result.exit_code == 0 and "deactivated" in result.stdout
    with read_session(engine) as s:
        assert user_for_token(s, token) is None
    assert [c[0] for c in changes(engine)] == ["user"]
    missing = runner.invoke(app, ["users", "deactivate", "nobody"], env=env)
    assert missing.exit_code == 1 and "No user named" in missing.stderr
    revoke = runner.invoke(app, ["users", "revoke-tokens", "ana"], env=env)
    assert revoke.exit_code == 0 and "console sessions ended" in revoke.stdout
