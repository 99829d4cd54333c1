"""Input and output shapes of persons and warrants."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

from alcabala.errors import ValidationError
from alcabala.schemas import Code, Country, Schema, UtcDatetime, normalize_national_id


class PersonIn(Schema):
    national_id: str = Field(min_length=1, max_length=64)
    country: Country = "VE"
    given_names: str = Field(default="", max_length=120)
    surnames: str = Field(default="", max_length=120)
    birth_date: dt.date | None = None

    @model_validator(mode="after")
    def _normalize(self) -> PersonIn:
        self.national_id = normalize_national_id(self.national_id, self.country)
        return self


class WarrantIn(Schema):
    number: Code
    agency: Code | None = None  # default: the acting user's agency
    national_id: str = Field(min_length=1, max_length=64)
    country: Country = "VE"
    court: str = Field(min_length=1, max_length=300)
    case_number: str = Field(min_length=1, max_length=60)
    offence: str = Field(min_length=1, max_length=200)
    issued_at: UtcDatetime
    expires_at: UtcDatetime | None = None
    urgent: bool = True

    @model_validator(mode="after")
    def _check(self) -> WarrantIn:
        self.national_id = normalize_national_id(self.national_id, self.country)
        if self.expires_at is not None and self.expires_at <= self.issued_at:
            raise ValidationError("expires_at must be after issued_at.", field="expires_at")
        return self


class WarrantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    national_id: str
    country: str
    agency: str
    court: str
    case_number: str
    offence: str
    issued_at: dt.datetime
    expires_at: dt.datetime | None
    urgent: bool
    status: str
    validate_by: dt.date | None
    version: int


class PersonOut(BaseModel):
    id: int
    national_id: str
    country: str
    given_names: str
    surnames: str
    birth_date: dt.date | None


class PersonDetail(BaseModel):
    """A person with every warrant naming them, newest first (statuses effective at now)."""

    person: PersonOut
    warrants: list[WarrantOut]
