"""Sign-in throttling per account and per client address: a growing wait, then a lock with a
clear message; the right password is refused meanwhile; the database holds it, so a second
process refuses alike; every failed or refused attempt is audited, never the password
(SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy import select

from alcabala.accounts.models import AuditEntry, LoginThrottle, WebSession
from alcabala.accounts.throttle import ADDRESS, USER, Limits, keys
from alcabala.config import Settings
from alcabala.db.engine import read_session

RIGHT = "correct-horse-battery"
WRONG = "wrong-horse-battery"
LOCKED_ACCOUNT = "Demasiados intentos fallidos con esta cuenta: queda bloqueada durante"
LOCKED_ADDRESS = "Demasiados intentos fallidos desde su dirección"
WAIT = "Demasiados intentos fallidos. Espere"


def failures(console: Any, kind: str, subject: str) -> int:
    with read_session(console.engine) as s:
        row = s.get(LoginThrottle, (kind, subject))
        return row.failures if row else 0


def fail(console: Any, client: Any, username: str) -> Any:
    """One counted failure: wait out any backoff first (moving the clock), as a patient
    attacker would."""
    while True:
        response = console.attempt(client, username, WRONG)
        if response.status_code != 429 or WAIT not in response.text:
            return response
        console.clock.advance(dt.timedelta(seconds=int(response.headers["retry-after"])))


def audit(console: Any) -> list[AuditEntry]:
    with read_session(console.engine) as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == "login_failed")))


def test_an_account_waits_longer_and_longer_then_locks(console: Any) -> None:
    settings: Settings = console.door.settings
    client = console.client("10.0.0.1")
    for n in range(1, settings.login_backoff_after):
        assert console.attempt(client, "officer", WRONG).status_code == 401, n
    # The failure that reaches the threshold is still a plain "wrong"; the next one waits.
    wrong = console.attempt(client, "officer", WRONG)
    assert wrong.status_code == 401 and "Usuario o contraseña incorrectos." in wrong.text
    waits = []
    for _ in range(settings.login_lock_after - settings.login_backoff_after - 1):
        refused = console.attempt(client, "officer", RIGHT)  # even the right password
        assert refused.status_code == 429 and WAIT in refused.text
        waits.append(int(refused.headers["retry-after"]))
        console.clock.advance(dt.timedelta(seconds=waits[-1]))
        assert console.attempt(client, "officer", WRONG).status_code == 401
    assert waits == [2, 4, 8, 16, 32, 64]  # doubling from login_backoff_seconds
    console.clock.advance(dt.timedelta(seconds=128))
    locked = console.attempt(client, "officer", WRONG)  # the tenth failure locks
    assert locked.status_code == 429 and LOCKED_ACCOUNT in locked.text
    assert "15 minutos" in locked.text and locked.headers["retry-after"] == "900"
    console.clock.advance(dt.timedelta(minutes=14))
    during = console.attempt(console.client("10.9.9.9"), "officer", RIGHT)  # from elsewhere too
    assert during.status_code == 429 and "1 minuto." in during.text
    assert failures(console, USER, "officer") == settings.login_lock_after  # refusals don't count
    console.clock.advance(dt.timedelta(minutes=1))
    assert console.attempt(client, "officer", RIGHT).status_code == 303
    assert failures(console, USER, "officer") == 0  # success clears the account
    assert failures(console, ADDRESS, "10.0.0.1") == settings.login_lock_after  # not the address


def test_the_lock_message_speaks_english_on_request(console: Any) -> None:
    for _ in range(console.door.settings.login_lock_after):
        fail(console, console.client(), "nobody-at-all")
    english = console.client(headers={"Accept-Language": "en"})
    response = console.attempt(english, "nobody-at-all", WRONG)
    assert response.status_code == 429
    assert "Too many failed sign-ins for this account: it is locked for" in response.text


def test_unknown_names_are_throttled_like_real_ones(console: Any) -> None:
    clients = {"officer": console.client("10.7.0.1"), "no-such-user": console.client("10.7.0.2")}
    for name, client in clients.items():
        for _ in range(console.door.settings.login_lock_after):
            fail(console, client, name)
    real, fake = (console.attempt(c, n, WRONG) for n, c in clients.items())
    assert (real.status_code, fake.status_code) == (429, 429)

    csrf_of = console.csrf_of

    def same(text: str, name: str) -> str:
        text = re.sub(r"\d+ minutos", "N minutos", text.replace(name, "X"))
        return text.replace(csrf_of(text), "TOKEN")

    assert same(real.text, "officer") == same(fake.text, "no-such-user")


def test_one_address_spraying_many_accounts_is_locked(console: Any) -> None:
    settings: Settings = console.door.settings
    sprayer = console.client("10.6.6.6")
    for n in range(settings.login_address_lock_after):
        fail(console, sprayer, f"guess-{n}")  # one try per account name
    response = console.attempt(sprayer, "officer", RIGHT)
    assert response.status_code == 429 and LOCKED_ADDRESS in response.text
    # Other addresses and the account itself are untouched.
    assert console.attempt(console.client("10.0.0.2"), "officer", RIGHT).status_code == 303
    last = f"guess-{settings.login_address_lock_after - 1}"
    assert failures(console, USER, last) == 1


def test_counts_start_again_after_a_quiet_window(console: Any) -> None:
    client = console.client()
    for _ in range(2):
        console.attempt(client, "officer", WRONG)
    console.clock.advance(dt.timedelta(minutes=console.door.settings.login_lock_minutes))
    console.attempt(client, "officer", WRONG)
    assert failures(console, USER, "officer") == 1


def test_every_failed_attempt_is_audited_without_the_password(console: Any) -> None:
    client = console.client("10.1.2.3")
    secret = "Sup3r-Secret-Typo"
    for _ in range(3):
        console.attempt(client, " Officer ", secret)
    console.attempt(client, "officer", RIGHT)  # refused while waiting: audited too
    console.attempt(client, "ghost", secret)
    rows = audit(console)
    assert [(r.subject_kind, r.subject, r.client, r.user_id, r.role) for r in rows] == [
        ("user", "officer", "web", None, None)
    ] * 4 + [("user", "ghost", "web", None, None)]
    assert [r.reason for r in rows] == [
        "wrong password; from 10.1.2.3",
        "wrong password; from 10.1.2.3",
        "wrong password; from 10.1.2.3",
        "refused: user waiting; from 10.1.2.3",
        "unknown or inactive user; from 10.1.2.3",
    ]
    assert all(r.at == console.clock.now() for r in rows)
    for row in rows:
        assert secret not in repr(vars(row)) and RIGHT not in repr(vars(row))


def test_a_second_process_on_the_database_refuses_alike(console: Any) -> None:
    from fastapi.testclient import TestClient

    from alcabala.api.app import create_app

    client = console.client()
    for _ in range(console.door.settings.login_lock_after):
        fail(console, client, "officer")
    other_app = create_app(console.door.settings, console.clock)
    with TestClient(other_app, client=("10.3.3.3", 1)) as other:
        response = console.attempt(other, "officer", RIGHT)
    assert response.status_code == 429 and LOCKED_ACCOUNT in response.text


def test_a_full_hash_queue_says_busy(console: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    pool = console.app.state.hash_pool
    monkeypatch.setattr(pool, "_limit", 0)
    response = console.attempt(console.client(), "officer", RIGHT)
    assert response.status_code == 429 and "Hay demasiados inicios de sesión" in response.text
    with read_session(console.engine) as s:
        assert s.scalars(select(WebSession)).all() == []


def test_limits_and_keys() -> None:
    limits = Limits.of(Settings(), USER)
    now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    assert [limits.blocked_until(n, now) for n in (1, 2)] == [None, None]
    assert limits.blocked_until(3, now) == now + dt.timedelta(seconds=2)
    assert limits.blocked_until(9, now) == now + dt.timedelta(seconds=128)
    assert limits.blocked_until(10, now) == now + dt.timedelta(minutes=15)
    address = Limits.of(Settings(), ADDRESS)
    assert (address.backoff_after, address.lock_after) == (10, 30)
    assert keys("  ANA ", "x" * 100) == [(USER, "ana"), (ADDRESS, "x" * 64)]


def test_quiet_rows_are_pruned(console: Any) -> None:
    client = console.client("10.4.4.4")
    console.attempt(client, "once", WRONG)
    console.clock.advance(dt.timedelta(minutes=2 * console.door.settings.login_lock_minutes + 1))
    console.attempt(console.client("10.5.5.5"), "other", WRONG)
    with read_session(console.engine) as s:
        subjects = {(r.kind, r.subject) for r in s.scalars(select(LoginThrottle))}
    assert subjects == {(USER, "other"), (ADDRESS, "10.5.5.5")}
