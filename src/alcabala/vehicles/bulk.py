"""Bulk codecs of vehicles, stolen-vehicle reports and retirements.

Vehicles are the registry imported by the million, so their codec splits its work
(``parallel``): :meth:`VehicleCodec.check` validates a row with ``VehicleIn``'s own
validators through the fast path (:mod:`alcabala.bulk.fastpath`) and may run in a worker
process; :meth:`VehicleCodec.resolve` then applies the registry rules in line order (a VIN
is registered once: :func:`alcabala.vehicles.rules.may_register`; the owner must exist), and
:meth:`VehicleCodec.store` writes plain tuples (``COPY`` on PostgreSQL) with one
``vehicles_bulk`` change entry per batch, from which every hotlist reloads vehicles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala import identifiers
from alcabala.accounts.bulk import agency_ids
from alcabala.accounts.models import Agency
from alcabala.bulk.codec import Codec, lookup_error, parse, store_stateful
from alcabala.bulk.copy import RowWriter
from alcabala.bulk.fastpath import fast_parse
from alcabala.db.base import table_of
from alcabala.db.history import Change
from alcabala.persons.bulk import person_ids
from alcabala.persons.models import Person
from alcabala.rules import unique
from alcabala.schemas import Code, UtcDatetime, Vin
from alcabala.vehicles import rules
from alcabala.vehicles.models import (
    ReportStatus,
    Retirement,
    StolenReport,
    StolenReportTransition,
    Vehicle,
)
from alcabala.vehicles.schemas import RetirementIn, StolenReportIn, VehicleIn
from alcabala.vehicles.services import supersede_certificates


def vehicle_ids(session: Session) -> dict[str, int]:
    return {vin: id_ for id_, vin in session.execute(select(Vehicle.id, Vehicle.vin))}


def active_reports(session: Session) -> dict[int, str]:
    """Vehicle id → number of its active stolen report."""
    rows = session.execute(
        select(StolenReport.vehicle_id, StolenReport.number).where(
            StolenReport.status == ReportStatus.ACTIVE
        )
    )
    return {vehicle_id: number for vehicle_id, number in rows}


class VehicleCodec(Codec):
    kind = "vehicles"
    fields = (
        "vin",
        "plate",
        "plate_country",
        "engine_number",
        "make",
        "model",
        "year",
        "colour",
        "owner_national_id",
        "owner_country",
        "owner_agency",
    )

    model = Vehicle
    entity = "vehicle"
    key = ("vin",)

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        query = (
            select(Vehicle, Person.national_id, Person.country, Agency.code)
            .outerjoin(Person, Vehicle.owner_person_id == Person.id)
            .outerjoin(Agency, Vehicle.owner_agency_id == Agency.id)
            .order_by(Vehicle.vin)
            .execution_options(yield_per=5000)
        )
        for v, national_id, country, agency in session.execute(query):
            yield {
                "vin": v.vin,
                "plate": v.plate,
                "plate_country": v.plate_country,
                "engine_number": v.engine_number,
                "make": v.make,
                "model": v.model,
                "year": v.year,
                "colour": v.colour,
                "owner_national_id": national_id,
                "owner_country": country,
                "owner_agency": agency,
            }

    #: What :meth:`store` writes, in this order: what :meth:`check` returns, the OCR key
    #: fourth, then the owner's ids (from what the row names) and the time stamp.
    columns = (
        *("vin", "plate", "plate_country", "plate_ocr_key", "engine_number"),
        *("make", "model", "year", "colour", "owner_person_id", "owner_agency_id", "created_at"),
    )
    parallel = True
    rebuild_indexes = True

    def prepare(self, session: Session) -> None:
        self.agencies = agency_ids(session)
        self.persons = person_ids(session)
        self.seen = set(session.scalars(select(Vehicle.vin)))
        self.writer = RowWriter(session, table_of(Vehicle), self.columns, raw=("created_at",))
        self.created_at = self.writer.db_value("created_at", self.ctx.now())

    def check(self, row: dict[str, Any]) -> tuple[Any, ...]:
        """The row through ``VehicleIn``: ``(vin, plate, plate_country, plate_ocr_key,
        engine_number, make, model, year, colour, owner_national_id, owner_country,
        owner_agency)``, normalized; context-free, so it may run in a worker."""
        d = fast_parse(VehicleIn, row)
        plate = d["plate"]
        ocr = identifiers.ocr_key(plate)
        return (d["vin"], plate, d["plate_country"], ocr, d["engine_number"], d["make"],
                d["model"], d["year"], d["colour"], d["owner_national_id"], d["owner_country"],
                d["owner_agency"])  # fmt: skip

    def resolve(self, checked: tuple[Any, ...]) -> tuple[Any, ...]:
        """The checked row against the registry: a row of :attr:`columns`."""
        vin, owner_national_id, owner_country, owner_code = checked[0], *checked[9:]
        rules.may_register(vin, vin in self.seen)
        owner_person = owner_agency = None
        if owner_national_id:
            owner_person = self.persons.get((owner_country, owner_national_id))
            if owner_person is None:
                raise lookup_error(
                    "owner_national_id", "person", owner_national_id, "import persons first"
                )
        if owner_code:
            owner_agency = self.agencies.get(owner_code)
            if owner_agency is None:
                raise lookup_error("owner_agency", "agency", owner_code)
        self.seen.add(vin)
        return (*checked[:9], owner_person, owner_agency, self.created_at)

    def convert(self, row: dict[str, Any]) -> Any:
        return self.resolve(self.check(row))

    def store(self, session: Session, payloads: list[Any]) -> None:
        self.writer.write(payloads)
        # One change entry per batch: hotlist indexes reload vehicles after a bulk import.
        session.add(Change(entity="vehicles_bulk", entity_id=len(payloads), at=self.ctx.now()))


class StolenReportRow(StolenReportIn):
    agency: Code  # a file names the owning agency of every row
    vin: Vin
    reported_at: UtcDatetime
    status: ReportStatus = ReportStatus.ACTIVE
    validate_by: dt.date | None = None


class StolenReportCodec(Codec):
    kind = "stolen-reports"
    fields = (
        "number",
        "agency",
        "vin",
        "reported_at",
        "stolen_at",
        "place",
        "status",
        "validate_by",
        "notes",
    )

    model = StolenReport
    entity = "stolen_report"

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        rows = session.execute(
            select(StolenReport, Agency.code, Vehicle.vin)
            .join(Agency, StolenReport.agency_id == Agency.id)
            .join(Vehicle, StolenReport.vehicle_id == Vehicle.id)
            .order_by(StolenReport.number)
        )
        for r, agency, vin in rows:
            yield {
                "number": r.number,
                "agency": agency,
                "vin": vin,
                "reported_at": r.reported_at,
                "stolen_at": r.stolen_at,
                "place": r.place,
                "status": r.status,
                "validate_by": r.validate_by,
                "notes": r.notes,
            }

    def prepare(self, session: Session) -> None:
        self.agencies = agency_ids(session)
        self.vehicles = vehicle_ids(session)
        self.seen = set(session.scalars(select(StolenReport.number)))
        self.active = active_reports(session)
        self.retired = set(session.scalars(select(Retirement.vehicle_id)))

    def convert(self, row: dict[str, Any]) -> Any:
        data: StolenReportRow = parse(StolenReportRow, row)
        unique("Report", data.number, data.number in self.seen)
        if data.agency not in self.agencies:
            raise lookup_error("agency", "agency", data.agency, "import agencies first")
        vehicle = self.vehicles.get(data.vin)
        if vehicle is None:
            raise lookup_error("vin", "vehicle", data.vin, "import vehicles first")
        if data.status == ReportStatus.ACTIVE:
            rules.may_report_stolen(data.vin, vehicle in self.retired, self.active.get(vehicle))
            self.active[vehicle] = data.number
        self.seen.add(data.number)
        return StolenReport(
            number=data.number,
            vehicle_id=vehicle,
            agency_id=self.agencies[data.agency],
            reported_at=data.reported_at,
            stolen_at=data.stolen_at,
            place=data.place,
            notes=data.notes,
            status=data.status.value,
            validate_by=data.validate_by,
        )

    def store(self, session: Session, payloads: list[Any]) -> None:
        store_stateful(
            self.ctx,
            payloads,
            history=StolenReportTransition,
            history_fk="report_id",
            entity="stolen_report",
            reason=self.imported_reason,
        )
        active = [r.vehicle_id for r in payloads if r.status == ReportStatus.ACTIVE]
        supersede_certificates(self.ctx, active, "reported stolen (imported)")


class RetirementRow(RetirementIn):
    agency: Code
    vin: Vin
    retired_at: UtcDatetime


class RetirementCodec(Codec):
    kind = "retirements"
    fields = ("vin", "kind", "retired_at", "agency", "reference", "notes")

    model = Retirement
    entity = "retirement"
    key = ("vehicle_id",)

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        rows = session.execute(
            select(Retirement, Vehicle.vin, Agency.code)
            .join(Vehicle, Retirement.vehicle_id == Vehicle.id)
            .join(Agency, Retirement.agency_id == Agency.id)
            .order_by(Vehicle.vin)
        )
        for r, vin, agency in rows:
            yield {
                "vin": vin,
                "kind": r.kind,
                "retired_at": r.retired_at,
                "agency": agency,
                "reference": r.reference,
                "notes": r.notes,
            }

    def prepare(self, session: Session) -> None:
        self.agencies = agency_ids(session)
        self.vehicles = vehicle_ids(session)
        self.seen = set(session.scalars(select(Retirement.vehicle_id)))
        self.active = active_reports(session)

    def convert(self, row: dict[str, Any]) -> Any:
        data: RetirementRow = parse(RetirementRow, row)
        vehicle = self.vehicles.get(data.vin)
        if vehicle is None:
            raise lookup_error("vin", "vehicle", data.vin, "import vehicles first")
        rules.may_retire(data.vin, vehicle in self.seen, self.active.get(vehicle))
        if data.agency not in self.agencies:
            raise lookup_error("agency", "agency", data.agency, "import agencies first")
        self.seen.add(vehicle)
        return {
            "vehicle_id": vehicle,
            "kind": data.kind.value,
            "retired_at": data.retired_at,
            "agency_id": self.agencies[data.agency],
            "reference": data.reference,
            "notes": data.notes,
        }

    def store(self, session: Session, payloads: list[Any]) -> None:
        for payload in payloads:
            retirement = Retirement(**payload, actor_id=self.ctx.actor_id)
            session.add(retirement)
            session.flush()
            session.add(Change(entity="retirement", entity_id=retirement.id, at=self.ctx.now()))
        retired = [p["vehicle_id"] for p in payloads]
        supersede_certificates(self.ctx, retired, "retired (imported)")
