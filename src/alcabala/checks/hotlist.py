"""Feeding the in-memory engine from the store: a full load, then incremental refreshes.

The engine never reads the database. This loader does, off the hot path: at start it loads
everything on the hotlist, and then :meth:`HotlistLoader.refresh` reads the change sequence
since the last refresh and reloads just those records (one changed report is one small
query, never a rebuild). Changes are re-read over a small overlap window because on
PostgreSQL a transaction can commit a lower sequence number after a higher one was read;
reloading a record twice is harmless. The runtime calls :meth:`HotlistLoader.refresh` after
its own writes, when PostgreSQL notifies a commit made by another process
(:mod:`alcabala.db.notify`), and at least every second anyway.

:meth:`HotlistLoader.load_matching` loads only the records that can match one stop, so that
a one-off check (``alcabala check``) judges exactly as the server would without loading the
whole hotlist.
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
from collections.abc import Callable, Iterable

from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import Session

from alcabala import identifiers
from alcabala.accounts.models import Agency
from alcabala.checks.engine import Engine as CheckEngine
from alcabala.checks.index import (
    Hotlist,
    LivestockTheft,
    Permit,
    PermitLine,
    RegisteredVehicle,
    RetiredVehicle,
    StolenVehicle,
    Warrant,
)
from alcabala.checks.verdict import Stop
from alcabala.clock import Clock
from alcabala.db.engine import read_session
from alcabala.db.history import Change
from alcabala.livestock import models as lm
from alcabala.persons import models as pm
from alcabala.vehicles import models as vm

OVERLAP = 200  # sequence numbers re-read on every refresh
PERMIT_GRACE = dt.timedelta(days=30)  # expired permits stay known (to say "expired")


class HotlistLoader:
    """Owns the engine's index and keeps it in step with the database."""

    def __init__(self, db: Engine, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self.hotlist = Hotlist()
        self.engine = CheckEngine(self.hotlist)
        self.seq = 0
        self._seen: set[int] = set()
        self._lock = threading.Lock()
        #: ``entity -> callbacks`` called by :meth:`refresh` with the ids of that entity
        #: changed since the last refresh (the runtime drops a ``user``'s cached tokens so).
        self.listeners: dict[str, list[Callable[[set[int]], object]]] = {}

    # -- full load ---------------------------------------------------------------------------
    def load(self) -> None:
        with self._lock, read_session(self.db) as s:
            self.seq = s.scalar(select(func.max(Change.seq))) or 0
            self._load_vehicles(s, None)
            self._load_reports(s, None)
            self._load_retired(s, None)
            self._load_warrants(s, None)
            self._load_thefts(s, None)
            self._load_permits(s, None)
        # The index is long-lived: keep its millions of objects out of every later GC pass.
        gc.collect()
        gc.freeze()

    def load_matching(self, stop: Stop) -> None:
        """Load only what can match ``stop``: vehicles by VIN, plate (and its OCR look-alikes)
        or engine number, with their reports and retirements; warrants of the people aboard;
        thefts by brand or ear tag; the declared permit."""
        v, lm_ = vm.Vehicle, lm
        with self._lock, read_session(self.db) as s:
            self.seq = s.scalar(select(func.max(Change.seq))) or 0
            keys = []
            if stop.vin:
                keys.append(v.vin == stop.vin)
            if stop.plate:
                keys.append(v.plate_ocr_key == identifiers.ocr_key(stop.plate))
            if stop.engine_number:
                keys.append(v.engine_number == stop.engine_number)
            vehicle_ids = list(s.scalars(select(v.id).where(or_(*keys)))) if keys else []
            self._load_vehicles(s, vehicle_ids)
            self._load_reports(
                s,
                s.scalars(
                    select(vm.StolenReport.id).where(
                        vm.StolenReport.vehicle_id.in_(vehicle_ids),
                        vm.StolenReport.status == vm.ReportStatus.ACTIVE,
                    )
                ).all(),
            )
            self._load_retired(
                s,
                s.scalars(
                    select(vm.Retirement.id).where(vm.Retirement.vehicle_id.in_(vehicle_ids))
                ).all(),
            )
            people = [
                (p.national_id, p.country) for p in stop.people if p.national_id and p.country
            ]
            warrant_ids: list[int] = []
            for national_id, country in people:
                warrant_ids += s.scalars(
                    select(pm.Warrant.id)
                    .join(pm.Person, pm.Warrant.person_id == pm.Person.id)
                    .where(
                        pm.Person.national_id == national_id,
                        pm.Person.country == country,
                        pm.Warrant.status == pm.WarrantStatus.ACTIVE,
                    )
                ).all()
            self._load_warrants(s, warrant_ids)
            t = lm_.LivestockTheft
            marks = [t.brand == line.brand for line in stop.lines if line.brand]
            marks += [t.ear_tags.contains(tag) for tag in stop.ear_tags]
            theft_ids = (
                s.scalars(select(t.id).where(or_(*marks), t.status == lm_.TheftStatus.ACTIVE)).all()
                if marks
                else []
            )
            self._load_thefts(s, theft_ids)
            permit_ids: list[int] = []
            if stop.permit_number:
                permit_ids = list(
                    s.scalars(
                        select(lm_.Permit.id).where(
                            lm_.Permit.number == stop.permit_number,
                            lm_.Permit.valid_to > self.clock.now() - PERMIT_GRACE,
                        )
                    )
                )
            self._load_permits(s, permit_ids)

    # -- incremental -------------------------------------------------------------------------
    def refresh(self) -> int:
        """Apply every change since the last refresh; returns how many records were reloaded."""
        with self._lock, read_session(self.db) as s:
            rows = s.execute(
                select(Change.seq, Change.entity, Change.entity_id)
                .where(Change.seq > self.seq - OVERLAP)
                .order_by(Change.seq)
            ).all()
            todo: dict[str, set[int]] = {}
            for seq, entity, entity_id in rows:
                if seq in self._seen:
                    continue
                self._seen.add(seq)
                todo.setdefault(entity, set()).add(entity_id)
                self.seq = max(self.seq, seq)
            self._seen = {q for q in self._seen if q > self.seq - OVERLAP}
            if "vehicles_bulk" in todo:
                self._load_vehicles(s, None)
            loaders = {
                "vehicle": self._load_vehicles,
                "stolen_report": self._load_reports,
                "retirement": self._load_retired,
                "warrant": self._load_warrants,
                "livestock_theft": self._load_thefts,
                "permit": self._load_permits,
            }
            for entity, ids in todo.items():
                if entity in loaders:
                    loaders[entity](s, ids)
                for listener in self.listeners.get(entity, ()):
                    listener(ids)
            return sum(len(v) for v in todo.values())

    # -- loaders: ids None means all ----------------------------------------------------------
    def _load_vehicles(self, s: Session, ids: Iterable[int] | None) -> None:
        query = select(
            vm.Vehicle.id,
            vm.Vehicle.vin,
            vm.Vehicle.plate,
            vm.Vehicle.plate_country,
            vm.Vehicle.engine_number,
            vm.Vehicle.year,
        )
        if ids is not None:
            query = query.where(vm.Vehicle.id.in_(list(ids)))
        for row in s.execute(query.execution_options(yield_per=20_000)):
            self.hotlist.put_vehicle(RegisteredVehicle(*row))

    def _load_reports(self, s: Session, ids: Iterable[int] | None) -> None:
        r, v = vm.StolenReport, vm.Vehicle
        query = (
            select(r, v, Agency.code)
            .join(v, r.vehicle_id == v.id)
            .join(Agency, r.agency_id == Agency.id)
        )
        if ids is not None:
            query = query.where(r.id.in_(list(ids)))
        else:
            query = query.where(r.status == vm.ReportStatus.ACTIVE)
        for report, vehicle, agency in s.execute(query):
            if report.status != vm.ReportStatus.ACTIVE:
                self.hotlist.drop_stolen(report.id)
                continue
            self.hotlist.put_stolen(
                StolenVehicle(
                    report_id=report.id,
                    number=report.number,
                    agency=agency,
                    vin=vehicle.vin,
                    plate=vehicle.plate,
                    plate_country=vehicle.plate_country,
                    engine_number=vehicle.engine_number,
                    make=vehicle.make,
                    model=vehicle.model,
                    colour=vehicle.colour,
                    year=vehicle.year,
                    reported_at=report.reported_at,
                )
            )

    def _load_retired(self, s: Session, ids: Iterable[int] | None) -> None:
        r, v = vm.Retirement, vm.Vehicle
        query = select(r, v.vin, v.engine_number).join(v, r.vehicle_id == v.id)
        if ids is not None:
            query = query.where(r.id.in_(list(ids)))
        for retirement, vin, engine_number in s.execute(query):
            self.hotlist.put_retired(
                RetiredVehicle(
                    vehicle_id=retirement.vehicle_id,
                    vin=vin,
                    engine_number=engine_number,
                    kind=retirement.kind,
                    retired_at=retirement.retired_at,
                )
            )

    def _load_warrants(self, s: Session, ids: Iterable[int] | None) -> None:
        w, p = pm.Warrant, pm.Person
        query = (
            select(w, p.national_id, p.country, Agency.code)
            .join(p, w.person_id == p.id)
            .join(Agency, w.agency_id == Agency.id)
        )
        if ids is not None:
            query = query.where(w.id.in_(list(ids)))
        else:
            query = query.where(w.status == pm.WarrantStatus.ACTIVE)
        now = self.clock.now()
        for warrant, national_id, country, agency in s.execute(query):
            if warrant.effective_status(now) != pm.WarrantStatus.ACTIVE:
                self.hotlist.drop_warrant(warrant.id)
                continue
            self.hotlist.put_warrant(
                Warrant(
                    warrant_id=warrant.id,
                    number=warrant.number,
                    agency=agency,
                    national_id=national_id,
                    country=country,
                    court=warrant.court,
                    case_number=warrant.case_number,
                    offence=warrant.offence,
                    urgent=warrant.urgent,
                    expires_at=warrant.expires_at,
                )
            )

    def _load_thefts(self, s: Session, ids: Iterable[int] | None) -> None:
        t = lm.LivestockTheft
        query = select(t, Agency.code).join(Agency, t.agency_id == Agency.id)
        if ids is not None:
            query = query.where(t.id.in_(list(ids)))
        else:
            query = query.where(t.status == lm.TheftStatus.ACTIVE)
        for theft, agency in s.execute(query):
            if theft.status != lm.TheftStatus.ACTIVE:
                self.hotlist.drop_theft(theft.id)
                continue
            self.hotlist.put_theft(
                LivestockTheft(
                    theft_id=theft.id,
                    number=theft.number,
                    agency=agency,
                    brand=theft.brand or None,
                    ear_tags=tuple(theft.ear_tags.split()),
                    species=theft.species,
                    head_count=theft.head_count,
                )
            )

    def _load_permits(self, s: Session, ids: Iterable[int] | None) -> None:
        p = lm.Permit
        query = select(p)
        if ids is not None:
            query = query.where(p.id.in_(list(ids)))
        else:
            query = query.where(p.valid_to > self.clock.now() - PERMIT_GRACE)
        for permit in s.scalars(query):
            self.hotlist.put_permit(
                Permit(
                    permit_id=permit.id,
                    number=permit.number,
                    plate=permit.vehicle_plate,
                    plate_country=permit.plate_country,
                    valid_from=permit.valid_from,
                    valid_to=permit.valid_to,
                    status=permit.status,
                    lines=tuple(
                        PermitLine(ln.species, ln.category, ln.head_count, ln.brand or None)
                        for ln in permit.lines
                    ),
                    ear_tags=tuple(t.tag for t in permit.ear_tags),
                )
            )
