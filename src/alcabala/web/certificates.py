"""Public certificate pages, no login: ask for one, print it, verify one online or offline.

``/certificados`` takes the VIN and the plate (and, optionally, an address to be told if it
is superseded) through the same schema and service as ``POST /v1/certificates``,
rate-limited alike, and answers with the certificate page: the registry's findings, the
signed text and its QR code, printable on one A4 sheet. ``/certificados/{serial}`` shows
it again (an audited lookup of its VIN). ``/verificar`` verifies a pasted or scanned
certificate against the log's keys and, being online, says whether it was superseded
since. ``/verificar/offline`` is one self-contained HTML file, with the log's public keys
in it, that verifies certificates in the browser with no network
(:mod:`alcabala.certificates.verifier_page`): a buyer saves it on a phone once.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from starlette.datastructures import FormData

from alcabala.accounts.deps import DoorDep, public_limit
from alcabala.certificates import codec, issuing, services, views
from alcabala.certificates.routes import SerialPath
from alcabala.certificates.runtime import certificate_limit, keys_of
from alcabala.certificates.schemas import CertificateIn, CertificateOut
from alcabala.certificates.verifier_page import offline_page
from alcabala.context import SYSTEM
from alcabala.errors import Error
from alcabala.ledger.serving import need_signer
from alcabala.web import csrf
from alcabala.web.certificate_texts import STATUSES
from alcabala.web.forms import FormError, build, optional, refusal, values
from alcabala.web.render import refuse, render, translator

router = APIRouter(dependencies=[Depends(csrf.protect)])
Form = Annotated[FormData, Depends(csrf.form_data)]
PUBLIC = SYSTEM.via("web")
FIELDS = ("vin", "plate", "contact")
OFFLINE_FILE = "verificar-certificados.html"
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def qr_of(text: str, title: str) -> Markup:
    """The certificate's QR code as inline SVG (version 12 or smaller, level M)."""
    code = codec.qr_code(text)
    svg = code.svg_inline(scale=3, border=4, title=title, svgclass="qr", lineclass=None)
    return Markup(svg)  # segno's own markup; it escapes the title


def _page(request: Request, shown: CertificateOut, status: int = 200) -> Response:
    t = translator(request)
    return render(
        request,
        "certificates/certificate.html",
        status,
        cert=shown,
        status_text=t.gettext(STATUSES.get(shown.status, shown.status)),
        qr=qr_of(shown.text, t.gettext("QR code of the certificate")),
    )


def _form(request: Request, status: int = 200, **context: Any) -> Response:
    context.setdefault("values", {})
    context.setdefault("errors", {})
    return render(request, "certificates/request.html", status, **context)


@router.get("/certificados", summary="Ask for a pre-purchase certificate (form)")
def new(request: Request) -> Response:
    return _form(request)


@router.post("/certificados", summary="Ask for a pre-purchase certificate")
def request_certificate(request: Request, form: Form, door: DoorDep) -> Response:
    t = translator(request)
    data = values(form)
    certificate_limit(request)  # refused: the error page, 429
    try:
        body = build(CertificateIn, optional(data, *FIELDS), t, None)
        signer = need_signer(request)
        with door.write(PUBLIC) as ctx:
            certificate = issuing.request_certificate(ctx, body, signer)
            shown = views.certificate_out(ctx, certificate, str(request.base_url))
    except (FormError, Error) as exc:
        refused = refusal(exc, t)
        return _form(request, refused.status, values=data, errors=refused.errors)
    return _page(request, shown, 201)


@router.get("/certificados/{serial}", summary="A certificate, to show or print again")
def show(request: Request, serial: SerialPath, door: DoorDep) -> Response:
    t = translator(request)
    public_limit(request)
    try:
        with door.lookup(PUBLIC) as ctx:
            certificate = services.find(ctx, serial)
            shown = views.certificate_out(ctx, certificate, str(request.base_url))
    except Error as exc:
        refused = refusal(exc, t, {"serial": "text"})
        return refuse(request, refused, "certificates/verify.html", values={}, result=None)
    return _page(request, shown)


@router.get("/verificar", summary="Verify a certificate (form)")
def verify_form(request: Request) -> Response:
    return render(
        request, "certificates/verify.html", values={}, errors={}, result=None, offline=False
    )


@router.post("/verificar", summary="Verify a certificate")
def verify(request: Request, form: Form, door: DoorDep) -> Response:
    t = translator(request)
    public_limit(request)
    data = values(form)
    try:
        with door.lookup(PUBLIC) as ctx:
            verified = services.verify(ctx, data.get("text", ""), keys_of(request))
            shown = views.verified_out(ctx, verified, str(request.base_url))
    except Error as exc:
        refused = refusal(exc, t, {"certificate": "text", "key": "text"})
        return refuse(
            request,
            refused,
            "certificates/verify.html",
            values=data,
            errors=refused.errors,
            result=None,
            offline=False,
        )
    return render(
        request,
        "certificates/verify.html",
        values=data,
        errors={},
        result=shown,
        claims=verified.claims,
        status_text=t.gettext(STATUSES.get(shown.status, shown.status)),
        offline=False,
    )


@router.get("/verificar/offline", summary="A verifier page that works with no network")
def offline(request: Request, download: bool = False) -> Response:
    """One HTML file with the log's public keys and its own script: saved on a phone, it
    verifies certificates with no network. Its script is allowed by its hash alone."""
    base = str(request.base_url).rstrip("/")
    html = offline_page(keys_of(request), issuer=base)
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
        for s in _SCRIPT.findall(html)
    )
    headers = {
        "Content-Security-Policy": (
            f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
            "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        ),
        "Cache-Control": "no-cache",
    }
    if download:
        headers["Content-Disposition"] = f'attachment; filename="{OFFLINE_FILE}"'
    return HTMLResponse(html, headers=headers)
