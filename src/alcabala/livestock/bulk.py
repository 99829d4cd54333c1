"""Bulk codecs of premises, brands, transit permits and livestock theft reports.

In CSV a permit's ``lines`` is compact JSON text and ear tags are space-separated; in JSONL
both may also be real lists.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pydantic import field_validator
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from alcabala.accounts.bulk import agency_ids
from alcabala.accounts.models import Agency
from alcabala.bulk.codec import Codec, lookup_error, parse, store_stateful
from alcabala.livestock.models import (
    Brand,
    LivestockTheft,
    LivestockTheftTransition,
    Permit,
    PermitEarTag,
    PermitLine,
    PermitStatus,
    PermitTransition,
    Premises,
    TheftStatus,
)
from alcabala.livestock.rules import brand_on_origin, needs_marks
from alcabala.livestock.schemas import BrandIn, LivestockTheftIn, PermitIn, PremisesIn
from alcabala.persons.bulk import person_ids
from alcabala.persons.models import Person
from alcabala.rules import unique
from alcabala.schemas import Code, UtcDatetime


def _tags(value: Any) -> Any:
    return value.split() if isinstance(value, str) else value


def _premises_ids(session: Session) -> dict[str, int]:
    return {code: id_ for id_, code in session.execute(select(Premises.id, Premises.code))}


class PremisesCodec(Codec):
    kind = "premises"
    fields = (
        "code",
        "name",
        "owner_national_id",
        "owner_country",
        "state",
        "municipality",
        "lat",
        "lon",
    )

    model = Premises
    entity = "premises"
    key = ("code",)

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        rows = session.execute(
            select(Premises, Person.national_id, Person.country)
            .outerjoin(Person, Premises.owner_person_id == Person.id)
            .order_by(Premises.code)
        )
        for p, national_id, country in rows:
            yield {
                "code": p.code,
                "name": p.name,
                "owner_national_id": national_id,
                "owner_country": country,
                "state": p.state,
                "municipality": p.municipality,
                "lat": p.lat,
                "lon": p.lon,
            }

    def prepare(self, session: Session) -> None:
        self.persons = person_ids(session)
        self.seen = set(session.scalars(select(Premises.code)))

    def convert(self, row: dict[str, Any]) -> Any:
        data: PremisesIn = parse(PremisesIn, row)
        unique("Premises", data.code, data.code in self.seen, field="code")
        owner = None
        if data.owner_national_id:
            owner = self.persons.get((data.owner_country, data.owner_national_id))
            if owner is None:
                raise lookup_error(
                    "owner_national_id", "person", data.owner_national_id, "import persons first"
                )
        self.seen.add(data.code)
        payload = data.model_dump(exclude={"owner_national_id", "owner_country"})
        return {**payload, "owner_person_id": owner}

    def store(self, session: Session, payloads: list[Any]) -> None:
        session.execute(insert(Premises), payloads)


class BrandCodec(Codec):
    kind = "brands"
    fields = ("mark", "premises", "registered_at")

    model = Brand
    entity = "brand"
    key = ("mark",)

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        rows = session.execute(
            select(Brand, Premises.code)
            .join(Premises, Brand.premises_id == Premises.id)
            .order_by(Brand.mark)
        )
        for b, premises in rows:
            yield {"mark": b.mark, "premises": premises, "registered_at": b.registered_at}

    def prepare(self, session: Session) -> None:
        self.premises = _premises_ids(session)
        self.seen = set(session.scalars(select(Brand.mark)))

    def convert(self, row: dict[str, Any]) -> Any:
        data: BrandIn = parse(BrandIn, row)
        unique("Brand", data.mark, data.mark in self.seen, field="mark")
        if data.premises not in self.premises:
            raise lookup_error("premises", "premises", data.premises, "import premises first")
        self.seen.add(data.mark)
        return {
            "mark": data.mark,
            "premises_id": self.premises[data.premises],
            "registered_at": data.registered_at,
        }

    def store(self, session: Session, payloads: list[Any]) -> None:
        session.execute(insert(Brand), payloads)


class PermitRow(PermitIn):
    issuer: Code  # a file names the issuing agency of every row
    status: PermitStatus = PermitStatus.ISSUED

    @field_validator("lines", mode="before")
    @classmethod
    def _lines_json(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"lines must be a JSON list of lines ({exc.msg})") from exc
        return value

    _ear_tags = field_validator("ear_tags", mode="before")(lambda cls, v: _tags(v))


class PermitCodec(Codec):
    kind = "permits"
    fields = (
        "number",
        "issuer",
        "origin_premises",
        "destination_premises",
        "vehicle_plate",
        "plate_country",
        "valid_from",
        "valid_to",
        "status",
        "lines",
        "ear_tags",
    )

    model = Permit
    entity = "permit"

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        premises = {id_: code for code, id_ in _premises_ids(session).items()}
        rows = session.execute(
            select(Permit, Agency.code)
            .join(Agency, Permit.issuer_agency_id == Agency.id)
            .order_by(Permit.number)
        )
        for p, issuer in rows:
            lines = [
                {
                    "species": ln.species,
                    "category": ln.category,
                    "head_count": ln.head_count,
                    "brand": ln.brand or None,
                }
                for ln in p.lines
            ]
            yield {
                "number": p.number,
                "issuer": issuer,
                "origin_premises": premises[p.origin_premises_id],
                "destination_premises": premises[p.destination_premises_id],
                "vehicle_plate": p.vehicle_plate,
                "plate_country": p.plate_country,
                "valid_from": p.valid_from,
                "valid_to": p.valid_to,
                "status": p.status,
                "lines": lines,
                "ear_tags": " ".join(t.tag for t in p.ear_tags),
            }

    def prepare(self, session: Session) -> None:
        self.agencies = agency_ids(session)
        self.premises = _premises_ids(session)
        self.brands = {
            mark: code
            for mark, code in session.execute(
                select(Brand.mark, Premises.code).join(Premises, Brand.premises_id == Premises.id)
            )
        }
        self.seen = set(session.scalars(select(Permit.number)))

    def convert(self, row: dict[str, Any]) -> Any:
        data: PermitRow = parse(PermitRow, row)
        unique("Permit", data.number, data.number in self.seen)
        if data.issuer not in self.agencies:
            raise lookup_error("issuer", "agency", data.issuer, "import agencies first")
        for field in ("origin_premises", "destination_premises"):
            if getattr(data, field) not in self.premises:
                raise lookup_error(field, "premises", getattr(data, field), "import premises first")
        origin = self.premises[data.origin_premises]
        for i, line in enumerate(data.lines):
            if line.brand:
                brand_on_origin(i, line.brand, self.brands.get(line.brand), data.origin_premises)
        self.seen.add(data.number)
        return Permit(
            number=data.number,
            issuer_agency_id=self.agencies[data.issuer],
            origin_premises_id=origin,
            destination_premises_id=self.premises[data.destination_premises],
            vehicle_plate=data.vehicle_plate,
            plate_country=data.plate_country,
            valid_from=data.valid_from,
            valid_to=data.valid_to,
            status=data.status.value,
            lines=[
                PermitLine(
                    position=i,
                    species=ln.species.value,
                    category=ln.category,
                    head_count=ln.head_count,
                    brand=ln.brand or "",
                )
                for i, ln in enumerate(data.lines)
            ],
            ear_tags=[PermitEarTag(position=i, tag=t) for i, t in enumerate(data.ear_tags)],
        )

    def store(self, session: Session, payloads: list[Any]) -> None:
        store_stateful(
            self.ctx,
            payloads,
            history=PermitTransition,
            history_fk="permit_id",
            entity="permit",
            reason=self.imported_reason,
        )


class LivestockTheftRow(LivestockTheftIn):
    agency: Code
    reported_at: UtcDatetime
    status: TheftStatus = TheftStatus.ACTIVE

    _ear_tags = field_validator("ear_tags", mode="before")(lambda cls, v: _tags(v))


class LivestockTheftCodec(Codec):
    kind = "livestock-thefts"
    fields = (
        "number",
        "agency",
        "premises",
        "brand",
        "ear_tags",
        "head_count",
        "species",
        "reported_at",
        "status",
    )

    model = LivestockTheft
    entity = "livestock_theft"

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        premises = {id_: code for code, id_ in _premises_ids(session).items()}
        rows = session.execute(
            select(LivestockTheft, Agency.code)
            .join(Agency, LivestockTheft.agency_id == Agency.id)
            .order_by(LivestockTheft.number)
        )
        for t, agency in rows:
            yield {
                "number": t.number,
                "agency": agency,
                "premises": premises.get(t.premises_id) if t.premises_id else None,
                "brand": t.brand or None,
                "ear_tags": t.ear_tags,
                "head_count": t.head_count,
                "species": t.species,
                "reported_at": t.reported_at,
                "status": t.status,
            }

    def prepare(self, session: Session) -> None:
        self.agencies = agency_ids(session)
        self.premises = _premises_ids(session)
        self.seen = set(session.scalars(select(LivestockTheft.number)))

    def convert(self, row: dict[str, Any]) -> Any:
        data: LivestockTheftRow = parse(LivestockTheftRow, row)
        unique("Livestock theft report", data.number, data.number in self.seen)
        needs_marks(data.brand, data.ear_tags)
        if data.agency not in self.agencies:
            raise lookup_error("agency", "agency", data.agency, "import agencies first")
        if data.premises and data.premises not in self.premises:
            raise lookup_error("premises", "premises", data.premises, "import premises first")
        self.seen.add(data.number)
        return LivestockTheft(
            number=data.number,
            agency_id=self.agencies[data.agency],
            premises_id=self.premises[data.premises] if data.premises else None,
            brand=data.brand or "",
            ear_tags=" ".join(data.ear_tags),
            head_count=data.head_count,
            species=data.species.value,
            reported_at=data.reported_at,
            status=data.status.value,
        )

    def store(self, session: Session, payloads: list[Any]) -> None:
        store_stateful(
            self.ctx,
            payloads,
            history=LivestockTheftTransition,
            history_fk="theft_id",
            entity="livestock_theft",
            reason=self.imported_reason,
        )
