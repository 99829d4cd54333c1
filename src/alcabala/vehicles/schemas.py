"""Input and output shapes of vehicles, stolen-vehicle reports and retirements."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

from alcabala.errors import ValidationError
from alcabala.schemas import (
    Code,
    Country,
    EngineNumber,
    Schema,
    UtcDatetime,
    Vin,
    normalize_national_id,
    normalize_plate,
)
from alcabala.vehicles.models import RetirementKind


class VehicleIn(Schema):
    vin: Vin
    plate: str = Field(min_length=1, max_length=32)
    plate_country: Country = "VE"
    engine_number: EngineNumber | None = None
    make: str = Field(default="", max_length=60)
    model: str = Field(default="", max_length=60)
    year: int | None = Field(default=None, ge=1950, le=2100)
    colour: str = Field(default="", max_length=40)
    owner_national_id: str | None = Field(default=None, max_length=64)
    owner_country: Country = "VE"
    owner_agency: Code | None = None

    @model_validator(mode="after")
    def _normalize(self) -> VehicleIn:
        if self.year is not None and self.year > dt.date.today().year + 2:
            raise ValidationError("year is in the future.", field="year")
        self.plate = normalize_plate(self.plate, self.plate_country)
        if self.owner_national_id:
            self.owner_national_id = normalize_national_id(
                self.owner_national_id, self.owner_country, "owner_national_id"
            )
        if self.owner_national_id and self.owner_agency:
            raise ValidationError(
                "A vehicle is owned by a person or by an agency, not both.", field="owner_agency"
            )
        return self


class VehicleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    vin: str
    plate: str
    plate_country: str
    engine_number: str | None
    make: str
    model: str
    year: int | None
    colour: str
    owner_national_id: str | None = None
    owner_agency: str | None = None


class StolenReportIn(Schema):
    number: Code
    agency: Code | None = None  # default: the acting user's agency
    reported_at: UtcDatetime | None = None
    stolen_at: UtcDatetime | None = None
    place: str = Field(default="", max_length=200)
    notes: str = Field(default="", max_length=4000)

    @model_validator(mode="after")
    def _check(self) -> StolenReportIn:
        if self.stolen_at and self.reported_at and self.stolen_at > self.reported_at:
            raise ValidationError("stolen_at cannot be after reported_at.", field="stolen_at")
        return self


class StolenReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    vin: str
    agency: str
    reported_at: dt.datetime
    stolen_at: dt.datetime | None
    place: str
    status: str
    validate_by: dt.date | None
    notes: str
    version: int


class RetirementIn(Schema):
    kind: RetirementKind
    agency: Code | None = None  # default: the acting user's agency
    retired_at: UtcDatetime | None = None
    reference: str = Field(default="", max_length=100)
    notes: str = Field(default="", max_length=4000)


class RetirementOut(BaseModel):
    id: int
    vin: str
    kind: str
    retired_at: dt.datetime
    agency: str
    reference: str


class VehicleDetail(BaseModel):
    vehicle: VehicleOut
    reports: list[StolenReportOut]
    retirement: RetirementOut | None


class PublicVehicleStatus(BaseModel):
    """All the public lookup tells: nothing about the owner, the report or the vehicle."""

    status: str = Field(description="no_report | reported_stolen | recovered")
