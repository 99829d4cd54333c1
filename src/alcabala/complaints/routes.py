"""HTTP routes of complaints: public filing and follow-up, staff handling, open statistics.

Public (no login, rate-limited per address: filing by ``Settings.complaints_per_hour``,
the rest as every public lookup): ``POST /v1/complaints`` files one;
``GET /v1/complaints/{complaint}``, ``…/proof`` and ``POST …/information`` need the secret, in
the ``X-Complaint-Secret`` header (or ``?secret=``, which the receipt's QR code carries);
``GET /v1/complaints/stats`` and ``stats.csv`` are open data. Staff routes are under
``/v1/oversight/complaints``. There is no route that edits or deletes a complaint.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from alcabala.accounts.deps import DoorDep, public_limit, require
from alcabala.accounts.models import Role
from alcabala.accounts.ratelimit import client_of
from alcabala.complaints import filing, proofs, services, stats, views
from alcabala.complaints.runtime import complaint_limit
from alcabala.complaints.schemas import (
    ComplaintIn,
    ComplaintOut,
    ComplaintRow,
    FiledOut,
    InformationIn,
    MoveIn,
    NoteIn,
)
from alcabala.context import SYSTEM, Actor
from alcabala.errors import ValidationError
from alcabala.ledger.provable import RETRY_AFTER, NotLoggedYet
from alcabala.ledger.serving import log_signer

router = APIRouter(prefix="/v1", tags=["complaints"])
PUBLIC = SYSTEM.via("api")
Staff = Annotated[Actor, Depends(require(Role.OVERSIGHT, Role.SUPERVISOR, Role.AUDITOR))]
Writer = Annotated[Actor, Depends(require(Role.OVERSIGHT, Role.SUPERVISOR))]
Overseer = Annotated[Actor, Depends(require(Role.OVERSIGHT))]
NO_STORE = {"Cache-Control": "no-store"}


def secret_of(header: str | None, query: str | None) -> str:
    secret = (header or query or "").strip()
    if not secret:
        raise ValidationError(
            "Give the complaint's secret (header X-Complaint-Secret).", field="secret"
        )
    return secret


#: The complaint's code in a path (e.g. ``D-7K2QX-M9D4B``; the handlers call it ``code``).
CodePath = Annotated[
    str, Path(alias="complaint", max_length=20, description="The complaint's code")
]
SecretHeader = Annotated[str | None, Header(alias="X-Complaint-Secret", max_length=64)]
SecretQuery = Annotated[str | None, Query(alias="secret", max_length=64)]


@router.post("/complaints", status_code=201, summary="File a complaint (no login)")
def file_complaint(data: ComplaintIn, request: Request, door: DoorDep) -> FiledOut:
    """Anyone may complain about a stop (by its receipt), a checkpoint, an agency or an
    officer. The answer holds the complaint's code and secret (shown once) and the log's
    signed promise to include it; its tlog proof is at ``proof_url`` within seconds."""
    complaint_limit(request)
    with door.write(PUBLIC) as ctx:
        filed = filing.file_complaint(ctx, data, client_of(request), log_signer(request))
        complaint = filed.complaint
        out = FiledOut(
            code=complaint.code,
            secret=filed.secret,
            filed_at=complaint.filed_at,
            status=complaint.status,
            promise=filed.promise,
            proof_url=f"/v1/complaints/{complaint.code}/proof",
        )
    return out


@router.get("/complaints/stats", summary="Complaint statistics, at a log checkpoint (open data)")
def get_stats(door: DoorDep) -> dict[str, object]:
    """Counts per checkpoint, agency, category, status and month, over the complaints in
    the log's latest checkpoint, which the answer names (size and root)."""
    with door.read(PUBLIC) as ctx:
        return stats.complaint_stats(ctx.session).as_json()


