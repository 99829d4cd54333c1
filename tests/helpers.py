"""Small helpers shared by the HTTP tests: a JSON post that checks its status, a console
client signed in through the real login form (with its CSRF token), and a coroutine run on
an event loop of its own."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coroutine)`` on a thread of its own: the browser tests' Playwright keeps
    an event loop running on the main thread of the worker, where ``asyncio.run`` refuses."""
    result: list[T] = []
    failure: list[BaseException] = []

    def main() -> None:
        try:
            result.append(asyncio.run(coroutine))
        except BaseException as exc:  # re-raised on the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=main, name="test-event-loop")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result[0]


PASSWORD = "correct-horse-battery"


def post(api: Any, path: str, role: str, body: dict[str, Any], status: int = 201) -> Any:
    """POST ``body`` as ``role`` through the API and return the JSON (asserting ``status``)."""
    r = api.post(path, json=body, headers=api.auth_for(role))
    assert r.status_code == status, r.text
    return r.json()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(client: Any, username: str, password: str = PASSWORD) -> Any:
    """Post the console's sign-in form (with its CSRF token) from ``client``; the response,
    not followed (303 to the user's home page when it worked)."""
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_of(client.get("/login").text),
        },
        follow_redirects=False,
    )


def console_login(api: Any, username: str, password: str = PASSWORD) -> tuple[Any, str]:
    """A TestClient on ``api``'s app signed in as ``username``, and its CSRF token."""
    from fastapi.testclient import TestClient

    client = TestClient(api.app)
    r = sign_in(client, username, password)
    assert r.status_code == 303, r.text
    return client, csrf_of(client.get("/").text)


def wait_healthy(url: str, proc: Any, deadline: float, logs: Any) -> None:
    """Wait until the server process ``proc`` answers ``/healthz`` at ``url``; raise with
    its ``logs()`` if it exits or ``deadline`` (``time.monotonic``) passes first."""
    import time

    import httpx

    while True:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"server did not start: {logs()}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)


def stop_processes(procs: list[Any], timeout: float = 20) -> None:
    """SIGTERM every process (they drain and stop their runtimes), then SIGKILL stragglers."""
    import subprocess

    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def integrate_all(engine: Any, signer: Any, origin: str, clock: Any) -> None:
    """Integrate every pending log entry now, as the server's integrator would."""
    from alcabala.ledger.integrator import integrate

    while integrate(engine, signer, origin, clock) is not None:
        pass


def migration_round_trip(tmp_path: Any, tables: set[str], down_to: str) -> Any:
    """Migrate a fresh SQLite file to head, assert the models match it and hold ``tables``,
    downgrade to ``down_to`` and assert they are gone; returns the engine (disposed by the
    caller) for further checks."""
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import inspect

    from alcabala.db.base import Base
    from alcabala.db.engine import make_engine
    from alcabala.db.migrate import alembic_config, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    assert set(inspect(engine).get_table_names()) >= tables
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, down_to)
    assert not tables & set(inspect(engine).get_table_names())
    return engine
