"""The demo seed fills every registry and two weeks of stops through the real paths."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import Engine, func, select

from alcabala.accounts.models import User
from alcabala.checkpoints.models import Checkpoint
from alcabala.checks.models import Check, Hit
from alcabala.checks.runtime import Runtime
from alcabala.checks.schemas import StopIn
from alcabala.clock import FixedClock
from alcabala.complaints import services
from alcabala.complaints.models import Complaint
from alcabala.context import SYSTEM, Actor, Door
from alcabala.custody.models import Discrepancy, Transfer
from alcabala.db.engine import read_session
from alcabala.demo.seed import is_empty, seed
from alcabala.livestock.models import Permit, PermitStatus
from alcabala.sightings.models import Alert


def test_seed_fills_registries_users_and_stops(door: Door, engine: Engine) -> None:
    assert is_empty(engine)
    report = seed(door, vehicles=120, seed=3, stops=80)
    assert not is_empty(engine)
    assert report.counts["vehicles"] == 120 and report.counts["checks"] == 80
    assert {role for _, role, _ in report.users} == {
        "officer",
        "registrar",
        "livestock",
        "supervisor",
        "auditor",
        "admin",
        "court",
        "oversight",
        "custodian",
        "camera",
    }
    with read_session(engine) as s:
        short = {(d.kind, d.expected, d.found) for d in s.scalars(select(Discrepancy))}
        assert short == {
            ("quantity", "88 panelas", "87 panelas"),
            ("weight", "92.4 kg", "91.35 kg"),
        }
        offered = s.scalar(select(Transfer).where(Transfer.status == "offered"))
        assert report.counts["seizures"] == 2 and offered is not None
        kinds = set(s.scalars(select(Alert.kind)))
        assert "impossible_travel" in kinds and report.counts["camera reads"] == 2
        assert s.scalar(select(func.count()).select_from(Check)) == 80
        statuses = Counter(s.scalars(select(Complaint.status)))
        assert sum(statuses.values()) == report.counts["complaints"] > 0
        assert statuses["received"] and statuses["under_review"] and statuses["resolved"]
        verdicts = set(s.scalars(select(Check.verdict)))
        assert "clear" in verdicts and "hit" in verdicts
        pending = s.scalars(select(Hit).where(Hit.deadline > door.clock.now())).all()
        assert pending, "the newest stops leave hits awaiting confirmation"
    with door.read(SYSTEM) as ctx:
        assert services.listing(ctx, overdue=True), "oversight has overdue complaints to see"


@pytest.mark.parametrize("days_ahead", [0, 9, 800])
def test_a_demo_seeded_any_day_has_a_clean_cattle_truck(
    door: Door, engine: Engine, clock: FixedClock, days_ahead: int
) -> None:
    """Whatever day the demo is seeded, a truck carrying exactly what a permit valid today
    allows checks clear: the demo is built around the day it runs."""
    clock.set(clock.now() + dt.timedelta(days=days_ahead))
    report = seed(door, vehicles=120, seed=3, stops=0)
    assert report.counts["permits"] > 0
    now = clock.now()
    with read_session(engine) as s:
        permits = s.scalars(
            select(Permit).where(
                Permit.status == PermitStatus.ISSUED,
                Permit.valid_from <= now,
                Permit.valid_to > now,
            )
        ).all()
        assert permits, "the demo has permits valid today"
        permit = permits[0]
        lines = [
            {"species": ln.species, "head_count": ln.head_count, "brand": ln.brand or None}
            for ln in permit.lines
        ]
        stop = {
            "check_id": "00000000-0000-4000-8000-000000000001",
            "checkpoint": "GUA-ALDAO",
            "plate": permit.vehicle_plate,
            "plate_country": permit.plate_country,
            "livestock": {
                "permit_number": permit.number,
                "lines": lines,
                "ear_tags": [t.tag for t in permit.ear_tags],
            },
            "reason": "control de guías",
        }
    with read_session(engine) as s:
        officer = s.scalar(select(User).where(User.username == "oficial"))
        assert officer is not None
        actor = Actor(officer.id, officer.username, officer.role, officer.agency_id)
        stop["checkpoint"] = s.scalars(select(Checkpoint.code)).first()
    runtime = Runtime(door)
    runtime.hotlist.load()
    (verdict,) = runtime.check_blocking([StopIn.model_validate(stop)], actor)
    assert verdict.verdict == "clear", (verdict.irregularities, verdict.hits)
