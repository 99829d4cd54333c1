"""Every failure becomes ``{"error": {"code", "message", "field"}}`` with a 4xx status; every
response, failure or not, carries the security headers.

A 500 is a bug: it is logged with its traceback and answered with the same JSON shape,
never with a stack trace.

:class:`SecurityHeaders` wraps the whole app (API, docs and console): a strict
Content-Security-Policy (nothing from another site, no framing), ``nosniff``, ``DENY`` and
``same-origin`` referrers on every response, and ``Cache-Control: no-store`` on every answer
to a request carrying credentials (``Authorization``). A route may set its own CSP: the
API docs do, with :func:`page_policy`, which allows exactly the scripts, styles and images
their page loads from the CDN, the hashes of its inline scripts, and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from alcabala.errors import Error

log = logging.getLogger("alcabala.api")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def error_body(code: str, message: str, field: str | None = None) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "field": field}}


def install(app: FastAPI) -> None:
    @app.exception_handler(Error)
    async def _domain(_: Request, exc: Error) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
        return JSONResponse(exc.to_dict(), status_code=exc.http_status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
        message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
        return JSONResponse(error_body("invalid", message, ".".join(loc) or None), 422)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        return JSONResponse(error_body(code, str(exc.detail)), exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        # Answered by the outermost middleware, outside SecurityHeaders: add them here.
        body = error_body("internal", "Internal error; it has been logged.")
        return JSONResponse(body, 500, headers=SECURITY_HEADERS)


# Everything comes from this site: no script, style, font or frame from another one.
STRICT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": STRICT_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
_SCRIPT_SRC = re.compile(r'<script[^>]*\ssrc="([^"]+)"')
_LINK = re.compile(r"<link[^>]*>")
_HREF = re.compile(r'\shref="([^"]+)"')


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else "'self'"


def _sources(values: list[str]) -> str:
    return " ".join(dict.fromkeys(values))


def page_policy(html: str, fonts: tuple[str, ...] = (), workers: tuple[str, ...] = ()) -> str:
    """The CSP of a page loading third-party code (the API docs), read off its HTML: scripts
    from the origins of its ``<script src>`` plus the SHA-256 of each inline script; styles
    from its stylesheets' origins and inline (the libraries set styles at run time); images
    from this site, ``data:`` and its icon's origin; fonts and workers only as given;
    requests to this site only; no framing, no base, no form."""
    scripts = [_origin(u) for u in _SCRIPT_SRC.findall(html)]
    for body in _INLINE_SCRIPT.findall(html):
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        scripts.append(f"'sha256-{digest}'")
    styles: list[str] = []
    icons: list[str] = []
    for tag in _LINK.findall(html):
        href = _HREF.search(tag)
        if href is None:
            continue
        (styles if 'rel="stylesheet"' in tag else icons).append(_origin(href.group(1)))
    directives = {
        "default-src": ["'none'"],
        "script-src": scripts,
        "style-src": [*styles, "'unsafe-inline'"],
        "img-src": ["'self'", "data:", *icons],
        "font-src": list(fonts),
        "worker-src": list(workers),
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
    }
    return "; ".join(f"{name} {_sources(values)}" for name, values in directives.items() if values)


class SecurityHeaders:
    """Pure ASGI middleware adding :data:`SECURITY_HEADERS` to every response (those a route
    set itself are kept) and ``no-store`` to answers to requests with credentials."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        credentials = any(name == b"authorization" for name, _ in scope.get("headers", []))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if credentials:
                    headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
