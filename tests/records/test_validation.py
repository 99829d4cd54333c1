"""Stale records surface: the re-validation queue and its renewal, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from alcabala.accounts.models import User
from alcabala.db.base import utcnow
from alcabala.db.engine import read_session, unit_of_work
from alcabala.errors import NotFoundError, TransitionError
from alcabala.persons.models import Warrant
from alcabala.persons.schemas import WarrantIn
from alcabala.persons.services import issue_warrant
from alcabala.records import services
from alcabala.schemas import validate
from alcabala.vehicles.models import StolenReport
from alcabala.vehicles.schemas import StolenReportIn, VehicleIn
from alcabala.vehicles.services import recover, register_vehicle, report_stolen


def seed(engine: Engine) -> None:
    with unit_of_work(engine) as s:
        register_vehicle(s, validate(VehicleIn, {"vin": "1M8GDM9AXKP042788", "plate": "AB123CD"}))
        report_stolen(s, "1M8GDM9AXKP042788", StolenReportIn(number="R-OLD", agency="CICPC"), None)
        issue_warrant(
            s,
            validate(
                WarrantIn,
                {
                    "number": "W-OLD",
                    "agency": "TSJ-GUA",
                    "national_id": "V123",
                    "court": "c",
                    "case_number": "1",
                    "offence": "o",
                    "issued_at": "2025-01-01T00:00:00Z",
                },
            ),
            None,
        )


def test_new_records_are_due_after_90_days(engine: Engine, actors: dict[str, int]) -> None:
    seed(engine)
    today = utcnow().date()
    with read_session(engine) as s:
        assert services.due(s, today) == []
        due = services.due(s, today + dt.timedelta(days=91))
    assert sorted(r.number for r in due) == ["R-OLD", "W-OLD"]
    assert all(r.days_overdue == 1 for r in due)


def test_validation_renews_for_a_year_with_actor(engine: Engine, actors: dict[str, int]) -> None:
    seed(engine)
    with unit_of_work(engine) as s:
        record = services.validate(
            s, "r-old", s.get(User, actors["registrar"]), note="owner called"
        )
    assert record.validate_by == utcnow().date() + dt.timedelta(days=365)
    with read_session(engine) as s:
        report = s.query(StolenReport).one()
        assert (report.status, report.version) == ("active", 2)
        assert report.validate_by == record.validate_by
        assert [r.number for r in services.due(s, utcnow().date() + dt.timedelta(days=91))] == [
            "W-OLD"
        ]


def test_closed_records_leave_the_queue_and_cannot_be_validated(
    engine: Engine, actors: dict[str, int]
) -> None:
    seed(engine)
    with unit_of_work(engine) as s:
        recover(s, s.query(StolenReport).one().id, None)
        w = s.query(Warrant).one()
        w.expires_at = utcnow() - dt.timedelta(days=1)
    with read_session(engine) as s:
        assert services.due(s, utcnow().date() + dt.timedelta(days=400)) == []
    with pytest.raises(TransitionError), unit_of_work(engine) as s:
        services.validate(s, "R-OLD", None)
    with pytest.raises(TransitionError), unit_of_work(engine) as s:
        services.validate(s, "W-OLD", None)
    with pytest.raises(NotFoundError), unit_of_work(engine) as s:
        services.validate(s, "NOPE", None)
