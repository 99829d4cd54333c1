"""Cross-site request forgery protection: a synchronizer token per session.

Every form carries the session's token in the hidden field ``csrf_token``; htmx requests send
it in the ``X-CSRF-Token`` header (set once on ``<body hx-headers=...>``). Every router of the
console has :func:`protect` as a dependency, so no state-changing request is served without
a valid token: it gets the 403 page instead. The session cookie is also ``SameSite=Lax``.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request
from starlette.datastructures import FormData

from alcabala.errors import ForbiddenError
from alcabala.web.i18n import N_

FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfError(ForbiddenError):
    code = "csrf"


def token(request: Request) -> str:
    """The session's token, created on first use."""
    session = request.session
    value = session.get("csrf")
    if not isinstance(value, str) or len(value) < 32:
        value = secrets.token_urlsafe(32)
        session["csrf"] = value
    return value


def rotate(request: Request) -> None:
    """A new token (at login and logout)."""
    request.session["csrf"] = secrets.token_urlsafe(32)


async def form_data(request: Request) -> FormData:
    """The request's form (parsed once; Starlette caches it on the request)."""
    return await request.form(max_files=0, max_fields=5000)


async def protect(request: Request) -> None:
    """Refuse a state-changing request whose token is missing or wrong."""
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get("csrf")
    sent = request.headers.get(HEADER)
    if sent is None:
        value = (await form_data(request)).get(FIELD)
        sent = value if isinstance(value, str) else None
    if not isinstance(expected, str) or not sent or not hmac.compare_digest(sent, expected):
        raise CsrfError(N_("This form has expired or did not come from this site."))
