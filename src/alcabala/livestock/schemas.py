"""Input and output shapes of premises, brands, transit permits and livestock theft reports."""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AliasPath,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from alcabala.errors import ValidationError
from alcabala.schemas import (
    Code,
    Country,
    EarTag,
    Schema,
    UtcDatetime,
    normalize_national_id,
    normalize_plate,
)

MAX_PERMIT_WINDOW = dt.timedelta(days=7)
MAX_HEAD_COUNT = 10_000
MAX_LINES = 100
MAX_EAR_TAGS = 10_000
MARK = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,39}$")


class Species(enum.StrEnum):
    BOVINE = "bovine"
    BUFFALO = "buffalo"
    PORCINE = "porcine"
    OVINE = "ovine"
    CAPRINE = "caprine"
    EQUINE = "equine"


def _mark(value: str) -> str:
    value = value.strip().upper()
    if not MARK.match(value):
        raise ValueError("a brand mark is 1–40 capital letters, digits or dashes")
    return value


BrandMark = Annotated[str, AfterValidator(_mark)]
HeadCount = Annotated[int, Field(ge=1, le=MAX_HEAD_COUNT)]


def _no_duplicates(tags: list[str]) -> list[str]:
    seen: set[str] = set()
    for tag in tags:
        if tag in seen:
            raise ValueError(f"ear tag {tag} is listed twice")
        seen.add(tag)
    return tags


# Cross-field checks raise our ValidationError naming the field (as the shared normalizers do);
# single-field checks raise ValueError and pydantic names the field.


class PremisesIn(Schema):
    code: Code
    name: str = Field(min_length=1, max_length=200)
    owner_national_id: str | None = Field(default=None, max_length=64)
    owner_country: Country = "VE"
    state: str = Field(default="", max_length=80)
    municipality: str = Field(default="", max_length=80)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _check(self) -> PremisesIn:
        if self.owner_national_id:
            self.owner_national_id = normalize_national_id(
                self.owner_national_id, self.owner_country, "owner_national_id"
            )
        else:
            self.owner_national_id = None
        if (self.lat is None) != (self.lon is None):
            raise ValidationError(
                "Give both lat and lon, or neither.", field="lon" if self.lon is None else "lat"
            )
        return self


class BrandIn(Schema):
    mark: BrandMark
    premises: Code
    registered_at: dt.date | None = None


class PermitLineIn(Schema):
    species: Species
    category: str = Field(default="", max_length=40)
    head_count: HeadCount
    brand: BrandMark | None = None


class PermitIn(Schema):
    number: Code
    issuer: Code | None = None  # default: the acting user's agency
    origin_premises: Code
    destination_premises: Code
    vehicle_plate: str = Field(min_length=1, max_length=32)
    plate_country: Country = "VE"
    valid_from: UtcDatetime
    valid_to: UtcDatetime
    lines: list[PermitLineIn] = Field(min_length=1, max_length=MAX_LINES)
    ear_tags: list[EarTag] = Field(default_factory=list, max_length=MAX_EAR_TAGS)

    _unique_tags = field_validator("ear_tags")(_no_duplicates)

    @model_validator(mode="after")
    def _check(self) -> PermitIn:
        if self.destination_premises == self.origin_premises:
            raise ValidationError(
                "The destination premises must differ from the origin.",
                field="destination_premises",
            )
        self.vehicle_plate = normalize_plate(
            self.vehicle_plate, self.plate_country, "vehicle_plate"
        )
        if self.valid_to <= self.valid_from:
            raise ValidationError("valid_to must be after valid_from.", field="valid_to")
        if self.valid_to - self.valid_from > MAX_PERMIT_WINDOW:
            raise ValidationError(
                f"A permit is valid for at most {MAX_PERMIT_WINDOW.days} days.", field="valid_to"
            )
        heads = sum(line.head_count for line in self.lines)
        if len(self.ear_tags) > heads:
            raise ValidationError(
                f"{len(self.ear_tags)} ear tags listed but the lines carry only {heads} head.",
                field="ear_tags",
            )
        return self


class LivestockTheftIn(Schema):
    number: Code
    agency: Code | None = None  # default: the acting user's agency
    species: Species
    head_count: HeadCount
    premises: Code | None = None
    brand: BrandMark | None = None
    ear_tags: list[EarTag] = Field(default_factory=list, max_length=MAX_EAR_TAGS)
    reported_at: UtcDatetime | None = None

    _unique_tags = field_validator("ear_tags")(_no_duplicates)

    @model_validator(mode="after")
    def _check(self) -> LivestockTheftIn:
        if len(self.ear_tags) > self.head_count:
            raise ValidationError(
                f"{len(self.ear_tags)} ear tags listed for only {self.head_count} head stolen.",
                field="ear_tags",
            )
        return self


class PremisesOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    state: str
    municipality: str
    lat: float | None
    lon: float | None


class BrandOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    mark: str
    premises: str = Field(validation_alias=AliasPath("premises", "code"))
    registered_at: dt.date | None


class PermitLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    position: int
    species: str
    category: str
    head_count: int
    brand: str


class PermitOut(BaseModel):
    """A permit as stored; ``status`` is the stored one (see ``Permit.effective_status``)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    issuer: str = Field(validation_alias=AliasPath("issuer", "code"))
    origin_premises: str = Field(validation_alias=AliasPath("origin", "code"))
    destination_premises: str = Field(validation_alias=AliasPath("destination", "code"))
    vehicle_plate: str
    plate_country: str
    valid_from: dt.datetime
    valid_to: dt.datetime
    status: str
    version: int
    lines: list[PermitLineOut]
    ear_tags: list[str]

    @field_validator("ear_tags", mode="before")
    @classmethod
    def _tag_values(cls, value: Any) -> Any:
        return [getattr(tag, "tag", tag) for tag in value]


class LivestockTheftOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    agency: str = Field(validation_alias=AliasPath("agency", "code"))
    premises: str | None = Field(default=None, validation_alias=AliasPath("premises", "code"))
    brand: str
    ear_tags: list[str]
    head_count: int
    species: str
    reported_at: dt.datetime
    status: str
    version: int

    @field_validator("ear_tags", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return value.split() if isinstance(value, str) else value
