"""Complaints on the staff console: oversight handles them, the agency answers.

``/oversight/complaints`` lists what the user may see (:func:`alcabala.complaints.services.
listing`: all for oversight and auditors, those about their agency for a supervisor);
``/oversight/complaints/{complaint}`` shows one (an audited read: it names the complainant's
contact) with the forms its reader may use — moves and notes for oversight, an answer for
the agency's supervisor. Authority is the services'; these pages only show and post.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from alcabala.accounts.deps import DoorDep, require
from alcabala.accounts.models import Role
from alcabala.complaints import services, views
from alcabala.complaints.filing import normalize_code
from alcabala.complaints.models import ComplaintStatus
from alcabala.complaints.routes import CodePath
from alcabala.complaints.schemas import MoveIn, NoteIn
from alcabala.context import Actor, Ctx, Door
from alcabala.errors import Error
from alcabala.web import csrf
from alcabala.web.complaint_texts import NOTE_KINDS, STATUSES, label_of
from alcabala.web.forms import FormError, build, refusal, values
from alcabala.web.i18n import N_
from alcabala.web.render import flash, redirect, render, translator

router = APIRouter(dependencies=[Depends(csrf.protect)])
Form = Annotated[Any, Depends(csrf.form_data)]
Staff = Annotated[Actor, Depends(require(Role.OVERSIGHT, Role.SUPERVISOR, Role.AUDITOR))]
Writer = Annotated[Actor, Depends(require(Role.OVERSIGHT, Role.SUPERVISOR))]
Overseer = Annotated[Actor, Depends(require(Role.OVERSIGHT))]
NEXT = {
    ComplaintStatus.RECEIVED.value: ("under_review",),
    ComplaintStatus.UNDER_REVIEW.value: ("resolved", "dismissed"),
}


def path_of(code: str) -> str:
    return f"/oversight/complaints/{code}"


@router.get("/oversight/complaints", summary="Complaints (staff)")
def listing(
    request: Request, user: Staff, door: DoorDep, status: str = "", overdue: str = ""
) -> Response:
    t = translator(request)
    status = status if status in STATUSES else ""
    with door.read(user) as ctx:
        found = services.listing(ctx, status=status or None, overdue=overdue == "1")
        codes = views.codes(ctx)
        rows = [views.row_of(c, codes, ctx.now()) for c in found]
    return render(
        request,
        "complaints/list.html",
        rows=rows,
        status=status,
        overdue=overdue == "1",
        statuses=[(k, t.gettext(v)) for k, v in STATUSES.items()],
        label=label_of(t),
    )


def _page(
    request: Request, door: Door, user: Actor, code: str, status: int = 200, **forms: Any
) -> Response:
    t = translator(request)
    with door.lookup(user) as ctx:
        complaint = services.read(ctx, code)
        shown = views.describe(ctx, complaint, staff=True)
    return render(
        request,
        "complaints/detail.html",
        status,
        complaint=shown,
        label=label_of(t),
        note_kinds={k: t.gettext(v) for k, v in NOTE_KINDS.items()},
        moves=NEXT.get(shown.status, ()) if user.role == Role.OVERSIGHT else (),
        may_note=user.role in (Role.OVERSIGHT, Role.SUPERVISOR),
        forms=forms,
    )


@router.get("/oversight/complaints/{complaint}", summary="A complaint (staff; audited)")
def detail(request: Request, code: CodePath, user: Staff, door: DoorDep) -> Response:
    return _page(request, door, user, code)


def _post(
    request: Request,
    door: Door,
    user: Actor,
    code: str,
    form: Any,
    form_name: str,
    run: Callable[[Ctx, dict[str, str]], object],
    done: str,
) -> Response:
    """``run(ctx, data)`` in a write; on success flash ``done`` and show the complaint
    again, else show it with the form ``form_name``'s errors, at the status the API would
    answer."""
    t = translator(request)
    data = values(form)
    try:
        with door.write(user) as ctx:
            run(ctx, data)
    except (FormError, Error) as exc:
        refused = refusal(exc, t)
        forms = {form_name: {"values": data, "errors": refused.errors}}
        return _page(request, door, user, code, refused.status, **forms)
    flash(request, "ok", t.gettext(done))
    return redirect(path_of(normalize_code(code) or code))


@router.post("/oversight/complaints/{complaint}/move", summary="Move a complaint (oversight)")
def move(request: Request, code: CodePath, user: Overseer, form: Form, door: DoorDep) -> Response:
    t = translator(request)

    def run(ctx: Ctx, data: dict[str, str]) -> object:
        fields = {k: v for k, v in data.items() if k in ("to", "reason", "version")}
        return services.move(ctx, code, build(MoveIn, fields, t, None))

    return _post(request, door, user, code, form, "move", run, N_("The complaint was moved."))


@router.post("/oversight/complaints/{complaint}/note", summary="Add a note or the agency's answer")
def note(request: Request, code: CodePath, user: Writer, form: Form, door: DoorDep) -> Response:
    t = translator(request)

    def run(ctx: Ctx, data: dict[str, str]) -> object:
        body = build(NoteIn, {"text": data.get("text", "")}, t, None)
        return services.add_note(ctx, code, body.text)

    return _post(request, door, user, code, form, "note", run, N_("Your note was added."))
