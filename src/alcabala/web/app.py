"""The web console: a FastAPI sub-application mounted at ``/`` behind the JSON API.

The console is its own ASGI app so that its session cookie, CSRF checks, HTML error pages
and language negotiation never touch ``/v1`` (the API stays bearer-token only), while it
shares the API's :class:`~alcabala.checks.runtime.Runtime` (door, hotlist, recorder) and its
role checks: the sub-app's ``state`` holds the same ``runtime``, ``door``, ``tokens`` and
``public_limit`` as the API's, so the dependencies of :mod:`alcabala.accounts.deps` work on
both. Paths the API owns are never matched by the mount, so their 404s and 405s stay the
API's JSON.

Pages are grouped by domain: :mod:`.checks` (the officer's console, verdicts and the hits
queue), :mod:`.vehicles`, :mod:`.persons`, :mod:`.records` (re-validation),
:mod:`.livestock`, :mod:`.oversight` (the dashboard), :mod:`.public` and :mod:`.session`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.routing import Match, Mount
from starlette.types import Scope

from alcabala.accounts.passwords import HashPool
from alcabala.checks.runtime import Runtime
from alcabala.errors import AuthError, Error, ForbiddenError
from alcabala.web import (
    alerts,
    certificates,
    checks,
    complaints,
    complaints_staff,
    custody,
    custody_forms,
    livestock,
    oversight,
    persons,
    public,
    records,
    vehicles,
)
from alcabala.web import log as log_page
from alcabala.web import session as session_routes
from alcabala.web.context import WebContext, session_cookie
from alcabala.web.forms import ERROR_HEADER, INVALID
from alcabala.web.i18n import N_
from alcabala.web.render import redirect, render, translator

log = logging.getLogger("alcabala.web")
STATIC = Path(__file__).parent / "static"
API_PREFIXES = ("/v1/", "/docs", "/redoc", "/openapi.json", "/healthz")
ROUTERS = (
    public.router,
    log_page.router,
    session_routes.router,
    checks.router,
    vehicles.router,
    persons.router,
    records.router,
    livestock.router,
    oversight.router,
    complaints.router,
    complaints_staff.router,
    certificates.router,
    custody.router,
    custody_forms.router,
    alerts.router,
)
NOT_YOUR_ROLE = N_("Your role does not give access to this page. Sign in with another account.")
_STATUS_TITLES = {
    400: N_("The request could not be understood"),
    403: N_("You cannot do this"),
    404: N_("Not found"),
    405: N_("Not allowed"),
    409: N_("Conflict"),
    422: N_("Something in the request is not valid"),
    429: N_("Too many requests"),
    500: N_("Something went wrong"),
}


class ConsoleMount(Mount):
    """Mount at ``/`` that leaves the API's paths to the API."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path: str = scope.get("path", "")
        if path == "/v1" or path.startswith(API_PREFIXES):
            return Match.NONE, {}
        return super().matches(scope)


def error_page(
    request: Request, status: int, message: str = "", code: str | None = None
) -> HTMLResponse:
    t = translator(request)
    title = t.gettext(_STATUS_TITLES.get(status, _STATUS_TITLES[400]))
    headers = {ERROR_HEADER: code} if code else None
    return render(
        request, "error.html", status, headers, title=title, message=message, status=status
    )


def _install_handlers(web: FastAPI) -> None:
    @web.exception_handler(Error)
    async def _domain(request: Request, exc: Error) -> Response:
        t = translator(request)
        if isinstance(exc, AuthError):
            query = {"next": request.url.path}
            if session_cookie(request).ended is not None:
                query["ended"] = "1"  # the page says the session ended (idle, revoked...)
            return redirect(f"/login?{urlencode(query)}")
        if isinstance(exc, ForbiddenError) and exc.code == ForbiddenError.code and not exc.field:
            # a role check (``require``): not a forged form (``csrf``) nor a refused action
            return error_page(request, 403, t.gettext(NOT_YOUR_ROLE), exc.code)
        return error_page(request, exc.http_status, t.gettext(exc.message), exc.code)

    @web.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if request.method == "GET":
            return error_page(request, 404, code="not_found")
        return error_page(request, 422, code=INVALID)

    @web.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        return error_page(request, exc.status_code)

    @web.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        t = translator(request)
        return error_page(request, 500, t.gettext("The error has been logged."))


def build(runtime: Runtime, hash_pool: HashPool) -> FastAPI:
    """The console application, sharing ``runtime`` (and the password ``hash_pool``) with
    the API."""
    web = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    web.state.runtime = runtime
    web.state.door = runtime.door
    web.state.tokens = runtime.tokens
    web.state.public_limit = runtime.public_limit
    web.state.hash_pool = hash_pool
    web.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        web.include_router(router)
    _install_handlers(web)
    return web


def install(app: FastAPI, runtime: Runtime) -> None:
    """Mount the console on ``app`` (after every API route), sharing ``runtime`` and the
    password hash pool of ``app.state.hash_pool``. Its sessions live in the database
    (:mod:`alcabala.web.context`); the session key signs the CSRF tokens."""
    if not runtime.door.settings.secret_key:
        raise ValueError("the console needs settings.secret_key (see Settings.with_secret)")
    hash_pool: HashPool = app.state.hash_pool
    web = build(runtime, hash_pool)
    web.state.complaint_limit = app.state.complaint_limit  # one limit for API and pages
    web.state.certificate_limit = app.state.certificate_limit
    app.state.console = web  # for introspection (the page policy test walks its routes)
    app.router.routes.append(ConsoleMount("/", app=WebContext(web, runtime.door), name="console"))
