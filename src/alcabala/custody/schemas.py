"""What custody is told: seizures, transfers, releases, disposals, vehicle inventories and
counts (what it shows is :mod:`.outputs`). Amounts are decimal text, checked and made
canonical here."""

from __future__ import annotations

import decimal
import re
from typing import Annotated, Literal

import pydantic
from pydantic import AfterValidator, BeforeValidator

from alcabala.complaints.schemas import PhotoIn
from alcabala.custody.models import ItemKind, SealState
from alcabala.schemas import Code, Country, EarTag, Reason, Schema, Vin

MAX_ITEMS = 200
LABEL = re.compile(r"^I-[0-9A-Z]{5}-[0-9A-Z]{5}/[0-9]{1,3}$")
#: The largest quantity or weight taken (a ship's cargo is far less than this).
MAX_AMOUNT = decimal.Decimal("1e9")


def _amount(value: object) -> str:
    """A non-negative decimal with at most 3 places, as canonical text ("12.5")."""
    try:
        number = decimal.Decimal(str(value).strip().replace(",", "."))
    except decimal.InvalidOperation:
        raise ValueError("an amount is a number such as 12 or 12.5") from None
    if not number.is_finite() or number < 0 or number >= MAX_AMOUNT:
        raise ValueError("an amount is a number from 0 to 999,999,999")
    if number != number.quantize(decimal.Decimal("0.001")):
        raise ValueError("an amount has at most 3 decimal places")
    return format(number.normalize(), "f")


def _label(value: str) -> str:
    value = value.strip().upper()
    if not LABEL.match(value):
        raise ValueError("an item's label reads like I-7K2QX-M9D4B/1 (seizure code / number)")
    return value


Amount = Annotated[str, BeforeValidator(_amount)]
Label = Annotated[str, AfterValidator(_label)]
Short = Annotated[str, pydantic.Field(max_length=200)]


class ItemIn(Schema):
    """One item as seized; each kind names what identifies it."""

    kind: ItemKind
    description: str = pydantic.Field(min_length=1, max_length=300)
    quantity: Amount | None = pydantic.Field(
        default=None, description="Packs, boxes, head, units or money (default 1)"
    )
    unit: str = pydantic.Field(default="", max_length=20, description="packs, boxes, kg...")
    weight_kg: Amount | None = None
    currency: str | None = pydantic.Field(default=None, pattern="^[A-Z]{3}$")
    serial: str | None = pydantic.Field(default=None, min_length=1, max_length=40)
    vin: Vin | None = None
    plate: str | None = pydantic.Field(default=None, max_length=16)
    ear_tags: list[EarTag] = pydantic.Field(default_factory=list, max_length=2000)
    seal: str | None = pydantic.Field(default=None, min_length=1, max_length=40)
    condition: str = pydantic.Field(default="", max_length=300)

    @pydantic.model_validator(mode="after")
    def _by_kind(self) -> ItemIn:
        if self.kind == ItemKind.DRUGS and self.weight_kg is None:
            raise ValueError("drugs are weighed: give weight_kg")
        if self.kind == ItemKind.CASH and self.currency is None:
            raise ValueError("cash is counted by currency: give currency (VES, USD...)")
        if self.kind == ItemKind.WEAPON and self.serial is None:
            raise ValueError("a weapon is identified by its serial: give serial")
        if self.kind == ItemKind.VEHICLE and self.vin is None:
            raise ValueError("a vehicle is identified by its VIN: give vin")
        if self.kind == ItemKind.LIVESTOCK and self.quantity is None and not self.ear_tags:
            raise ValueError("livestock is counted: give ear_tags or quantity (head)")
        if self.quantity is None:
            self.quantity = str(len(self.ear_tags)) if self.ear_tags else "1"
        return self


class DetaineeIn(Schema):
    """A person detained, with the legal basis: a confirmed hit of the stop, or a reason
    that a supervisor must approve in time."""

    national_id: str = pydantic.Field(min_length=1, max_length=32)
    country: Country = "VE"
    name: str = pydantic.Field(default="", max_length=200)
    basis: Literal["hit", "reason"]
    hit_id: int | None = None
    reason: Reason = ""


