"""Fixtures of the web console tests.

``pages``: TestClients on the app of the shared ``api`` fixture (SQLite and PostgreSQL),
signed in per role through the login form; ``pages.clock`` is the app's clock (a
:class:`~alcabala.clock.FixedClock`), so every date a test writes is relative to it and the
suite passes on any day. ``live_server``: a real uvicorn server on 127.0.0.1 over a seeded
SQLite demo database (dated by the system clock), for the browser tests; ``browser``: Debian's
Chromium driven by Playwright (skipped with the reason when it is missing, except under
``CI=true``, where that fails).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = Path("/usr/bin/chromium")
#: A phone's viewport, as the browser tests use it.
PHONE = {"width": 360, "height": 740}
PASSWORD = "correct-horse-battery"
ROLES = ("officer", "registrar", "livestock", "supervisor", "auditor", "admin")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


class Pages:
    """Sign-in helpers over the API app of the ``api`` fixture."""

    def __init__(self, app: Any, clock: Any) -> None:
        self.app = app
        self.clock = clock

    @property
    def door(self) -> Any:
        """The app's :class:`~alcabala.context.Door` (for setting up records as the system)."""
        return self.app.state.door

    def now(self) -> dt.datetime:
        """The app's time (its door's clock)."""
        now: dt.datetime = self.clock.now()
        return now

    def client(self, **headers: str) -> Any:
        from fastapi.testclient import TestClient

        return TestClient(self.app, headers=headers or None)

    def login(self, role: str, lang: str = "es") -> Any:
        client = self.client(**{"Accept-Language": lang})
        token = csrf_of(client.get("/login").text)
        response = client.post(
            "/login",
            data={"username": role, "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        return client


@pytest.fixture
def pages(api: Any, engine: Engine) -> Pages:
    from alcabala.accounts.passwords import hasher_for
    from alcabala.accounts.services import set_password
    from alcabala.db.engine import unit_of_work

    door = api.app.state.door
    assert door.clock is api.clock
    with unit_of_work(engine) as s:
        for role in api.tokens:  # every user of the ``api`` fixture, one per role
            set_password(s, role, PASSWORD, hasher_for(door.settings), now=door.clock.now())
    return Pages(api.app, api.clock)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A real server over a seeded demo database: ``{"url", "engine"}``."""
    import uvicorn

    from alcabala.api.app import create_app
    from alcabala.config import Settings
    from alcabala.context import Door
    from alcabala.db.engine import make_engine
    from alcabala.db.migrate import upgrade
    from alcabala.demo.seed import seed

    base = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{base / 'demo.db'}"
    settings = Settings(
        database_url=url,
        data_dir=base / "data",
        argon2_time_cost=1,
        argon2_memory_kib=8,
        argon2_parallelism=1,
    ).with_secret()
    engine = make_engine(url)
    upgrade(engine)
    seed(Door(engine, settings), vehicles=200)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield {"url": f"http://127.0.0.1:{port}", "engine": engine}
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright, headless."""
    reason = None
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install -y chromium; `make test` does it)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "the playwright package is not installed (pip install -e '.[dev]')"
    if reason is not None:
        if IN_CI:
            pytest.fail(f"browser tests need Chromium in CI: {reason}", pytrace=False)
        pytest.skip(f"browser tests skipped: {reason}")
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def served(api: Any) -> Iterator[str]:
    """The ``api`` fixture's app under uvicorn (lifespan off: the fixture started it)."""
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(api.app, host="127.0.0.1", port=port, log_level="warning")
    config.lifespan = "off"
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def fits(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}-360.png"), full_page=True)
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert fits, f"{name} scrolls sideways at 360 px"
