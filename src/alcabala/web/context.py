"""Per-request context of the console: the language and the signed-in user.

:class:`WebContext` is a pure ASGI middleware, inside Starlette's signed-cookie session. It
adds the security headers (a strict Content-Security-Policy: nothing is loaded from another
site), sets ``request.state.locale`` and, when the session names an active user,
``request.state.session_user`` (a :class:`~alcabala.api.deps.Principal`), which is what the
API's ``require(...)`` reads: pages enforce roles with exactly the API's checks. The user is
re-read from the database on every request, so a deactivated account loses its session at
once.
"""

from __future__ import annotations

import logging
import os
import secrets
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from alcabala.accounts.models import User
from alcabala.api.deps import Principal
from alcabala.db.engine import read_session
from alcabala.web.i18n import LANG_COOKIE, negotiate

log = logging.getLogger("alcabala.web")
SESSION_COOKIE = "alcabala_session"
SESSION_MAX_AGE = 12 * 3600  # one shift
LANG_MAX_AGE = 365 * 24 * 3600
# Everything comes from this site: no script, style, font or frame from another one.
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def secret_key() -> str:
    """``ALCABALA_SECRET_KEY``, or a random key (sessions then end when the process stops)."""
    key = os.environ.get("ALCABALA_SECRET_KEY", "")
    if key:
        return key
    log.warning(
        "ALCABALA_SECRET_KEY is not set: using a random key; console sessions end at restart"
    )
    return secrets.token_urlsafe(32)


def secure_cookies() -> bool:
    """Whether cookies carry the Secure flag (``ALCABALA_SECURE_COOKIES=1`` behind HTTPS)."""
    return os.environ.get("ALCABALA_SECURE_COOKIES", "").lower() in {"1", "true", "yes"}


def load_principal(engine: Engine, user_id: int) -> Principal | None:
    with read_session(engine) as session:
        user = session.get(User, user_id)
        if user is None or not user.active:
            return None
        return Principal(user.id, user.username, user.role, user.agency_id)


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}


class WebContext:
    """Sets the language and the signed-in user of each console request."""

    def __init__(self, app: ASGIApp, engine: Engine, secure: bool = False) -> None:
        self.app = app
        self.engine = engine
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        cookies = SimpleCookie()
        cookies.load(headers.get("cookie", ""))
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        query_lang = (query.get("lang") or [None])[0]
        cookie_lang = cookies[LANG_COOKIE].value if LANG_COOKIE in cookies else None
        locale = negotiate(query_lang, cookie_lang, headers.get("accept-language", ""))
        state: dict[str, Any] = scope.setdefault("state", {})
        state["locale"] = locale
        session: dict[str, Any] = scope.get("session", {})
        user_id = session.get("uid")
        if isinstance(user_id, int) and not scope.get("path", "").startswith("/static/"):
            principal = await run_in_threadpool(load_principal, self.engine, user_id)
            if principal is None:
                session.clear()
            else:
                state["session_user"] = principal
        remember = query_lang is not None and query_lang == locale and query_lang != cookie_lang

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if remember:
                    cookie = f"{LANG_COOKIE}={locale}; Path=/; Max-Age={LANG_MAX_AGE}; SameSite=Lax"
                    if self.secure:
                        cookie += "; Secure"
                    headers.append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_headers)
