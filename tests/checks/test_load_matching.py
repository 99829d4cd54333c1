"""``alcabala check`` loads only what can match its stop, and judges exactly as a server with
the whole hotlist would: compared on a seeded demo registry, stop by stop."""

from __future__ import annotations

import random
import uuid

from sqlalchemy import Engine, select

from alcabala.checks.hotlist import HotlistLoader
from alcabala.checks.schemas import StopIn
from alcabala.checks.services import engine_stop
from alcabala.checks.verdict import Verdict
from alcabala.context import Door
from alcabala.db.engine import read_session
from alcabala.demo.seed import seed
from alcabala.livestock.models import Permit
from alcabala.persons.models import Person, Warrant
from alcabala.vehicles.models import ReportStatus, StolenReport, Vehicle

MISREADS = str.maketrans({"B": "8", "O": "0", "S": "5", "Z": "2", "1": "I"})


def _key(v: Verdict) -> tuple[object, ...]:
    hits = sorted((h.category, h.certainty, h.matched_on, str(h.record.get("id"))) for h in v.hits)
    return v.verdict, tuple(hits), tuple(sorted(i.code for i in v.irregularities))


def _stops(engine: Engine, n: int) -> list[StopIn]:
    rng = random.Random(11)
    with read_session(engine) as s:
        vehicles = s.execute(
            select(Vehicle.plate, Vehicle.vin, Vehicle.engine_number).order_by(Vehicle.vin)
        ).all()
        stolen = s.execute(
            select(Vehicle.plate, Vehicle.vin, Vehicle.engine_number)
            .join(StolenReport, StolenReport.vehicle_id == Vehicle.id)
            .where(StolenReport.status == ReportStatus.ACTIVE)
            .order_by(Vehicle.vin)
        ).all()
        people = list(s.scalars(select(Person.national_id).order_by(Person.national_id)))
        wanted = list(
            s.scalars(
                select(Person.national_id)
                .join(Warrant, Warrant.person_id == Person.id)
                .order_by(Person.national_id)
            )
        )
        permits = s.scalars(select(Permit).order_by(Permit.number)).all()
        permit_rows = [
            (p.number, p.vehicle_plate, [(ln.species, ln.head_count, ln.brand) for ln in p.lines])
            for p in permits
        ]
    stops = []
    for _ in range(n):
        plate, vin, engine_number = rng.choice(stolen if rng.random() < 0.15 else vehicles)
        data: dict[str, object] = {
            "check_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "checkpoint": "X",
            "plate": plate.translate(MISREADS) if rng.random() < 0.2 else plate,
        }
        if rng.random() < 0.5:
            data["vin"] = vin
        if engine_number and rng.random() < 0.3:
            data["engine_number"] = engine_number
        aboard = [rng.choice(people) for _ in range(rng.randint(0, 3))]
        if wanted and rng.random() < 0.1:
            aboard.append(rng.choice(wanted))
        data["people"] = [{"national_id": nid} for nid in aboard]
        if permit_rows and rng.random() < 0.3:
            number, permit_plate, lines = rng.choice(permit_rows)
            data["plate"] = permit_plate
            data["livestock"] = {
                "permit_number": number if rng.random() < 0.8 else None,
                "lines": [
                    {"species": sp, "head_count": heads + rng.choice([0, 0, 1]), "brand": brand}
                    for sp, heads, brand in lines
                ],
            }
        stops.append(StopIn.model_validate(data))
    return stops


def test_a_primed_hotlist_judges_like_the_whole_one(door: Door, engine: Engine) -> None:
    seed(door, vehicles=150, seed=4, stops=0)
    full = HotlistLoader(engine, door.clock)
    full.load()
    now = door.clock.now()
    differing = []
    stops = _stops(engine, 200)
    for stop in stops:
        one = HotlistLoader(engine, door.clock)
        one.load_matching(engine_stop(stop))
        expected = _key(full.engine.check(engine_stop(stop), now))
        got = _key(one.engine.check(engine_stop(stop), now))
        if got != expected:
            differing.append((stop.plate, stop.vin, expected, got))
    assert not differing, differing[:3]
    # The comparison means something: the sample has hits, irregularities and clear stops.
    classes = {_key(full.engine.check(engine_stop(s), now))[0] for s in stops}
    assert classes == {"clear", "hit", "irregular"}
