"""HTTP routes of checkpoint sites."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from alcabala.accounts.deps import DoorDep, Reading, require
from alcabala.accounts.models import Role
from alcabala.checkpoints import services
from alcabala.checkpoints.models import Checkpoint
from alcabala.checkpoints.schemas import CheckpointIn, CheckpointOut
from alcabala.context import Actor

router = APIRouter(prefix="/v1", tags=["checkpoints"])
Admin = Annotated[Actor, Depends(require(Role.ADMIN))]
SignedIn = Annotated[
    Actor,
    Depends(
        require(
            Role.OFFICER,
            Role.REGISTRAR,
            Role.LIVESTOCK,
            Role.SUPERVISOR,
            Role.AUDITOR,
            Role.ADMIN,
            Role.COURT,
            Role.OVERSIGHT,
            Role.CUSTODIAN,
            Role.CAMERA,
        )
    ),
]


def checkpoint_out(c: Checkpoint) -> CheckpointOut:
    return CheckpointOut(code=c.code, name=c.name, road=c.road, state=c.state, lat=c.lat, lon=c.lon)


@router.get("/checkpoints", summary="Every checkpoint site, by code")
def list_checkpoints(user: SignedIn, session: Reading) -> list[CheckpointOut]:
    return [checkpoint_out(c) for c in services.list_checkpoints(session)]


@router.post("/checkpoints", status_code=201, summary="Add a checkpoint site")
def add_checkpoint(body: CheckpointIn, user: Admin, door: DoorDep) -> CheckpointOut:
    with door.write(user) as ctx:
        return checkpoint_out(services.add_checkpoint(ctx, body))
