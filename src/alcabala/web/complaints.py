"""Public complaint pages, no login: file one, keep its receipt, follow it, see the counts.

``/complaints/new`` files a complaint (photos included) through the same schema and
service as ``POST /v1/complaints``, rate-limited alike; the answer is the complainant's
receipt: the code and the secret (shown this once), the log's signed promise, and — polled
until the integrator has numbered the entry, within a second or two — the tlog proof as a
download and a QR code of the follow-up address. ``/complaints/{complaint}`` (with the secret)
shows the status, every move and note, and takes more information. ``/complaints/stats``
is the open statistics (:mod:`alcabala.complaints.stats`): charts and CSV/JSON downloads,
stating the log checkpoint they were computed at.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from starlette.datastructures import FormData, UploadFile

from alcabala.accounts.deps import DoorDep, public_limit
from alcabala.accounts.ratelimit import client_of
from alcabala.checkpoints.models import Checkpoint
from alcabala.complaints import filing, proofs, services, stats, views
from alcabala.complaints.routes import CodePath
from alcabala.complaints.runtime import complaint_limit
from alcabala.complaints.schemas import MAX_PHOTO_BYTES, MAX_PHOTOS, ComplaintIn, InformationIn
from alcabala.context import SYSTEM, Door
from alcabala.errors import Error, ValidationError
from alcabala.ledger.provable import NotLoggedYet
from alcabala.ledger.serving import log_signer
from alcabala.web import csrf
from alcabala.web.charts import Series, bar_chart
from alcabala.web.complaint_texts import CATEGORIES, NOTE_KINDS, SUBJECTS, label_of
from alcabala.web.forms import FormError, build, optional, refusal, values
from alcabala.web.public import qr_svg
from alcabala.web.render import refuse, render, translator

router = APIRouter(dependencies=[Depends(csrf.protect)])
Form = Annotated[FormData, Depends(csrf.form_data)]
PUBLIC = SYSTEM.via("web")
FIELDS = (
    "category",
    "subject_kind",
    "receipt",
    "checkpoint",
    "agency",
    "officer",
    "description",
    "contact",
)


def _checkpoints(door: Door) -> list[tuple[str, str]]:
    """(code, "name (code)") of every checkpoint, for the form's list."""
    with door.read(PUBLIC) as ctx:
        rows = ctx.session.execute(
            select(Checkpoint.code, Checkpoint.name).order_by(Checkpoint.name)
        ).all()
    return [(code, f"{name} ({code})") for code, name in rows]


def _form(request: Request, door: Door, status: int = 200, **context: Any) -> Response:
    t = translator(request)
    context.setdefault("values", {"subject_kind": "checkpoint", "category": "bribe"})
    context.setdefault("errors", {})
    return render(
        request,
        "complaints/new.html",
        status,
        categories=[(k, t.gettext(v)) for k, v in CATEGORIES.items()],
        subjects=[(k, t.gettext(v)) for k, v in SUBJECTS.items()],
        checkpoints=_checkpoints(door),
        **context,
    )


@router.get("/complaints/new", summary="File a complaint (form)")
def new(request: Request, door: DoorDep) -> Response:
    return _form(request, door)


async def _photos(form: FormData) -> list[dict[str, str]]:
    """The uploaded photos as the schema takes them (base64); empty inputs are skipped."""
    photos = []
    uploads = [f for f in form.getlist("photos") if isinstance(f, UploadFile) and f.filename]
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError(f"At most {MAX_PHOTOS} photos.", field="photos")
    for upload in uploads:
        raw = await upload.read(MAX_PHOTO_BYTES + 1)
        if len(raw) > MAX_PHOTO_BYTES:
            raise ValidationError("A photo is at most 2 MiB.", field="photos")
        content_type = upload.content_type or ""
        photos.append({"content_type": content_type, "data": base64.b64encode(raw).decode()})
    return photos


@router.post("/complaints/new", summary="File a complaint")
async def file(request: Request, form: Form, door: DoorDep) -> Response:
    t = translator(request)
    data = values(form)
    complaint_limit(request)  # refused: the error page, 429
    try:
        fields = optional(data, *FIELDS)
        fields["language"] = t.locale
        fields["photos"] = await _photos(form)
        body = build(ComplaintIn, fields, t, {"photos": "photos"})
        with door.write(PUBLIC) as ctx:
            filed = filing.file_complaint(ctx, body, client_of(request), log_signer(request))
            code, filed_at = filed.complaint.code, filed.complaint.filed_at
    except (FormError, Error) as exc:
        refused = refusal(exc, t)
        return _form(request, door, refused.status, values=data, errors=refused.errors)
    return render(
        request,
        "complaints/receipt.html",
        201,
        code=code,
        secret=filed.secret,
        filed_at=filed_at,
        promise=filed.promise,
    )


