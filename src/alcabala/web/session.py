"""Signing in and out of the console.

Username and password (argon2, checked by :func:`alcabala.accounts.services.verify_password`);
a failure says only "wrong username or password", whatever was wrong. The session is a
signed, HttpOnly, SameSite=Lax cookie holding the user id, the CSRF token and the chosen
checkpoint; signing in or out replaces it whole.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from alcabala.accounts.deps import DoorDep
from alcabala.accounts.passwords import hasher_for
from alcabala.accounts.services import verify_password
from alcabala.context import SYSTEM, Actor
from alcabala.web import csrf
from alcabala.web.context import web_actor
from alcabala.web.i18n import N_
from alcabala.web.render import flash, home_for, redirect, render, session_user, translator

router = APIRouter(dependencies=[Depends(csrf.protect)])
Form = Annotated[FormData, Depends(csrf.form_data)]
WRONG = N_("Wrong username or password.")


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (never another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@router.get("/login", summary="Sign-in form")
def login_form(request: Request, next: str | None = None) -> Response:
    user = session_user(request)
    if user is not None:
        return redirect(safe_next(next) or home_for(user))
    return render(request, "login.html", next=safe_next(next) or "")


@router.post("/login", summary="Sign in")
def login(request: Request, form: Form, door: DoorDep) -> Response:
    t = translator(request)
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    target = safe_next(str(form.get("next") or ""))
    principal: Actor | None = None
    if username and password and len(password) <= 1024:
        with door.read(SYSTEM.via("web")) as ctx:
            user = verify_password(ctx.session, username, password, hasher_for(ctx.settings))
            if user is not None:
                principal = web_actor(user)
    if principal is None:
        return render(
            request,
            "login.html",
            401,
            next=target or "",
            values={"username": username},
            errors={"_form": t.gettext(WRONG)},
        )
    request.session.clear()
    request.session["uid"] = principal.id
    csrf.rotate(request)
    request.state.session_user = principal
    return redirect(target or home_for(principal))


@router.post("/logout", summary="Sign out")
def logout(request: Request) -> Response:
    request.session.clear()
    csrf.rotate(request)
    flash(request, "ok", translator(request).gettext("You are signed out."))
    return redirect("/")
