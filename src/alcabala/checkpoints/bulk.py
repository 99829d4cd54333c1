"""Bulk codec of checkpoint sites."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from alcabala.accounts.bulk import agency_ids
from alcabala.accounts.models import Agency
from alcabala.bulk.codec import Codec, lookup_error, parse
from alcabala.checkpoints.models import Checkpoint
from alcabala.checkpoints.schemas import CheckpointIn
from alcabala.rules import unique


class CheckpointCodec(Codec):
    kind = "checkpoints"
    fields = ("code", "name", "road", "state", "lat", "lon", "agency")

    model = Checkpoint
    entity = "checkpoint"
    key = ("code",)

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        rows = session.execute(
            select(Checkpoint, Agency.code)
            .outerjoin(Agency, Checkpoint.agency_id == Agency.id)
            .order_by(Checkpoint.code)
        )
        for c, agency in rows:
            yield {
                "code": c.code,
                "name": c.name,
                "road": c.road,
                "state": c.state,
                "lat": c.lat,
                "lon": c.lon,
                "agency": agency,
            }

    def prepare(self, session: Session) -> None:
        self.agencies = agency_ids(session)
        self.seen = set(session.scalars(select(Checkpoint.code)))

    def convert(self, row: dict[str, Any]) -> Any:
        data: CheckpointIn = parse(CheckpointIn, row)
        if data.code in self.seen:
            unique("Checkpoint", data.code, True, field="code")
        agency_id = None
        if data.agency:
            if data.agency not in self.agencies:
                raise lookup_error("agency", "agency", data.agency, "import agencies first")
            agency_id = self.agencies[data.agency]
        self.seen.add(data.code)
        payload = data.model_dump(exclude={"agency"})
        return {**payload, "agency_id": agency_id}

    def store(self, session: Session, payloads: list[Any]) -> None:
        session.execute(insert(Checkpoint), payloads)
