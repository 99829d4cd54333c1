"""The stop: the officer's console (checkpoint, check, verdict) and the hits queue.

The check form carries a ``check_id`` generated when the form is rendered, so a form sent
twice records one check (the recorder is idempotent on it). The stop goes through the one
check path, :meth:`alcabala.checks.runtime.Runtime.check`, as ``POST /v1/checks`` does; the
browser is then sent to the verdict page, an audited read
(:func:`alcabala.checks.services.read_check`). A verdict page, its polled hits and the list
of today's checks show only the checks the user may read
(:func:`alcabala.checks.services.readable_by`: their own, their agency's officers' for a
supervisor, all for an auditor).

Each hit, on the verdict page and in the queue, shows the matched record's *current* state
(in force, executed, recovered, cancelled, expired): a hit on a record that left force says
so plainly and the queue offers no "confirm" for it. The owning agency answers hits through
:func:`alcabala.checks.hits.decide_hit`; confirming a hit whose record left force answers
409 (``record_inactive``) and the hit is closed. Denying asks for confirmation
(:mod:`alcabala.web.confirm`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from alcabala.accounts.deps import DoorDep, RecordId, require
from alcabala.accounts.models import Role
from alcabala.checkpoints.models import Checkpoint
from alcabala.checkpoints.services import list_checkpoints
from alcabala.checks import hits as hit_services
from alcabala.checks.hits import RecordState, record_state
from alcabala.checks.models import Check, Hit
from alcabala.checks.pending import CheckIdConflictError, hit_out
from alcabala.checks.runtime import Runtime
from alcabala.checks.schemas import HitDecisionIn, HitOut, StopIn
from alcabala.checks.services import find_check, read_check, readable_by
from alcabala.context import Actor, Ctx, Door
from alcabala.errors import AuthError, Error, NotFoundError, RecordInactiveError
from alcabala.livestock.schemas import Species
from alcabala.web import confirm, csrf, explain
from alcabala.web.forms import ERROR_HEADER, FormError, build, lines, optional, refusal, values
from alcabala.web.i18n import N_, Translator
from alcabala.web.render import confirmation_step, flash, redirect, render, translator

router = APIRouter(dependencies=[Depends(csrf.protect)])
Officer = Annotated[Actor, Depends(require(Role.OFFICER, Role.SUPERVISOR))]
CheckReader = Annotated[Actor, Depends(require(Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR))]
HitAnswerer = Annotated[Actor, Depends(require(Role.REGISTRAR, Role.SUPERVISOR))]
Form = Annotated[FormData, Depends(csrf.form_data)]
LINE_ROWS = 3
HITS = "/registry/hits"
ALIASES = {
    # What the form has no field for (its hidden check_id, the time) is said at the top.
    "check_id": "_form",
    "at": "_form",
    "checkpoint": "_form",
    "people": "people",
    "national_id": "people",
    "lines": "lines",
    "ear_tags": "ear_tags",
    "permit_number": "permit_number",
}
RECORD_INACTIVE = N_(
    "The %(kind)s %(number)s is %(status)s: it is no longer in force, so this hit cannot be "
    "confirmed. Do not detain on it."
)
HIT_DONE = {"confirm": N_("Hit confirmed."), "deny": N_("Hit denied.")}


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


# The officer's console -----------------------------------------------------------------------


def _today_checks(door: Door, user: Actor, code: str) -> list[dict[str, Any]]:
    with door.read(user) as ctx:
        since = ctx.now().replace(hour=0, minute=0, second=0, microsecond=0)
        rows = ctx.session.execute(
            select(Check.check_id, Check.at, Check.plate, Check.vin, Check.verdict, Check.receipt)
            .join(Checkpoint, Check.checkpoint_id == Checkpoint.id)
            .where(Checkpoint.code == code, Check.at >= since, readable_by(user))
            .order_by(Check.at.desc())
            .limit(200)
        ).all()
    return [r._asdict() for r in rows]


def _console(
    request: Request, door: Door, user: Actor, status: int = 200, **context: Any
) -> Response:
    code = request.session.get("checkpoint")
    context.setdefault("check_id", str(uuid.uuid4()))
    context.setdefault("values", {"plate_country": "VE"})
    headers = context.pop("headers", None)
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
        "checks/console.html",
        status,
        headers,
        today=_today_checks(door, user, str(code or "")),
        species=[(s.value, translator(request).gettext(explain.SPECIES[s.value])) for s in Species],
        line_values=rows,
        **context,
    )


@router.get("/console", summary="The check form and today's checks at this checkpoint")
def console(request: Request, user: Officer, door: DoorDep) -> Response:
    if not request.session.get("checkpoint"):
        return redirect("/console/checkpoint")
    return _console(request, door, user)


@router.get("/console/checkpoint", summary="Choose the checkpoint")
def checkpoint_form(request: Request, user: Officer, door: DoorDep) -> Response:
    with door.read(user) as ctx:
        sites = [(c.code, c.name, c.road, c.state) for c in list_checkpoints(ctx.session)]
    return render(request, "checks/checkpoint.html", sites=sites)


@router.post("/console/checkpoint", summary="Work at this checkpoint")
def choose_checkpoint(request: Request, user: Officer, form: Form) -> Response:
    code = str(form.get("checkpoint") or "")
    try:
        ref = _runtime(request).checkpoint(code)
    except Error:
        return redirect("/console/checkpoint")
    request.session["checkpoint"] = ref.code
    request.session["checkpoint_id"] = ref.id
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


@router.post("/console/check", summary="Check a stop")
async def check(request: Request, user: Officer, form: Form, door: DoorDep) -> Response:
    code = request.session.get("checkpoint")
    if not code:
        return redirect("/console/checkpoint")
    t = translator(request)
    try:
        stop = build(StopIn, stop_data(form, code), t, ALIASES)
        (result,) = await _runtime(request).check([stop], user)
    except AuthError:
        raise  # signed out meanwhile: to the login page
    except (FormError, Error) as exc:  # the form's own rules, or the check path's (409...)
        refused = refusal(exc, t, ALIASES)
        context: dict[str, Any] = {
            "values": values(form),
            "errors": refused.errors,
            "form": form,
            "headers": refused.headers,
            # a check_id taken by another stop is not offered again
            "check_id": (not isinstance(exc, CheckIdConflictError) and values(form).get("check_id"))
            or str(uuid.uuid4()),
        }
        return await run_in_threadpool(_console, request, door, user, refused.status, **context)
    return redirect(f"/console/checks/{result.check_id}")


# The verdict ---------------------------------------------------------------------------------


def _current(session: Session, hit: Hit, now: dt.datetime) -> tuple[HitOut, RecordState]:
    """The hit as of ``now``, with its matched record's current state."""
    state = record_state(session, hit, now)
    return hit_out(hit, now, state.status), state


