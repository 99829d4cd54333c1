"""Fixtures of the sign-in, session and hardening tests (SQLite and PostgreSQL, through the
shared ``api`` fixture).

``console``: the ``api`` app with a password set for each of its users, and helpers to sign
in through the form (``console.login(role)``) from a given client address, to fail a sign-in,
and to read the app's database. ``serve``: starts a real uvicorn on a free port over the test
database with the options ``alcabala serve`` would give it, for the proxy-header tests.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

PASSWORD = "correct-horse-battery"


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


class Console:
    """Sign-in helpers over the app of the ``api`` fixture."""

    csrf_of = staticmethod(csrf_of)

    def __init__(self, app: Any, clock: Any, engine: Engine) -> None:
        self.app = app
        self.clock = clock
        self.engine = engine

    @property
    def door(self) -> Any:
        return self.app.state.door

    def client(self, address: str = "testclient", **kwargs: Any) -> Any:
        from fastapi.testclient import TestClient

        return TestClient(self.app, client=(address, 50000), **kwargs)

    def attempt(self, client: Any, username: str, password: str) -> Any:
        """One sign-in through the form (a fresh CSRF token from the sign-in page)."""
        token = csrf_of(client.get("/login").text)
        return client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": token},
            follow_redirects=False,
        )

    def login(self, role: str, address: str = "testclient", **kwargs: Any) -> Any:
        client = self.client(address, **kwargs)
        response = self.attempt(client, role, PASSWORD)
        assert response.status_code == 303, response.text
        return client


@pytest.fixture
def console(api: Any, engine: Engine) -> Console:
    from alcabala.accounts.passwords import hasher_for
    from alcabala.accounts.services import set_password

    door = api.app.state.door
    with door.write(_system()) as ctx:
        for role in api.tokens:
            set_password(ctx.session, role, PASSWORD, hasher_for(door.settings))
    return Console(api.app, api.clock, engine)


def _system() -> Any:
    from alcabala.context import SYSTEM

    return SYSTEM.via("cli")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def serve() -> Iterator[Callable[..., str]]:
    """``serve(app, settings)``: the base URL of a real uvicorn serving ``app`` with the
    proxy options of ``alcabala serve`` for ``settings``; stopped after the test."""
    import uvicorn

    from alcabala.cli.serve import uvicorn_options

    servers: list[tuple[Any, threading.Thread]] = []

    def start(app: Any, settings: Any) -> str:
        port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", **uvicorn_options(settings)
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers.append((server, thread))
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)
