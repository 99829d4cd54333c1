"""Demo sightings, so that the alert pages have content: cameras at the Táchira border
bridge and at Puente Angostura read the same registered plate minutes apart — the seed's
clone — and the detector judges the demo's stops and reads once. It also raises what the
stops call for (hits nobody answered, plates of retired vehicles)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from alcabala.context import SYSTEM, Door
from alcabala.db.engine import read_session
from alcabala.sightings.detector import Detector
from alcabala.sightings.ingest import ingest
from alcabala.sightings.schemas import ReadIn
from alcabala.vehicles.models import Vehicle


def seed_demo_sightings(door: Door) -> int:
    """Store the demo's camera reads and judge everything; how many reads."""
    with read_session(door.engine) as s:
        plate = s.scalar(select(Vehicle.plate).order_by(Vehicle.id).limit(1))
    if plate is None:
        return 0
    now = door.clock.now()
    reads = [
        ReadIn(
            plate=plate,
            checkpoint="TAC-SIMONBOLIVAR",
            camera="TAC-01",
            confidence=0.94,
            at=now - dt.timedelta(minutes=40),
        ),
        ReadIn(
            plate=plate,
            checkpoint="BOL-ANGOSTURA",
            camera="BOL-03",
            confidence=0.88,
            at=now - dt.timedelta(minutes=25),
        ),
    ]
    with door.write(SYSTEM) as ctx:
        stored, _ = ingest(ctx, reads)
    detector = Detector(door, holder="demo-seed")
    while detector.run_once() > 0:
        pass
    with door.write(SYSTEM) as ctx:  # the server's detector takes over at once
        from alcabala.sightings.models import DetectorState

        state = ctx.session.get(DetectorState, "main")
        if state is not None:
            state.holder, state.lease_until = "", None
    return stored
