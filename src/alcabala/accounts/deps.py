"""Request dependencies every domain's routes use: the door, the signed-in actor, roles.

They live here, below the domains, so that a domain's ``routes.py`` never imports ``api``:
the app (assembled in ``api/``) puts what they read on ``app.state`` —

- ``door``: the process's :class:`~alcabala.context.Door` (engine, settings, clock, and the
  after-write hook that refreshes this process's hotlist);
- ``tokens``: a :class:`TokenCache`;
- ``public_limit``: the :class:`~alcabala.accounts.ratelimit.RateLimiter` of public routes.

Roles are checked on every route through :func:`require`. Bearer tokens are looked up by
their SHA-256; a short in-process cache keeps the hot check path off the database, at the
cost of a revoked token working for up to ``TOKEN_CACHE_SECONDS`` more on this process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from alcabala.accounts.models import Role
from alcabala.accounts.ratelimit import RateLimiter
from alcabala.accounts.services import user_for_token
from alcabala.context import Actor, Door
from alcabala.db.engine import read_session
from alcabala.errors import AuthError, ForbiddenError

TOKEN_CACHE_SECONDS = 10.0
_bearer = HTTPBearer(auto_error=False, description="An API token from `alcabala users add`.")


class TokenCache:
    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Actor]] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> Actor | None:
        with self._lock:
            entry = self._entries.get(token)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, token: str, actor: Actor) -> None:
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[token] = (time.monotonic() + TOKEN_CACHE_SECONDS, actor)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def door_of(request: Request) -> Door:
    door: Door = request.app.state.door
    return door


def reading(door: Annotated[Door, Depends(door_of)]) -> Iterator[Session]:
    """A read-only session, for routes that name nobody (checkpoints, receipts)."""
    with read_session(door.engine) as session:
        yield session


def public_limit(request: Request) -> None:
    """Rate-limit a public route per client address (429 when exceeded)."""
    limiter: RateLimiter = request.app.state.public_limit
    limiter.check(request)


def load_actor(request: Request, token: str) -> Actor | None:
    """The token's user from the database (blocking), cached for the next requests."""
    cache: TokenCache = request.app.state.tokens
    with read_session(door_of(request).engine) as session:
        user = user_for_token(session, token)
        if user is None:
            return None
        actor = Actor(user.id, user.username, user.role, user.agency_id, "api")
    cache.put(token, actor)
    return actor


async def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The signed-in user. Async on purpose: on the hot path it is a cache hit, and a sync
    dependency would cost a thread hop on every request; a miss reads in the threadpool."""
    session_user = getattr(request.state, "session_user", None)
    if session_user is not None:  # signed in through the web console
        assert isinstance(session_user, Actor)
        return session_user
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthError("Sign in first: send 'Authorization: Bearer <token>'.")
    token = credentials.credentials
    cache: TokenCache = request.app.state.tokens
    actor = cache.get(token)
    if actor is None:
        actor = await run_in_threadpool(load_actor, request, token)
    if actor is None:
        raise AuthError("Unknown or revoked token.")
    return actor


def require(*roles: Role) -> Callable[..., Any]:
    """A dependency admitting only users with one of ``roles`` (401 without a user, else 403)."""
    allowed = frozenset(r.value for r in roles)
    names = ", ".join(sorted(allowed))

    async def dependency(user: Annotated[Actor, Depends(current_user)]) -> Actor:
        if user.role not in allowed:
            raise ForbiddenError(f"This needs one of the roles: {names}; you are {user.role}.")
        return user

    dependency.allowed_roles = allowed  # type: ignore[attr-defined]
    return dependency


DoorDep = Annotated[Door, Depends(door_of)]
Reading = Annotated[Session, Depends(reading)]
PublicLimit = Depends(public_limit)
# Record ids in paths: positive and within a 32-bit integer column.
RecordId = Annotated[int, Path(ge=1, le=2**31 - 1)]