@router.get(
    "/complaints/stats.csv",
    summary="Complaint statistics as CSV (open data)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def get_stats_csv(door: DoorDep) -> Response:
    with door.read(PUBLIC) as ctx:
        text = stats.to_csv(stats.complaint_stats(ctx.session))
    headers = {"Content-Disposition": 'attachment; filename="complaints.csv"'}
    return Response(text, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/complaints/{complaint}", summary="A complaint, for its complainant (secret)")
def get_complaint(
    code: CodePath,
    request: Request,
    door: DoorDep,
    header: SecretHeader = None,
    query: SecretQuery = None,
) -> ComplaintOut:
    public_limit(request)
    secret = secret_of(header, query)
    with door.read(PUBLIC) as ctx:
        complaint = services.for_complainant(ctx, code, secret)
        return views.describe(ctx, complaint, staff=False)


@router.post(
    "/complaints/{complaint}/information", status_code=201, summary="Add information (secret)"
)
def add_information(
    code: CodePath, data: InformationIn, request: Request, door: DoorDep
) -> ComplaintOut:
    public_limit(request)
    with door.write(PUBLIC) as ctx:
        services.add_information(ctx, code, data.secret, data.text)
        complaint = services.for_complainant(ctx, code, data.secret)
        return views.describe(ctx, complaint, staff=False)


@router.get(
    "/complaints/{complaint}/proof",
    summary="A complaint's tlog proof, to verify offline (secret)",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {}}, "description": "The .tlog-proof file"},
        503: {"description": "Filed, not in a checkpoint yet (`not_logged_yet`, Retry-After)"},
    },
)
def get_proof(
    code: CodePath,
    request: Request,
    door: DoorDep,
    header: SecretHeader = None,
    query: SecretQuery = None,
    download: bool = False,
) -> Response:
    public_limit(request)
    secret = secret_of(header, query)
    try:
        with door.read(PUBLIC) as ctx:
            proof = proofs.complaint_proof(ctx, code, secret)
    except NotLoggedYet as exc:
        retry = {"Retry-After": str(RETRY_AFTER), **NO_STORE}
        return JSONResponse(exc.to_dict(), status_code=exc.http_status, headers=retry)
    headers = dict(NO_STORE)
    if download:
        headers["Content-Disposition"] = f'attachment; filename="{proof.filename}"'
    return Response(proof.text, media_type="text/plain; charset=utf-8", headers=headers)


@router.get("/oversight/complaints", summary="Complaints you may see (staff)")
def list_complaints(
    user: Staff,
    door: DoorDep,
    status: Annotated[
        str | None, Query(pattern="^(received|under_review|resolved|dismissed)$")
    ] = None,
    overdue: bool = False,
) -> list[ComplaintRow]:
    with door.read(user) as ctx:
        found = services.listing(ctx, status=status, overdue=overdue)
        codes = views.codes(ctx)
        return [views.row_of(c, codes, ctx.now()) for c in found]


@router.get("/oversight/complaints/{complaint}", summary="A complaint (staff; audited)")
def get_complaint_staff(code: CodePath, user: Staff, door: DoorDep) -> ComplaintOut:
    with door.lookup(user) as ctx:
        complaint = services.read(ctx, code)
        return views.describe(ctx, complaint, staff=True)


@router.post("/oversight/complaints/{complaint}/moves", summary="Move a complaint (oversight)")
def move_complaint(code: CodePath, data: MoveIn, user: Overseer, door: DoorDep) -> ComplaintOut:
    with door.write(user) as ctx:
        complaint = services.move(ctx, code, data)
        return views.describe(ctx, complaint, staff=True)


@router.post(
    "/oversight/complaints/{complaint}/notes",
    status_code=201,
    summary="A note (oversight) or the agency's answer (its supervisor)",
)
def add_note(code: CodePath, data: NoteIn, user: Writer, door: DoorDep) -> ComplaintOut:
    with door.write(user) as ctx:
        services.add_note(ctx, code, data.text)
        complaint = services.find(ctx, code)
        return views.describe(ctx, complaint, staff=True)
