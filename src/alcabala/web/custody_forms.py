"""Custody on the console, for those who hold items: record a seizure, offer items in
transfer, and confirm or refuse what others offer.

``/custodia`` lists the items the user holds, the transfers waiting for them (each with a
form to state the seals as seen and confirm, or to refuse) and those they offered; from it
items are offered to another holder. ``/custodia/nueva`` records a seizure (officers and
supervisors) at the checkpoint chosen for the shift: up to :data:`ROWS` items and
:data:`PEOPLE` persons detained, each with the reason a supervisor must approve. The
services decide everything; these pages only show and post.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from alcabala.accounts.deps import DoorDep, require
from alcabala.accounts.models import Role
from alcabala.context import Actor
from alcabala.custody import detentions, locations, seizing, transfers, views
from alcabala.custody.schemas import AnswerIn, ReceiveIn, SeizureIn, TransferIn
from alcabala.errors import Error
from alcabala.web import csrf
from alcabala.web.custody import WORDS
from alcabala.web.forms import FormError, build, lines, refusal, values
from alcabala.web.i18n import N_
from alcabala.web.render import flash, redirect, render, translator

router = APIRouter(dependencies=[Depends(csrf.protect)])
Form = Annotated[Any, Depends(csrf.form_data)]
Holder = Annotated[Actor, Depends(require(Role.OFFICER, Role.SUPERVISOR, Role.CUSTODIAN))]
Seizer = Annotated[Actor, Depends(require(Role.OFFICER, Role.SUPERVISOR))]
TransferPath = Annotated[int, Path(alias="transfer", ge=1, le=2**31 - 1)]
DetentionPath = Annotated[int, Path(alias="detention", ge=1, le=2**31 - 1)]
Supervisor = Annotated[Actor, Depends(require(Role.SUPERVISOR))]
ROWS, PEOPLE = 4, 2
ITEM_FIELDS = ("kind", "description", "quantity", "unit", "weight_kg", "currency", "serial",
               "vin", "seal")  # fmt: skip
RECORDED = N_("Seizure recorded. Print the receipt for the driver.")
OFFERED = N_("Transfer offered: the items stay yours until the receiver confirms.")
RECEIVED = N_("Received: the items are in your custody now.")
REFUSED = N_("Transfer answered: the items stay with the sender.")
DECIDED = {
    "aprobar": N_("Detention approved."),
    "rechazar": N_("Detention rejected: the person must be released now."),
}


def _home(request: Request, user: Actor, door: Any, status: int = 200, **context: Any) -> Response:
    with door.lookup(user.via("web")) as ctx:
        names = views.Names(ctx)
        mine = [views.item_out(i, names) for i in transfers.held(ctx)]
        to_approve = [views.detention_out(d, ctx) for d in detentions.awaiting(ctx)]
        waiting = transfers.pending(ctx)
        incoming = [views.transfer_view(t, names) for t in waiting if t.to_user_id == user.id]
        outgoing = [views.transfer_view(t, names) for t in waiting if t.from_user_id == user.id]
        places = [(loc.code, f"{loc.code} · {loc.name}") for loc, _ in locations.listing(ctx)]
    context.setdefault("values", {})
    context.setdefault("errors", {})
    return render(
        request,
        "custody/home.html",
        status,
        items=mine,
        incoming=incoming,
        outgoing=outgoing,
        places=places,
        to_approve=to_approve,
        can_seize=user.role in ("officer", "supervisor"),
        **WORDS,
        **context,
    )


@router.get("/custodia", summary="What you hold, and transfers to confirm")
def home(request: Request, user: Holder, door: DoorDep) -> Response:
    return _home(request, user, door)


@router.post("/custodia/traspasos", summary="Offer items to another holder")
def offer(request: Request, form: Form, user: Holder, door: DoorDep) -> Response:
    t = translator(request)
    data = values(form)
    chosen = [v for v in form.getlist("items") if isinstance(v, str)]
    body: dict[str, Any] = {"items": chosen, "to": data.get("to", "")}
    body["purpose"] = data.get("purpose", "")
    body |= {"place": data.get("place", ""), "location": data.get("location") or None}
    try:
        parsed = build(TransferIn, body, t, None)
        with door.write(user.via("web")) as ctx:
            transfers.offer(ctx, parsed)
    except (FormError, Error) as exc:
        refused = refusal(exc, t)
        errors = {k.split(".")[0]: v for k, v in refused.errors.items()}
        return _home(request, user, door, refused.status, values=data, errors=errors)
    flash(request, "ok", t.gettext(OFFERED))
    return redirect("/custodia")


def _answer(
    request: Request, user: Actor, door: Any, transfer_id: int, form: Any, act: Any, done: str
) -> Response:
    """Run ``act(ctx)`` as the user; on refusal, ``/custodia`` with the errors next to
    this transfer's forms; on success, back to it with ``done``."""
    t = translator(request)
    data = values(form)
    try:
        with door.write(user.via("web")) as ctx:
            act(ctx, data, t)
    except (FormError, Error) as exc:
        refused = refusal(exc, t)
        errors = {f"{k}-{transfer_id}": v for k, v in refused.errors.items()}
        return _home(request, user, door, refused.status, values=data, errors=errors)
    flash(request, "ok", t.gettext(done))
    return redirect("/custodia")