def _hits_context(hits: list[HitOut], now: dt.datetime) -> dict[str, Any]:
    pending = [h for h in hits if h.confirmation.status == "pending"]
    return {"hits": hits, "now": now, "live": bool(pending), "x": explain}


@router.get("/console/checks/{check_id}", summary="The verdict of a check (audited)")
def verdict_page(request: Request, check_id: str, user: CheckReader, door: DoorDep) -> Response:
    with door.lookup(user) as ctx:
        recorded = read_check(ctx, check_id)
        now = ctx.now()
        hits = [_current(ctx.session, h, now)[0] for h in _hits_of(ctx, check_id)]
        return render(
            request,
            "checks/verdict.html",
            verdict=recorded.verdict,
            checkpoint_name=recorded.checkpoint_name,
            inputs=recorded.inputs,
            **_hits_context(hits, now),
        )


def _hits_of(ctx: Ctx, check_id: str) -> list[Hit]:
    return list(find_check(ctx.session, ctx.actor, check_id).hits)


@router.get("/console/checks/{check_id}/hits", summary="The hits of a check (refreshed by htmx)")
def verdict_hits(request: Request, check_id: str, user: CheckReader, door: DoorDep) -> Response:
    """The hits part of the verdict page, polled while a hit awaits its answer. It refreshes
    a page whose reading was audited (``read_check``) and is not audited again each time."""
    with door.read(user) as ctx:
        now = ctx.now()
        hits = [_current(ctx.session, h, now)[0] for h in _hits_of(ctx, check_id)]
    context = _hits_context(hits, now)
    # 286 tells htmx to stop polling: every hit is answered or past its deadline.
    return render(request, "checks/_hits.html", 200 if context["live"] else 286, **context)


