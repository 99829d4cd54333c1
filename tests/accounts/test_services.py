"""Agencies, users, passwords and tokens (both databases), and the audit helpers."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from alcabala.accounts.audit import audit_lookup, audit_trail, need_reason
from alcabala.accounts.models import ApiToken, AuditEntry
from alcabala.accounts.passwords import hasher_for
from alcabala.accounts.services import (
    add_agency,
    add_user,
    get_agency,
    get_user,
    hash_token,
    revoke_tokens,
    set_password,
    user_for_token,
    verify_password,
)
from alcabala.clock import FixedClock
from alcabala.config import Settings
from alcabala.context import SYSTEM, Actor, Door
from alcabala.db.engine import read_session, unit_of_work
from alcabala.errors import ConflictError, NotFoundError, ValidationError

CHEAP = hasher_for(Settings(argon2_time_cost=1, argon2_memory_kib=8, argon2_parallelism=1))


def test_agencies_are_validated_and_unique(engine: Engine) -> None:
    with unit_of_work(engine) as s:
        agency = add_agency(s, " cicpc ", "Cuerpo de Investigaciones", "police")
        assert agency.code == "CICPC"
    for code, name, kind, field in [
        ("x", "Name", "police", "code"),
        ("OK-1", "Name", "army", "kind"),
        ("OK-2", "  ", "police", "name"),
        ("CICPC", "Again", "police", "code"),
    ]:
        with pytest.raises((ValidationError, ConflictError)) as err, unit_of_work(engine) as s:
            add_agency(s, code, name, kind)
        assert err.value.field == field
    with pytest.raises(NotFoundError) as missing, read_session(engine) as s:
        get_agency(s, "NOPE")
    assert missing.value.field == "agency"


def test_users_get_a_token_shown_once_and_stored_hashed(engine: Engine) -> None:
    with unit_of_work(engine) as s:
        add_agency(s, "GNB", "Guardia", "police")
        user, token = add_user(s, "Ana", "officer", "GNB")
        assert user.username == "ana" and token.startswith("alc_")
    with read_session(engine) as s:
        stored = s.scalars(select(ApiToken.token_hash)).all()
        assert stored == [hash_token(token)] and token not in stored
        found = user_for_token(s, token)
        assert found is not None and found.username == "ana"
        assert user_for_token(s, token + "x") is None
    for name, role, field in [("A", "officer", "username"), ("bob", "king", "role")]:
        with pytest.raises(ValidationError) as err, unit_of_work(engine) as s:
            add_user(s, name, role)
        assert err.value.field == field
    with pytest.raises(ConflictError), unit_of_work(engine) as s:
        add_user(s, "ana", "officer")


def test_passwords_use_the_injected_cost_and_verify(engine: Engine, clock: FixedClock) -> None:
    with unit_of_work(engine) as s:
        user, _ = add_user(s, "ana", "registrar", password="correct-horse", hasher=CHEAP)
        assert user.password_hash is not None and "m=8,t=1,p=1" in user.password_hash
    with read_session(engine) as s:
        assert verify_password(s, "ana", "correct-horse", CHEAP) is not None
        assert verify_password(s, "ANA ", "correct-horse", CHEAP) is not None
        assert verify_password(s, "ana", "wrong-horse!", CHEAP) is None
        assert verify_password(s, "nobody", "correct-horse", CHEAP) is None
    now = clock.now()
    with pytest.raises(ValidationError) as err, unit_of_work(engine) as s:
        set_password(s, "ana", "short", CHEAP, now=now)
    assert err.value.field == "password"
    with pytest.raises(ValueError, match="no clock"), unit_of_work(engine) as s:
        set_password(s, "ana", "new-password-1", CHEAP)  # never the machine's clock
    with unit_of_work(engine) as s:
        set_password(s, "ana", "new-password-1", CHEAP, now=now)
        get_user(s, "ana").active = False
    with read_session(engine) as s:
        assert verify_password(s, "ana", "new-password-1", CHEAP) is None  # deactivated


def test_revoked_and_deactivated_tokens_stop_working(engine: Engine, clock: FixedClock) -> None:
    now = clock.now()
    with unit_of_work(engine) as s:
        _, token = add_user(s, "ana", "officer")
        _, other = add_user(s, "bob", "officer")
    with unit_of_work(engine) as s:
        assert revoke_tokens(s, "ana", now) == 1
        assert revoke_tokens(s, "ana", now) == 0
    with read_session(engine) as s:
        assert user_for_token(s, token) is None
        assert s.scalar(select(ApiToken.revoked_at).where(ApiToken.revoked_at.is_not(None))) == now
        assert user_for_token(s, other) is not None
    with unit_of_work(engine) as s:
        get_user(s, "bob").active = False
    with read_session(engine) as s:
        assert user_for_token(s, other) is None


def test_audit_rows_say_who_how_and_why(door: Door, engine: Engine) -> None:
    with door.write(SYSTEM) as ctx:
        agency = add_agency(ctx.session, "GNB", "Guardia", "police")
        user, _ = add_user(ctx.session, "ana", "officer", "GNB")
        officer = Actor(user.id, "ana", "officer", agency.id, "web", None)
    with door.lookup(officer) as ctx:
        with pytest.raises(ValidationError) as err:
            need_reason(ctx, "  ")
        assert err.value.field == "reason"
        audit_lookup(ctx, "search", "vehicle", "AB123CD", reason=need_reason(ctx, " stop\x00 "))
    with door.lookup(SYSTEM.via("cli")) as ctx:
        assert need_reason(ctx, "") == ""  # only officers and registrars must say why
        rows = audit_trail(ctx, "vehicle", ["AB123CD"], "oversight")
    assert [(r.username, r.role, r.action, r.reason) for r in rows] == [
        ("ana", "officer", "search", "stop")
    ]
    with read_session(engine) as s:
        entries = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [(e.action, e.client, e.agency_id, e.at) for e in entries] == [
            ("search", "web", agency.id, door.clock.now()),
            ("audit", "cli", None, door.clock.now()),  # reading the trail is audited too
        ]
