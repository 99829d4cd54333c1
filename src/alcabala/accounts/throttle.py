"""Sign-in throttling per account name and per client address, kept in the database.

Each failed sign-in counts against two keys: the account name as typed (whether or not such
a user exists, so the answer never tells which names are real) and the client address. For
each key, after ``backoff_after`` failures every further failure makes the key wait
``login_backoff_seconds``, doubling each time; ``lock_after`` failures lock it for
``login_lock_minutes``. The address gets looser limits than the account (an office behind
one address signs in many people). A key's count starts again after ``login_lock_minutes``
without a failure, counted from the end of its wait or lock; a successful sign-in clears
the account's count but not the address's (one valid account must not unlock guessing at
the others from the same place).

While a key waits or is locked, attempts on it are refused without looking at the password
(the right password is refused too) and are not counted: they tested nothing. The rows are
in the database so that every server process refuses alike; counting locks the two rows
(``SELECT ... FOR UPDATE`` on PostgreSQL, the write lock on SQLite), so concurrent failures
are all counted. Rows quiet for two windows are pruned as failures come in.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import delete, or_, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from alcabala.accounts.models import LoginThrottle
from alcabala.config import Settings

USER = "user"
ADDRESS = "address"
SUBJECT_MAX = 64


@dataclass(frozen=True)
class Limits:
    """One kind of key's thresholds (see the module docstring)."""

    backoff_after: int
    lock_after: int
    backoff: dt.timedelta
    lock: dt.timedelta

    @classmethod
    def of(cls, settings: Settings, kind: str) -> Limits:
        backoff = dt.timedelta(seconds=settings.login_backoff_seconds)
        lock = dt.timedelta(minutes=settings.login_lock_minutes)
        if kind == USER:
            return cls(settings.login_backoff_after, settings.login_lock_after, backoff, lock)
        return cls(
            settings.login_address_backoff_after, settings.login_address_lock_after, backoff, lock
        )

    def blocked_until(self, failures: int, now: dt.datetime) -> dt.datetime | None:
        """Until when a key with ``failures`` (counting the one at ``now``) is refused."""
        if failures >= self.lock_after:
            return now + self.lock
        if failures >= self.backoff_after:
            wait: dt.timedelta = self.backoff * 2 ** (failures - self.backoff_after)
            return now + min(wait, self.lock)
        return None


@dataclass(frozen=True)
class Block:
    """Why attempts are refused: the account or the address waits, or is locked, until."""

    kind: str
    until: dt.datetime
    locked: bool

    def seconds_left(self, now: dt.datetime) -> int:
        return max(1, math.ceil((self.until - now).total_seconds()))

    def minutes_left(self, now: dt.datetime) -> int:
        return max(1, math.ceil(self.seconds_left(now) / 60))


def keys(username: str, address: str) -> list[tuple[str, str]]:
    """The two keys an attempt counts against."""
    return [(USER, username.strip().lower()[:SUBJECT_MAX]), (ADDRESS, address[:SUBJECT_MAX])]


def _block(row: LoginThrottle, settings: Settings, now: dt.datetime) -> Block | None:
    if row.blocked_until is None or row.blocked_until <= now:
        return None
    locked = row.failures >= Limits.of(settings, row.kind).lock_after
    return Block(row.kind, row.blocked_until, locked)


def _worst(blocks: list[Block | None]) -> Block | None:
    """A lock before a wait, then the one lasting longest."""
    found = [b for b in blocks if b is not None]
    return max(found, key=lambda b: (b.locked, b.until)) if found else None


def blocked(
    session: Session, username: str, address: str, settings: Settings, now: dt.datetime
) -> Block | None:
    """Why an attempt by ``username`` from ``address`` must be refused now, or None."""
    rows = session.scalars(
        select(LoginThrottle).where(
            tuple_(LoginThrottle.kind, LoginThrottle.subject).in_(keys(username, address))
        )
    ).all()
    return _worst([_block(row, settings, now) for row in rows])


def _insert_missing(session: Session, kind: str, subject: str, now: dt.datetime) -> None:
    """Create the key's row unless it exists (a concurrent attempt may be creating it)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(LoginThrottle)
        .values(kind=kind, subject=subject, failures=0, last_failure_at=now)
        .on_conflict_do_nothing()
    )


def record_failure(
    session: Session, username: str, address: str, settings: Settings, now: dt.datetime
) -> Block | None:
    """Count a failed attempt against both keys; the block it brought, if any."""
    blocks = []
    for kind, subject in keys(username, address):
        limits = Limits.of(settings, kind)
        _insert_missing(session, kind, subject, now)
        row = session.execute(
            select(LoginThrottle)
            .where(LoginThrottle.kind == kind, LoginThrottle.subject == subject)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one()
        quiet_since = max(row.last_failure_at, row.blocked_until or row.last_failure_at)
        if row.failures and now - quiet_since >= limits.lock:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        row.blocked_until = limits.blocked_until(row.failures, now)
        blocks.append(_block(row, settings, now))
    prune(session, settings, now)
    return _worst(blocks)


def record_success(session: Session, username: str) -> None:
    """A successful sign-in clears the account's count (not the address's)."""
    user_key = keys(username, "")[0]
    session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.kind == user_key[0], LoginThrottle.subject == user_key[1]
        ),
        execution_options={"synchronize_session": False},
    )


def prune(session: Session, settings: Settings, now: dt.datetime) -> None:
    """Forget keys without a failure for two windows and no longer refused."""
    horizon = now - 2 * dt.timedelta(minutes=settings.login_lock_minutes)
    session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.last_failure_at < horizon,
            or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until < now),
        ),
        execution_options={"synchronize_session": False},
    )
