"""HTTP routes of the re-validation queue: stale stolen-vehicle reports and warrants."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from alcabala.accounts.deps import DoorDep, require
from alcabala.accounts.models import Role
from alcabala.context import Actor
from alcabala.errors import ValidationError
from alcabala.records import services
from alcabala.records.schemas import DueRecordOut, ValidateIn
from alcabala.records.services import DueRecord
from alcabala.schemas import CODE

router = APIRouter(prefix="/v1", tags=["records"])
Registrar = Annotated[Actor, Depends(require(Role.REGISTRAR, Role.COURT))]
Reader = Annotated[Actor, Depends(require(Role.REGISTRAR, Role.SUPERVISOR, Role.COURT))]


def due_out(r: DueRecord) -> DueRecordOut:
    return DueRecordOut(
        kind=r.kind,
        id=r.id,
        number=r.number,
        agency=r.agency,
        subject=r.subject,
        validate_by=r.validate_by,
        days_overdue=r.days_overdue,
    )


def path_number(number: str) -> str:
    """A record number from a path, upper-cased, or our ValidationError naming ``number``."""
    value = number.strip().upper()
    if not CODE.match(value):
        raise ValidationError("a number is 1–40 capital letters, digits or dashes", field="number")
    return value


@router.get("/records/due", summary="Active records past their re-validation date (audited)")
def list_due(user: Reader, door: DoorDep) -> list[DueRecordOut]:
    with door.lookup(user) as ctx:
        return [due_out(r) for r in services.due(ctx)]


@router.post(
    "/records/{number}/validate",
    summary="Confirm a record still stands (owning agency; renews for a year)",
)
def validate_record(number: str, body: ValidateIn, user: Registrar, door: DoorDep) -> DueRecordOut:
    number = path_number(number)
    with door.write(user) as ctx:
        return due_out(services.validate(ctx, number, kind=body.kind, note=body.note))
