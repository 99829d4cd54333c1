"""Issuing a pre-purchase certificate, with no login: the only code that creates one.

What: :func:`request_certificate` takes a VIN and a plate, which must be registered
together (a buyer reads both off the car and its papers: HPI asks for both too), and
states what the registry says of that vehicle now: an active stolen report or not, retired
or not, serial numbers consistent or not (:func:`consistent`), and the latest physical
inspection. It stores the certificate, appends its log entry ``certificate.issued``, and
signs the claims, naming that entry's leaf hash, with the log's key
(:mod:`.codec`): all in one transaction, audited as a lookup of the VIN.

Why one refusal for every mismatch: whether a VIN is registered at all is not public
(:func:`alcabala.vehicles.lookups.public_status` keeps it so), so an unknown VIN, an
unknown plate and a plate registered to another VIN get the same answer. The refused
request is still an audited lookup of the VIN.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from alcabala.accounts.audit import audit_lookup
from alcabala.certificates import codec
from alcabala.certificates.models import Certificate, CertificateStatus, Inspection
from alcabala.certificates.schemas import CertificateIn
from alcabala.checks.receipts import new_receipt, normalize_prefixed
from alcabala.context import Ctx
from alcabala.db.history import record_change
from alcabala.errors import ValidationError
from alcabala.ledger.keys import Signer
from alcabala.ledger.merkle import leaf_hash
from alcabala.ledger.models import LogEntry, flush_entries
from alcabala.vehicles.models import Vehicle
from alcabala.vehicles.services import active_report, find_vehicle, retirement_of

ENTITY = "certificate"
PREFIX = "C-"
AUDIT_ACTION = "certificate"
MISMATCH = (
    "This VIN and this plate are not registered together: check both against the "
    "vehicle and its title. No certificate was issued."
)


class Mismatch(ValidationError):
    code = "vin_plate_mismatch"


def new_serial() -> str:
    """A fresh serial such as ``C-7K2QX-M9D4B`` (50 random bits, as a stop's receipt)."""
    return PREFIX + new_receipt()


def normalize_serial(serial: str) -> str | None:
    """The canonical form of a typed serial, or None if it cannot be one."""
    return normalize_prefixed(serial, PREFIX)


def latest_inspection(ctx: Ctx, vehicle: Vehicle) -> Inspection | None:
    return ctx.session.scalar(
        select(Inspection)
        .where(Inspection.vehicle_id == vehicle.id)
        .order_by(Inspection.inspected_at.desc(), Inspection.id.desc())
        .limit(1)
    )


def clone_alert(ctx: Ctx, vehicle: Vehicle) -> bool:
    """An alert still open says its VIN or plate is on another vehicle, or seen where it
    cannot be (:mod:`alcabala.sightings`)."""
    from alcabala.sightings.alerts import STILL_OPEN
    from alcabala.sightings.models import CLONE_KINDS, Alert

    found = ctx.session.scalar(
        select(Alert.id)
        .where(
            Alert.kind.in_(CLONE_KINDS),
            Alert.status.in_(STILL_OPEN),
            Alert.subject.in_((vehicle.vin, vehicle.plate)),
        )
        .limit(1)
    )
    return found is not None


def consistent(ctx: Ctx, vehicle: Vehicle, inspection: Inspection | None) -> bool:
    """The serial numbers hold together: an engine number is registered to this VIN and to
    no other vehicle, and the latest inspection (if any) saw this VIN and this engine."""
    if not vehicle.engine_number:
        return False
    others = ctx.session.scalar(
        select(func.count())
        .select_from(Vehicle)
        .where(Vehicle.engine_number == vehicle.engine_number, Vehicle.id != vehicle.id)
    )
    return not others and (inspection is None or inspection.matches)


def _vehicle(ctx: Ctx, data: CertificateIn) -> Vehicle:
    vehicle = find_vehicle(ctx.session, data.vin)
    if (
        vehicle is None
        or vehicle.plate != data.plate
        or vehicle.plate_country != data.plate_country
    ):
        raise Mismatch(MISMATCH, field="plate", keeps_changes=True)  # the audit row stays
    return vehicle


def claims_of(certificate: Certificate, inspection: Inspection | None, leaf: bytes) -> codec.Claims:
    """What ``certificate`` says, as signed."""
    return codec.Claims(
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
        issued_at=certificate.issued_at,
        expires_at=certificate.expires_at,
        log_leaf=leaf[:16],
        inspection=(
            codec.Inspected(inspection.inspected_at, inspection.place, inspection.matches)
            if inspection is not None
            else None
        ),
    )


def request_certificate(ctx: Ctx, data: CertificateIn, signer: Signer) -> Certificate:
    """Issue a certificate of the vehicle registered with ``data.vin`` and ``data.plate``
    (see the module); :class:`Mismatch` naming ``plate`` when they are not one vehicle."""
    s = ctx.session
    audit_lookup(ctx, AUDIT_ACTION, "vehicle", data.vin, reason="certificate")
    vehicle = _vehicle(ctx, data)
    now = ctx.now().replace(microsecond=0)
    inspection = latest_inspection(ctx, vehicle)
    certificate = Certificate(
        serial=new_serial(),
        vehicle_id=vehicle.id,
        inspection_id=inspection.id if inspection else None,
        vin=vehicle.vin,
        plate=vehicle.plate,
        make=codec.cut(vehicle.make),
        model=codec.cut(vehicle.model),
        year=vehicle.year,
        colour=codec.cut(vehicle.colour),
        stolen=active_report(s, vehicle) is not None,
        retired=retirement_of(s, vehicle) is not None,
        consistent=consistent(ctx, vehicle, inspection),
        clone_alert=clone_alert(ctx, vehicle),
        issued_at=now,
        expires_at=now + dt.timedelta(hours=ctx.settings.certificate_valid_hours),
        contact=data.contact or "",
        status=CertificateStatus.VALID.value,
    )
    s.add(certificate)
    s.flush()
    record_change(s, ENTITY, certificate, now, "issued")
    flush_entries(s)
    entry = s.scalar(
        select(LogEntry.entry).where(
            LogEntry.ref_kind == Certificate.__tablename__,
            LogEntry.ref_id == str(certificate.id),
        )
    )
    assert entry is not None
    certificate.text = codec.encode(
        claims_of(certificate, inspection, leaf_hash(bytes(entry))), signer
    )
    s.flush()
    return certificate
