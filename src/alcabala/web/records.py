"""The re-validation queue: active records past ``validate_by``, confirmed as still standing.

The list names VINs and national IDs, so it is an audited read
(:func:`alcabala.records.services.due`); a record is confirmed through
:func:`alcabala.records.services.validate`, which only the agency owning it may do (403,
``not_owner``, for anyone else).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from alcabala.accounts.deps import DoorDep, require
from alcabala.accounts.models import Role
from alcabala.context import Actor, Door
from alcabala.errors import Error
from alcabala.records import services as records
from alcabala.records.schemas import ValidateIn
from alcabala.web import csrf
from alcabala.web.forms import FormError, build, optional, refusal, values
from alcabala.web.render import flash, redirect, render, translator, with_reason

router = APIRouter(prefix="/registry", dependencies=[Depends(csrf.protect)])
Registrar = Annotated[Actor, Depends(require(Role.REGISTRAR, Role.COURT))]
Reader = Annotated[Actor, Depends(require(Role.REGISTRAR, Role.SUPERVISOR, Role.COURT))]
Form = Annotated[FormData, Depends(csrf.form_data)]
QUEUE_REASON = "re-validation queue"


def _due_page(
    request: Request,
    door: Door,
    user: Actor,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    with door.lookup(user) as ctx:
        rows = records.due(ctx, reason=QUEUE_REASON)
    links = {
        r.number: with_reason(f"/registry/vehicles/{r.subject}", f"re-validate {r.number}")
        for r in rows
        if r.kind == "stolen-report"
    }
    extra.setdefault("forms", {})
    return render(request, "records/due.html", status, headers, rows=rows, links=links, **extra)


@router.get("/due", summary="Records due for re-validation (audited)")
def due(request: Request, user: Reader, door: DoorDep) -> Response:
    return _due_page(request, door, user)


@router.post("/due/{number}/validate", summary="Confirm a record still stands")
def validate(request: Request, number: str, user: Registrar, form: Form, door: DoorDep) -> Response:
    t = translator(request)
    data = values(form)
    number = number[:40]
    try:
        body = build(ValidateIn, optional(data, "kind", "note"), t, None)
        with door.write(user) as ctx:
            records.validate(ctx, number, kind=body.kind, note=body.note)
    except (FormError, Error) as exc:
        refused = refusal(exc, t, {"kind": "_form", "number": "_form"})
        forms = {number: {"values": data, "errors": refused.errors}}
        return _due_page(request, door, user, refused.status, refused.headers, forms=forms)
    flash(request, "ok", t.gettext("Re-validated for another year."))
    return redirect("/registry/due")
