"""Input and output shapes of certificates and inspections."""

from __future__ import annotations

import datetime as dt
import re

import pydantic
from pydantic import EmailStr

from alcabala.schemas import Code, Country, EngineNumber, Schema, UtcDatetime, Vin, normalize_plate

SHA256_HEX = re.compile("[0-9a-f]{64}")
MAX_PHOTOS = 12


class CertificateIn(Schema):
    """A buyer's request: the VIN and the plate, both, as on the vehicle's papers."""

    vin: Vin
    plate: str = pydantic.Field(min_length=1, max_length=32)
    plate_country: Country = "VE"
    contact: EmailStr | None = pydantic.Field(
        default=None,
        description="An email address told if the certificate is superseded (optional; "
        "never shown)",
    )

    @pydantic.model_validator(mode="after")
    def _normalize(self) -> CertificateIn:
        self.plate = normalize_plate(self.plate, self.plate_country)
        return self


class InspectionIn(Schema):
    """A registrar's record of the vehicle seen in person."""

    place: str = pydantic.Field(min_length=2, max_length=200)
    inspected_at: UtcDatetime | None = pydantic.Field(
        default=None, description="When it was seen (default: now)"
    )
    vin_seen: Vin = pydantic.Field(description="The VIN read off the chassis")
    engine_seen: EngineNumber = pydantic.Field(description="The number read off the engine")
    photos: list[str] = pydantic.Field(
        default_factory=list,
        max_length=MAX_PHOTOS,
        description="SHA-256 (hex) of each photo taken",
    )
    notes: str = pydantic.Field(default="", max_length=2000)
    agency: Code | None = pydantic.Field(
        default=None, description="Your agency's code (default: yours; only yours)"
    )

    @pydantic.field_validator("photos")
    @classmethod
    def _hashes(cls, photos: list[str]) -> list[str]:
        cleaned = [p.strip().lower() for p in photos]
        if not all(SHA256_HEX.fullmatch(p) for p in cleaned):
            raise ValueError("each photo is named by its SHA-256: 64 hex digits")
        return cleaned


class InspectionOut(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(from_attributes=True)

    id: int
    place: str
    inspected_at: dt.datetime
    vin_seen: str
    engine_seen: str
    matches: bool
    photos: list[str]


class CertificateOut(pydantic.BaseModel):
    """A certificate as issued (no personal data), with its signed text and QR code."""

    serial: str
    vin: str
    plate: str
    make: str
    model: str
    year: int | None
    colour: str
    stolen: bool
    retired: bool
    consistent: bool
    clone_alert: bool | None = pydantic.Field(
        description="An open clone alert on its VIN or plate at issue (null: not looked for)"
    )
    sound: bool = pydantic.Field(description="Nothing spoke against buying at issue")
    issued_at: dt.datetime
    expires_at: dt.datetime
    status: str = pydantic.Field(description="valid, or superseded when its vehicle changed")
    superseded_reason: str | None = None
    text: str = pydantic.Field(description="The signed certificate (what its QR code holds)")
    verify_url: str


class VerifyIn(Schema):
    text: str = pydantic.Field(min_length=4, max_length=2000, description="The certificate")


class VerifyOut(pydantic.BaseModel):
    """What verification found: the signature held (else a 422), and the status now."""

    valid: bool = pydantic.Field(
        description="Signed by this log's key, not expired, not superseded"
    )
    expired: bool
    status: str = pydantic.Field(description="valid, superseded, or unknown (not issued here)")
    superseded_reason: str | None = None
    certificate: CertificateOut | None = None
    serial: str
    vin: str
    plate: str
    issued_at: dt.datetime
    expires_at: dt.datetime
    sound: bool
