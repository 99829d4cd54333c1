"""Custody on the console: the driver's seizure receipt, a seizure for staff with its
release form, a release's comparison with the seizure, and oversight's discrepancies.

``/incautacion/{seizure}`` is public (no login, rate-limited): the receipt the driver
keeps — every item and seal, no names — with a QR code that opens this same page, and a
link to its tlog proof. ``/custodia/incautaciones/{seizure}`` shows a seizure to staff
(an audited read) and, to the custodian or supervisor holding its items, the release
form: each item as found, compared with the seizure by the service, which refuses a
difference without an explanation. ``/custodia/salidas/{outcome}`` shows a release or
disposal item by item beside the seizure; ``/custodia/discrepancias`` is oversight's
dashboard per agency and storage location. Authority is the services'.
"""

from __future__ import annotations

from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy import select

from alcabala.accounts.deps import DoorDep, public_limit, require
from alcabala.accounts.models import Role
from alcabala.context import SYSTEM, Actor
from alcabala.custody import core, outcomes, oversight, views
from alcabala.custody.models import Outcome
from alcabala.custody.routes import CodePath
from alcabala.custody.schemas import ReleaseIn
from alcabala.errors import Error
from alcabala.web import csrf
from alcabala.web.custody_texts import (
    DETENTION_STATUSES,
    DIFFERENCES,
    ITEM_KINDS,
    ITEM_STATUSES,
    OUTCOMES,
    SEAL_STATES,
)
from alcabala.web.forms import FormError, build, refusal, values
from alcabala.web.i18n import N_
from alcabala.web.render import redirect, render, translator

router = APIRouter(dependencies=[Depends(csrf.protect)])
Form = Annotated[Any, Depends(csrf.form_data)]
PUBLIC = SYSTEM.via("web")
R = Role
Reader = Annotated[
    Actor, Depends(require(R.OFFICER, R.SUPERVISOR, R.CUSTODIAN, R.OVERSIGHT, R.AUDITOR))
]
Keeper = Annotated[Actor, Depends(require(R.SUPERVISOR, R.CUSTODIAN))]
Overseer = Annotated[Actor, Depends(require(R.SUPERVISOR, R.CUSTODIAN, R.OVERSIGHT, R.AUDITOR))]
OutcomePath = Annotated[int, Path(alias="outcome", ge=1, le=2**31 - 1)]
EXPLAIN = N_("This item differs from the seizure: explain why.")
WORDS: dict[str, Any] = {
    "kinds": ITEM_KINDS,
    "statuses": ITEM_STATUSES,
    "seals": SEAL_STATES,
    "outcomes": OUTCOMES,
    "differences": DIFFERENCES,
    "detention_statuses": DETENTION_STATUSES,
}


def _qr(url: str, title: str) -> Markup:
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=4, border=4, title=title, svgclass="qr", lineclass=None)
    return Markup(svg)  # segno's own markup; it escapes the title


@router.get("/incautacion/{seizure}", summary="The driver's seizure receipt (no login)")
def receipt(request: Request, code: CodePath, door: DoorDep) -> Response:
    t = translator(request)
    public_limit(request)
    with door.read(PUBLIC) as ctx:
        shown = views.receipt_out(ctx, core.find_seizure(ctx, code))
    url = f"{str(request.base_url).rstrip('/')}/incautacion/{shown.code}"
    return render(
        request,
        "custody/receipt.html",
        receipt=shown,
        url=url,
        qr=_qr(url, t.gettext("QR code of the seizure receipt")),
        **WORDS,
    )


def _seizure_page(
    request: Request, user: Actor, door: Any, code: str, status: int = 200, **context: Any
) -> Response:
    with door.lookup(user.via("web")) as ctx:
        seizure = core.read_seizure(ctx, code)
        shown = views.seizure_out(ctx, seizure)
        query = select(Outcome).where(Outcome.seizure_id == seizure.id).order_by(Outcome.id)
        done = [views.outcome_out(ctx, o) for o in ctx.session.scalars(query)]
    mine = [i for i in shown.items if i.status == "held" and i.holder == user.username]
    context.setdefault("values", {})
    context.setdefault("errors", {})
    return render(
        request,
        "custody/seizure.html",
        status,
        seizure=shown,
        done=done,
        releasable=mine if user.role in ("supervisor", "custodian") else [],
        **WORDS,
        **context,
    )


