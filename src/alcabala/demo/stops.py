"""Two weeks of demo stops, so that the dashboard, receipts and audit trail have content.

The stops go through the real path — schema, engine, recorder — over the seeded registry:
mostly ordinary traffic, a few stolen vehicles and wanted people, a few OCR misreads.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

from sqlalchemy import select

from alcabala.accounts.models import User
from alcabala.checkpoints.models import Checkpoint
from alcabala.checks.hotlist import HotlistLoader
from alcabala.checks.pending import PendingCheck
from alcabala.checks.recorder import Recorder
from alcabala.checks.schemas import StopIn
from alcabala.checks.services import engine_stop, pending_check
from alcabala.context import Actor, Door
from alcabala.db.engine import read_session
from alcabala.persons.models import Person, Warrant, WarrantStatus
from alcabala.vehicles.models import ReportStatus, StolenReport, Vehicle

MISREADS = str.maketrans({"B": "8", "O": "0", "S": "5", "Z": "2"})


def record_demo_stops(door: Door, count: int = 400, seed: int = 7, days: int = 14) -> int:
    """Record ``count`` stops spread over the last ``days`` days; returns how many."""
    rng = random.Random(seed)
    engine = door.engine
    with read_session(engine) as s:
        user = s.scalar(select(User).where(User.username == "oficial"))
        officer = Actor(user.id, user.username, user.role, user.agency_id, "cli") if user else None
        checkpoints = list(s.scalars(select(Checkpoint)))
        vehicles = list(s.execute(select(Vehicle.plate, Vehicle.vin).limit(5000)))
        stolen = list(
            s.execute(
                select(Vehicle.plate, Vehicle.vin)
                .join(StolenReport, StolenReport.vehicle_id == Vehicle.id)
                .where(StolenReport.status == ReportStatus.ACTIVE)
            )
        )
        people = list(s.scalars(select(Person.national_id).limit(5000)))
        wanted = list(
            s.scalars(
                select(Person.national_id)
                .join(Warrant, Warrant.person_id == Person.id)
                .where(Warrant.status == WarrantStatus.ACTIVE)
            )
        )
    if officer is None or not checkpoints or not vehicles:
        return 0
    loader = HotlistLoader(engine, door.clock)
    loader.load()
    now = door.clock.now()
    batch: list[PendingCheck] = []
    for i in range(count):
        roll = rng.random()
        recent = i >= count - 2  # the last two: stolen cars stopped minutes ago, hits pending
        if recent and stolen:
            roll = 0.0
        plate, vin = rng.choice(stolen) if stolen and roll < 0.03 else rng.choice(vehicles)
        if roll > 0.98:
            plate = plate.translate(MISREADS)
        riders = [rng.choice(people) for _ in range(rng.randint(1, 3))] if people else []
        if wanted and rng.random() < 0.01:
            riders.append(rng.choice(wanted))
        at = now - (dt.timedelta(minutes=2) if recent else dt.timedelta(days=rng.random() * days))
        stop = StopIn(
            check_id=uuid.UUID(int=rng.getrandbits(128), version=4),
            checkpoint=rng.choice(checkpoints).code,
            at=at,
            plate=plate,
            vin=vin if rng.random() < 0.6 else None,
            people=[{"national_id": p} for p in riders],
            reason="operativo de rutina",
        )
        checkpoint = next(c for c in checkpoints if c.code == stop.checkpoint)
        verdict = loader.engine.check(engine_stop(stop), at)
        batch.append(pending_check(stop, verdict, checkpoint, officer, at))
    Recorder(engine).write(batch)
    return len(batch)
