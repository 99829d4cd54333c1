"""Console sessions on the server: started at sign-in, resumed on each request, ended.

The browser's cookie holds a random id (:func:`new_id`, 256 bits) and nothing else; the
``web_sessions`` table (:class:`~alcabala.accounts.models.WebSession`) holds its SHA-256, the
user, when it started and was last used, what the console keeps between requests, and when
and why it ended. A session is live while it has not ended, its user is active, and the
clock (the door's, never the machine's) is within ``Settings.session_idle_minutes`` of its
last use and ``Settings.session_max_hours`` of its start.

It ends at logout (:func:`end_session`), when the user's password changes, when they are
deactivated or their tokens are revoked (:func:`end_user_sessions`, called by
:mod:`alcabala.accounts.services`), and on the first request after it expired. Since every
request resumes the session from the database, an ended session stops working at once in
every process, and a cookie copied before the end is worth nothing afterwards.

Resuming reads in a read-only transaction. It writes only to end a session that expired or
to move ``last_seen_at``, at most once per :data:`TOUCH_EVERY`, so browsing the console does
not queue behind the checks' writer on SQLite.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alcabala.accounts.models import User, WebSession
from alcabala.config import Settings
from alcabala.context import SYSTEM, Actor, Door

#: How stale ``last_seen_at`` may get before a request writes it again.
TOUCH_EVERY = dt.timedelta(seconds=60)
#: Why a session ended.
END_REASONS = ("logout", "password", "deactivated", "revoked", "idle", "expired")
_BOOKKEEPING = SYSTEM.via("web")


def new_id() -> str:
    """A fresh random session id (what the cookie carries)."""
    return secrets.token_urlsafe(32)


def hash_id(raw: str) -> str:
    """What the table stores of a session id."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Resumed:
    """A live session: its row, its user (as an actor, detached) and its stored data."""

    row_id: int
    actor: Actor
    data: dict[str, Any]


def start_session(session: Session, user: User, now: dt.datetime) -> tuple[str, int]:
    """A new session of ``user``: the id for the cookie (shown once) and the row's id."""
    raw = new_id()
    row = WebSession(
        token_hash=hash_id(raw), user_id=user.id, created_at=now, last_seen_at=now, data={}
    )
    session.add(row)
    session.flush()
    return raw, row.id


def end_session(session: Session, raw: str, now: dt.datetime, reason: str = "logout") -> bool:
    """End the session whose id is ``raw``; False if it was unknown or already over."""
    done = session.execute(
        update(WebSession)
        .where(WebSession.token_hash == hash_id(raw), WebSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )
    return bool(getattr(done, "rowcount", 0))


def end_user_sessions(session: Session, user_id: int, now: dt.datetime, reason: str) -> int:
    """End every running session of the user; how many there were."""
    assert reason in END_REASONS, reason
    done = session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(done, "rowcount", 0))


def expiry(row: WebSession, now: dt.datetime, settings: Settings) -> str | None:
    """Why ``row`` is over at ``now`` by the clock ("expired" or "idle"), or None."""
    if now >= row.created_at + dt.timedelta(hours=settings.session_max_hours):
        return "expired"
    if now >= row.last_seen_at + dt.timedelta(minutes=settings.session_idle_minutes):
        return "idle"
    return None


def resume(door: Door, raw: str) -> Resumed | str | None:
    """The live session named by the cookie id ``raw``; or why the session it named is over
    (ending it now if it just expired or its user was deactivated); or None for an id that
    never was a session (an anonymous visitor's)."""
    now = door.clock.now()
    with door.read(_BOOKKEEPING) as ctx:
        found = ctx.session.execute(
            select(WebSession, User)
            .join(User, WebSession.user_id == User.id)
            .where(WebSession.token_hash == hash_id(raw))
        ).one_or_none()
        if found is None:
            return None
        row, user = found
        if row.ended_at is not None:
            return row.end_reason or "logout"
        why = "deactivated" if not user.active else expiry(row, now, ctx.settings)
        actor = Actor(user.id, user.username, user.role, user.agency_id, "web")
        live = Resumed(row.id, actor, dict(row.data or {}))
        stale = now - row.last_seen_at >= TOUCH_EVERY
    if why is not None or stale:
        # ``lookup``: a write transaction without the after-write hooks (nothing here
        # concerns the hotlist).
        with door.lookup(_BOOKKEEPING) as ctx:
            values: dict[str, Any] = (
                {"ended_at": now, "end_reason": why} if why else {"last_seen_at": now}
            )
            ctx.session.execute(
                update(WebSession)
                .where(WebSession.id == row.id, WebSession.ended_at.is_(None))
                .values(**values)
            )
    return why if why is not None else live


def save_data(door: Door, row_id: int, data: dict[str, Any]) -> None:
    """Store what the console keeps between requests for a session still running."""
    with door.lookup(_BOOKKEEPING) as ctx:
        ctx.session.execute(
            update(WebSession)
            .where(WebSession.id == row_id, WebSession.ended_at.is_(None))
            .values(data=data)
        )


def sign_out(door: Door, raw: str) -> bool:
    """End the session ``raw`` at logout (in its own transaction)."""
    with door.lookup(_BOOKKEEPING) as ctx:
        return end_session(ctx.session, raw, ctx.now())
