"""Certificates as the API and the pages show them: no personal data (the buyer's
contact never leaves the row), the signed text, and where to verify it."""

from __future__ import annotations

from alcabala.certificates.models import Certificate
from alcabala.certificates.schemas import CertificateOut, VerifyOut
from alcabala.certificates.services import Verified, superseded_reason
from alcabala.context import Ctx

VERIFY_PATH = "/verificar"


def verify_url(base_url: str) -> str:
    """The public page that verifies a certificate, under the server's ``base_url``."""
    return base_url.rstrip("/") + VERIFY_PATH


def certificate_out(ctx: Ctx, certificate: Certificate, base_url: str) -> CertificateOut:
    return CertificateOut(
        serial=certificate.serial,
        vin=certificate.vin,
        plate=certificate.plate,
        make=certificate.make,
        model=certificate.model,
        year=certificate.year,
        colour=certificate.colour,
        stolen=certificate.stolen,
        retired=certificate.retired,
        consistent=certificate.consistent,
        clone_alert=certificate.clone_alert,
        sound=certificate.sound,
        issued_at=certificate.issued_at,
        expires_at=certificate.expires_at,
        status=certificate.status,
        superseded_reason=superseded_reason(ctx, certificate),
        text=certificate.text,
        verify_url=verify_url(base_url),
    )


def verified_out(ctx: Ctx, verified: Verified, base_url: str) -> VerifyOut:
    claims = verified.claims
    return VerifyOut(
        valid=verified.valid,
        expired=verified.expired,
        status=verified.status,
        superseded_reason=verified.reason,
        certificate=(
            certificate_out(ctx, verified.certificate, base_url) if verified.certificate else None
        ),
        serial=claims.serial,
        vin=claims.vin,
        plate=claims.plate,
        issued_at=claims.issued_at,
        expires_at=claims.expires_at,
        sound=claims.sound,
    )
