"""A recovered vehicle's condition, recorded at recovery and again at its return.

What: :func:`record_condition` stores what was seen — engine number, wheels, battery,
radio, cargo, photos — for a stolen report that was recovered, once at ``recovery`` and
once at ``return`` (each logged as ``vehicle_condition.<stage>``). The return is compared
with the recovery part by part (:func:`differences`): a vehicle that came in with its
engine and goes out without it is flagged, "returned without its engine", as a
discrepancy for oversight. At the return the owner gets both inventories side by side
(the ``vehicle_inventories`` notification, to the registered owner and to any address
given), and the answer holds both.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from alcabala.context import Ctx
from alcabala.custody.core import HOLDERS
from alcabala.custody.models import Discrepancy, SeizureFile, VehicleCondition
from alcabala.custody.outputs import PartDifference
from alcabala.custody.schemas import ConditionIn
from alcabala.custody.transfers import log_discrepancies
from alcabala.db.base import table_of
from alcabala.errors import ConflictError, ForbiddenError, NotFoundError
from alcabala.ledger.records import log_changes
from alcabala.notifications.services import enqueue
from alcabala.vehicles.models import ReportStatus, StolenReport

RECORDERS = HOLDERS | {"registrar"}


def _report(ctx: Ctx, number: str) -> StolenReport:
    report = ctx.session.scalar(select(StolenReport).where(StolenReport.number == number))
    if report is None:
        raise NotFoundError("No stolen report has this number.", field="report")
    return report


def conditions_of(ctx: Ctx, report: StolenReport) -> dict[str, VehicleCondition]:
    """The latest inventory of each stage."""
    rows = ctx.session.scalars(
        select(VehicleCondition)
        .where(VehicleCondition.report_id == report.id)
        .order_by(VehicleCondition.id)
    )
    return {row.stage: row for row in rows}


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def differences(before: VehicleCondition, after: VehicleCondition) -> list[PartDifference]:
    """What the vehicle had at recovery and lacks, or has otherwise, at its return."""
    found: list[PartDifference] = []
    engine_in, engine_out = before.engine_number, after.engine_number
    if engine_in and not engine_out:
        found.append(
            PartDifference(
                part="engine",
                at_recovery=engine_in,
                at_return="",
                message="returned without its engine",
            )
        )
    elif engine_in != engine_out:
        found.append(
            PartDifference(
                part="engine",
                at_recovery=engine_in,
                at_return=engine_out,
                message=f"engine number {engine_out} at return, {engine_in or 'none'} at recovery",
            )
        )
    if after.wheels < before.wheels:
        found.append(
            PartDifference(
                part="wheels",
                at_recovery=str(before.wheels),
                at_return=str(after.wheels),
                message=f"{after.wheels} wheels at return, {before.wheels} at recovery",
            )
        )
    for part in ("battery", "radio"):
        had, has = getattr(before, part), getattr(after, part)
        if had and not has:
            found.append(
                PartDifference(
                    part=part,
                    at_recovery=_yes(had),
                    at_return=_yes(has),
                    message=f"returned without its {part}",
                )
            )
    if before.cargo.strip() != after.cargo.strip():
        found.append(
            PartDifference(
                part="cargo",
                at_recovery=before.cargo,
                at_return=after.cargo,
                message="the cargo differs",
            )
        )
    return found


def _notify(
    ctx: Ctx,
    report: StolenReport,
    data: ConditionIn,
    before: VehicleCondition,
    after: VehicleCondition,
    parts: int,
) -> None:
    vehicle = report.vehicle
    params = {
        "plate": vehicle.plate,
        "vin": vehicle.vin,
        "number": report.number,
        "differences": str(parts),
    }
    for stage, row in (("recovery", before), ("return", after)):
        params |= {
            f"engine_{stage}": row.engine_number or "—",
            f"wheels_{stage}": str(row.wheels),
            f"battery_{stage}": "✓" if row.battery else "✗",
            f"radio_{stage}": "✓" if row.radio else "✗",
            f"cargo_{stage}": row.cargo or "—",
        }
    now = ctx.now()
    if vehicle.owner_person_id is not None or vehicle.owner_agency_id is not None:
        enqueue(
            ctx.session,
            "vehicle_inventories",
            params,
            person_id=vehicle.owner_person_id,
            agency_id=None if vehicle.owner_person_id else vehicle.owner_agency_id,
            now=now,
        )
    if data.owner_contact.strip():
        enqueue(
            ctx.session,
            "vehicle_inventories",
            params,
            to_address=data.owner_contact.strip(),
            now=now,
        )


def record_condition(ctx: Ctx, data: ConditionIn) -> tuple[StolenReport, VehicleCondition]:
    """Record the vehicle's condition at ``data.stage``; see the module."""
    actor = ctx.actor
    if not actor.is_system and (actor.role not in RECORDERS or actor.agency_id is None):
        raise ForbiddenError("Officers, custodians, supervisors and registrars record this.")
    report = _report(ctx, data.report)
    if report.status not in (ReportStatus.RECOVERED, ReportStatus.RETURNED):
        raise ConflictError(
            f"The report {report.number} is {report.status}: record the vehicle's condition "
            "once it is recovered.",
            field="report",
        )
    have = conditions_of(ctx, report)
    if data.stage in have:
        raise ConflictError(f"The {data.stage} inventory is already recorded.", field="stage")
    if data.stage == "return" and "recovery" not in have:
        raise ConflictError(
            "Record the inventory at recovery first: the return is compared with it.",
            field="stage",
        )
    s = ctx.session
    now = ctx.now()
    photos = [(p.content_type, p.raw()) for p in data.photos]
    row = VehicleCondition(
        report_id=report.id,
        agency_id=actor.agency_id if actor.agency_id is not None else report.agency_id,
        stage=data.stage,
        at=now,
        actor_id=ctx.actor_id,
        engine_number=data.engine_number.strip().upper(),
        wheels=data.wheels,
        battery=data.battery,
        radio=data.radio,
        cargo=data.cargo,
        notes=data.notes,
        photos=[hashlib.sha256(raw).hexdigest() for _, raw in photos],
    )
    s.add(row)
    for (content_type, raw), digest in zip(photos, row.photos, strict=True):
        s.add(SeizureFile(sha256=digest, content_type=content_type, size=len(raw), data=raw))
    s.flush()
    log_changes(s, "vehicle_condition", table_of(VehicleCondition), [row.id], now, data.stage)
    if data.stage == "return":
        before = have["recovery"]
        parts = differences(before, row)
        log_discrepancies(
            ctx,
            [
                Discrepancy(
                    agency_id=row.agency_id,
                    report_id=report.id,
                    source="vehicle_return",
                    kind=d.part,
                    expected=d.at_recovery,
                    found=d.at_return,
                    explanation=d.message,
                    at=now,
                    actor_id=ctx.actor_id,
                )
                for d in parts
            ],
        )
        _notify(ctx, report, data, before, row, len(parts))
    return report, row
