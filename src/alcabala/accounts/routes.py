"""HTTP route of the audit trail: who looked up a person or a vehicle (auditor role)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from alcabala.accounts.audit import audit_trail
from alcabala.accounts.deps import DoorDep, require
from alcabala.accounts.models import Role
from alcabala.context import Actor
from alcabala.errors import ValidationError
from alcabala.schemas import normalize_national_id
from alcabala.vehicles.lookups import audit_subjects

router = APIRouter(prefix="/v1", tags=["audit"])
Auditor = Annotated[Actor, Depends(require(Role.AUDITOR))]


class AuditOut(BaseModel):
    at: dt.datetime
    username: str | None
    role: str | None
    action: str
    subject_kind: str
    subject: str
    checkpoint: str | None
    check_id: str | None
    reason: str


@router.get("/audit", summary="Who looked up a person or vehicle, where, when and why")
def audit(
    user: Auditor,
    door: DoorDep,
    person: Annotated[str | None, Query(max_length=64, description="National ID")] = None,
    country: Annotated[str, Query(max_length=2)] = "VE",
    vehicle: Annotated[str | None, Query(max_length=64, description="VIN or plate")] = None,
) -> list[AuditOut]:
    if (person is None) == (vehicle is None):
        raise ValidationError("Give exactly one of person or vehicle.", field="person")
    with door.lookup(user) as ctx:
        if person is not None:
            subjects = [normalize_national_id(person, country.upper(), "person")]
            kind = "person"
        else:
            assert vehicle is not None
            subjects = audit_subjects(ctx.session, vehicle)
            kind = "vehicle"
        return [AuditOut(**row.__dict__) for row in audit_trail(ctx, kind, subjects, "oversight")]
