"""Fixtures of the notification tests: recipients made directly with the ORM, a queueing
helper, a fixed time, and a real SMTP server (aiosmtpd) on a free local port.

The recipients are built with the models, not through the persons or accounts services,
so these tests do not depend on code that changes for other reasons.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine

from alcabala.accounts.models import Agency
from alcabala.config import Settings
from alcabala.db.engine import unit_of_work
from alcabala.notifications.services import enqueue
from alcabala.persons.models import Person

NOW = dt.datetime(2026, 3, 14, 9, 30, tzinfo=dt.UTC)

PARAMS = {
    "plate": "AB123CD",
    "make": "Toyota",
    "model": "Corolla",
    "vin": "JTDBR32E720123456",
    "number": "CICPC-2026-0042",
    "agency_name": "Cuerpo de Investigaciones Científicas",
    "recovered_at": "2026-03-14 09:30 UTC",
}


@pytest.fixture
def now() -> dt.datetime:
    return NOW


@pytest.fixture
def params() -> dict[str, str]:
    return dict(PARAMS)


@pytest.fixture
def recipients(engine: Engine) -> dict[str, int]:
    """Ids of: ``es`` (Spanish, with e-mail), ``en`` (English), ``default`` (language left
    to the column default), ``noemail`` (no address), ``agency`` (English, with e-mail)."""
    with unit_of_work(engine) as s:
        agency = Agency(
            code="CICPC", name="CICPC", kind="police", email="flota@cicpc.example", language="en"
        )
        people = {
            "es": Person(national_id="V1", country="VE", email="ana@example.com", language="es"),
            "en": Person(national_id="V2", country="VE", email="bob@example.com", language="en"),
            "default": Person(national_id="V3", country="VE", email="carla@example.com"),
            "noemail": Person(national_id="V4", country="VE", email=None, language="es"),
        }
        s.add_all([agency, *people.values()])
        s.flush()
        ids = {name: p.id for name, p in people.items()}
        ids["agency"] = agency.id
    return ids


@pytest.fixture
def queue(engine: Engine, params: dict[str, str]) -> Callable[..., int]:
    """``queue(person_id=..., agency_id=..., **param_overrides)``: enqueue one
    ``vehicle_recovered`` message in its own committed transaction; returns its id."""

    def _queue(
        *, person_id: int | None = None, agency_id: int | None = None, **overrides: str
    ) -> int:
        with unit_of_work(engine) as s:
            n = enqueue(
                s,
                "vehicle_recovered",
                {**params, **overrides},
                person_id=person_id,
                agency_id=agency_id,
                now=NOW,
            )
            s.flush()
            return n.id

    return _queue


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (just now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Collector:
    """An aiosmtpd handler that keeps every message it accepts and refuses the addresses
    in ``refuse``."""

    refuse: set[str] = field(default_factory=set)
    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(mail, EmailMessage)
        with self.lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), mail))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    port: int
    handler: Collector

    def settings(self, **changes: Any) -> Settings:
        return Settings(
            notifier="smtp",
            smtp_host="127.0.0.1",
            smtp_port=self.port,
            smtp_sender="alcabala@alcabala.example",
            **changes,
        )


SmtpFactory = Callable[..., SmtpServer]


@pytest.fixture
def smtp_factory() -> Iterator[SmtpFactory]:
    """``smtp_factory(port=None, **server_options)``: start a real SMTP server on 127.0.0.1
    (a free port unless given) that collects what it accepts; all are stopped afterwards.
    ``server_options`` go to aiosmtpd's ``SMTP`` (an authenticator, ``auth_required``...)."""
    controllers: list[Controller] = []

    def start(port: int | None = None, **server_options: Any) -> SmtpServer:
        handler = Collector()
        server = SmtpServer(port or free_port(), handler)
        controller = Controller(handler, hostname="127.0.0.1", port=server.port, **server_options)
        controller.start()
        controllers.append(controller)
        return server

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def unreachable_smtp() -> Settings:
    """SMTP settings naming a local port that nothing listens on."""
    return Settings(notifier="smtp", smtp_host="127.0.0.1", smtp_port=free_port())


@pytest.fixture
def smtp_server(smtp_factory: SmtpFactory) -> SmtpServer:
    """A real SMTP server on 127.0.0.1 that accepts and collects messages."""
    return smtp_factory()
