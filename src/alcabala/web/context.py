"""Per-request context of the console: the language and the signed-in user.

:class:`WebContext` is a pure ASGI middleware, inside Starlette's signed-cookie session. It
adds the security headers (a strict Content-Security-Policy: nothing is loaded from another
site), sets ``request.state.locale`` and, when the session names an active user,
``request.state.session_user`` (an :class:`~alcabala.context.Actor` coming through the
``web`` door, standing at the checkpoint chosen in the session), which is what
``require(...)`` reads: pages enforce roles with exactly the API's checks. The user is
re-read from the database on every request, so a deactivated account loses its session at
once.

The session key and the cookies' Secure flag come from the process's
:class:`~alcabala.config.Settings` (``runtime.door.settings``), never from the environment.
"""

from __future__ import annotations

import logging
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from alcabala.accounts.models import User
from alcabala.context import Actor
from alcabala.db.engine import read_session
from alcabala.web.i18n import LANG_COOKIE, negotiate

log = logging.getLogger("alcabala.web")
SESSION_COOKIE = "alcabala_session"
SESSION_MAX_AGE = 12 * 3600  # one shift
LANG_MAX_AGE = 365 * 24 * 3600
CLIENT = "web"
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


def web_actor(user: User, checkpoint_id: int | None = None) -> Actor:
    """``user`` as an actor of the console (at ``checkpoint_id``, if an officer chose one)."""
    return Actor(user.id, user.username, user.role, user.agency_id).via(CLIENT, checkpoint_id)


def load_actor(engine: Engine, user_id: int, checkpoint_id: int | None) -> Actor | None:
    with read_session(engine) as session:
        user = session.get(User, user_id)
        if user is None or not user.active:
            return None
        return web_actor(user, checkpoint_id)


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
        cookies: SimpleCookie = SimpleCookie()
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
            checkpoint_id = session.get("checkpoint_id")
            if not isinstance(checkpoint_id, int):
                checkpoint_id = None
            actor = await run_in_threadpool(load_actor, self.engine, user_id, checkpoint_id)
            if actor is None:
                session.clear()
            else:
                state["session_user"] = actor
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
