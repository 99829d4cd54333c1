"""What each reader is shown of custody records: the staff's full views, the driver's
receipt (what was taken, no names, no full serials), events, outcomes, discrepancies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from alcabala.accounts.models import Agency, User
from alcabala.checkpoints.models import Checkpoint
from alcabala.context import Ctx
from alcabala.custody.conditions import conditions_of, differences
from alcabala.custody.core import items_of
from alcabala.custody.detentions import is_overdue
from alcabala.custody.models import (
    CustodyEvent,
    Detention,
    Discrepancy,
    Outcome,
    SeizedItem,
    Seizure,
    StorageLocation,
    Transfer,
    VehicleCondition,
)
from alcabala.custody.outcomes import compare
from alcabala.custody.outputs import (
    ConditionOut,
    DetentionOut,
    DiscrepancyOut,
    EventOut,
    InventoriesOut,
    ItemOut,
    LineOut,
    OutcomeOut,
    ReceiptItem,
    ReceiptOut,
    SeizureOut,
    TransferOut,
)
from alcabala.custody.schemas import LineIn
from alcabala.vehicles.models import StolenReport


@dataclass
class Names:
    """Usernames, agency and location codes by id, read once per view."""

    ctx: Ctx
    _users: dict[int, str] = field(default_factory=dict)
    _agencies: dict[int, Agency] = field(default_factory=dict)
    _locations: dict[int, str] = field(default_factory=dict)

    def user(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        if user_id not in self._users:
            name = self.ctx.session.scalar(select(User.username).where(User.id == user_id))
            self._users[user_id] = name or "?"
        return self._users[user_id]

    def agency(self, agency_id: int) -> Agency:
        if agency_id not in self._agencies:
            agency = self.ctx.session.get(Agency, agency_id)
            assert agency is not None
            self._agencies[agency_id] = agency
        return self._agencies[agency_id]

    def location(self, location_id: int | None) -> str | None:
        if location_id is None:
            return None
        if location_id not in self._locations:
            code = self.ctx.session.scalar(
                select(StorageLocation.code).where(StorageLocation.id == location_id)
            )
            self._locations[location_id] = code or "?"
        return self._locations[location_id]


def item_out(item: SeizedItem, names: Names) -> ItemOut:
    return ItemOut(
        label=item.label,
        kind=item.kind,
        description=item.description,
        quantity=item.quantity,
        unit=item.unit,
        weight_kg=item.weight_kg,
        currency=item.currency,
        serial=item.serial,
        vin=item.vin,
        plate=item.plate,
        ear_tags=list(item.ear_tags),
        seal=item.seal,
        condition=item.condition,
        status=item.status,
        holder=names.user(item.holder_id),
        location=names.location(item.location_id),
        transfer=item.transfer_id,
    )


def detention_out(d: Detention, ctx: Ctx) -> DetentionOut:
    return DetentionOut(
        id=d.id,
        national_id=d.national_id,
        country=d.country,
        name=d.name,
        basis=d.basis,
        hit_id=d.hit_id,
        reason=d.reason,
        status=d.status,
        approve_by=d.approve_by,
        overdue=is_overdue(d, ctx.now()),
    )


def _checkpoint_code(ctx: Ctx, checkpoint_id: int | None) -> str | None:
    if checkpoint_id is None:
        return None
    return ctx.session.scalar(select(Checkpoint.code).where(Checkpoint.id == checkpoint_id))


def seizure_out(ctx: Ctx, seizure: Seizure) -> SeizureOut:
    names = Names(ctx)
    detentions = ctx.session.scalars(
        select(Detention).where(Detention.seizure_id == seizure.id).order_by(Detention.id)
    )
    return SeizureOut(
        code=seizure.code,
        agency=names.agency(seizure.agency_id).code,
        officer=names.user(seizure.officer_id),
        check_id=seizure.check_id,
        checkpoint=_checkpoint_code(ctx, seizure.checkpoint_id),
        seized_at=seizure.seized_at,
        place=seizure.place,
        case_ref=seizure.case_ref,
        notes=seizure.notes,
        seals=list(seizure.seals),
        photos=list(seizure.photos),
        items=[item_out(i, names) for i in items_of(ctx, seizure)],
        detentions=[detention_out(d, ctx) for d in detentions],
        receipt_url=f"/incautacion/{seizure.code}",
        proof_url=f"/v1/seizures/{seizure.code}/proof",
    )


def _tail(value: str | None) -> str | None:
    return f"…{value[-4:]}" if value else None


def receipt_out(ctx: Ctx, seizure: Seizure) -> ReceiptOut:
    """The driver's receipt: from the inventory as seized, the log's commitment."""
    agency = Names(ctx).agency(seizure.agency_id)
    items = [
        ReceiptItem(
            label=f"{seizure.code}/{line['number']}",
            kind=line["kind"],
            description=line["description"],
            quantity=line["quantity"],
            unit=line["unit"],
            weight_kg=line["weight_kg"],
            currency=line["currency"],
            identifier=_tail(line["vin"] or line["serial"]),
            ear_tags=len(line["ear_tags"]),
            seal=line["seal"],
        )
        for line in seizure.inventory
    ]
    return ReceiptOut(
        code=seizure.code,
        agency=agency.code,
        agency_name=agency.name,
        checkpoint=_checkpoint_code(ctx, seizure.checkpoint_id),
        seized_at=seizure.seized_at,
        place=seizure.place,
        items=items,
        seals=list(seizure.seals),
        photos=len(seizure.photos),
        detained=seizure.detained,
        proof_url=f"/v1/seizures/{seizure.code}/proof",
    )


def event_out(e: CustodyEvent, names: Names) -> EventOut:
    return EventOut(
        kind=e.kind,
        at=e.at,
        actor=names.user(e.actor_id),
        from_user=names.user(e.from_user_id),
        to_user=names.user(e.to_user_id),
        to_party=e.to_party,
        location=names.location(e.location_id),
        place=e.place,
        purpose=e.purpose,
        seal_state=e.seal_state,
        quantity_seen=e.quantity_seen,
        weight_seen=e.weight_seen,
        authority=e.authority,
        witness=e.witness,
        note=e.note,
    )


def discrepancy_out(
    d: Discrepancy, names: Names, labels: dict[int, str], reports: dict[int, str]
) -> DiscrepancyOut:
    return DiscrepancyOut(
        id=d.id,
        agency=names.agency(d.agency_id).code,
        location=names.location(d.location_id),
        item=labels.get(d.item_id) if d.item_id else None,
        report=reports.get(d.report_id) if d.report_id else None,
        source=d.source,
        kind=d.kind,
        expected=d.expected,
        found=d.found,
        explanation=d.explanation,
        at=d.at,
    )


def outcome_out(ctx: Ctx, outcome: Outcome) -> OutcomeOut:
    """The outcome beside the seizure: each item as seized and as found."""
    seizure = ctx.session.get(Seizure, outcome.seizure_id)
    assert seizure is not None
    events = ctx.session.scalars(
        select(CustodyEvent).where(CustodyEvent.outcome_id == outcome.id).order_by(CustodyEvent.id)
    )
    lines: list[LineOut] = []
    total = 0
    for e in events:
        item = ctx.session.get(SeizedItem, e.item_id)
        assert item is not None
        found = e.kind != "missing"
        line = LineIn(
            label=item.label,
            found=found,
            quantity=e.quantity_seen if found else None,
            weight_kg=e.weight_seen if found else None,
            seal_state=e.seal_state or "intact",
            explanation=e.note,
        )
        differences = compare(item, line)
        total += len(differences)
        lines.append(
            LineOut(
                label=item.label,
                description=item.description,
                seized_quantity=item.quantity,
                found_quantity=e.quantity_seen if found else None,
                unit=item.unit,
                seized_weight_kg=item.weight_kg,
                found_weight_kg=e.weight_seen if found else None,
                seal=item.seal,
                seal_state=e.seal_state or "",
                found=found,
                differences=[d.kind for d in differences],
                explanation=e.note,
            )
        )
    return OutcomeOut(
        id=outcome.id,
        seizure=seizure.code,
        kind=outcome.kind,
        to_party=outcome.to_party,
        authority=outcome.authority,
        witness=outcome.witness,
        at=outcome.at,
        lines=lines,
        discrepancies=total,
    )


def condition_out(report: StolenReport, row: VehicleCondition | None) -> ConditionOut | None:
    if row is None:
        return None
    return ConditionOut(
        report=report.number,
        stage=row.stage,
        at=row.at,
        engine_number=row.engine_number,
        wheels=row.wheels,
        battery=row.battery,
        radio=row.radio,
        cargo=row.cargo,
        notes=row.notes,
        photos=list(row.photos),
    )


def discrepancies_out(ctx: Ctx, found: Iterable[Discrepancy]) -> list[DiscrepancyOut]:
    names = Names(ctx)
    found = list(found)
    s = ctx.session
    item_ids = {d.item_id for d in found if d.item_id}
    report_ids = {d.report_id for d in found if d.report_id}
    labels: dict[int, str] = (
        dict(
            s.execute(
                select(SeizedItem.id, SeizedItem.label).where(SeizedItem.id.in_(item_ids))
            ).all()
        )
        if item_ids
        else {}
    )
    reports: dict[int, str] = (
        dict(
            s.execute(
                select(StolenReport.id, StolenReport.number).where(StolenReport.id.in_(report_ids))
            ).all()
        )
        if report_ids
        else {}
    )
    return [discrepancy_out(d, names, labels, reports) for d in found]


def inventories_out(ctx: Ctx, report: StolenReport) -> InventoriesOut:
    """Both inventories of the report's vehicle, and what differs (once both exist)."""
    have = conditions_of(ctx, report)
    before, after = have.get("recovery"), have.get("return")
    vehicle = report.vehicle
    return InventoriesOut(
        report=report.number,
        vin=vehicle.vin,
        plate=vehicle.plate,
        registered_engine=vehicle.engine_number,
        recovery=condition_out(report, before),
        returned=condition_out(report, after),
        differences=differences(before, after) if before and after else [],
    )


def transfer_view(transfer: Transfer, names: Names) -> TransferOut:
    """A transfer with its items' labels, in order."""
    labels = names.ctx.session.scalars(
        select(SeizedItem.label).where(SeizedItem.id.in_(transfer.items)).order_by(SeizedItem.id)
    )
    return TransferOut(
        id=transfer.id,
        status=transfer.status,
        from_user=names.user(transfer.from_user_id) or "",
        to_user=names.user(transfer.to_user_id) or "",
        location=names.location(transfer.to_location_id),
        purpose=transfer.purpose,
        offered_at=transfer.offered_at,
        items=list(labels),
    )
