"""Input and output shapes of the re-validation queue."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from alcabala.schemas import Schema


class ValidateIn(Schema):
    """Body of a re-validation: which registry (when a number is in both) and a note."""

    kind: Literal["stolen-report", "warrant"] | None = None
    note: str = Field(default="", max_length=2000)


class DueRecordOut(BaseModel):
    kind: str
    id: int
    number: str
    agency: str
    subject: str = Field(
        description="The VIN of a stolen-vehicle report, the national ID of a warrant."
    )
    validate_by: dt.date
    days_overdue: int
