"""Bulk codecs of persons and warrants.

Persons, like vehicles, come by the hundred thousand: their codec splits its work
(``parallel``): :meth:`PersonCodec.check` (``PersonIn`` through the fast path, may run in a
worker) and :meth:`PersonCodec.resolve` (a person is registered once, in line order), and
stores plain tuples (``COPY`` on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala.accounts.bulk import agency_ids
from alcabala.accounts.models import Agency
from alcabala.bulk.codec import Codec, lookup_error, parse, store_stateful
from alcabala.bulk.copy import RowWriter
from alcabala.bulk.fastpath import fast_parse
from alcabala.db.base import table_of
from alcabala.persons.models import Person, Warrant, WarrantStatus, WarrantTransition
from alcabala.persons.schemas import PersonIn, WarrantIn
from alcabala.rules import unique
from alcabala.schemas import Code


class PersonCodec(Codec):
    kind = "persons"
    fields = ("national_id", "country", "given_names", "surnames", "birth_date")

    model = Person
    entity = "person"
    key = ("country", "national_id")

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        query = select(Person).order_by(Person.country, Person.national_id)
        for p in session.scalars(query.execution_options(yield_per=5000)):
            yield {f: getattr(p, f) for f in self.fields}

    #: What :meth:`store` writes, in this order (``email`` and ``language`` take their
    #: column defaults).
    columns = ("national_id", "country", "given_names", "surnames", "birth_date", "created_at")
    parallel = True
    rebuild_indexes = True

    def prepare(self, session: Session) -> None:
        self.seen = {(c, n) for c, n in session.execute(select(Person.country, Person.national_id))}
        self.writer = RowWriter(session, table_of(Person), self.columns, raw=("created_at",))
        self.created_at = self.writer.db_value("created_at", self.ctx.now())

    def check(self, row: dict[str, Any]) -> tuple[Any, ...]:
        """The row through ``PersonIn``: the first five :attr:`columns`, normalized."""
        d = fast_parse(PersonIn, row)
        return (d["national_id"], d["country"], d["given_names"], d["surnames"], d["birth_date"])

    def resolve(self, checked: tuple[Any, ...]) -> tuple[Any, ...]:
        national_id, country = checked[0], checked[1]
        key = (country, national_id)
        unique("Person", f"{country} {national_id}", key in self.seen, "national_id")
        self.seen.add(key)
        return (*checked, self.created_at)

    def convert(self, row: dict[str, Any]) -> Any:
        return self.resolve(self.check(row))

    def store(self, session: Session, payloads: list[Any]) -> None:
        self.writer.write(payloads)


def person_ids(session: Session) -> dict[tuple[str, str], int]:
    """(country, national ID) → person id."""
    rows = session.execute(select(Person.id, Person.country, Person.national_id))
    return {(country, nid): id_ for id_, country, nid in rows}


class WarrantRow(WarrantIn):
    agency: Code  # a file names the owning agency of every row
    status: WarrantStatus = WarrantStatus.ACTIVE
    validate_by: dt.date | None = None


class WarrantCodec(Codec):
    kind = "warrants"
    fields = (
        "number",
        "agency",
        "national_id",
        "country",
        "court",
        "case_number",
        "offence",
        "issued_at",
        "expires_at",
        "status",
        "validate_by",
        "urgent",
    )

    model = Warrant
    entity = "warrant"

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        rows = session.execute(
            select(Warrant, Agency.code, Person.national_id, Person.country)
            .join(Agency, Warrant.agency_id == Agency.id)
            .join(Person, Warrant.person_id == Person.id)
            .order_by(Warrant.number)
        )
        for w, agency, national_id, country in rows:
            yield {
                "number": w.number,
                "agency": agency,
                "national_id": national_id,
                "country": country,
                "court": w.court,
                "case_number": w.case_number,
                "offence": w.offence,
                "issued_at": w.issued_at,
                "expires_at": w.expires_at,
                "status": w.status,
                "validate_by": w.validate_by,
                "urgent": w.urgent,
            }

    def prepare(self, session: Session) -> None:
        self.agencies = agency_ids(session)
        self.persons = person_ids(session)
        self.seen = set(session.scalars(select(Warrant.number)))

    def convert(self, row: dict[str, Any]) -> Any:
        data: WarrantRow = parse(WarrantRow, row)
        unique("Warrant", data.number, data.number in self.seen)
        if data.agency not in self.agencies:
            raise lookup_error("agency", "agency", data.agency, "import agencies first")
        person = self.persons.get((data.country, data.national_id))
        if person is None:
            raise lookup_error("national_id", "person", data.national_id, "import persons first")
        self.seen.add(data.number)
        return Warrant(
            number=data.number,
            person_id=person,
            agency_id=self.agencies[data.agency],
            court=data.court,
            case_number=data.case_number,
            offence=data.offence,
            issued_at=data.issued_at,
            expires_at=data.expires_at,
            urgent=data.urgent,
            status=data.status.value,
            validate_by=data.validate_by,
        )

    def store(self, session: Session, payloads: list[Any]) -> None:
        store_stateful(
            self.ctx,
            payloads,
            history=WarrantTransition,
            history_fk="warrant_id",
            entity="warrant",
            reason=self.imported_reason,
        )