@router.get("/custodia/incautaciones/{seizure}", summary="A seizure (staff; audited)")
def seizure(request: Request, code: CodePath, user: Reader, door: DoorDep) -> Response:
    return _seizure_page(request, user, door, code)


def _release_body(data: dict[str, str], labels: list[str]) -> dict[str, Any]:
    lines = []
    for n, label in enumerate(labels):
        if data.get(f"include_{n}") != "1":
            continue
        line: dict[str, Any] = {"label": label, "found": data.get(f"found_{n}") != "0"}
        for key, name in (("quantity", "quantity"), ("weight", "weight_kg")):
            if data.get(f"{key}_{n}"):
                line[name] = data[f"{key}_{n}"]
        line["seal_state"] = data.get(f"seal_{n}") or "intact"
        line["explanation"] = data.get(f"explanation_{n}", "")
        lines.append((n, line))
    body: dict[str, Any] = {
        "to": data.get("to", ""),
        "recipient": data.get("recipient", ""),
        "authority": data.get("authority", ""),
        "lines": [line for _, line in lines],
    }
    body["_rows"] = [n for n, _ in lines]
    return body


def _form_errors(errors: dict[str, str], rows: list[int], t: Any) -> dict[str, str]:
    """Errors of ``lines.<i>.<field>`` shown next to row ``rows[i]`` of the form."""
    out: dict[str, str] = {}
    for key, message in errors.items():
        parts = key.split(".")
        if parts[0] == "lines" and len(parts) >= 2 and parts[1].isdigit():
            row = rows[int(parts[1])] if int(parts[1]) < len(rows) else 0
            name = parts[2] if len(parts) > 2 else "label"
            field = {"weight_kg": "weight", "seal_state": "seal"}.get(name, name)
            out[f"{field}_{row}"] = t.gettext(EXPLAIN) if field == "explanation" else message
        elif key == "lines":
            out["_form"] = message
        else:
            out[key] = message
    return out


@router.post("/custodia/incautaciones/{seizure}/liberar", summary="Release items (form)")
def release(request: Request, code: CodePath, form: Form, user: Keeper, door: DoorDep) -> Response:
    t = translator(request)
    data = values(form)
    labels: list[str] = []
    while f"label_{len(labels)}" in data:  # one hidden label per item on the form
        labels.append(data[f"label_{len(labels)}"])
    body = _release_body(data, labels)
    rows = body.pop("_rows")
    try:
        if not body["lines"]:
            raise FormError({"_form": t.gettext("Choose at least one item to release.")})
        parsed = build(ReleaseIn, body, t, None)
        with door.write(user.via("web")) as ctx:
            outcome = outcomes.release(ctx, code, parsed)
            outcome_id = outcome.id
    except (FormError, Error) as exc:
        refused = refusal(exc, t)
        errors = _form_errors(refused.errors, rows, t)
        return _seizure_page(request, user, door, code, refused.status, values=data, errors=errors)
    return redirect(f"/custodia/salidas/{outcome_id}")


@router.get("/custodia/salidas/{outcome}", summary="A release or disposal beside the seizure")
def outcome(request: Request, outcome_id: OutcomePath, user: Reader, door: DoorDep) -> Response:
    with door.lookup(user.via("web")) as ctx:
        shown = views.outcome_out(ctx, outcomes.read_outcome(ctx, outcome_id))
    return render(request, "custody/outcome.html", outcome=shown, **WORDS)


@router.get("/custodia/discrepancias", summary="Custody discrepancies (oversight)")
def discrepancies(request: Request, user: Overseer, door: DoorDep) -> Response:
    with door.lookup(user.via("web")) as ctx:
        rows, recent = oversight.dashboard(ctx)
        names = views.Names(ctx)
        late = oversight.overdue_detentions(ctx)
        table = [
            (names.agency(a).code, names.location(loc), kinds, last) for a, loc, kinds, last in rows
        ]
        shown = views.discrepancies_out(ctx, recent)
        detained = [views.detention_out(d, ctx) for d in late]
    return render(
        request,
        "custody/discrepancies.html",
        rows=table,
        recent=shown,
        detained=detained,
        **WORDS,
    )
