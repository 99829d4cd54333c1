"""Pydantic building blocks shared by every domain's schemas.

Identifiers are normalized once, here at the edge, by :mod:`alcabala.identifiers`; a value
that does not pass becomes a validation error naming the field and the reason.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, TypeVar

import pydantic
from pydantic import AfterValidator, BeforeValidator, ConfigDict

from alcabala import identifiers
from alcabala.errors import ValidationError
from alcabala.identifiers import IdentifierResult

T = TypeVar("T", bound=pydantic.BaseModel)
COUNTRY = re.compile(r"^[A-Z]{2}$")
CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,39}$")


class Schema(pydantic.BaseModel):
    """Base of input schemas: unknown fields are refused, strings are stripped, and NUL
    characters (which PostgreSQL cannot store in text) are refused naming the field."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @pydantic.field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        if isinstance(value, list) and any(isinstance(v, str) and "\x00" in v for v in value):
            raise ValueError("must not contain NUL characters")
        return value


class TransitionIn(Schema):
    """Body of a lifecycle action (recover, return, cancel, execute...)."""

    reason: str = pydantic.Field(default="", max_length=2000)
    version: int | None = pydantic.Field(
        default=None, description="The version you saw; 409 if stale."
    )
    inventory: str = pydantic.Field(default="", max_length=8000)


def valid_or_raise(result: IdentifierResult) -> str:
    """The normalized value of a valid identifier, else ValueError with the first reason."""
    if not result.valid:
        raise ValueError(result.errors[0].message if result.errors else "invalid value")
    return result.normalized


def _country(value: str) -> str:
    value = value.strip().upper()
    if not COUNTRY.match(value):
        raise ValueError("a country is an ISO 3166 alpha-2 code such as VE, CO, MX or BR")
    return value


def _code(value: str) -> str:
    value = value.strip().upper()
    if not CODE.match(value):
        raise ValueError("a code is 1–40 capital letters, digits or dashes")
    return value


def _aware(value: Any) -> Any:
    """Naive timestamps are taken as UTC; every stored time is aware."""
    if isinstance(value, str) and value.endswith("Z"):
        value = value[:-1] + "+00:00"
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        value = value + "T00:00:00+00:00"
    return value


def _to_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC).replace(microsecond=0)
    except OverflowError as exc:
        raise ValueError("the time is out of range") from exc


Country = Annotated[str, AfterValidator(_country)]
Code = Annotated[str, AfterValidator(_code)]
UtcDatetime = Annotated[dt.datetime, BeforeValidator(_aware), AfterValidator(_to_utc)]
Vin = Annotated[str, AfterValidator(lambda v: valid_or_raise(identifiers.parse_vin(v)))]
EngineNumber = Annotated[
    str, AfterValidator(lambda v: valid_or_raise(identifiers.parse_engine_number(v)))
]
EarTag = Annotated[str, AfterValidator(lambda v: valid_or_raise(identifiers.parse_ear_tag(v)))]
Reason = Annotated[str, pydantic.Field(max_length=2000)]


def checked(result: IdentifierResult, field: str) -> str:
    """The normalized value, or our ValidationError naming ``field`` (usable anywhere, and
    inside a model validator, where it names its field unlike a plain ValueError)."""
    if not result.valid:
        message = result.errors[0].message if result.errors else "invalid value"
        raise ValidationError(message, field=field)
    return result.normalized


def normalize_plate(plate: str, country: str, field: str = "plate") -> str:
    """The normalized plate, or our ValidationError naming ``field``."""
    return checked(identifiers.parse_plate(plate, country), field)


def normalize_national_id(national_id: str, country: str, field: str = "national_id") -> str:
    """The normalized national ID, or our ValidationError naming ``field``."""
    return checked(identifiers.parse_national_id(national_id, country), field)


def first_error(exc: pydantic.ValidationError) -> ValidationError:
    """Our error for the first problem pydantic found, naming the field."""
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or None
    message = str(err["msg"]).removeprefix("Value error, ")
    return ValidationError(message, field=field)


def validate(model: type[T], data: Any) -> T:
    """``model.model_validate(data)``, raising our ValidationError instead of pydantic's."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise first_error(exc) from exc
