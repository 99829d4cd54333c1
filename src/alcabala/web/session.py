"""Signing in and out of the console.

Username and password, checked by :func:`alcabala.accounts.signin.sign_in`: argon2 runs in
the app's low-priority :class:`~alcabala.accounts.passwords.HashPool`, never on the event
loop, so a flood of sign-ins cannot starve the checks. A wrong password says only "wrong
username or password", whatever was wrong (401). After a few failures for one account name
or from one address, attempts are refused for a growing wait, then locked for a while
(:mod:`alcabala.accounts.throttle`); the page says which and for how long (429 with
``Retry-After``). Every failed or refused attempt leaves an audit row.

Signing in starts a session on the server and gives the browser a new cookie id
(:class:`~alcabala.web.context.SessionCookie`); signing out ends that session in the
database, so the old cookie is worth nothing, even copied elsewhere.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import FormData

from alcabala.accounts.deps import DoorDep
from alcabala.accounts.passwords import HashPool, HashPoolBusy
from alcabala.accounts.sessions import sign_out
from alcabala.accounts.signin import Attempt, Outcome, sign_in
from alcabala.accounts.throttle import USER
from alcabala.web import csrf
from alcabala.web.context import CLIENT, session_cookie
from alcabala.web.i18n import N_, Translator
from alcabala.web.render import home_for, redirect, render, session_user, translator

router = APIRouter(dependencies=[Depends(csrf.protect)])
Form = Annotated[FormData, Depends(csrf.form_data)]
WRONG = N_("Wrong username or password.")
BUSY = N_("Too many people are signing in right now. Try again in a moment.")
SIGNED_OUT = N_("You are signed out.")
ENDED = N_("Your session has ended. Sign in again.")


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (never another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def refusal(t: Translator, outcome: Outcome, seconds: int, minutes: int) -> str:
    """What the page says when attempts are refused for a while."""
    block = outcome.block
    assert block is not None
    if not block.locked:
        return t.ngettext(
            "Too many failed sign-ins. Wait %(num)d second and try again.",
            "Too many failed sign-ins. Wait %(num)d seconds and try again.",
            seconds,
        )
    if block.kind == USER:
        return t.ngettext(
            "Too many failed sign-ins for this account: it is locked for %(num)d minute. "
            "Try again later, or ask an administrator.",
            "Too many failed sign-ins for this account: it is locked for %(num)d minutes. "
            "Try again later, or ask an administrator.",
            minutes,
        )
    return t.ngettext(
        "Too many failed sign-ins from your address: signing in from it is locked for "
        "%(num)d minute.",
        "Too many failed sign-ins from your address: signing in from it is locked for "
        "%(num)d minutes.",
        minutes,
    )


@router.get("/login", summary="Sign-in form")
def login_form(
    request: Request, next: str | None = None, signed_out: int = 0, ended: int = 0
) -> Response:
    user = session_user(request)
    if user is not None:
        return redirect(safe_next(next) or home_for(user))
    t = translator(request)
    notice = [["ok", t.gettext(SIGNED_OUT)]] if signed_out else []
    if ended:
        notice = [["warn", t.gettext(ENDED)]]
    if notice:
        return render(request, "login.html", next=safe_next(next) or "", flashes=notice)
    return render(request, "login.html", next=safe_next(next) or "")


@router.post("/login", summary="Sign in")
async def login(request: Request, form: Form, door: DoorDep) -> Response:
    t = translator(request)
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    target = safe_next(str(form.get("next") or ""))

    def again(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        values = {"username": username}
        errors = {"_form": message}
        return render(
            request, "login.html", status, headers, next=target or "", values=values, errors=errors
        )

    if not username or not password:
        return again(401, t.gettext(WRONG))
    address = request.client.host if request.client else "unknown"
    pool: HashPool = request.app.state.hash_pool
    try:
        outcome = await sign_in(door, pool, Attempt(username, address), password)
    except HashPoolBusy:
        return again(429, t.gettext(BUSY), {"Retry-After": "5"})
    if outcome.block is not None and (outcome.refused or outcome.block.locked):
        now = door.clock.now()
        seconds = outcome.block.seconds_left(now)
        message = refusal(t, outcome, seconds, outcome.block.minutes_left(now))
        return again(429, message, {"Retry-After": str(seconds)})
    if not outcome.ok:
        return again(401, t.gettext(WRONG))
    assert outcome.session_id is not None and outcome.row_id is not None and outcome.actor
    request.session.clear()
    session_cookie(request).signed_in(outcome.session_id, outcome.row_id)
    principal = outcome.actor.via(CLIENT)
    request.state.session_user = principal
    return redirect(target or home_for(principal))


@router.post("/logout", summary="Sign out")
async def logout(request: Request, door: DoorDep) -> Response:
    cookie = session_cookie(request)
    if cookie.row_id is not None and cookie.raw_id is not None:
        await run_in_threadpool(sign_out, door, cookie.raw_id)
    request.session.clear()
    cookie.signed_out()
    return redirect("/login?signed_out=1")
