"""Cross-site request forgery protection: a synchronizer token per session.

Every form carries the session's token in the hidden field ``csrf_token``; htmx requests send
it in the ``X-CSRF-Token`` header (set once on ``<body hx-headers=...>``). Every router of the
console has :func:`protect` as a dependency, so no state-changing request is served without
a valid token: it gets the 403 page instead. The session cookie is also ``SameSite=Lax``.

The token is not stored: it is the HMAC of the session cookie's id under the session key
(:meth:`~alcabala.web.context.SessionCookie.csrf`), so anonymous visitors (the sign-in form)
have one too without a row in the database, and signing in or out, which replaces the id,
replaces the token.
"""

from __future__ import annotations

import hmac

from fastapi import Request
from starlette.datastructures import FormData

from alcabala.errors import ForbiddenError
from alcabala.web.context import session_cookie
from alcabala.web.i18n import N_

FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfError(ForbiddenError):
    code = "csrf"


def token(request: Request) -> str:
    """The session's token (an anonymous visitor gets a session id on first use)."""
    return session_cookie(request).csrf()


#: The only forms that carry files, and how many: a complaint's photos.
FILE_FORMS = {"/complaints/new": 3}


async def form_data(request: Request) -> FormData:
    """The request's form (parsed once; Starlette caches it on the request). Files are
    refused but on the paths of :data:`FILE_FORMS`."""
    files = FILE_FORMS.get(request.url.path, 0)
    return await request.form(max_files=files, max_fields=5000)


async def protect(request: Request) -> None:
    """Refuse a state-changing request whose token is missing or wrong."""
    if request.method in SAFE_METHODS:
        return
    cookie = session_cookie(request)
    expected = cookie.csrf() if cookie.raw_id is not None else None
    sent = request.headers.get(HEADER)
    if sent is None:
        value = (await form_data(request)).get(FIELD)
        sent = value if isinstance(value, str) else None
    if expected is None or not sent or not hmac.compare_digest(sent, expected):
        raise CsrfError(N_("This form has expired or did not come from this site."))
