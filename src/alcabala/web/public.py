"""Public pages, no login: the home page, "¿Es robado?" and receipt verification.

They tell exactly what the public API tells and nothing personal: the lookup answers only
no report / reported stolen / recovered (:func:`alcabala.vehicles.services.public_status`),
a receipt only its date, checkpoint and verdict class. Both are rate-limited per address
with the runtime's ``public_limit`` and every lookup is audited, as in the API.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from alcabala import identifiers
from alcabala.accounts.audit import audit_lookup
from alcabala.api.deps import Db
from alcabala.checks import services as checks
from alcabala.db.engine import read_session, unit_of_work
from alcabala.errors import NotFoundError
from alcabala.vehicles import services as vehicles
from alcabala.web import csrf
from alcabala.web.i18n import N_
from alcabala.web.render import render, translator

router = APIRouter(dependencies=[Depends(csrf.protect)])

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
def lookup(request: Request, db: Db, q: str = "") -> Response:
    t = translator(request)
    query = q.strip()[:64]
    if not query:
        return render(request, "public/lookup.html", q="", result=None)
    if len(query) < 4 or not query.replace("-", "").replace(" ", "").isalnum():
        errors = {"q": t.gettext("Enter a plate (e.g. AB123CD) or a 17-character VIN.")}
        return render(request, "public/lookup.html", 422, q=query, result=None, errors=errors)
    request.app.state.runtime.public_limit.check(request)
    with unit_of_work(db) as s:
        status = vehicles.public_status(s, query)
        subject = identifiers.normalize_vin(query) or query
        audit_lookup(s, None, "public_lookup", "vehicle", subject[:40], reason="public")
    kind, title, text = STATUS_TEXT[status]
    result = {"status": status, "kind": kind, "title": t.gettext(title), "text": t.gettext(text)}
    return render(request, "public/lookup.html", q=query, result=result)


@router.get("/receipt", summary="Verify a stop receipt")
def receipt(request: Request, db: Db, code: str = "") -> Response:
    t = translator(request)
    code = code.strip()[:32]
    if not code:
        return render(request, "public/receipt.html", code="", result=None)
    request.app.state.runtime.public_limit.check(request)
    try:
        with read_session(db) as s:
            found = checks.receipt(s, code)
    except NotFoundError:
        errors = {"code": t.gettext("No stop has this receipt code. Check it and try again.")}
        return render(request, "public/receipt.html", 404, code=code, result=None, errors=errors)
    verdict = t.gettext(VERDICT_TEXT.get(found.verdict, found.verdict))
    return render(request, "public/receipt.html", code=code, result=found, verdict=verdict)
