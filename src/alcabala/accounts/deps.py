"""Request dependencies every domain's routes use: the door, the signed-in actor, roles.

They live here, below the domains, so that a domain's ``routes.py`` never imports ``api``:
the app (assembled in ``api/``) puts what they read on ``app.state`` —

- ``door``: the process's :class:`~alcabala.context.Door` (engine, settings, clock, and the
  after-write hook that refreshes this process's hotlist);
- ``tokens``: a :class:`TokenCache`;
- ``public_limit``: the :class:`~alcabala.accounts.ratelimit.RateLimiter` of public routes.

Roles are checked on every route through :func:`require`. Bearer tokens are looked up by
their SHA-256; a short in-process cache (:class:`TokenCache`) keeps the hot check path off
the database. It does not outlive a revocation: whenever a user's tokens are revoked, their
password changes or they are deactivated, a ``changes(entity="user")`` row is written, and
every server process's refresh loop (:class:`alcabala.checks.runtime.Runtime`, once a
second) drops that user's cached tokens with :meth:`TokenCache.drop_users`. Writes do not
even wait for that: the recorder refuses, inside its write transaction, a check whose
officer is inactive or whose token is revoked (the digest of the request's token is left on
``request.state.token_hash`` for it). ``TOKEN_CACHE_SECONDS`` remains only as a backstop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from alcabala.accounts.models import Role
from alcabala.accounts.ratelimit import RateLimiter
from alcabala.accounts.services import hash_token, user_for_token
from alcabala.context import Actor, Door
from alcabala.db.engine import read_session
from alcabala.errors import AuthError, ForbiddenError

TOKEN_CACHE_SECONDS = 10.0
_bearer = HTTPBearer(auto_error=False, description="An API token from `alcabala users add`.")


class TokenCache:
    """Actors by token digest, for ``TOKEN_CACHE_SECONDS``, droppable by user at once.

    A lookup that read the database before a drop must not put back what the drop removed:
    :meth:`epoch` is read before the database, and :meth:`put` refuses an actor dropped
    since then."""

    MAX_ENTRIES = 10_000

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Actor]] = {}
        self._by_user: dict[int | None, set[str]] = {}
        self._epoch = 0
        self._dropped: dict[int, int] = {}  # user id -> epoch of its last drop
        self._floor = 0  # drops forgotten before this epoch: refuse puts that began earlier
        self._lock = threading.Lock()

    def epoch(self) -> int:
        """The current drop epoch (read it before looking a token up in the database)."""
        with self._lock:
            return self._epoch

    def get(self, token: str) -> Actor | None:
        with self._lock:
            entry = self._entries.get(token)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, token: str, actor: Actor, since: int | None = None) -> bool:
        """Cache ``actor`` for ``token``, unless the user was dropped after epoch ``since``
        (the lookup raced a revocation); returns whether it was cached."""
        with self._lock:
            if since is not None and (
                since < self._floor
                or (actor.id is not None and self._dropped.get(actor.id, -1) > since)
            ):
                return False
            if len(self._entries) >= self.MAX_ENTRIES:
                self._entries.clear()
                self._by_user.clear()
            self._entries[token] = (time.monotonic() + TOKEN_CACHE_SECONDS, actor)
            self._by_user.setdefault(actor.id, set()).add(token)
            return True

    def drop_users(self, user_ids: Iterable[int]) -> int:
        """Forget every cached token of ``user_ids``; returns how many were dropped."""
        dropped = 0
        with self._lock:
            self._epoch += 1
            if len(self._dropped) >= self.MAX_ENTRIES:
                self._dropped.clear()
                self._floor = self._epoch
            for user_id in user_ids:
                self._dropped[user_id] = self._epoch
                for token in self._by_user.pop(user_id, ()):
                    if self._entries.pop(token, None) is not None:
                        dropped += 1
        return dropped

    def drop_user(self, user_id: int) -> int:
        return self.drop_users((user_id,))

    def clear(self) -> None:
        with self._lock:
            self._epoch += 1
            self._floor = self._epoch
            self._dropped.clear()
            self._entries.clear()
            self._by_user.clear()


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


def load_actor(request: Request, token: str, digest: str | None = None) -> Actor | None:
    """The token's user from the database (blocking), cached (by the token's digest) for
    the next requests unless a revocation raced this lookup."""
    cache: TokenCache = request.app.state.tokens
    since = cache.epoch()
    with read_session(door_of(request).engine) as session:
        user = user_for_token(session, token)
        if user is None:
            return None
        actor = Actor(user.id, user.username, user.role, user.agency_id, "api")
    cache.put(digest or hash_token(token), actor, since)
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
    digest = hash_token(token)
    cache: TokenCache = request.app.state.tokens
    actor = cache.get(digest)
    if actor is None:
        actor = await run_in_threadpool(load_actor, request, token, digest)
    if actor is None:
        raise AuthError("Unknown or revoked token.")
    request.state.token_hash = digest  # the recorder re-checks it when the request writes
    return actor


def token_hash(request: Request) -> str | None:
    """The digest of the bearer token this request was signed in with (None for the
    console's session users)."""
    digest = getattr(request.state, "token_hash", None)
    return digest if isinstance(digest, str) else None


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