class SeizureIn(Schema):
    check_id: str | None = pydantic.Field(
        default=None, max_length=36, description="The stop's check UUID, if seized at one"
    )
    checkpoint: Code | None = None
    place: str = pydantic.Field(default="", max_length=200)
    case_ref: str = pydantic.Field(default="", max_length=60)
    notes: str = pydantic.Field(default="", max_length=4000)
    items: list[ItemIn] = pydantic.Field(min_length=1, max_length=MAX_ITEMS)
    seals: list[Annotated[str, pydantic.Field(min_length=1, max_length=40)]] = pydantic.Field(
        default_factory=list, max_length=100
    )
    photos: list[PhotoIn] = pydantic.Field(default_factory=list, max_length=5)
    detained: list[DetaineeIn] = pydantic.Field(default_factory=list, max_length=20)


class TransferIn(Schema):
    items: list[Label] = pydantic.Field(min_length=1, max_length=MAX_ITEMS)
    to: str = pydantic.Field(min_length=1, max_length=64, description="The receiver's username")
    purpose: str = pydantic.Field(min_length=1, max_length=300)
    place: Short = ""
    location: Code | None = pydantic.Field(
        default=None, description="Where the receiver will keep them"
    )


class ReceiveIn(Schema):
    """The receiver's confirmation: the seal of each item as seen (intact unless said)."""

    seals: dict[Label, SealState] = pydantic.Field(default_factory=dict)
    note: str = pydantic.Field(default="", max_length=2000)


class AnswerIn(Schema):
    reason: Reason = pydantic.Field(min_length=1)


class StoreIn(Schema):
    items: list[Label] = pydantic.Field(min_length=1, max_length=MAX_ITEMS)
    location: Code
    note: str = pydantic.Field(default="", max_length=2000)


class LineIn(Schema):
    """One item as found when it leaves custody; None means "as seized"."""

    label: Label
    found: bool = True
    quantity: Amount | None = None
    weight_kg: Amount | None = None
    seal_state: SealState = SealState.INTACT
    explanation: str = pydantic.Field(default="", max_length=2000)


class ReleaseIn(Schema):
    to: Literal["owner", "court"]
    recipient: str = pydantic.Field(min_length=1, max_length=200, description="Who receives")
    authority: str = pydantic.Field(
        default="", max_length=200, description="The court order (needed for a court)"
    )
    lines: list[LineIn] = pydantic.Field(min_length=1, max_length=MAX_ITEMS)


class DisposalIn(Schema):
    method: Literal["destruction", "disposal"]
    authority: str = pydantic.Field(
        default="", max_length=200, description="The court order's reference (required)"
    )
    witness: str = pydantic.Field(
        default="", max_length=200, description="Who witnessed it: name and ID (required)"
    )
    lines: list[LineIn] = pydantic.Field(min_length=1, max_length=MAX_ITEMS)


class ConditionIn(Schema):
    """A recovered vehicle's condition, at recovery or at its return to the owner."""

    report: str = pydantic.Field(min_length=1, max_length=40, description="Stolen report")
    stage: Literal["recovery", "return"]
    engine_number: str = pydantic.Field(
        default="", max_length=20, description="The engine number seen; empty: no engine"
    )
    wheels: int = pydantic.Field(ge=0, le=30)
    battery: bool
    radio: bool
    cargo: str = pydantic.Field(default="", max_length=300)
    notes: str = pydantic.Field(default="", max_length=2000)
    photos: list[PhotoIn] = pydantic.Field(default_factory=list, max_length=5)
    owner_contact: str = pydantic.Field(
        default="", max_length=254, description="Where the owner gets both inventories"
    )


class CountLine(Schema):
    label: Label
    quantity: Amount | None = None


class CountIn(Schema):
    """A location audit: what was counted on the shelves (labels typed or scanned)."""

    location: Code
    counted: list[CountLine] = pydantic.Field(max_length=100_000)
    note: str = pydantic.Field(default="", max_length=2000)


class LocationIn(Schema):
    code: Code
    name: str = pydantic.Field(min_length=1, max_length=200)
    agency: Code


class LocationOut(pydantic.BaseModel):
    code: str
    name: str
    agency: str
