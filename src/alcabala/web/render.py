"""The Jinja2 environment and :func:`render`, which every page goes through.

Each page gets the same context: the signed-in user, the language, the CSRF token, the
chosen checkpoint, the navigation for the user's role and the flash messages; templates
extend ``base.html`` so the layout is the same everywhere. :func:`refuse` answers a form that
a service (or the form's own validation) refused: the usual status, and the error's code in
``X-Alcabala-Error``; :func:`confirmation_step` answers a destructive post that was not
confirmed (see :mod:`alcabala.web.confirm`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData

from alcabala.context import Actor, Door
from alcabala.web import confirm, csrf
from alcabala.web.forms import ERROR_HEADER, Refusal
from alcabala.web.i18n import (
    LANGUAGE_NAMES,
    N_,
    Translator,
    current,
    template_gettext,
    template_ngettext,
)

ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("alcabala.web", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)
ENV.install_gettext_callables(template_gettext, template_ngettext, newstyle=True)  # type: ignore[attr-defined]

ROLE_NAMES = {
    "officer": N_("Officer"),
    "registrar": N_("Registrar"),
    "livestock": N_("Livestock authority"),
    "supervisor": N_("Supervisor"),
    "auditor": N_("Auditor"),
    "admin": N_("Administrator"),
    "court": N_("Court"),
    "oversight": N_("Oversight"),
    "custodian": N_("Custodian"),
    "camera": N_("Camera"),
}
# (path, label, roles allowed): the same roles the API gives each action.
NAV: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("/console", N_("Checks"), frozenset({"officer", "supervisor"})),
    ("/registry", N_("Registry"), frozenset({"registrar", "supervisor"})),
    ("/registry/hits", N_("Hits"), frozenset({"registrar", "supervisor"})),
    ("/registry/due", N_("Validation"), frozenset({"registrar", "supervisor"})),
    ("/registry/persons", N_("Warrants"), frozenset({"court"})),
    ("/livestock", N_("Livestock"), frozenset({"livestock", "registrar"})),
    ("/dashboard", N_("Dashboard"), frozenset({"supervisor", "oversight"})),
    ("/oversight/complaints", N_("Complaints"), frozenset({"oversight", "supervisor", "auditor"})),
    (
        "/alertas",
        N_("Alerts"),
        frozenset({"registrar", "supervisor", "court", "oversight", "auditor"}),
    ),
    ("/custodia", N_("Custody"), frozenset({"custodian", "officer", "supervisor"})),
    (
        "/custodia/discrepancias",
        N_("Discrepancies"),
        frozenset({"custodian", "oversight", "supervisor", "auditor"}),
    ),
)
CONFIRM_TITLE = N_("Please confirm")


def translator(request: Request) -> Translator:
    return Translator(getattr(request.state, "locale", "es"))


def door_of(request: Request) -> Door:
    door: Door = request.app.state.door
    return door


def session_user(request: Request) -> Actor | None:
    user = getattr(request.state, "session_user", None)
    return user if isinstance(user, Actor) else None


def flash(request: Request, kind: str, message: str) -> None:
    """A message shown once on the next page (``kind``: ok, warn or error)."""
    request.session.setdefault("flash", []).append([kind, message])


def home_for(user: Actor | None) -> str:
    """Where a user lands after signing in."""
    if user is None:
        return "/"
    for path, _, roles in NAV:
        if user.role in roles:
            return path
    return "/"


def _fmt_time(value: dt.datetime | None, with_date: bool = True) -> str:
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M" if with_date else "%H:%M")


def _iso(value: dt.datetime | None) -> str:
    return value.isoformat() if value is not None else ""


ENV.filters["when"] = _fmt_time
ENV.filters["iso"] = _iso


def render(
    request: Request,
    template: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` with the page context and ``context``."""
    t = translator(request)
    user = session_user(request)
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    # Fragments (templates named ``_*.html``, fetched by htmx) leave flash messages alone.
    fragment = template.rsplit("/", 1)[-1].startswith("_")
    flashes = request.session.pop("flash", []) if not fragment else []
    page = {
        "request": request,
        "user": user,
        "role_name": t.gettext(ROLE_NAMES.get(user.role, user.role)) if user else "",
        "locale": t.locale,
        "languages": LANGUAGE_NAMES,
        "csrf_token": csrf.token(request),
        "checkpoint": request.session.get("checkpoint"),
        "nav": [(p, t.gettext(label)) for p, label, roles in NAV if user and user.role in roles],
        "path": request.url.path,
        "lang_urls": {
            code: f"{request.url.path}?{urlencode({**query, 'lang': code})}"
            for code in LANGUAGE_NAMES
        },
        "flashes": flashes,
        "t": t,
        "ask": lambda kind, what: confirm.question(t, kind, str(what)),
        "values": {},
        "errors": {},
    }
    page.update(context)
    token = current.set(t)
    try:
        html = ENV.get_template(template).render(page)
    finally:
        current.reset(token)
    return HTMLResponse(html, status_code=status_code, headers=headers)


def refuse(request: Request, refusal: Refusal, template: str, **context: Any) -> HTMLResponse:
    """``template`` again, showing why the form was refused, with the refusal's status and
    ``X-Alcabala-Error: <code>``."""
    return render(request, template, refusal.status, refusal.headers, **context)


def confirmation_step(
    request: Request, kind: str, what: str, form: FormData, back: str
) -> HTMLResponse:
    """The page asking to confirm ``kind`` on ``what``: a form re-posting ``form`` to the
    same address with ``confirmed=1``; nothing was changed."""
    t = translator(request)
    return render(
        request,
        "confirm.html",
        422,
        {ERROR_HEADER: confirm.CODE},
        title=t.gettext(CONFIRM_TITLE),
        question=confirm.question(t, kind, what),
        action=request.url.path,
        fields=confirm.carried(form),
        back=back,
    )


def redirect(path: str) -> RedirectResponse:
    """See other: the browser GETs ``path`` (after a successful POST)."""
    return RedirectResponse(path, status_code=303)


def with_reason(path: str, reason: str, **params: str) -> str:
    """``path`` with ``params`` and ``reason`` in its query: the page after an action is an
    audited lookup saying which action led to it."""
    return f"{path}?{urlencode({**params, 'reason': reason})}"
