"""The FastAPI application factory.

Domains own their routes (``<domain>/routes.py``); this module assembles them, installs the
error handlers, and holds the per-process runtime (database engine, hotlist, recorder).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from alcabala import __version__
from alcabala.api import errors
from alcabala.api.routers import ROUTERS
from alcabala.api.runtime import Runtime
from alcabala.config import Settings
from alcabala.db.engine import make_engine

API_DESCRIPTION = """
Road checkpoint information system. Every route but the public ones needs
`Authorization: Bearer <token>` (tokens come from `alcabala users add`). Errors are
`{"error": {"code", "message", "field"}}` with a 4xx status.
"""


def create_app(database_url: str | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the API application on the database at ``database_url`` (or the configured one)."""
    settings = settings or Settings.from_env()
    runtime = Runtime(engine=make_engine(database_url or settings.database_url), settings=settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        yield
        await runtime.stop()

    app = FastAPI(
        title="alcabala", version=__version__, description=API_DESCRIPTION, lifespan=lifespan
    )
    app.state.runtime = runtime
    errors.install(app)

    for router in ROUTERS:
        app.include_router(router)

    @app.get("/healthz", tags=["meta"], summary="Liveness probe")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    from alcabala import web

    web.install(app)
    return app
