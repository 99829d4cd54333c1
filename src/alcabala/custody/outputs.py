"""What custody shows: seizures and items for staff, the driver's receipt, events,
transfers, outcomes compared with the seizure, vehicle inventories and oversight."""

from __future__ import annotations

import datetime as dt

import pydantic


class ItemOut(pydantic.BaseModel):
    label: str
    kind: str
    description: str
    quantity: str
    unit: str
    weight_kg: str | None
    currency: str | None
    serial: str | None
    vin: str | None
    plate: str | None
    ear_tags: list[str]
    seal: str | None
    condition: str
    status: str
    holder: str | None
    location: str | None
    transfer: int | None


class DetentionOut(pydantic.BaseModel):
    id: int
    national_id: str
    country: str
    name: str
    basis: str
    hit_id: int | None
    reason: str
    status: str
    approve_by: dt.datetime | None
    overdue: bool


class SeizureOut(pydantic.BaseModel):
    code: str
    agency: str
    officer: str | None
    check_id: str | None
    checkpoint: str | None
    seized_at: dt.datetime
    place: str
    case_ref: str
    notes: str
    seals: list[str]
    photos: list[str]
    items: list[ItemOut]
    detentions: list[DetentionOut]
    receipt_url: str
    proof_url: str


class ReceiptItem(pydantic.BaseModel):
    """An item on the driver's receipt: no owner, no full serial."""

    label: str
    kind: str
    description: str
    quantity: str
    unit: str
    weight_kg: str | None
    currency: str | None
    identifier: str | None = pydantic.Field(description="Last characters of a VIN or serial")
    ear_tags: int
    seal: str | None


class ReceiptOut(pydantic.BaseModel):
    """The driver's seizure receipt (public, by its code): what was taken, no names."""

    code: str
    agency: str
    agency_name: str
    checkpoint: str | None
    seized_at: dt.datetime
    place: str
    items: list[ReceiptItem]
    seals: list[str]
    photos: int
    detained: int
    proof_url: str


class EventOut(pydantic.BaseModel):
    kind: str
    at: dt.datetime
    actor: str | None
    from_user: str | None
    to_user: str | None
    to_party: str
    location: str | None
    place: str
    purpose: str
    seal_state: str | None
    quantity_seen: str | None
    weight_seen: str | None
    authority: str
    witness: str
    note: str


class TransferOut(pydantic.BaseModel):
    id: int
    status: str
    from_user: str
    to_user: str
    location: str | None
    purpose: str
    offered_at: dt.datetime
    items: list[str]


class DiscrepancyOut(pydantic.BaseModel):
    id: int
    agency: str
    location: str | None
    item: str | None
    report: str | None
    source: str
    kind: str
    expected: str
    found: str
    explanation: str
    at: dt.datetime


class LineOut(pydantic.BaseModel):
    """One line of a release or disposal: as seized beside as found."""

    label: str
    description: str
    seized_quantity: str
    found_quantity: str | None
    unit: str
    seized_weight_kg: str | None
    found_weight_kg: str | None
    seal: str | None
    seal_state: str
    found: bool
    differences: list[str]
    explanation: str


class OutcomeOut(pydantic.BaseModel):
    """A release or a disposal, compared item by item with the seizure."""

    id: int
    seizure: str
    kind: str
    to_party: str
    authority: str
    witness: str
    at: dt.datetime
    lines: list[LineOut]
    discrepancies: int


class ConditionOut(pydantic.BaseModel):
    report: str
    stage: str
    at: dt.datetime
    engine_number: str
    wheels: int
    battery: bool
    radio: bool
    cargo: str
    notes: str
    photos: list[str]


class PartDifference(pydantic.BaseModel):
    part: str = pydantic.Field(description="engine, wheels, battery, radio or cargo")
    at_recovery: str
    at_return: str
    message: str


class InventoriesOut(pydantic.BaseModel):
    """Both inventories of a recovered vehicle and what differs between them."""

    report: str
    vin: str
    plate: str
    registered_engine: str | None
    recovery: ConditionOut | None
    returned: ConditionOut | None
    differences: list[PartDifference]


class AuditOut(pydantic.BaseModel):
    """A location audit: what the records say is on hand against what was counted."""

    location: str
    on_record: int
    counted: int
    matched: int
    differences: list[DiscrepancyOut]


class DashboardRow(pydantic.BaseModel):
    agency: str
    location: str | None
    discrepancies: int
    by_kind: dict[str, int]
    last_at: dt.datetime | None


class OversightOut(pydantic.BaseModel):
    rows: list[DashboardRow]
    recent: list[DiscrepancyOut]
    unapproved_detentions: list[DetentionOut]
