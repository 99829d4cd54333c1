"""One sign-in attempt of the console: the throttle, the password, the audit row, the session.

:func:`sign_in` takes three steps, none of them on the event loop:

1. in the shared threadpool, a read: is the account name or the client address refused
   right now (:mod:`alcabala.accounts.throttle`), and what is the user's password hash;
2. in the :class:`~alcabala.accounts.passwords.HashPool`, argon2 (skipped while refused:
   the right password is refused too; the refusal waits its turn all the same);
3. in the threadpool, a write: on success a new console session
   (:mod:`alcabala.accounts.sessions`) and the account's failure count cleared; on failure
   the failure counted against both keys and an audit row (action ``login_failed``, subject
   kind ``user``, subject the name typed, client ``web``, why and from where in the reason;
   never the password). A refused attempt is audited the same way.

The outcome says which: signed in (with the new session's id for the cookie), wrong, or
refused by a :class:`~alcabala.accounts.throttle.Block`, whose kind and time left the page
shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.concurrency import run_in_threadpool

from alcabala.accounts import throttle
from alcabala.accounts.audit import audit_lookup
from alcabala.accounts.models import User
from alcabala.accounts.passwords import REFUSAL_PAUSE, HashPool, hasher_for
from alcabala.accounts.services import password_matches, password_record
from alcabala.accounts.sessions import start_session
from alcabala.context import SYSTEM, Actor, Door

#: Longest password looked at; a longer one fails without being hashed.
MAX_PASSWORD = 1024
_DOOR = SYSTEM.via("web")


@dataclass(frozen=True)
class Attempt:
    """What was typed (the password apart) and where it came from."""

    username: str
    address: str


@dataclass(frozen=True)
class Prepared:
    block: throttle.Block | None
    user_id: int | None
    stored: str | None


@dataclass(frozen=True)
class Outcome:
    """Signed in (``session_id``, ``row_id``, ``actor``); refused unchecked because of
    ``block``; or wrong (``block``: the wait or lock this failure brought, if any)."""

    session_id: str | None = None
    row_id: int | None = None
    actor: Actor | None = None
    block: throttle.Block | None = None
    refused: bool = False

    @property
    def ok(self) -> bool:
        return self.session_id is not None


def prepare(door: Door, attempt: Attempt) -> Prepared:
    """Step 1 (blocking): the refusal in force, else the user's id and password hash."""
    with door.read(_DOOR) as ctx:
        now = ctx.now()
        block = throttle.blocked(ctx.session, attempt.username, attempt.address, ctx.settings, now)
        if block is not None:
            return Prepared(block, None, None)
        found = password_record(ctx.session, attempt.username)
    return Prepared(None, found[0] if found else None, found[1] if found else None)


def conclude(door: Door, attempt: Attempt, prepared: Prepared, matched: bool) -> Outcome:
    """Step 3 (blocking): the session, or the failure counted and audited."""
    with door.lookup(_DOOR) as ctx:
        now = ctx.now()
        user = ctx.session.get(User, prepared.user_id) if prepared.user_id else None
        if matched and user is not None and user.active:
            throttle.record_success(ctx.session, attempt.username)
            raw, row_id = start_session(ctx.session, user, now)
            actor = Actor(user.id, user.username, user.role, user.agency_id, "web")
            return Outcome(session_id=raw, row_id=row_id, actor=actor)
        block = prepared.block
        refused = block is not None
        if block is not None:
            why = f"refused: {block.kind} {'locked' if block.locked else 'waiting'}"
        else:
            why = "wrong password" if prepared.user_id else "unknown or inactive user"
            block = throttle.record_failure(
                ctx.session, attempt.username, attempt.address, ctx.settings, now
            )
        subject = attempt.username.strip().lower()
        audit_lookup(ctx, "login_failed", "user", subject, reason=f"{why}; from {attempt.address}")
    return Outcome(block=block, refused=refused)


async def sign_in(door: Door, pool: HashPool, attempt: Attempt, password: str) -> Outcome:
    """One attempt, admitted to ``pool`` for its whole course (``HashPoolBusy`` if full) and
    its password checked there (see the module docstring)."""
    async with pool.admitted():
        prepared = await run_in_threadpool(prepare, door, attempt)
        matched = False
        if prepared.block is None:
            stored = prepared.stored if len(password) <= MAX_PASSWORD else None
            hasher = hasher_for(door.settings)
            matched = await pool.run(password_matches, hasher, stored, password)
        else:  # no hash, but the same place in the queue: refusals come no faster
            await pool.hold(REFUSAL_PAUSE)
        return await run_in_threadpool(conclude, door, attempt, prepared, matched)