def follow_url(request: Request, code: str, secret: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/complaints/{code}?secret={secret}"


@router.post("/complaints/{complaint}/proof-status", summary="Is the complaint's proof ready?")
def proof_status(request: Request, code: CodePath, form: Form, door: DoorDep) -> Response:
    """The receipt's proof part (htmx): ready, with the download and the QR code, or
    pending, asking again in a second."""
    t = translator(request)
    secret = values(form).get("secret", "")
    try:
        with door.read(PUBLIC) as ctx:
            proof = proofs.complaint_proof(ctx, code, secret)
    except NotLoggedYet:
        return render(request, "complaints/_proof.html", code=code, secret=secret, ready=False)
    url = follow_url(request, proof.code, secret)
    return render(
        request,
        "complaints/_proof.html",
        code=proof.code,
        secret=secret,
        ready=True,
        follow_url=url,
        qr=qr_svg(url, t.gettext("QR code to follow the complaint")),
    )


def _status_page(
    request: Request, door: Door, code: str, secret: str, status: int = 200, **extra: Any
) -> Response:
    t = translator(request)
    try:
        with door.read(PUBLIC) as ctx:
            complaint = services.for_complainant(ctx, code, secret)
            shown = views.describe(ctx, complaint, staff=False)
    except Error as exc:
        refused = refusal(exc, t, {"secret": "secret"})
        return refuse(
            request, refused, "complaints/follow.html", values={"code": code}, errors=refused.errors
        )
    return render(
        request,
        "complaints/status.html",
        status,
        complaint=shown,
        secret=secret,
        label=label_of(t),
        note_kinds={k: t.gettext(v) for k, v in NOTE_KINDS.items()},
        **{"added": False, "errors": {}, **extra},
    )


@router.get("/complaints", summary="Follow a complaint (form)")
def follow(request: Request) -> Response:
    return render(request, "complaints/follow.html", values={}, errors={})


@router.post("/complaints", summary="Follow a complaint")
def follow_post(request: Request, form: Form, door: DoorDep) -> Response:
    public_limit(request)
    data = values(form)
    return _status_page(request, door, data.get("code", ""), data.get("secret", ""))


@router.get("/complaints/stats", summary="Complaint statistics")
def stats_page(request: Request, door: DoorDep) -> Response:
    t = translator(request)
    with door.read(PUBLIC) as ctx:
        counts = stats.complaint_stats(ctx.session)
    label = label_of(t)
    charts = {}
    for dimension in ("month", "category", "status", "checkpoint", "agency"):
        found = counts.counts.get(dimension, {})
        keys = list(found)
        names = [label(dimension, k) for k in keys]
        charts[dimension] = (
            bar_chart(
                names,
                [Series(t.gettext("Complaints"), "#0a58ca", [found[k] for k in keys])],
                t.gettext("Complaints"),
            )
            if keys
            else None
        )
    return render(request, "complaints/stats.html", stats=counts, charts=charts, label=label)


@router.get("/complaints/{complaint}", summary="A complaint's status (with its secret)")
def status(request: Request, code: CodePath, door: DoorDep, secret: str = "") -> Response:
    public_limit(request)
    if not secret:
        return render(request, "complaints/follow.html", values={"code": code}, errors={})
    return _status_page(request, door, code, secret[:64])


@router.post("/complaints/{complaint}/information", summary="Add information to a complaint")
def information(request: Request, code: CodePath, form: Form, door: DoorDep) -> Response:
    t = translator(request)
    public_limit(request)
    data = values(form)
    secret = data.get("secret", "")
    try:
        body = build(InformationIn, {"secret": secret, "text": data.get("text", "")}, t, None)
        with door.write(PUBLIC) as ctx:
            services.add_information(ctx, code, body.secret, body.text)
    except (FormError, Error) as exc:
        refused = refusal(exc, t)
        return _status_page(request, door, code, secret, refused.status, errors=refused.errors)
    return _status_page(request, door, code, secret, added=True)
