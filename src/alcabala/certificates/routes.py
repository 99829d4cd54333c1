"""HTTP routes of pre-purchase certificates and inspections.

Public (no login): ``POST /v1/certificates`` asks for one (rate-limited by
``Settings.certificates_per_hour``); ``GET /v1/certificates/{serial}`` reads one;
``POST /v1/certificates/verify`` verifies a certificate's text and says whether it still
holds; ``GET /v1/certificates/keys`` gives the keys to verify offline with. A registrar
records an inspection at ``POST /v1/vehicles/{vin}/inspections``. There is no route that
edits or deletes a certificate.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from alcabala.accounts.deps import DoorDep, public_limit, require
from alcabala.accounts.models import Role
from alcabala.certificates import issuing, services, views
from alcabala.certificates.runtime import certificate_limit, keys_of
from alcabala.certificates.schemas import (
    CertificateIn,
    CertificateOut,
    InspectionIn,
    InspectionOut,
    VerifyIn,
    VerifyOut,
)
from alcabala.context import SYSTEM, Actor
from alcabala.ledger.serving import need_signer

router = APIRouter(prefix="/v1", tags=["certificates"])
PUBLIC = SYSTEM.via("api")
Registrar = Annotated[Actor, Depends(require(Role.REGISTRAR))]
SerialPath = Annotated[
    str, Path(max_length=20, description="The certificate's serial, e.g. C-7K2QX-M9D4B")
]


def _base(request: Request) -> str:
    return str(request.base_url)


@router.post("/certificates", status_code=201, summary="Ask for a certificate (no login)")
def request_certificate(data: CertificateIn, request: Request, door: DoorDep) -> CertificateOut:
    """Both the VIN and the plate, as on the vehicle and its title: a 422 naming ``plate``
    when they are not registered together, and no certificate. The answer's ``text`` is
    the signed certificate, which ``alcabala cert verify`` and ``/verificar/offline``
    check with no network."""
    certificate_limit(request)
    signer = need_signer(request)
    with door.write(PUBLIC) as ctx:
        certificate = issuing.request_certificate(ctx, data, signer)
        return views.certificate_out(ctx, certificate, _base(request))


@router.get("/certificates/keys", summary="The keys certificates are signed with")
def certificate_keys(request: Request) -> list[str]:
    """The log's verifier keys (note format), newest first: verify offline with them."""
    return keys_of(request)


@router.post("/certificates/verify", summary="Verify a certificate, and whether it still holds")
def verify_certificate(data: VerifyIn, request: Request, door: DoorDep) -> VerifyOut:
    """A 422 naming what is wrong when the text is not a certificate signed by this log;
    otherwise what it says, whether it expired, and ``superseded`` when the vehicle was
    reported stolen or retired after issue."""
    public_limit(request)
    with door.lookup(PUBLIC) as ctx:
        verified = services.verify(ctx, data.text, keys_of(request))
        return views.verified_out(ctx, verified, _base(request))


@router.get("/certificates/{serial}", summary="A certificate by its serial (no login)")
def get_certificate(serial: SerialPath, request: Request, door: DoorDep) -> CertificateOut:
    public_limit(request)
    with door.lookup(PUBLIC) as ctx:
        certificate = services.find(ctx, serial)
        return views.certificate_out(ctx, certificate, _base(request))


@router.post(
    "/vehicles/{vin}/inspections",
    status_code=201,
    summary="Record a physical inspection (registrar)",
    tags=["vehicles"],
)
def add_inspection(vin: str, data: InspectionIn, user: Registrar, door: DoorDep) -> InspectionOut:
    """The VIN and engine number read off the vehicle, where, and the photos' SHA-256.
    Certificates issued from now on carry it; one that read other numbers supersedes the
    vehicle's certificates in force."""
    with door.write(user) as ctx:
        inspection = services.add_inspection(ctx, vin, data)
        return InspectionOut.model_validate(inspection)