@router.post("/custodia/traspasos/{transfer}/recibir", summary="Confirm a transfer")
def receive(
    request: Request, transfer_id: TransferPath, form: Form, user: Holder, door: DoorDep
) -> Response:
    def act(ctx: Any, data: dict[str, str], t: Any) -> None:
        seals = {k.removeprefix("seal:"): v for k, v in data.items() if k.startswith("seal:") and v}
        parsed = build(ReceiveIn, {"seals": seals, "note": data.get("note", "")}, t, None)
        transfers.receive(ctx, transfer_id, parsed)

    return _answer(request, user, door, transfer_id, form, act, RECEIVED)


@router.post("/custodia/traspasos/{transfer}/rechazar", summary="Refuse or withdraw a transfer")
def decline(
    request: Request, transfer_id: TransferPath, form: Form, user: Holder, door: DoorDep
) -> Response:
    def act(ctx: Any, data: dict[str, str], t: Any) -> None:
        parsed = build(AnswerIn, {"reason": data.get("reason", "")}, t, None)
        transfers.decline(ctx, transfer_id, parsed)

    return _answer(request, user, door, transfer_id, form, act, REFUSED)


def _new(request: Request, status: int = 200, **context: Any) -> Response:
    context.setdefault("values", {"checkpoint": request.session.get("checkpoint", "")})
    context.setdefault("errors", {})
    return render(
        request, "custody/new.html", status, rows=range(ROWS), people=range(PEOPLE), **WORDS,
        **context,
    )  # fmt: skip


@router.get("/custodia/nueva", summary="Record a seizure (form)")
def new(request: Request, user: Seizer) -> Response:
    return _new(request)


def seizure_body(data: dict[str, str]) -> tuple[dict[str, Any], list[int], list[int]]:
    """The schema's body from the flat form, and which form rows its items and people are."""
    items, item_rows, people, people_rows = [], [], [], []
    for n in range(ROWS):
        row = {f: data.get(f"item{n}_{f}", "") for f in ITEM_FIELDS}
        if not row["description"]:
            continue
        items.append({k: v for k, v in row.items() if v})
        item_rows.append(n)
    for n in range(PEOPLE):
        national_id = data.get(f"person{n}_national_id", "")
        if not national_id:
            continue
        people.append({"national_id": national_id, "name": data.get(f"person{n}_name", ""),
                       "basis": "reason", "reason": data.get(f"person{n}_reason", "")})  # fmt: skip
        people_rows.append(n)
    body: dict[str, Any] = {k: data[k] for k in ("place", "case_ref", "notes") if data.get(k)}
    if data.get("checkpoint"):
        body["checkpoint"] = data["checkpoint"]
    body |= {"items": items, "seals": lines(data.get("seals", "")), "detained": people}
    return body, item_rows, people_rows


def _row_errors(errors: dict[str, str], items: list[int], people: list[int]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, message in errors.items():
        parts = key.split(".")
        if parts[0] in ("items", "detained") and len(parts) > 1 and parts[1].isdigit():
            rows, prefix = (items, "item") if parts[0] == "items" else (people, "person")
            index = int(parts[1])
            row = rows[index] if index < len(rows) else 0
            name = parts[2] if len(parts) > 2 else ("description" if prefix == "item" else "reason")
            out[f"{prefix}{row}_{name}"] = message
        else:
            out["item0_description" if key == "items" else key] = message
    return out


@router.post("/custodia/nueva", summary="Record a seizure")
def seize(request: Request, form: Form, user: Seizer, door: DoorDep) -> Response:
    t = translator(request)
    data = values(form)
    body, item_rows, people_rows = seizure_body(data)
    try:
        parsed = build(SeizureIn, body, t, None)
        with door.write(user.via("web")) as ctx:
            code = seizing.seize(ctx, parsed).code
    except (FormError, Error) as exc:
        refused = refusal(exc, t)
        errors = _row_errors(refused.errors, item_rows, people_rows)
        return _new(request, refused.status, values=data, errors=errors)
    flash(request, "ok", t.gettext(RECORDED))
    return redirect(f"/custodia/incautaciones/{code}")


@router.post("/custodia/detenciones/{detention}/{action}", summary="Approve or reject a detention")
def decide(
    request: Request,
    detention_id: DetentionPath,
    action: Annotated[str, Path(pattern="^(aprobar|rechazar)$")],
    form: Form,
    user: Supervisor,
    door: DoorDep,
) -> Response:
    t = translator(request)
    data = values(form)
    try:
        parsed = build(AnswerIn, {"reason": data.get("reason", "")}, t, None)
        with door.write(user.via("web")) as ctx:
            detentions.decide(ctx, detention_id, action == "aprobar", parsed)
    except (FormError, Error) as exc:
        refused = refusal(exc, t)
        errors = {f"{k}-d{detention_id}": v for k, v in refused.errors.items()}
        return _home(request, user, door, refused.status, values=data, errors=errors)
    flash(request, "ok", t.gettext(DECIDED[action]))
    return redirect("/custodia")
