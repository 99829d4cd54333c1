"""The SMTP notifier against a real SMTP server (aiosmtpd on 127.0.0.1, started by the
test), on SQLite and PostgreSQL: what the recipient receives, login, a refused recipient,
and a server that is not there (messages stay queued, no attempt counted)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from aiosmtpd.smtp import AuthResult
from sqlalchemy import Engine

from alcabala.config import Settings
from alcabala.db.engine import read_session, unit_of_work
from alcabala.notifications.models import Notification
from alcabala.notifications.notifiers import SmtpNotifier, notifier_for
from alcabala.notifications.services import send_pending

Queue = Callable[..., int]


def load(engine: Engine, notification_id: int) -> Notification:
    with read_session(engine) as s:
        n = s.get(Notification, notification_id)
        assert n is not None
        return n


def test_messages_reach_the_smtp_server_in_each_recipients_language(
    engine: Engine, recipients: dict[str, int], queue: Queue, now: dt.datetime, smtp_server: Any
) -> None:
    es = queue(person_id=recipients["es"])
    en = queue(person_id=recipients["en"])
    agency = queue(agency_id=recipients["agency"])
    notifier = notifier_for(smtp_server.settings())
    assert isinstance(notifier, SmtpNotifier)
    with unit_of_work(engine) as s:
        assert send_pending(s, notifier, now) == 3

    received = smtp_server.handler.received
    assert [rcpt for _, rcpt, _ in received] == [
        ["ana@example.com"],
        ["bob@example.com"],
        ["flota@cicpc.example"],
    ]
    mail_from, _, spanish = received[0]
    assert mail_from == "alcabala@alcabala.example"
    assert spanish["From"] == "alcabala@alcabala.example"
    assert spanish["To"] == "ana@example.com"
    assert spanish["Subject"] == "Su vehículo AB123CD (Toyota Corolla) fue recuperado"
    assert spanish["Content-Language"] == "es"
    assert spanish["Message-ID"] == f"<notification-{es}@alcabala.example>"
    assert spanish["Date"] == "Sat, 14 Mar 2026 09:30:00 +0000"
    body = spanish.get_content()
    assert "Denuncia CICPC-2026-0042" in body
    assert "bajo custodia de Cuerpo de Investigaciones Científicas" in body

    _, _, english = received[1]
    assert english["To"] == "bob@example.com"
    assert english["Subject"] == "Your vehicle AB123CD (Toyota Corolla) was recovered"
    assert english["Content-Language"] == "en"
    assert "the vehicle with VIN JTDBR32E720123456 was recovered on 2026-03-14 09:30 UTC" in (
        english.get_content()
    )
    assert received[2][2]["Subject"].startswith("Your vehicle")  # the agency reads English

    for nid in (es, en, agency):
        n = load(engine, nid)
        assert (n.sent_at, n.attempts, n.last_error) == (now, 1, "")
    with unit_of_work(engine) as s:
        assert send_pending(s, notifier, now) == 0
    assert len(received) == 3


def test_the_notifier_logs_in_when_configured(
    engine: Engine, recipients: dict[str, int], queue: Queue, now: dt.datetime, smtp_factory: Any
) -> None:
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        logins.append((data.login, data.password))
        # handled=False: aiosmtpd answers 535 itself when the password is wrong.
        return AuthResult(success=data.password == b"s3creto", handled=False)

    server = smtp_factory(authenticator=authenticator, auth_require_tls=False)
    nid = queue(person_id=recipients["es"])
    wrong = SmtpNotifier(server.settings(smtp_username="flota", smtp_password="nope"))
    with unit_of_work(engine) as s:
        assert send_pending(s, wrong, now) == 0
    n = load(engine, nid)
    assert (n.sent_at, n.attempts) == (None, 0)  # a server we cannot use: not the message's fault
    assert "cannot use SMTP server" in n.last_error

    right = SmtpNotifier(server.settings(smtp_username="flota", smtp_password="s3creto"))
    with unit_of_work(engine) as s:
        assert send_pending(s, right, now) == 1
    assert logins[-1] == (b"flota", b"s3creto")
    assert [rcpt for _, rcpt, _ in server.handler.received] == [["ana@example.com"]]


def test_a_refused_recipient_counts_an_attempt_and_the_others_go_out(
    engine: Engine, recipients: dict[str, int], queue: Queue, now: dt.datetime, smtp_server: Any
) -> None:
    smtp_server.handler.refuse.add("bob@example.com")
    es, en, default = (queue(person_id=recipients[k]) for k in ("es", "en", "default"))
    with unit_of_work(engine) as s:
        assert send_pending(s, SmtpNotifier(smtp_server.settings()), now) == 2
    assert [rcpt for _, rcpt, _ in smtp_server.handler.received] == [
        ["ana@example.com"],
        ["carla@example.com"],
    ]
    refused = load(engine, en)
    assert (refused.sent_at, refused.attempts) == (None, 1)
    assert refused.last_error.startswith("recipient refused: bob@example.com: 550")
    assert load(engine, es).sent_at == now and load(engine, default).sent_at == now


def test_no_email_address_is_not_sent_over_smtp(
    engine: Engine, recipients: dict[str, int], queue: Queue, now: dt.datetime, smtp_server: Any
) -> None:
    nid = queue(person_id=recipients["noemail"])
    with unit_of_work(engine) as s:
        assert send_pending(s, SmtpNotifier(smtp_server.settings()), now) == 0
    n = load(engine, nid)
    assert (n.sent_at, n.attempts, n.last_error) == (None, 1, "no e-mail address")
    assert smtp_server.handler.received == []


def test_a_server_that_is_not_there_leaves_every_message_queued(
    engine: Engine,
    recipients: dict[str, int],
    queue: Queue,
    now: dt.datetime,
    unreachable_smtp: Settings,
    smtp_factory: Any,
) -> None:
    ids = [queue(person_id=recipients[k]) for k in ("es", "en")]
    notifier = SmtpNotifier(unreachable_smtp, timeout=2.0)
    for _ in range(3):
        with unit_of_work(engine) as s:
            assert send_pending(s, notifier, now) == 0
    first, second = (load(engine, nid) for nid in ids)
    assert (first.sent_at, first.attempts) == (None, 0)
    assert first.last_error.startswith(
        f"cannot use SMTP server 127.0.0.1:{unreachable_smtp.smtp_port}"
    )
    assert (second.sent_at, second.attempts, second.last_error) == (None, 0, "")

    # The server comes up on that port: the queue drains.
    server = smtp_factory(port=unreachable_smtp.smtp_port)
    with unit_of_work(engine) as s:
        assert send_pending(s, notifier, now) == 2
    assert len(server.handler.received) == 2
    assert load(engine, ids[0]).last_error == ""