# The hits queue ------------------------------------------------------------------------------


def record_kind(t: Translator, kind: str) -> str:
    return t.gettext(explain.RECORD_KINDS.get(kind, kind))


def record_status(t: Translator, status: str) -> str:
    return t.gettext(explain.RECORD_STATE.get(status, status))


def _hits_page(
    request: Request,
    door: Door,
    user: Actor,
    status: int = 200,
    headers: dict[str, str] | None = None,
    problem: str = "",
    **extra: Any,
) -> Response:
    """The queue (an audited read: it names wanted people and vehicles)."""
    with door.lookup(user) as ctx:
        now = ctx.now()
        rows = [
            {
                "hit": hit_out(p.hit, now, p.record.status),
                "record": p.record,
                "at": p.hit.check.at,
                "checkpoint": p.hit.check.checkpoint.code,
            }
            for p in hit_services.pending_hits(ctx)
        ]
    extra.setdefault("forms", {})
    return render(
        request,
        "checks/hits.html",
        status,
        headers,
        rows=rows,
        x=explain,
        problem=problem,
        **extra,
    )


@router.get(HITS, summary="Hits awaiting confirmation (audited)")
def queue(request: Request, user: HitAnswerer, door: DoorDep) -> Response:
    return _hits_page(request, door, user)


def _inactive(door: Door, user: Actor, t: Translator, hit_id: int) -> str:
    """Why the hit could not be confirmed, in the user's language."""
    with door.read(user) as ctx:
        hit = hit_services.get_hit(ctx.session, hit_id)
        state = record_state(ctx.session, hit, ctx.now())
    return t.gettext(
        RECORD_INACTIVE,
        kind=record_kind(t, state.kind),
        number=state.number,
        status=record_status(t, state.status),
    )


@router.post(HITS + "/{hit_id}/{action}", summary="Confirm or deny a hit")
def decide(
    request: Request, hit_id: RecordId, action: str, user: HitAnswerer, form: Form, door: DoorDep
) -> Response:
    if action not in HIT_DONE:
        raise NotFoundError(f"No action {action[:20]!r} on a hit.", field="action")
    t = translator(request)
    data = values(form)
    try:
        body = build(HitDecisionIn, optional(data, "reason", "version"), t, None)
        if action == "deny" and not confirm.confirmed(form):
            with door.read(user) as ctx:
                hit = hit_services.get_hit(ctx.session, hit_id)
                number = str(hit.record.get("number", hit_id))
            return confirmation_step(request, "deny_hit", number, form, HITS)
        with door.write(user) as ctx:
            hit_services.decide_hit(ctx, hit_id, action == "confirm", body.reason, body.version)
    except RecordInactiveError as exc:  # the hit is closed now: say why, at the top
        message = _inactive(door, user, t, hit_id)
        return _hits_page(request, door, user, exc.http_status, {ERROR_HEADER: exc.code}, message)
    except (FormError, Error) as exc:
        refused = refusal(exc, t)
        forms = {f"{action}-{hit_id}": {"values": data, "errors": refused.errors}}
        problem = next(iter(refused.errors.values()), "")
        return _hits_page(
            request,
            door,
            user,
            refused.status,
            refused.headers,
            problem if not isinstance(exc, FormError) else "",
            forms=forms,
        )
    flash(request, "ok", t.gettext(HIT_DONE[action]))
    return redirect(HITS)
