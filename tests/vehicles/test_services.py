"""Lifecycle of vehicles, stolen reports and retirements, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from alcabala.clock import FixedClock
from alcabala.context import SYSTEM, Door
from alcabala.db.engine import read_session
from alcabala.db.history import Change
from alcabala.errors import ConflictError, TransitionError, ValidationError
from alcabala.notifications.models import Notification
from alcabala.notifications.services import LogNotifier, send_pending
from alcabala.schemas import validate
from alcabala.vehicles import services
from alcabala.vehicles.models import StolenReport, StolenReportTransition, Vehicle
from alcabala.vehicles.schemas import RetirementIn, StolenReportIn, VehicleIn

VIN = "1M8GDM9AXKP042788"  # 49 CFR 565 example VIN (valid check digit X)
VIN2 = "9BWZZZ377VT004251"  # VW do Brasil: no check digit used, accepted with a warning


def register(door: Door, vin: str = VIN, plate: str = "AB123CD") -> None:
    with door.write(SYSTEM) as ctx:
        services.register_vehicle(
            ctx,
            validate(
                VehicleIn,
                {
                    "vin": vin,
                    "plate": plate,
                    "engine_number": "1ZZ1234567",
                    "make": "Toyota",
                    "model": "Corolla",
                    "year": 2019,
                    "owner_national_id": "V-12.345.678",
                },
            ),
        )


def report(door: Door, number: str = "CICPC-2026-000001", vin: str = VIN) -> int:
    with door.write(SYSTEM) as ctx:
        r = services.report_stolen(
            ctx, vin, validate(StolenReportIn, {"number": number, "agency": "CICPC"})
        )
        return r.id


def status_and_version(engine: Engine, report_id: int) -> tuple[str, int]:
    with read_session(engine) as s:
        r = s.get(StolenReport, report_id)
        assert r is not None
        return r.status, r.version


def history(engine: Engine, report_id: int) -> list[tuple[str | None, str, str]]:
    with read_session(engine) as s:
        rows = s.scalars(
            select(StolenReportTransition)
            .where(StolenReportTransition.report_id == report_id)
            .order_by(StolenReportTransition.id)
        )
        return [(t.from_state, t.to_state, t.reason) for t in rows]


def test_register_normalizes_identifiers(
    door: Door, engine: Engine, actors: dict[str, int]
) -> None:
    register(door, vin="1m8-gdm9axkp042788", plate="ab 123-cd")
    with read_session(engine) as s:
        v = s.scalar(select(Vehicle))
        assert v is not None
        assert (v.vin, v.plate, v.plate_country) == (VIN, "AB123CD", "VE")
        assert v.owner_person is not None and v.owner_person.national_id == "V12345678"


def test_duplicate_vin_is_refused(door: Door, engine: Engine, actors: dict[str, int]) -> None:
    register(door)
    with pytest.raises(ConflictError) as err:
        register(door, plate="XY999ZZ")
    assert err.value.field == "vin"


def test_bad_vin_names_the_field() -> None:
    with pytest.raises(ValidationError) as err:
        validate(VehicleIn, {"vin": "1M8GDM9A1KP042788", "plate": "AB123CD"})
    assert err.value.field == "vin"


def test_full_lifecycle_stolen_recovered_returned(
    door: Door, engine: Engine, actors: dict[str, int]
) -> None:
    register(door)
    rid = report(door)
    assert status_and_version(engine, rid) == ("active", 1)
    with door.write(SYSTEM) as ctx:
        services.recover(ctx, rid, "found in Calabozo")
    assert status_and_version(engine, rid) == ("recovered", 2)
    with door.write(SYSTEM) as ctx:
        services.return_to_owner(ctx, rid, "keys, jack, radio")
    assert status_and_version(engine, rid) == ("returned", 3)
    assert history(engine, rid) == [
        (None, "active", ""),
        ("active", "recovered", "found in Calabozo"),
        ("recovered", "returned", ""),
    ]
    with read_session(engine) as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(Change)
                .where(Change.entity == "stolen_report", Change.entity_id == rid)
            )
            == 3
        )


def test_recovery_notifies_the_owner_once(
    door: Door, engine: Engine, actors: dict[str, int]
) -> None:
    register(door)
    rid = report(door)
    with door.write(SYSTEM) as ctx:
        services.recover(ctx, rid)
    notifier = LogNotifier()
    with door.write(SYSTEM) as ctx:
        assert send_pending(ctx.session, notifier, ctx.now()) == 1
    with door.write(SYSTEM) as ctx:
        assert send_pending(ctx.session, notifier, ctx.now()) == 0
    (sent,) = notifier.sent
    assert sent.kind == "vehicle_recovered" and sent.person_id is not None
    assert "AB123CD" in sent.subject


def test_recovering_twice_is_refused_and_changes_nothing(
    door: Door, engine: Engine, actors: dict[str, int]
) -> None:
    register(door)
    rid = report(door)
    with door.write(SYSTEM) as ctx:
        services.recover(ctx, rid)
    with pytest.raises(TransitionError), door.write(SYSTEM) as ctx:
        services.recover(ctx, rid)
    assert status_and_version(engine, rid) == ("recovered", 2)
    assert len(history(engine, rid)) == 2
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Notification)) == 1


def test_cancel_needs_a_reason(door: Door, engine: Engine, actors: dict[str, int]) -> None:
    register(door)
    rid = report(door)
    with pytest.raises(ValidationError) as err, door.write(SYSTEM) as ctx:
        services.cancel_report(ctx, rid, "   ")
    assert err.value.field == "reason"
    with door.write(SYSTEM) as ctx:
        services.cancel_report(ctx, rid, "entered in error: wrong VIN")
    assert status_and_version(engine, rid) == ("cancelled", 2)
    with pytest.raises(TransitionError), door.write(SYSTEM) as ctx:
        services.recover(ctx, rid)


def test_returning_an_active_report_is_refused(
    door: Door, engine: Engine, actors: dict[str, int]
) -> None:
    register(door)
    rid = report(door)
    with pytest.raises(TransitionError), door.write(SYSTEM) as ctx:
        services.return_to_owner(ctx, rid, "inventory")
    assert status_and_version(engine, rid) == ("active", 1)


def test_one_active_report_per_vehicle(door: Door, engine: Engine, actors: dict[str, int]) -> None:
    register(door)
    report(door)
    with pytest.raises(ConflictError):
        report(door, number="CICPC-2026-000002")


def test_stale_version_is_a_conflict(door: Door, engine: Engine, actors: dict[str, int]) -> None:
    register(door)
    rid = report(door)
    with door.write(SYSTEM) as ctx:
        services.recover(ctx, rid, expected_version=1)
    with pytest.raises(ConflictError), door.write(SYSTEM) as ctx:
        services.return_to_owner(ctx, rid, "inventory", expected_version=1)
    assert status_and_version(engine, rid) == ("recovered", 2)


def test_retired_vehicle_cannot_be_reported(
    door: Door, engine: Engine, actors: dict[str, int]
) -> None:
    register(door)
    with door.write(SYSTEM) as ctx:
        services.retire_vehicle(
            ctx, VIN, validate(RetirementIn, {"kind": "dismantled", "agency": "CICPC"})
        )
    with pytest.raises(TransitionError):
        report(door)
    with pytest.raises(ConflictError), door.write(SYSTEM) as ctx:
        services.retire_vehicle(
            ctx, VIN, validate(RetirementIn, {"kind": "scrapped", "agency": "CICPC"})
        )


def test_actively_stolen_vehicle_cannot_be_retired(
    door: Door, engine: Engine, actors: dict[str, int]
) -> None:
    register(door)
    report(door)
    with pytest.raises(TransitionError), door.write(SYSTEM) as ctx:
        services.retire_vehicle(
            ctx, VIN, validate(RetirementIn, {"kind": "scrapped", "agency": "CICPC"})
        )


def test_times_come_from_the_injected_clock(
    door: Door, clock: FixedClock, engine: Engine, actors: dict[str, int]
) -> None:
    """History, change rows and validate_by follow the door's clock, not the machine's."""
    import datetime as dt

    clock.set(dt.datetime(2031, 5, 4, 3, 2, 1, tzinfo=dt.UTC))
    register(door)
    rid = report(door)
    clock.advance(dt.timedelta(hours=5))
    with door.write(SYSTEM) as ctx:
        services.recover(ctx, rid, "found")
    with read_session(engine) as s:
        times = list(
            s.scalars(
                select(StolenReportTransition.at)
                .where(StolenReportTransition.report_id == rid)
                .order_by(StolenReportTransition.id)
            )
        )
        changes = set(s.scalars(select(Change.at).where(Change.entity == "stolen_report")))
        born = s.scalars(select(Vehicle.created_at)).all()
        report_born = s.scalars(select(StolenReport.created_at)).all()
    start = dt.datetime(2031, 5, 4, 3, 2, 1, tzinfo=dt.UTC)
    assert born == [start] and report_born == [start]
    assert times == [start, start + dt.timedelta(hours=5)]
    assert changes == set(times)


def test_retired_vehicle_is_refused_with_the_rule_code(door: Door, actors: dict[str, int]) -> None:
    register(door)
    with door.write(SYSTEM) as ctx:
        services.retire_vehicle(
            ctx, VIN, validate(RetirementIn, {"kind": "dismantled", "agency": "CICPC"})
        )
    with pytest.raises(TransitionError) as err:
        report(door)
    assert (err.value.code, err.value.field) == ("retired_vehicle", "vin")
