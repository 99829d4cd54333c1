"""A revoked token or a deactivated officer records no check, whatever a cache says.

- :class:`~alcabala.accounts.deps.TokenCache` drops a user's tokens at once, and a lookup
  that raced the drop does not put them back;
- a ``changes(entity="user")`` row (written when tokens are revoked, a password changes or
  a user is deactivated) reaches the token cache of a running process through its refresh
  loop, within ``REFRESH_SECONDS``; at once when written through that process's own door;
- even with the token still cached (no change row read yet), the recorder refuses, inside
  its write transaction, a check by an inactive officer or with a revoked token: 401, and
  nothing stored.

In one process per test here; ``test_checks_two_processes.py`` runs two real servers.
SQLite and PostgreSQL.
"""

from __future__ import annotations

import functools
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from alcabala.accounts import deps
from alcabala.accounts.deps import TokenCache
from alcabala.accounts.models import ApiToken, AuditEntry
from alcabala.accounts.services import get_user, issue_token, revoke_tokens
from alcabala.checks.models import Check
from alcabala.checks.runtime import REFRESH_SECONDS
from alcabala.config import Settings
from alcabala.context import SYSTEM, Actor, Door
from alcabala.db.engine import make_engine, read_session
from alcabala.db.history import Change, record_change

#: How long a change may take to reach a process: one refresh interval, plus slack for a
#: loaded test machine.
REACH = REFRESH_SECONDS + 2.0


def on_the_apps_loop(api: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Await ``fn(*args, **kwargs)`` on the app's own event loop (the TestClient's portal),
    as a request would."""
    return api.portal.call(functools.partial(fn, *args, **kwargs))


@pytest.fixture
def elsewhere(db_url: str, settings: Settings, clock: Any) -> Iterator[Door]:
    """A door of another process on the same database (the CLI, another server): what it
    writes reaches the app under test only through the database."""
    door = Door(make_engine(db_url), settings, clock)
    yield door
    door.engine.dispose()


def user_changed(door: Door, username: str) -> None:
    """Append ``("user", id)`` to the change sequence (the accounts services do so when they
    revoke, re-password or deactivate; this makes the test independent of which does)."""
    with door.write(SYSTEM) as ctx:
        user = get_user(ctx.session, username)
        record_change(ctx.session, "user", user, ctx.now())


def revoke(door: Door, username: str) -> None:
    with door.write(SYSTEM) as ctx:
        revoke_tokens(ctx.session, username, ctx.now())
    user_changed(door, username)


def deactivate_silently(engine: Engine, username: str) -> None:
    """Deactivate without a change row: as if no process had read it yet."""
    with Door(engine, Settings()).write(SYSTEM) as ctx:
        get_user(ctx.session, username).active = False


def stop() -> dict[str, Any]:
    return {"check_id": str(uuid.uuid4()), "checkpoint": "GUA-ALDAO", "plate": "XY999ZZ"}


def recorded(engine: Engine) -> tuple[int, int]:
    with read_session(engine) as s:
        return (
            s.scalar(select(func.count()).select_from(Check)) or 0,
            s.scalar(select(func.count()).select_from(AuditEntry)) or 0,
        )


def refused_within(api: Any, headers: dict[str, str], seconds: float) -> float:
    """Seconds until a signed-in read with ``headers`` is 401 (fails after ``seconds``)."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if api.get("/v1/checkpoints", headers=headers).status_code == 401:
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError(f"the token still worked {seconds:.1f} s after its revocation")


# -- the cache ---------------------------------------------------------------------------


def test_the_cache_drops_one_users_tokens_at_once() -> None:
    cache = TokenCache()
    ana, beto = Actor(1, "ana", "officer", None), Actor(2, "beto", "officer", None)
    for token, actor in [("a1", ana), ("a2", ana), ("b1", beto)]:
        assert cache.put(token, actor)
    assert cache.drop_users({1}) == 2
    assert cache.get("a1") is None and cache.get("a2") is None
    assert cache.get("b1") == beto
    assert cache.drop_user(1) == 0  # nothing left to drop
    assert cache.drop_user(99) == 0


def test_a_lookup_that_raced_a_drop_is_not_cached() -> None:
    cache = TokenCache()
    ana = Actor(1, "ana", "officer", None)
    since = cache.epoch()  # the lookup starts: reads the database...
    cache.drop_user(1)  # ...the revocation is committed and read meanwhile...
    assert not cache.put("a1", ana, since)  # ...so what the lookup read is not kept
    assert cache.get("a1") is None
    assert cache.put("a1", ana, cache.epoch())  # a lookup after the drop is
    assert cache.put("b1", Actor(2, "beto", "officer", None), since)  # other users are
    since = cache.epoch()
    cache.clear()
    assert not cache.put("a1", ana, since)


def test_the_cache_forgets_old_drops_safely(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TokenCache, "MAX_ENTRIES", 3)
    cache = TokenCache()
    since = cache.epoch()
    cache.drop_users(range(10, 13))
    cache.drop_users({20})  # the record of drops was full: forgotten, and the floor raised
    assert not cache.put("x", Actor(10, "x", "officer", None), since)
    for i in range(5):  # entries are bounded too
        assert cache.put(f"t{i}", Actor(i, "u", "officer", None))
    assert sum(cache.get(f"t{i}") is not None for i in range(5)) <= 3


