"""Use cases of accounts: agencies, users, passwords and API tokens.

Passwords are hashed with argon2 (argon2-cffi); API tokens are random, shown once, and only
their SHA-256 is stored, so a stolen database does not hand out working tokens.

Changing a password, deactivating a user and revoking their tokens end the user's console
sessions (:mod:`alcabala.accounts.sessions`) and append ``("user", id)`` to the change
sequence, which every server process follows to drop what it cached about the user (its
token cache). Each takes the time from ``now`` or, when omitted, from the clock of the
:class:`~alcabala.context.Door` that opened the session; never from the machine.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala.accounts.models import Agency, AgencyKind, ApiToken, Role, User
from alcabala.accounts.passwords import DEFAULT_HASHER
from alcabala.accounts.sessions import end_user_sessions
from alcabala.db.base import NOW, table_of
from alcabala.db.history import record_change
from alcabala.errors import ConflictError, NotFoundError, ValidationError
from alcabala.ledger.records import log_changes

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
AGENCY_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")
TOKEN_PREFIX = "alc_"
MIN_PASSWORD = 8


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_agency(
    session: Session, code: str, name: str, kind: str = "police", state: str = ""
) -> Agency:
    code = code.strip().upper()
    if not AGENCY_CODE.match(code):
        raise ValidationError(
            "An agency code is 2–20 capital letters, digits or dashes.", field="code"
        )
    if kind not in {k.value for k in AgencyKind}:
        choices = ", ".join(k.value for k in AgencyKind)
        raise ValidationError(f"Unknown agency kind {kind!r}; use one of {choices}.", field="kind")
    if not name.strip():
        raise ValidationError("An agency needs a name.", field="name")
    if session.scalar(select(Agency.id).where(Agency.code == code)) is not None:
        raise ConflictError(f"Agency {code} already exists.", field="code")
    agency = Agency(code=code, name=name.strip(), kind=kind, state=state.strip())
    session.add(agency)
    session.flush()
    return agency


def get_agency(session: Session, code: str, field: str = "agency") -> Agency:
    agency = session.scalar(select(Agency).where(Agency.code == code.strip().upper()))
    if agency is None:
        raise NotFoundError(f"No agency with code {code!r}.", field=field)
    return agency


def add_user(
    session: Session,
    username: str,
    role: str,
    agency_code: str | None = None,
    password: str | None = None,
    hasher: PasswordHasher = DEFAULT_HASHER,
) -> tuple[User, str]:
    """Create a user and its first API token; returns the user and the token (shown once)."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise ValidationError(
            "A username is 2–64 lowercase letters, digits, dots, dashes or underscores.",
            field="username",
        )
    if role not in {r.value for r in Role}:
        choices = ", ".join(r.value for r in Role)
        raise ValidationError(f"Unknown role {role!r}; use one of {choices}.", field="role")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ConflictError(f"User {username} already exists.", field="username")
    agency = get_agency(session, agency_code) if agency_code else None
    user = User(username=username, role=role, agency=agency)
    if password is not None:
        user.password_hash = _hash_password(password, hasher)
    session.add(user)
    session.flush()
    # Logged, but not on the change sequence: a "user" change drops the user's cached tokens
    # in every process, and a new user has none to drop (the notice would race its first use).
    log_changes(session, "user", table_of(User), [user.id], user.created_at, "created")
    return user, issue_token(session, user)


def _hash_password(password: str, hasher: PasswordHasher) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValidationError(
            f"A password has at least {MIN_PASSWORD} characters.", field="password"
        )
    return hasher.hash(password)


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFoundError(f"No user named {username!r}.", field="username")
    return user


def _now(session: Session, now: dt.datetime | None) -> dt.datetime:
    """``now``, else the time of the clock the session was opened with (``Door``)."""
    if now is not None:
        return now
    clock = session.info.get(NOW)
    if clock is None:
        raise ValueError("no clock: pass now=, or open the session through a Door")
    stamp: dt.datetime = clock()
    return stamp


def _user_changed(session: Session, user: User, now: dt.datetime, ended: str) -> None:
    """End the user's console sessions and tell every process the user changed."""
    end_user_sessions(session, user.id, now, ended)
    record_change(session, "user", user, now, "changed")


def set_password(
    session: Session,
    username: str,
    password: str,
    hasher: PasswordHasher = DEFAULT_HASHER,
    *,
    now: dt.datetime | None = None,
) -> User:
    """Set ``username``'s password; their console sessions end (whoever knew the old one
    is signed out everywhere)."""
    user = get_user(session, username)
    user.password_hash = _hash_password(password, hasher)
    _user_changed(session, user, _now(session, now), "password")
    return user


def deactivate_user(session: Session, username: str, now: dt.datetime | None = None) -> User:
    """Deactivate ``username``: no sign-in, no token, no running console session works any
    more (a departure, a suspension). Nothing is deleted; their records and audit stay."""
    user = get_user(session, username)
    user.active = False
    _user_changed(session, user, _now(session, now), "deactivated")
    return user


def password_record(session: Session, username: str) -> tuple[int, str] | None:
    """The id and password hash of ``username`` if they are active and have a password."""
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None or not user.active or user.password_hash is None:
        return None
    return user.id, user.password_hash


def password_matches(hasher: PasswordHasher, stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the hash ``stored``; without one, the same work is done
    anyway, so that the time taken does not tell whether the user exists."""
    if stored is None:
        hasher.hash("timing-equalizer")
        return False
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_password(
    session: Session, username: str, password: str, hasher: PasswordHasher = DEFAULT_HASHER
) -> User | None:
    """The user if ``password`` is theirs and they are active, else None (blocking: the
    console signs in through :mod:`alcabala.accounts.signin`, off the event loop)."""
    found = password_record(session, username)
    if not password_matches(hasher, found[1] if found else None, password):
        return None
    assert found is not None
    return session.get(User, found[0])


def issue_token(session: Session, user: User) -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token)))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The active user holding ``token``, or None for an unknown or revoked one."""
    row = session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None)
        )
    )
    if row is None or not row.user.active:
        return None
    return row.user


def revoke_tokens(session: Session, username: str, now: dt.datetime | None = None) -> int:
    """Revoke every API token of ``username`` and end their console sessions (a lost phone:
    whatever it was signed in with stops working); the number of tokens revoked."""
    user = get_user(session, username)
    now = _now(session, now)
    tokens = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for token in tokens:
        token.revoked_at = now
    _user_changed(session, user, now, "revoked")
    return len(tokens)
