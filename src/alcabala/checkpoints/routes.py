"""HTTP routes of checkpoint sites."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from alcabala.accounts.models import Role
from alcabala.api.deps import Db, Principal, Reading, require
from alcabala.api.hooks import after_write
from alcabala.checkpoints import services
from alcabala.checkpoints.models import Checkpoint
from alcabala.checkpoints.schemas import CheckpointIn, CheckpointOut
from alcabala.db.engine import unit_of_work

router = APIRouter(prefix="/v1", tags=["checkpoints"])
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
SignedIn = Annotated[
    Principal,
    Depends(
        require(
            Role.OFFICER,
            Role.REGISTRAR,
            Role.LIVESTOCK,
            Role.SUPERVISOR,
            Role.AUDITOR,
            Role.ADMIN,
        )
    ),
]


def checkpoint_out(c: Checkpoint) -> CheckpointOut:
    return CheckpointOut(code=c.code, name=c.name, road=c.road, state=c.state, lat=c.lat, lon=c.lon)


@router.get("/checkpoints", summary="Every checkpoint site, by code")
def list_checkpoints(user: SignedIn, session: Reading) -> list[CheckpointOut]:
    return [checkpoint_out(c) for c in services.list_checkpoints(session)]


@router.post("/checkpoints", status_code=201, summary="Add a checkpoint site")
def add_checkpoint(body: CheckpointIn, user: Admin, db: Db, request: Request) -> CheckpointOut:
    with unit_of_work(db) as s:
        out = checkpoint_out(services.add_checkpoint(s, body))
    after_write(request)
    return out
