"""Reads of vehicles and their reports: each one audited, in the service, for every door.

A lookup that finds nothing is still a lookup, so the audit row is written first, under the
subject as typed (normalized). Officers and registrars must say why
(:func:`~alcabala.accounts.audit.need_reason`). The public lookup answers only
``no_report``, ``reported_stolen`` or ``recovered``, and is audited as ``public_lookup``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala import identifiers
from alcabala.accounts.audit import audit_lookup, need_reason
from alcabala.context import Ctx
from alcabala.errors import NotFoundError, ValidationError
from alcabala.vehicles.models import ReportStatus, Retirement, StolenReport, Vehicle
from alcabala.vehicles.services import find_vehicle, get_report, retirement_of

S = ReportStatus
PUBLIC_QUERY_MAX = 64


@dataclass(frozen=True)
class VehicleFile:
    """A vehicle with every report on it (newest first) and its retirement, if any."""

    vehicle: Vehicle
    reports: list[StolenReport]
    retirement: Retirement | None


def _find(session: Session, vin_or_plate: str) -> list[Vehicle]:
    vin = identifiers.normalize_vin(vin_or_plate)
    plate = identifiers.normalize_plate(vin_or_plate)
    return list(
        session.scalars(
            select(Vehicle)
            .where((Vehicle.vin == vin) | (Vehicle.plate == plate))
            .order_by(Vehicle.vin)
        )
    )


def reports_of(session: Session, vehicle: Vehicle) -> list[StolenReport]:
    """Every report of ``vehicle``, newest first."""
    return list(
        session.scalars(
            select(StolenReport)
            .where(StolenReport.vehicle_id == vehicle.id)
            .order_by(StolenReport.reported_at.desc(), StolenReport.id.desc())
        )
    )


def vehicle_file(ctx: Ctx, vin: str, reason: str) -> VehicleFile:
    """The vehicle with this VIN, its reports and retirement (audited; 404 if unknown)."""
    why = need_reason(ctx, reason)
    normalized = identifiers.normalize_vin(vin)[:40]
    audit_lookup(ctx, "search", "vehicle", normalized, reason=why)
    vehicle = find_vehicle(ctx.session, vin)
    if vehicle is None:
        raise NotFoundError(f"No vehicle with VIN {normalized}.", field="vin", keeps_changes=True)
    return VehicleFile(
        vehicle, reports_of(ctx.session, vehicle), retirement_of(ctx.session, vehicle)
    )


def search_vehicles(ctx: Ctx, vin_or_plate: str, reason: str) -> list[Vehicle]:
    """Vehicles whose VIN or plate is ``vin_or_plate``; one audit row per vehicle found, or
    one under the query itself when none is."""
    why = need_reason(ctx, reason)
    query = vin_or_plate.replace("\x00", "").strip()[:64]
    found = _find(ctx.session, query)
    if not found:
        subject = identifiers.normalize_vin(query) or identifiers.normalize_plate(query)
        audit_lookup(ctx, "search", "vehicle", subject, reason=why)
    for vehicle in found:
        audit_lookup(ctx, "search", "vehicle", vehicle.vin, reason=why)
    return found


def report(ctx: Ctx, report_id: int, reason: str) -> StolenReport:
    """A stolen-vehicle report (audited under its vehicle's VIN)."""
    why = need_reason(ctx, reason)
    found = get_report(ctx.session, report_id)
    audit_lookup(ctx, "read", "vehicle", found.vehicle.vin, reason=why)
    return found


def audit_subjects(session: Session, vin_or_plate: str) -> list[str]:
    """Every subject under which lookups of this vehicle were audited: the value as typed
    (normalized as VIN and as plate) and the VIN and plate of matching registered vehicles."""
    found = {identifiers.normalize_vin(vin_or_plate), identifiers.normalize_plate(vin_or_plate)}
    for vehicle in _find(session, vin_or_plate):
        found.update({vehicle.vin, vehicle.plate})
    return sorted(x for x in found if x)


def clean_public_query(raw: str) -> str:
    """The one cleaning of a public lookup: printable characters, trimmed, at least four
    letters or digits (a plate or a VIN), at most 64 characters."""
    query = "".join(ch for ch in raw if ch.isprintable()).strip()[:PUBLIC_QUERY_MAX]
    if len(query) < 4 or not query.replace("-", "").replace(" ", "").isalnum():
        raise ValidationError(
            "Enter a plate (e.g. AB123CD) or a 17-character VIN.", field="vin_or_plate"
        )
    return query


def public_status(ctx: Ctx, raw_query: str) -> str:
    """What anyone may know of a vehicle: ``no_report``, ``reported_stolen`` or ``recovered``.

    Nothing else: no owner, no report number, not even whether the vehicle is registered.
    A vehicle recovered (or returned) and not stolen again is ``recovered``.
    """
    query = clean_public_query(raw_query)
    subject = identifiers.normalize_vin(query) or query
    audit_lookup(ctx, "public_lookup", "vehicle", subject, reason="public")
    statuses: set[str] = set()
    for vehicle in _find(ctx.session, query):
        statuses.update(r.status for r in reports_of(ctx.session, vehicle))
    if S.ACTIVE in statuses:
        return "reported_stolen"
    if statuses & {S.RECOVERED, S.RETURNED}:
        return "recovered"
    return "no_report"