def test_the_cache_is_keyed_by_the_tokens_digest(api: Any) -> None:
    from alcabala.accounts.services import hash_token

    headers = api.auth_for("officer")
    assert api.get("/v1/checkpoints", headers=headers).status_code == 200
    cache = api.app.state.tokens
    assert cache.get(hash_token(api.tokens["officer"])) is not None
    assert cache.get(api.tokens["officer"]) is None  # the token itself is not kept
    assert deps.TOKEN_CACHE_SECONDS > REFRESH_SECONDS  # what the change sequence shortens


# -- the change sequence reaches the cache ------------------------------------------------


def test_a_revocation_elsewhere_reaches_this_process_within_the_refresh_interval(
    api: Any, elsewhere: Door, engine: Engine
) -> None:
    headers = api.auth_for("officer")
    assert api.post("/v1/checks", json=stop(), headers=headers).status_code == 200  # cached
    before = recorded(engine)
    revoke(elsewhere, "officer")
    assert refused_within(api, headers, REACH) <= REACH
    assert api.post("/v1/checks", json=stop(), headers=headers).status_code == 401
    assert recorded(engine) == before


def test_a_revocation_through_this_process_holds_at_once(api: Any) -> None:
    headers = api.auth_for("officer")
    assert api.get("/v1/checkpoints", headers=headers).status_code == 200
    revoke(api.app.state.door, "officer")  # its after-write hook refreshes at once
    assert api.get("/v1/checkpoints", headers=headers).status_code == 401


def test_any_change_to_a_user_drops_their_cached_tokens(
    api: Any, elsewhere: Door, engine: Engine
) -> None:
    """A password change keeps tokens valid, but what was cached is read again."""
    from alcabala.accounts.services import hash_token

    headers = api.auth_for("supervisor")
    assert api.get("/v1/checkpoints", headers=headers).status_code == 200
    digest = hash_token(api.tokens["supervisor"])
    cache = api.app.state.tokens
    assert cache.get(digest) is not None
    user_changed(elsewhere, "supervisor")
    deadline = time.monotonic() + REACH
    while cache.get(digest) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cache.get(digest) is None
    assert api.get("/v1/checkpoints", headers=headers).status_code == 200  # still valid


# -- the recorder closes the window for writes ---------------------------------------------


def test_a_deactivated_officer_records_nothing_even_while_cached(api: Any, engine: Engine) -> None:
    headers = api.auth_for("officer")
    assert api.post("/v1/checks", json=stop(), headers=headers).status_code == 200  # cached
    before = recorded(engine)
    deactivate_silently(engine, "officer")
    # the cache still admits the token for reads (until the change sequence says so)...
    assert api.get("/v1/checkpoints", headers=headers).status_code == 200
    # ...but no check is recorded with it
    r = api.post("/v1/checks", json=stop(), headers=headers)
    assert r.status_code == 401, r.text
    assert r.json()["error"]["code"] == "unauthorized"
    assert r.headers["www-authenticate"] == "Bearer"
    r = api.post("/v1/checks/batch", json={"stops": [stop(), stop()]}, headers=headers)
    assert r.status_code == 401, r.text
    assert recorded(engine) == before


def test_a_revoked_token_records_nothing_even_while_cached(api: Any, engine: Engine) -> None:
    headers = api.auth_for("officer")
    assert api.post("/v1/checks", json=stop(), headers=headers).status_code == 200  # cached
    with Door(engine, Settings()).write(SYSTEM) as ctx:  # revoked, no change row read yet
        user = get_user(ctx.session, "officer")
        for token in ctx.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
            token.revoked_at = ctx.now()
        fresh = issue_token(ctx.session, user)  # the officer signs in again on another device
    before = recorded(engine)
    assert api.post("/v1/checks", json=stop(), headers=headers).status_code == 401
    assert recorded(engine) == before
    r = api.post("/v1/checks", json=stop(), headers={"Authorization": f"Bearer {fresh}"})
    assert r.status_code == 200, r.text  # the refusal is of the token, not of the officer


def test_a_console_check_by_a_deactivated_officer_records_nothing(api: Any, engine: Engine) -> None:
    """The console has no token: the recorder's check of the officer is what holds."""
    from alcabala.checks.schemas import StopIn
    from alcabala.errors import AuthError

    with read_session(engine) as s:
        user = get_user(s, "officer")
        actor = Actor(user.id, user.username, user.role, user.agency_id).via("web")
    deactivate_silently(engine, "officer")
    runtime = api.app.state.runtime
    with pytest.raises(AuthError):
        on_the_apps_loop(api, runtime.check, [StopIn.model_validate(stop())], actor)
    assert recorded(engine) == (0, 0)


def test_a_user_change_row_is_read_by_the_hotlists_listeners(api: Any, elsewhere: Door) -> None:
    seen: list[set[int]] = []
    loader = api.app.state.runtime.hotlist
    loader.listeners.setdefault("user", []).append(seen.append)
    user_changed(elsewhere, "auditor")
    loader.refresh()
    with read_session(elsewhere.engine) as s:
        auditor = get_user(s, "auditor").id
        assert s.scalar(select(func.count()).select_from(Change)) >= 1
    assert any(auditor in ids for ids in seen)
