"""The officer's console: pick the checkpoint, check a stop, read the verdict.

The check form carries a ``check_id`` generated when the form is rendered, so a form sent
twice records one check (the recorder is idempotent on it). The stop goes through the same
path as ``POST /v1/checks``: :class:`StopIn` → ``engine_stop`` → the hotlist engine →
``pending_check`` → the recorder; the browser is then sent to the verdict page.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import select
from starlette.datastructures import FormData

from alcabala.accounts.models import Role
from alcabala.api.deps import Db, Principal, require
from alcabala.checkpoints.models import Checkpoint
from alcabala.checkpoints.services import list_checkpoints
from alcabala.checks.models import Check
from alcabala.checks.recorder import stored_verdict
from alcabala.checks.schemas import StopIn
from alcabala.db.base import utcnow
from alcabala.db.engine import read_session
from alcabala.errors import Error, NotFoundError
from alcabala.livestock.schemas import Species
from alcabala.web import csrf, explain
from alcabala.web.forms import FormError, build, lines, values
from alcabala.web.render import redirect, render, translator

router = APIRouter(prefix="/console", dependencies=[Depends(csrf.protect)])
Officer = Annotated[Principal, Depends(require(Role.OFFICER, Role.SUPERVISOR))]
CheckReader = Annotated[Principal, Depends(require(Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR))]
Form = Annotated[FormData, Depends(csrf.form_data)]
LINE_ROWS = 3
ALIASES = {
    "people": "people",
    "national_id": "people",
    "lines": "lines",
    "ear_tags": "ear_tags",
    "permit_number": "permit_number",
}


def _today_checks(db: Db, code: str) -> list[dict[str, Any]]:
    since = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    with read_session(db) as s:
        rows = s.execute(
            select(Check.check_id, Check.at, Check.plate, Check.vin, Check.verdict, Check.receipt)
            .join(Checkpoint, Check.checkpoint_id == Checkpoint.id)
            .where(Checkpoint.code == code, Check.at >= since)
            .order_by(Check.at.desc())
            .limit(200)
        ).all()
    return [r._asdict() for r in rows]


def _console(request: Request, db: Db, status: int = 200, **context: Any) -> Response:
    code = request.session.get("checkpoint")
    context.setdefault("check_id", str(uuid.uuid4()))
    context.setdefault("values", {"plate_country": "VE"})
    form: FormData | None = context.pop("form", None)
    rows = list(
        zip(
            form.getlist("line_species") if form else [],
            form.getlist("line_heads") if form else [],
            form.getlist("line_brand") if form else [],
            strict=False,
        )
    )[:LINE_ROWS]
    rows += [("bovine", "", "")] * (LINE_ROWS - len(rows))
    return render(
        request,
        "officer/console.html",
        status,
        today=_today_checks(db, str(code or "")),
        species=[(s.value, translator(request).gettext(explain.SPECIES[s.value])) for s in Species],
        line_values=rows,
        **context,
    )


@router.get("", summary="The check form and today's checks at this checkpoint")
def console(request: Request, user: Officer, db: Db) -> Response:
    if not request.session.get("checkpoint"):
        return redirect("/console/checkpoint")
    return _console(request, db)


@router.get("/checkpoint", summary="Choose the checkpoint")
def checkpoint_form(request: Request, user: Officer, db: Db) -> Response:
    with read_session(db) as s:
        sites = [(c.code, c.name, c.road, c.state) for c in list_checkpoints(s)]
    return render(request, "officer/checkpoint.html", sites=sites)


@router.post("/checkpoint", summary="Work at this checkpoint")
def choose_checkpoint(request: Request, user: Officer, form: Form) -> Response:
    code = str(form.get("checkpoint") or "")
    try:
        ref = request.app.state.runtime.checkpoint(code)
    except Error:
        return redirect("/console/checkpoint")
    request.session["checkpoint"] = ref.code
    request.session["checkpoint_name"] = ref.name
    return redirect("/console")


def stop_data(form: FormData, checkpoint: str) -> dict[str, Any]:
    """The :class:`StopIn` fields of the check form."""
    v = values(form)
    people: list[dict[str, str]] = []
    for i, line in enumerate((v.get("people") or "").splitlines()):
        parts = line.split()
        if not parts:
            continue
        country = "VE"
        if len(parts) > 1 and len(parts[0]) == 2 and parts[0].isalpha():
            country, parts = parts[0].upper(), parts[1:]
        role = "driver" if not people and i == 0 else "passenger"
        people.append({"national_id": "".join(parts), "country": country, "role": role})
    rows = []
    for species, heads, brand in zip(
        form.getlist("line_species"),
        form.getlist("line_heads"),
        form.getlist("line_brand"),
        strict=False,
    ):
        if str(heads).strip():
            row = {"species": species, "head_count": str(heads).strip()}
            if str(brand).strip():
                row["brand"] = str(brand).strip()
            rows.append(row)
    tags = lines(v.get("ear_tags", ""))
    livestock = None
    if v.get("permit_number") or rows or tags:
        livestock = {
            "permit_number": v.get("permit_number") or None,
            "lines": rows,
            "ear_tags": tags,
        }
    data: dict[str, Any] = {
        "check_id": v.get("check_id", ""),
        "checkpoint": checkpoint,
        "plate": v.get("plate") or None,
        "plate_country": v.get("plate_country") or "VE",
        "vin": v.get("vin") or None,
        "engine_number": v.get("engine_number") or None,
        "declared_year": v.get("declared_year") or None,
        "people": people,
        "livestock": livestock,
        "reason": v.get("reason") or "routine",
    }
    return data


@router.post("/check", summary="Check a stop")
async def check(request: Request, user: Officer, form: Form, db: Db) -> Response:
    code = request.session.get("checkpoint")
    if not code:
        return redirect("/console/checkpoint")
    t = translator(request)
    runtime = request.app.state.runtime
    try:
        stop = build(StopIn, stop_data(form, code), t, ALIASES)
    except FormError as exc:
        context: dict[str, Any] = {"values": values(form), "errors": exc.errors, "form": form}
        context["check_id"] = values(form).get("check_id") or str(uuid.uuid4())
        return await run_in_threadpool(_console, request, db, 422, **context)
    (result,) = await runtime.check([stop], user.id)
    return redirect(f"/console/checks/{result.check_id}")


def _verdict(db: Db, check_id: str) -> Any:
    try:
        uuid.UUID(check_id)
    except ValueError:
        raise NotFoundError(f"No check with id {check_id}.", field="check_id") from None
    with read_session(db) as s:
        row = s.execute(
            select(Check, Checkpoint.code, Checkpoint.name)
            .join(Checkpoint, Check.checkpoint_id == Checkpoint.id)
            .where(Check.check_id == check_id)
        ).first()
        if row is None:
            raise NotFoundError(f"No check with id {check_id}.", field="check_id")
        return stored_verdict(row[0], row[1]), row[2], row[0].inputs


def _hits_context(verdict: Any) -> dict[str, Any]:
    now = utcnow()
    pending = [
        h
        for h in verdict.hits
        if h.confirmation.status == "pending" and (h.confirmation.deadline or now) > now
    ]
    return {"verdict": verdict, "now": now, "live": bool(pending), "x": explain}


@router.get("/checks/{check_id}", summary="The verdict of a check")
def verdict_page(request: Request, check_id: str, user: CheckReader, db: Db) -> Response:
    verdict, checkpoint_name, inputs = _verdict(db, check_id)
    return render(
        request,
        "officer/verdict.html",
        checkpoint_name=checkpoint_name,
        inputs=inputs,
        **_hits_context(verdict),
    )


@router.get("/checks/{check_id}/hits", summary="The hits of a check (refreshed by htmx)")
def verdict_hits(request: Request, check_id: str, user: CheckReader, db: Db) -> Response:
    verdict, _, _ = _verdict(db, check_id)
    context = _hits_context(verdict)
    # 286 tells htmx to stop polling: every hit is answered or past its deadline.
    return render(request, "officer/_hits.html", 200 if context["live"] else 286, **context)
