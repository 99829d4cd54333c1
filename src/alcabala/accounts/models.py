"""Tables of agencies, users, their API tokens and console sessions, sign-in throttles and
the audit trail."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alcabala.db.base import Base, utcnow


class Role(enum.StrEnum):
    """What a user may do; checked on every route."""

    OFFICER = "officer"
    REGISTRAR = "registrar"
    LIVESTOCK = "livestock"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    ADMIN = "admin"
    #: A court's liaison or prosecutor: issues, executes and cancels its court's warrants.
    COURT = "court"
    #: An ombudsman's or inspectorate's staff: owns complaints, whoever they are about.
    OVERSIGHT = "oversight"
    #: A property room's custodian: receives, stores, releases and disposes of seized items.
    CUSTODIAN = "custodian"
    #: A plate-reading camera (or its gateway): sends reads, nothing else.
    CAMERA = "camera"


class AgencyKind(enum.StrEnum):
    POLICE = "police"
    COURT = "court"
    LIVESTOCK = "livestock"
    TRANSIT = "transit"
    CUSTOMS = "customs"
    OVERSIGHT = "oversight"
    OTHER = "other"


class Agency(Base):
    """A police force, court, livestock or transit authority that owns records."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default=AgencyKind.POLICE.value)
    state: Mapped[str] = mapped_column(String(80), default="")
    # Where notifications reach the agency, and in which language ("es" unless "en").
    email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5), default="es", server_default="es")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class User(Base):
    """A person who signs in; ``password_hash`` is argon2 and NULL until a password is set."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency | None] = relationship()


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column()

    user: Mapped[User] = relationship()


class WebSession(Base):
    """A signed-in console session. The browser's cookie holds a random id; only its SHA-256
    is stored, so a stolen database does not hand out working sessions. A session is never
    deleted: it ends (``ended_at``, ``end_reason``: logout, password, deactivated, revoked,
    idle, expired) and stays as the record of who was signed in when."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column()
    ended_at: Mapped[dt.datetime | None] = mapped_column()
    end_reason: Mapped[str | None] = mapped_column(String(20))
    #: What the console keeps between requests (the chosen checkpoint, flash messages).
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default=text("'{}'"))


class LoginThrottle(Base):
    """Failed sign-ins of one account name (``kind`` "user", whether or not it exists) or one
    client address (``kind`` "address") and until when further tries are refused. In the
    database, so that every server process refuses alike."""

    __tablename__ = "login_throttles"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[dt.datetime] = mapped_column(index=True)
    blocked_until: Mapped[dt.datetime | None] = mapped_column()


class AuditEntry(Base):
    """One lookup of a person or vehicle: who asked, about whom, where, when and why.

    Written for every check and every registry search, in the same transaction, and for every
    failed sign-in (action ``login_failed``, subject the username typed, never the password);
    never updated or deleted. Oversight reads it through ``GET /v1/audit``.
    """

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str | None] = mapped_column(String(20))  # the user's role at the time
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    client: Mapped[str] = mapped_column(String(10), default="", server_default="")
    action: Mapped[str] = mapped_column(String(30))  # check, search, public_lookup...
    subject_kind: Mapped[str] = mapped_column(String(20))  # person | vehicle | user
    subject: Mapped[str] = mapped_column(String(40), index=True)  # national ID, VIN or plate
    checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoints.id"))
    check_id: Mapped[str | None] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(String(200), default="")
