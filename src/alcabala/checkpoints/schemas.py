"""Input and output shapes of checkpoint sites."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from alcabala.schemas import Code, Schema


class CheckpointIn(Schema):
    code: Code
    name: str = Field(min_length=1, max_length=200)
    road: str = Field(default="", max_length=200)
    state: str = Field(default="", max_length=80)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    agency: Code | None = None


class CheckpointOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    road: str
    state: str
    lat: float
    lon: float
