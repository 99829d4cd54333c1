"""The registrar's two queues: hits awaiting confirmation, and records due for validation.

Hits are shown for the user's agency, soonest deadline first, with a live countdown; the
owning agency confirms or denies them (a denial needs a reason) through
:func:`alcabala.checks.services.decide_hit`. Records past ``validate_by`` are confirmed as
still standing through :func:`alcabala.records.services.validate`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from alcabala.accounts.models import Role
from alcabala.api.deps import Db, Principal, RecordId, actor_of, require
from alcabala.api.hooks import after_write
from alcabala.checks import services as checks
from alcabala.checks.recorder import hit_out
from alcabala.checks.schemas import HitDecisionIn
from alcabala.db.base import utcnow
from alcabala.db.engine import read_session, unit_of_work
from alcabala.errors import Error
from alcabala.records import services as records
from alcabala.records.schemas import ValidateIn
from alcabala.web import csrf, explain
from alcabala.web.forms import FormError, build, field_errors, optional, values
from alcabala.web.i18n import N_
from alcabala.web.render import flash, redirect, render, translator

router = APIRouter(prefix="/registry", dependencies=[Depends(csrf.protect)])
Registrar = Annotated[Principal, Depends(require(Role.REGISTRAR))]
Reader = Annotated[Principal, Depends(require(Role.REGISTRAR, Role.SUPERVISOR))]
HitAnswerer = Annotated[Principal, Depends(require(Role.REGISTRAR, Role.SUPERVISOR))]
Form = Annotated[FormData, Depends(csrf.form_data)]


def pending_hits(db: Db, user: Principal | None) -> list[dict[str, Any]]:
    """Pending hits (of ``user``'s agency; all when ``user`` is None or an admin)."""
    agency = None if user is None or user.role == Role.ADMIN else user.agency_id
    now = utcnow()
    with read_session(db) as s:
        return [
            {"hit": hit_out(h, now), "at": h.check.at, "checkpoint": h.check.checkpoint.code}
            for h in checks.pending_hits(s, agency)
        ]


def _hits_page(
    request: Request, db: Db, user: Principal, status: int = 200, **extra: Any
) -> Response:
    rows = pending_hits(db, user)
    extra.setdefault("forms", {})
    return render(request, "registry/hits.html", status, rows=rows, x=explain, **extra)


@router.get("/hits", summary="Hits awaiting confirmation")
def hits(request: Request, user: HitAnswerer, db: Db) -> Response:
    return _hits_page(request, db, user)


@router.post("/hits/{hit_id}/{action}", summary="Confirm or deny a hit")
def decide(
    request: Request, hit_id: RecordId, action: str, user: HitAnswerer, form: Form, db: Db
) -> Response:
    t = translator(request)
    data = values(form)
    if action not in ("confirm", "deny"):
        return redirect("/registry/hits")
    try:
        body = build(HitDecisionIn, optional(data, "reason", "version"), t, None)
        with unit_of_work(db) as s:
            checks.decide_hit(
                s, hit_id, actor_of(s, user), action == "confirm", body.reason, body.version
            )
    except (FormError, Error) as exc:
        errors = exc.errors if isinstance(exc, FormError) else field_errors(exc, t)
        forms = {f"{action}-{hit_id}": {"values": data, "errors": errors}}
        return _hits_page(request, db, user, 422, forms=forms)
    after_write(request)
    done = N_("Hit confirmed.") if action == "confirm" else N_("Hit denied.")
    flash(request, "ok", t.gettext(done))
    return redirect("/registry/hits")


@router.get("/due", summary="Records due for re-validation")
def due(request: Request, user: Reader, db: Db) -> Response:
    with read_session(db) as s:
        rows = records.due(s)
    return render(request, "registry/due.html", rows=rows, forms={})


@router.post("/due/{number}/validate", summary="Confirm a record still stands")
def validate(request: Request, number: str, user: Registrar, form: Form, db: Db) -> Response:
    t = translator(request)
    data = values(form)
    try:
        body = build(ValidateIn, optional(data, "kind", "note"), t, None)
        with unit_of_work(db) as s:
            records.validate(
                s,
                number,
                actor_of(s, user),
                kind=body.kind,
                note=body.note,
                settings=request.app.state.runtime.settings,
            )
    except (FormError, Error) as exc:
        errors = exc.errors if isinstance(exc, FormError) else field_errors(exc, t)
        with read_session(db) as s:
            rows = records.due(s)
        forms = {number: {"values": data, "errors": errors}}
        return render(request, "registry/due.html", 422, rows=rows, forms=forms)
    after_write(request)
    flash(request, "ok", t.gettext("Re-validated for another year."))
    return redirect("/registry/due")
