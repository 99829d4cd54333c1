"""Per-request context of the console: the language, the session and the signed-in user.

:class:`WebContext` is a pure ASGI middleware in front of the console. It sets
``request.state.locale`` and resumes the session named by the ``alcabala_session`` cookie.

The cookie holds one random id and nothing else. When the id names a live console session
(:func:`alcabala.accounts.sessions.resume`: not ended, not idle or expired by the door's
clock, its user active), ``request.state.session_user`` is that user as an
:class:`~alcabala.context.Actor` coming through the ``web`` door, standing at the checkpoint
chosen in the session, which is what ``require(...)`` reads: pages enforce roles with exactly
the API's checks. ``request.session`` is what the console keeps between requests (the chosen
checkpoint, flash messages), stored in the session's row and written back only when it
changed. Any other id is an anonymous visitor's: it only binds the CSRF token
(:mod:`alcabala.web.csrf`), and ``request.session`` starts empty on every request. A cookie
naming a session that is over gets a new anonymous id, and :attr:`SessionCookie.ended` says
why (the sign-in page then says the session ended).

Signing in and out (:mod:`alcabala.web.session`) replace the id, so a cookie saved before is
worth nothing after. Cookies are HttpOnly, SameSite=Lax, and Secure when the request came
over HTTPS or ``Settings.secure_cookies`` is set. Every response to a signed-in request, or
that sets the session cookie, is ``Cache-Control: no-store``. The security headers of every
response (the CSP and the rest) are added around the whole app (:mod:`alcabala.api.errors`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from alcabala.accounts import sessions
from alcabala.context import Door
from alcabala.web.i18n import LANG_COOKIE, negotiate

SESSION_COOKIE = "alcabala_session"
SCOPE_KEY = "alcabala.session"
LANG_MAX_AGE = 365 * 24 * 3600
CLIENT = "web"
_EMPTY = "{}"


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)


@dataclass
class SessionCookie:
    """The console session of one request, as its cookie names it."""

    secret: bytes
    #: The cookie's id: a live session's, or an anonymous visitor's (None: none yet).
    raw_id: str | None = None
    #: The live session's row, when signed in.
    row_id: int | None = None
    #: Why the session the cookie named is over ("logout", "idle", ...), if it was one.
    ended: str | None = None
    #: The response sets the cookie (the id changed).
    issue: bool = False
    #: The session's data as loaded, to save it only when it changed.
    snapshot: str = field(default=_EMPTY)

    def csrf(self) -> str:
        """The CSRF token bound to this id: HMAC-SHA256 of it under the session key."""
        if self.raw_id is None:
            self.raw_id, self.issue = sessions.new_id(), True
        digest = hmac.new(self.secret, b"csrf:" + self.raw_id.encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")

    def signed_in(self, raw_id: str, row_id: int) -> None:
        self.raw_id, self.row_id, self.issue, self.snapshot = raw_id, row_id, True, _EMPTY

    def signed_out(self) -> None:
        self.raw_id, self.row_id, self.issue = sessions.new_id(), None, True


def session_cookie(request: Request) -> SessionCookie:
    """The request's :class:`SessionCookie` (set by :class:`WebContext`)."""
    cookie: SessionCookie = request.scope[SCOPE_KEY]
    return cookie


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _cookies(header: str) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


class WebContext:
    """Sets the language, the session and the signed-in user of each console request."""

    def __init__(self, app: ASGIApp, door: Door) -> None:
        self.app = app
        self.door = door
        self.secret = door.settings.secret_key.encode("utf-8")
        self.max_age = door.settings.session_max_hours * 3600

    async def _resume(self, scope: Scope, cookie: SessionCookie) -> dict[str, Any]:
        """The session's data; sets the signed-in user in the request state if live."""
        if cookie.raw_id is None or scope.get("path", "").startswith("/static/"):
            return {}
        found = await run_in_threadpool(sessions.resume, self.door, cookie.raw_id)
        if isinstance(found, str):  # a session that is over: start afresh, anonymously
            cookie.ended = found
            cookie.signed_out()
            return {}
        if found is None:
            return {}
        cookie.row_id = found.row_id
        checkpoint_id = found.data.get("checkpoint_id")
        actor = found.actor.via(CLIENT, checkpoint_id if isinstance(checkpoint_id, int) else None)
        scope.setdefault("state", {})["session_user"] = actor
        cookie.snapshot = _dump(found.data)
        return found.data

    def _set_cookie(self, scope: Scope, cookie: SessionCookie) -> str:
        value = f"{SESSION_COOKIE}={cookie.raw_id}; Path=/; HttpOnly; SameSite=Lax"
        if cookie.row_id is not None:
            value += f"; Max-Age={self.max_age}"
        return value + self._secure(scope)

    def _secure(self, scope: Scope) -> str:
        https = self.door.settings.secure_cookies or scope.get("scheme") == "https"
        return "; Secure" if https else ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        cookies = _cookies(headers.get("cookie", ""))
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        query_lang = (query.get("lang") or [None])[0]
        cookie_lang = cookies.get(LANG_COOKIE)
        locale = negotiate(query_lang, cookie_lang, headers.get("accept-language", ""))
        scope.setdefault("state", {})["locale"] = locale
        cookie = SessionCookie(self.secret, cookies.get(SESSION_COOKIE) or None)
        scope[SCOPE_KEY] = cookie
        scope["session"] = await self._resume(scope, cookie)
        remember = query_lang is not None and query_lang == locale and query_lang != cookie_lang

        async def send_with_session(message: Message) -> None:
            if message["type"] == "http.response.start":
                data: dict[str, Any] = scope["session"]
                if cookie.row_id is not None and _dump(data) != cookie.snapshot:
                    await run_in_threadpool(sessions.save_data, self.door, cookie.row_id, data)
                out = MutableHeaders(scope=message)
                if cookie.issue:
                    out.append("set-cookie", self._set_cookie(scope, cookie))
                if cookie.issue or cookie.row_id is not None:
                    out["cache-control"] = "no-store"
                if remember:
                    lang = f"{LANG_COOKIE}={locale}; Path=/; Max-Age={LANG_MAX_AGE}; SameSite=Lax"
                    out.append("set-cookie", lang + self._secure(scope))
            await send(message)

        await self.app(scope, receive, send_with_session)
