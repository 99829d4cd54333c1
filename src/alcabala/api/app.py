"""The FastAPI application factory: it only assembles.

Domains own their routes (``<domain>/routes.py``) and the request dependencies live below
them (:mod:`alcabala.accounts.deps`); the per-process state is
:class:`alcabala.checks.runtime.Runtime`. This module builds one of each from one
:class:`~alcabala.config.Settings` and one clock, installs the error handlers, includes every
router, mounts the console and starts the background work (hotlist refresh, sweeps, outbox,
and the log's integrator when the log has a key).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

from alcabala import __version__
from alcabala.accounts.passwords import HashPool
from alcabala.api import errors
from alcabala.api.routers import ROUTERS
from alcabala.certificates.runtime import limiter_for as certificate_limiter
from alcabala.checks.runtime import Runtime
from alcabala.clock import SYSTEM_CLOCK, Clock
from alcabala.complaints.runtime import limiter_for
from alcabala.config import Settings
from alcabala.context import Door
from alcabala.db.engine import make_engine
from alcabala.ledger.integrator import integrator_for
from alcabala.ledger.keystore import key_path
from alcabala.notifications.sender import OutboxSender
from alcabala.sightings.detector import DetectionWorker

API_DESCRIPTION = """
Road checkpoint information system. Every route but the public ones needs
`Authorization: Bearer <token>` (tokens come from `alcabala users add`). Errors are
`{"error": {"code", "message", "field"}}` with a 4xx status. Lookups of people and vehicles
are audited; officers and registrars must give a `reason`.
"""


def create_app(settings: Settings, clock: Clock = SYSTEM_CLOCK) -> FastAPI:
    """The API and console on the database of ``settings``, reading time from ``clock``."""
    settings = settings.with_secret()
    replica = make_engine(settings.read_database_url) if settings.read_database_url else None
    door = Door(make_engine(settings.database_url), settings, clock, replica=replica)
    runtime = Runtime(door)
    outbox = OutboxSender(door.engine, settings, clock)
    runtime.services.append((outbox.start, outbox.stop))
    if settings.detection_seconds > 0:
        detection = DetectionWorker(door, settings.detection_seconds)
        runtime.services.append((detection.start, detection.stop))
    if key_path(settings).exists():  # without a key entries wait, pending, for one
        integrator = integrator_for(door.engine, settings, clock)
        runtime.services.append((integrator.start, integrator.stop))
    hash_pool = HashPool.for_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        yield
        await runtime.stop()
        hash_pool.close()

    app = FastAPI(
        title="alcabala",
        version=__version__,
        description=API_DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.door = door
    app.state.tokens = runtime.tokens
    app.state.public_limit = runtime.public_limit
    app.state.complaint_limit = limiter_for(settings)
    app.state.certificate_limit = certificate_limiter(settings)
    app.state.hash_pool = hash_pool
    errors.install(app)
    app.add_middleware(errors.SecurityHeaders)
    _install_docs(app)

    for router in ROUTERS:
        app.include_router(router)

    @app.get("/healthz", tags=["meta"], summary="Liveness probe")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    from alcabala import web

    web.install(app, runtime)
    return app


def _with_policy(page: HTMLResponse, **extra: tuple[str, ...]) -> HTMLResponse:
    page.headers["content-security-policy"] = errors.page_policy(bytes(page.body).decode(), **extra)
    return page


def _install_docs(app: FastAPI) -> None:
    """``/docs`` and ``/redoc``, each with the CSP of exactly what it loads."""
    title = app.title

    @app.get("/docs", include_in_schema=False)
    async def swagger(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        page = get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{title} - Swagger UI",
            swagger_ui_parameters={"validatorUrl": None},
        )
        return _with_policy(page)

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        page = get_redoc_html(openapi_url=f"{root}{app.openapi_url}", title=f"{title} - ReDoc")
        return _with_policy(page, fonts=("https://fonts.gstatic.com",), workers=("blob:",))
