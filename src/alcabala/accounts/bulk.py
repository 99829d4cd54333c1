"""Bulk codec of agencies (import them first: every other registry names them)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from alcabala.accounts.models import Agency, AgencyKind
from alcabala.bulk.codec import Codec, parse
from alcabala.rules import unique
from alcabala.schemas import Code, Schema


class AgencyRow(Schema):
    code: Code
    name: str
    kind: AgencyKind = AgencyKind.POLICE
    state: str = ""


class AgencyCodec(Codec):
    kind = "agencies"
    fields = ("code", "name", "kind", "state")

    model = Agency

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        for a in session.scalars(select(Agency).order_by(Agency.code)):
            yield {"code": a.code, "name": a.name, "kind": a.kind, "state": a.state}

    def prepare(self, session: Session) -> None:
        self.seen = set(session.scalars(select(Agency.code)))

    def convert(self, row: dict[str, Any]) -> Any:
        data: AgencyRow = parse(AgencyRow, row)
        if data.code in self.seen:
            unique("Agency", data.code, True, field="code")
        self.seen.add(data.code)
        return {**data.model_dump(), "kind": data.kind.value}

    def store(self, session: Session, payloads: list[Any]) -> None:
        session.execute(insert(Agency), payloads)


def agency_ids(session: Session) -> dict[str, int]:
    """Agency code → id, for codecs that name agencies."""
    return {code: id_ for id_, code in session.execute(select(Agency.id, Agency.code))}
