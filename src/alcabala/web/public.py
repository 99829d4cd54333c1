"""Public pages, no login: the home page, "¿Es robado?" and receipt verification.

They tell exactly what the public API tells and nothing personal: the lookup answers only
no report / reported stolen / recovered (:func:`alcabala.vehicles.lookups.public_status`,
which also does the one cleaning of the query and audits it), a receipt only its date,
checkpoint and verdict class, with a link to the receipt's proof file
(``GET /v1/receipts/{code}/proof``) and the same link as a QR code. Both are
rate-limited per address with the runtime's ``public_limit``, as in the API.
"""

from __future__ import annotations

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup

from alcabala.accounts.deps import DoorDep, public_limit
from alcabala.checks import services as checks
from alcabala.context import SYSTEM
from alcabala.errors import NotFoundError, ValidationError
from alcabala.vehicles import lookups
from alcabala.web import csrf
from alcabala.web.forms import ERROR_HEADER, refusal
from alcabala.web.i18n import N_
from alcabala.web.render import refuse, render, translator

router = APIRouter(dependencies=[Depends(csrf.protect)])
PUBLIC = SYSTEM.via("web")
RAW_QUERY_MAX = 200  # what is kept of the query to show it back; the service cleans it

STATUS_TEXT = {
    "no_report": (
        "ok",
        N_("No theft report"),
        N_("No active theft report matches this plate or VIN. Check the papers as well."),
    ),
    "reported_stolen": (
        "hit",
        N_("Reported stolen"),
        N_("This vehicle has an active theft report. Do not buy it; contact the police."),
    ),
    "recovered": (
        "warn",
        N_("Recovered"),
        N_("This vehicle was reported stolen and has since been recovered."),
    ),
}
VERDICT_TEXT = {"clear": N_("Clear"), "irregular": N_("Irregular"), "hit": N_("Hit")}


@router.get("/", summary="Home page")
def home(request: Request) -> Response:
    return render(request, "public/home.html", next="")


@router.get("/lookup", summary="Is this vehicle reported stolen?")
def lookup(request: Request, door: DoorDep, q: str = "") -> Response:
    t = translator(request)
    shown = q[:RAW_QUERY_MAX]
    if not q.strip():
        return render(request, "public/lookup.html", q="", result=None)
    public_limit(request)
    try:
        with door.lookup(PUBLIC) as ctx:
            status = lookups.public_status(ctx, q)
    except ValidationError as exc:
        refused = refusal(exc, t, {"vin_or_plate": "q"})
        return refuse(
            request, refused, "public/lookup.html", q=shown, result=None, errors=refused.errors
        )
    kind, title, text = STATUS_TEXT[status]
    result = {"status": status, "kind": kind, "title": t.gettext(title), "text": t.gettext(text)}
    return render(request, "public/lookup.html", q=shown.strip(), result=result)


@router.get("/receipt", summary="Verify a stop receipt")
def receipt(request: Request, door: DoorDep, code: str = "") -> Response:
    t = translator(request)
    code = code.strip()[:32]
    if not code:
        return render(request, "public/receipt.html", code="", result=None)
    public_limit(request)
    try:
        with door.read(PUBLIC) as ctx:
            found = checks.receipt(ctx.session, code)
    except NotFoundError as exc:
        errors = {"code": t.gettext("No stop has this receipt code. Check it and try again.")}
        return render(
            request,
            "public/receipt.html",
            404,
            {ERROR_HEADER: exc.code},
            code=code,
            result=None,
            errors=errors,
        )
    verdict = t.gettext(VERDICT_TEXT.get(found.verdict, found.verdict))
    proof_url = f"{str(request.base_url).rstrip('/')}/v1/receipts/{found.receipt}/proof"
    return render(
        request,
        "public/receipt.html",
        code=code,
        result=found,
        verdict=verdict,
        proof_url=proof_url,
        proof_qr=qr_svg(proof_url, t.gettext("QR code of the receipt's proof")),
    )


def qr_svg(text: str, title: str) -> Markup:
    """``text`` as a QR code, an inline SVG (no script, no style: the CSP allows it)."""
    code = segno.make(text, error="m")
    svg = code.svg_inline(scale=4, border=2, title=title, svgclass="qr", lineclass=None)
    return Markup(svg)  # segno's own markup; it escapes the title
