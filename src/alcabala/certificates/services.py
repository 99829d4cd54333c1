"""What happens to certificates after issue, and the inspections they draw on: the only
code that reads a certificate, verifies one online, supersedes one or adds an inspection.

- :func:`find` reads a certificate by its serial: public (it names a vehicle, never a
  person), audited as a lookup of its VIN.
- :func:`verify` checks a certificate's text against the log's keys (offline-capable, in
  :mod:`.codec`) and then, online, against the row: a certificate whose vehicle was
  reported stolen or retired after issue is ``superseded``.
- :func:`supersede_for_vehicles` is called by the vehicle services in the transaction that
  reports the vehicle stolen or retires it (and here, by an inspection that finds other
  serial numbers): every certificate of the vehicle still in force moves to
  ``superseded``, the move logged ``certificate.superseded`` with its reason, and a buyer
  who left an address is told (queued in the same transaction).
- :func:`add_inspection` records a registrar's physical inspection, logged
  ``inspection.created`` under the registrar's agency.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from alcabala import identifiers
from alcabala.accounts.audit import audit_lookup
from alcabala.accounts.authority import acting_agency
from alcabala.accounts.models import Role
from alcabala.certificates import codec
from alcabala.certificates.issuing import AUDIT_ACTION, ENTITY, normalize_serial
from alcabala.certificates.models import (
    Certificate,
    CertificateStatus,
    CertificateTransition,
    Inspection,
)
from alcabala.certificates.schemas import InspectionIn
from alcabala.context import Ctx
from alcabala.db.history import record_change
from alcabala.db.lifecycle import Lifecycle, transition
from alcabala.errors import ForbiddenError, NotFoundError
from alcabala.notifications.services import enqueue
from alcabala.schemas import checked
from alcabala.vehicles.services import get_vehicle

S = CertificateStatus
CERTIFICATE = Lifecycle(
    entity=ENTITY,
    label="certificate",
    moves={S.VALID: frozenset({S.SUPERSEDED})},
    needs_reason=frozenset({S.SUPERSEDED}),
)
INSPECTION_ENTITY = "inspection"
UNKNOWN = "unknown"  # signed by this log's key, but no such certificate here
NOT_FOUND = "No certificate has this serial."


def _by_serial(ctx: Ctx, serial: str) -> Certificate | None:
    normalized = normalize_serial(serial)
    if normalized is None:
        return None
    return ctx.session.scalar(select(Certificate).where(Certificate.serial == normalized))


def find(ctx: Ctx, serial: str) -> Certificate:
    """The certificate with this serial (typed in any form), audited as a lookup of its
    VIN; or a 404, audited as a lookup of the serial."""
    certificate = _by_serial(ctx, serial)
    if certificate is None:
        audit_lookup(ctx, AUDIT_ACTION, "certificate", serial.strip()[:20], reason="certificate")
        raise NotFoundError(NOT_FOUND, field="serial", keeps_changes=True)
    audit_lookup(ctx, AUDIT_ACTION, "vehicle", certificate.vin, reason="certificate")
    return certificate


def superseded_reason(ctx: Ctx, certificate: Certificate) -> str | None:
    """Why the certificate was superseded, or None while it is as issued."""
    if certificate.status != S.SUPERSEDED:
        return None
    return ctx.session.scalar(
        select(CertificateTransition.reason)
        .where(CertificateTransition.certificate_id == certificate.id)
        .order_by(CertificateTransition.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class Verified:
    """A certificate whose signature held, and what the registry says of it now."""

    claims: codec.Claims
    expired: bool
    status: str  # valid, superseded or unknown
    reason: str | None
    certificate: Certificate | None

    @property
    def valid(self) -> bool:
        """Fit to rely on now: signed, in force, and as issued."""
        return not self.expired and self.status == S.VALID


def verify(ctx: Ctx, text: str, vkeys: list[str]) -> Verified:
    """Verify ``text`` against ``vkeys`` (a :class:`~.codec.CertificateError` if it does
    not hold), then look its serial up: expired by the clock, superseded by the row."""
    claims = codec.decode(text, vkeys)
    certificate = _by_serial(ctx, claims.serial)
    if certificate is not None and (certificate.vin, certificate.plate) != (
        claims.vin,
        claims.plate,
    ):
        certificate = None  # signed, but not what this registry issued under that serial
    audit_lookup(ctx, AUDIT_ACTION, "vehicle", claims.vin, reason="certificate verify")
    status = certificate.status if certificate is not None else UNKNOWN
    reason = superseded_reason(ctx, certificate) if certificate is not None else None
    expired = claims.expires_at <= ctx.now()
    return Verified(claims, expired, status, reason, certificate)


def supersede_for_vehicles(ctx: Ctx, vehicle_ids: list[int], reason: str) -> list[Certificate]:
    """Supersede every certificate still in force of the vehicles ``vehicle_ids`` (a bulk
    import of reports or retirements calls it once per batch)."""
    s = ctx.session
    now = ctx.now()
    found = s.scalars(
        select(Certificate).where(
            Certificate.vehicle_id.in_(vehicle_ids),
            Certificate.status == S.VALID,
            Certificate.expires_at > now,
        )
    ).all()
    for certificate in found:
        transition(
            s,
            certificate,
            CERTIFICATE,
            S.SUPERSEDED,
            history=CertificateTransition,
            history_fk="certificate_id",
            actor_id=ctx.actor_id,
            at=now,
            reason=reason,
            log_history=True,
        )
        if certificate.contact:
            enqueue(
                s,
                "certificate_superseded",
                {
                    "serial": certificate.serial,
                    "plate": certificate.plate,
                    "vin": certificate.vin,
                    "issued_at": f"{certificate.issued_at:%Y-%m-%d %H:%M} UTC",
                },
                to_address=certificate.contact,
                now=now,
            )
    return list(found)


def add_inspection(ctx: Ctx, vin: str, data: InspectionIn) -> Inspection:
    """A registrar saw the vehicle in person; a mismatch supersedes its certificates."""
    actor = ctx.actor
    if not (actor.is_system or actor.role == Role.REGISTRAR):
        raise ForbiddenError("Only a registrar records an inspection.", field="vin")
    s = ctx.session
    vehicle = get_vehicle(s, checked(identifiers.parse_vin(vin), "vin"))
    agency = acting_agency(ctx, data.agency)
    now = ctx.now()
    matches = data.vin_seen == vehicle.vin and data.engine_seen == vehicle.engine_number
    inspection = Inspection(
        vehicle_id=vehicle.id,
        agency_id=agency.id,
        inspector_id=ctx.actor_id,
        place=data.place,
        inspected_at=data.inspected_at or now,
        vin_seen=data.vin_seen,
        engine_seen=data.engine_seen,
        matches=matches,
        photos=data.photos,
        notes=data.notes,
    )
    s.add(inspection)
    s.flush()
    record_change(s, INSPECTION_ENTITY, inspection, now, "created")
    if not matches:
        supersede_for_vehicles(
            ctx, [vehicle.id], f"an inspection at {data.place} read other serial numbers"
        )
    return inspection


def is_expired(certificate: Certificate, now: dt.datetime) -> bool:
    return certificate.expires_at <= now
