"""What cameras send, and what the alert queue shows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pydantic

from alcabala import identifiers
from alcabala.schemas import Code, Country, Reason, Schema, UtcDatetime, Vin

MAX_READS = 10_000


class ReadIn(Schema):
    """One camera read: the plate, where (a checkpoint, or coordinates), when."""

    plate: str = pydantic.Field(min_length=1, max_length=32)
    country: Country = "VE"
    confidence: float | None = pydantic.Field(default=None, ge=0, le=1)
    checkpoint: Code | None = None
    lat: float | None = pydantic.Field(default=None, ge=-90, le=90)
    lon: float | None = pydantic.Field(default=None, ge=-180, le=180)
    camera: str | None = pydantic.Field(default=None, max_length=40)
    at: UtcDatetime
    image_sha256: str | None = pydantic.Field(default=None, pattern="^[0-9a-f]{64}$")
    vin: Vin | None = None
    make: str | None = pydantic.Field(default=None, max_length=60)
    colour: str | None = pydantic.Field(default=None, max_length=40)

    @pydantic.model_validator(mode="after")
    def _where(self) -> ReadIn:
        plate = identifiers.normalize_plate(self.plate)
        if not plate or not plate.isalnum() or not plate.isascii():
            raise ValueError("a plate has letters and digits only")
        self.plate = plate
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        if self.checkpoint is None and self.lat is None:
            raise ValueError("say where: a checkpoint, or lat and lon")
        return self


class BatchIn(Schema):
    reads: list[ReadIn] = pydantic.Field(min_length=1, max_length=MAX_READS)


class BatchOut(pydantic.BaseModel):
    stored: int
    duplicates: int = pydantic.Field(description="Reads already stored (a retried batch)")


class MoveIn(Schema):
    reason: Reason = pydantic.Field(min_length=1)
    version: int | None = None


class AlertSightingOut(pydantic.BaseModel):
    source: str
    at: dt.datetime
    plate: str | None
    vin: str | None
    checkpoint: str | None
    lat: float | None
    lon: float | None
    verdict: str | None
    note: str


class AlertRow(pydantic.BaseModel):
    id: int
    kind: str
    status: str
    agency: str | None
    subject_kind: str
    subject: str
    checkpoint: str | None
    raised_at: dt.datetime


class AlertOut(AlertRow):
    version: int
    facts: dict[str, Any]
    sightings: list[AlertSightingOut]
    transitions: list[dict[str, Any]]
