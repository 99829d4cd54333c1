"""Request dependencies: the database, the signed-in user, and role checks.

Roles are checked on every route through :func:`require`. Bearer tokens are looked up by
their SHA-256; a short in-process cache keeps the hot check path off the database, at the
cost of a revoked token working for up to ``TOKEN_CACHE_SECONDS`` more on this process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from alcabala.accounts.models import Role, User
from alcabala.accounts.services import user_for_token
from alcabala.db.engine import read_session
from alcabala.errors import AuthError, ForbiddenError

TOKEN_CACHE_SECONDS = 10.0
_bearer = HTTPBearer(auto_error=False, description="An API token from `alcabala users add`.")


@dataclass(frozen=True)
class Principal:
    """The signed-in user, detached from any session (safe to cache and pass around)."""

    id: int
    username: str
    role: str
    agency_id: int | None


class TokenCache:
    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> Principal | None:
        with self._lock:
            entry = self._entries.get(token)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, token: str, principal: Principal) -> None:
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[token] = (time.monotonic() + TOKEN_CACHE_SECONDS, principal)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def db_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.runtime.engine
    return engine


def reading(engine: Annotated[Engine, Depends(db_engine)]) -> Iterator[Session]:
    with read_session(engine) as session:
        yield session


def load_principal(request: Request, token: str) -> Principal | None:
    """The token's user from the database (blocking), cached for the next requests."""
    cache: TokenCache = request.app.state.runtime.tokens
    with read_session(request.app.state.runtime.engine) as session:
        user = user_for_token(session, token)
        if user is None:
            return None
        principal = Principal(user.id, user.username, user.role, user.agency_id)
    cache.put(token, principal)
    return principal


async def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The signed-in user. Async on purpose: on the hot path it is a cache hit, and a sync
    dependency would cost a thread hop on every request; a miss reads in the threadpool."""
    session_user = getattr(request.state, "session_user", None)
    if session_user is not None:  # signed in through the web console
        assert isinstance(session_user, Principal)
        return session_user
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthError("Sign in first: send 'Authorization: Bearer <token>'.")
    token = credentials.credentials
    cache: TokenCache = request.app.state.runtime.tokens
    principal = cache.get(token)
    if principal is None:
        principal = await run_in_threadpool(load_principal, request, token)
    if principal is None:
        raise AuthError("Unknown or revoked token.")
    return principal


def actor_of(session: Session, principal: Principal) -> User:
    """The signed-in user as a row of ``session`` (services record it as the actor)."""
    user = session.get(User, principal.id)
    if user is None or not user.active:
        raise AuthError("Your account is no longer active.")
    return user


def require(*roles: Role) -> Callable[..., Any]:
    """A dependency admitting only users with one of ``roles`` (401 without a user, else 403)."""
    allowed = frozenset(r.value for r in roles)
    names = ", ".join(sorted(allowed))

    async def dependency(user: Annotated[Principal, Depends(current_user)]) -> Principal:
        if user.role not in allowed:
            raise ForbiddenError(f"This needs one of the roles: {names}; you are {user.role}.")
        return user

    dependency.allowed_roles = allowed  # type: ignore[attr-defined]
    return dependency


Reading = Annotated[Session, Depends(reading)]
# Record ids in paths: positive and within a 32-bit integer column.
RecordId = Annotated[int, Path(ge=1, le=2**31 - 1)]
# Write routes open ``unit_of_work(db)`` in their body, so that the commit (and any conflict
# it raises) happens before the response is sent.
Db = Annotated[Engine, Depends(db_engine)]
