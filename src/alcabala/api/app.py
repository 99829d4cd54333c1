"""The FastAPI application factory: it only assembles.

Domains own their routes (``<domain>/routes.py``) and the request dependencies live below
them (:mod:`alcabala.accounts.deps`); the per-process state is
:class:`alcabala.checks.runtime.Runtime`. This module builds one of each from one
:class:`~alcabala.config.Settings` and one clock, installs the error handlers, includes every
router, mounts the console and starts the background work (hotlist refresh, sweeps, outbox).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from alcabala import __version__
from alcabala.api import errors
from alcabala.api.routers import ROUTERS
from alcabala.checks.runtime import Runtime
from alcabala.clock import SYSTEM_CLOCK, Clock
from alcabala.config import Settings
from alcabala.context import Door
from alcabala.db.engine import make_engine
from alcabala.notifications.sender import OutboxSender

API_DESCRIPTION = """
Road checkpoint information system. Every route but the public ones needs
`Authorization: Bearer <token>` (tokens come from `alcabala users add`). Errors are
`{"error": {"code", "message", "field"}}` with a 4xx status. Lookups of people and vehicles
are audited; officers and registrars must give a `reason`.
"""


def create_app(settings: Settings, clock: Clock = SYSTEM_CLOCK) -> FastAPI:
    """The API and console on the database of ``settings``, reading time from ``clock``."""
    settings = settings.with_secret()
    door = Door(make_engine(settings.database_url), settings, clock)
    runtime = Runtime(door)
    outbox = OutboxSender(door.engine, settings, clock)
    runtime.services.append((outbox.start, outbox.stop))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        yield
        await runtime.stop()

    app = FastAPI(
        title="alcabala", version=__version__, description=API_DESCRIPTION, lifespan=lifespan
    )
    app.state.runtime = runtime
    app.state.door = door
    app.state.tokens = runtime.tokens
    app.state.public_limit = runtime.public_limit
    errors.install(app)

    for router in ROUTERS:
        app.include_router(router)

    @app.get("/healthz", tags=["meta"], summary="Liveness probe")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    from alcabala import web

    web.install(app, runtime)
    return app
