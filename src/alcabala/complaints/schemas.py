"""What a complaint is filed with, and what each reader is shown of it.

The complainant sees everything of their own complaint but the staff's identities; staff
see the complaint and who did what; the public sees only counts (:mod:`.stats`).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Annotated

import pydantic
from pydantic import AfterValidator

from alcabala.complaints.models import Category, NoteKind, SubjectKind
from alcabala.schemas import Code, Reason, Schema

#: Photos a complaint may carry, and the largest one (bytes, decoded).
MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 2 * 1024 * 1024
#: What a photo may be; the first bytes are checked against the type named.
PHOTO_TYPES = {"image/jpeg": (b"\xff\xd8\xff",), "image/png": (b"\x89PNG\r\n\x1a\n",)}
MAX_DESCRIPTION = 4000


def _photo_data(value: str) -> str:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("a photo is base64 (RFC 4648, with padding)") from None
    if not raw:
        raise ValueError("a photo is not empty")
    if len(raw) > MAX_PHOTO_BYTES:
        raise ValueError(f"a photo is at most {MAX_PHOTO_BYTES // (1024 * 1024)} MiB")
    return value


class PhotoIn(Schema):
    content_type: str = pydantic.Field(description="image/jpeg or image/png")
    data: Annotated[str, AfterValidator(_photo_data)] = pydantic.Field(
        description="The image, base64"
    )

    @pydantic.field_validator("content_type")
    @classmethod
    def _type(cls, value: str) -> str:
        value = value.lower()
        if value not in PHOTO_TYPES:
            raise ValueError("a photo is image/jpeg or image/png")
        return value

    @pydantic.model_validator(mode="after")
    def _magic(self) -> PhotoIn:
        if not self.raw().startswith(PHOTO_TYPES[self.content_type]):
            raise ValueError(f"the photo's bytes are not {self.content_type}")
        return self

    def raw(self) -> bytes:
        return base64.b64decode(self.data)


class ComplaintIn(Schema):
    """A complaint, as anyone files it (no login)."""

    category: Category
    subject_kind: SubjectKind = pydantic.Field(
        description="stop (give receipt), checkpoint, agency, or officer (give officer)"
    )
    receipt: str = pydantic.Field(default="", max_length=20, description="The stop's receipt")
    checkpoint: Code | None = pydantic.Field(default=None, description="A checkpoint's code")
    agency: Code | None = pydantic.Field(default=None, description="An agency's code")
    officer: str = pydantic.Field(
        default="", max_length=200, description="The officer as you saw them: name or badge"
    )
    description: str = pydantic.Field(min_length=10, max_length=MAX_DESCRIPTION)
    photos: list[PhotoIn] = pydantic.Field(default_factory=list, max_length=MAX_PHOTOS)
    contact: str = pydantic.Field(
        default="", max_length=254, description="Email or phone for updates (optional)"
    )
    language: str = pydantic.Field(default="es", pattern="^(es|en)$")


class FiledOut(pydantic.BaseModel):
    """The complainant's receipt, at once: keep the code and the secret."""

    code: str
    secret: str = pydantic.Field(description="Shown once: with the code, it follows the complaint")
    filed_at: dt.datetime
    status: str
    promise: str | None = pydantic.Field(
        description="The log's signed promise to include the complaint (a C2SP signed note)"
    )
    proof_url: str = pydantic.Field(description="Where its tlog proof is, within seconds")


class SecretIn(Schema):
    secret: str = pydantic.Field(min_length=1, max_length=64)


class InformationIn(SecretIn):
    text: str = pydantic.Field(min_length=1, max_length=MAX_DESCRIPTION)


class NoteIn(Schema):
    text: str = pydantic.Field(min_length=1, max_length=MAX_DESCRIPTION)


class MoveIn(Schema):
    """A move of the lifecycle: ``under_review``, ``resolved`` or ``dismissed``."""

    to: str = pydantic.Field(pattern="^(under_review|resolved|dismissed)$")
    reason: Reason = pydantic.Field(min_length=1)
    version: int | None = pydantic.Field(default=None, description="The version you saw")


class TransitionOut(pydantic.BaseModel):
    from_state: str | None
    to_state: str
    reason: str
    at: dt.datetime


class NoteOut(pydantic.BaseModel):
    kind: NoteKind
    text: str
    at: dt.datetime
    author: str | None = None  # staff views only


class ComplaintOut(pydantic.BaseModel):
    """A complaint as its complainant and the staff see it (staff also get ``author``s)."""

    code: str
    category: str
    subject_kind: str
    receipt: str | None
    checkpoint: str | None
    agency: str | None
    officer: str
    description: str
    photos: list[str]
    status: str
    version: int
    filed_at: dt.datetime
    overdue_at: dt.datetime
    overdue: bool
    transitions: list[TransitionOut]
    notes: list[NoteOut]
    contact: str | None = None  # staff views only


class ComplaintRow(pydantic.BaseModel):
    """One line of the staff's list: nothing free-text but the category."""

    code: str
    category: str
    status: str
    checkpoint: str | None
    agency: str | None
    filed_at: dt.datetime
    overdue: bool
