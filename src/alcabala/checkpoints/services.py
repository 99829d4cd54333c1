"""Use cases of checkpoint sites."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala.accounts.services import get_agency
from alcabala.checkpoints.models import Checkpoint
from alcabala.checkpoints.schemas import CheckpointIn
from alcabala.context import Ctx
from alcabala.db.history import record_change
from alcabala.errors import NotFoundError
from alcabala.rules import unique


def add_checkpoint(ctx: Ctx, data: CheckpointIn) -> Checkpoint:
    session = ctx.session
    taken = session.scalar(select(Checkpoint.id).where(Checkpoint.code == data.code))
    unique("Checkpoint", data.code, taken is not None, field="code")
    checkpoint = Checkpoint(
        code=data.code,
        name=data.name,
        road=data.road,
        state=data.state,
        lat=data.lat,
        lon=data.lon,
        agency=get_agency(session, data.agency) if data.agency else None,
    )
    session.add(checkpoint)
    session.flush()
    record_change(session, "checkpoint", checkpoint, ctx.now(), "created")
    return checkpoint


def get_checkpoint(session: Session, code: str) -> Checkpoint:
    checkpoint = session.scalar(select(Checkpoint).where(Checkpoint.code == code.strip().upper()))
    if checkpoint is None:
        raise NotFoundError(f"No checkpoint with code {code!r}.", field="checkpoint")
    return checkpoint


def list_checkpoints(session: Session) -> list[Checkpoint]:
    return list(session.scalars(select(Checkpoint).order_by(Checkpoint.code)))
