"""Lifecycle of vehicles, stolen reports and retirements, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from alcabala.accounts.models import User
from alcabala.db.engine import read_session, unit_of_work
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


def register(engine: Engine, vin: str = VIN, plate: str = "AB123CD") -> None:
    with unit_of_work(engine) as s:
        services.register_vehicle(
            s,
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


def report(engine: Engine, number: str = "CICPC-2026-000001", vin: str = VIN) -> int:
    with unit_of_work(engine) as s:
        actor = s.get(User, 1)
        r = services.report_stolen(
            s, vin, validate(StolenReportIn, {"number": number, "agency": "CICPC"}), actor
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


def test_register_normalizes_identifiers(engine: Engine, actors: dict[str, int]) -> None:
    register(engine, vin="1m8-gdm9axkp042788", plate="ab 123-cd")
    with read_session(engine) as s:
        v = s.scalar(select(Vehicle))
        assert v is not None
        assert (v.vin, v.plate, v.plate_country) == (VIN, "AB123CD", "VE")
        assert v.owner_person is not None and v.owner_person.national_id == "V12345678"


def test_duplicate_vin_is_refused(engine: Engine, actors: dict[str, int]) -> None:
    register(engine)
    with pytest.raises(ConflictError) as err:
        register(engine, plate="XY999ZZ")
    assert err.value.field == "vin"


def test_bad_vin_names_the_field() -> None:
    with pytest.raises(ValidationError) as err:
        validate(VehicleIn, {"vin": "1M8GDM9A1KP042788", "plate": "AB123CD"})
    assert err.value.field == "vin"


def test_full_lifecycle_stolen_recovered_returned(engine: Engine, actors: dict[str, int]) -> None:
    register(engine)
    rid = report(engine)
    assert status_and_version(engine, rid) == ("active", 1)
    with unit_of_work(engine) as s:
        services.recover(s, rid, s.get(User, actors["registrar"]), "found in Calabozo")
    assert status_and_version(engine, rid) == ("recovered", 2)
    with unit_of_work(engine) as s:
        services.return_to_owner(s, rid, s.get(User, actors["registrar"]), "keys, jack, radio")
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


def test_recovery_notifies_the_owner_once(engine: Engine, actors: dict[str, int]) -> None:
    register(engine)
    rid = report(engine)
    with unit_of_work(engine) as s:
        services.recover(s, rid, None)
    notifier = LogNotifier()
    with unit_of_work(engine) as s:
        assert send_pending(s, notifier) == 1
    with unit_of_work(engine) as s:
        assert send_pending(s, notifier) == 0
    (sent,) = notifier.sent
    assert sent.kind == "vehicle_recovered" and sent.person_id is not None
    assert "AB123CD" in sent.subject


def test_recovering_twice_is_refused_and_changes_nothing(
    engine: Engine, actors: dict[str, int]
) -> None:
    register(engine)
    rid = report(engine)
    with unit_of_work(engine) as s:
        services.recover(s, rid, None)
    with pytest.raises(TransitionError), unit_of_work(engine) as s:
        services.recover(s, rid, None)
    assert status_and_version(engine, rid) == ("recovered", 2)
    assert len(history(engine, rid)) == 2
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Notification)) == 1


def test_cancel_needs_a_reason(engine: Engine, actors: dict[str, int]) -> None:
    register(engine)
    rid = report(engine)
    with pytest.raises(ValidationError) as err, unit_of_work(engine) as s:
        services.cancel_report(s, rid, None, "   ")
    assert err.value.field == "reason"
    with unit_of_work(engine) as s:
        services.cancel_report(s, rid, None, "entered in error: wrong VIN")
    assert status_and_version(engine, rid) == ("cancelled", 2)
    with pytest.raises(TransitionError), unit_of_work(engine) as s:
        services.recover(s, rid, None)


def test_returning_an_active_report_is_refused(engine: Engine, actors: dict[str, int]) -> None:
    register(engine)
    rid = report(engine)
    with pytest.raises(TransitionError), unit_of_work(engine) as s:
        services.return_to_owner(s, rid, None, "inventory")
    assert status_and_version(engine, rid) == ("active", 1)


def test_one_active_report_per_vehicle(engine: Engine, actors: dict[str, int]) -> None:
    register(engine)
    report(engine)
    with pytest.raises(ConflictError):
        report(engine, number="CICPC-2026-000002")


def test_stale_version_is_a_conflict(engine: Engine, actors: dict[str, int]) -> None:
    register(engine)
    rid = report(engine)
    with unit_of_work(engine) as s:
        services.recover(s, rid, None, expected_version=1)
    with pytest.raises(ConflictError), unit_of_work(engine) as s:
        services.return_to_owner(s, rid, None, "inventory", expected_version=1)
    assert status_and_version(engine, rid) == ("recovered", 2)


def test_retired_vehicle_cannot_be_reported(engine: Engine, actors: dict[str, int]) -> None:
    register(engine)
    with unit_of_work(engine) as s:
        services.retire_vehicle(
            s, VIN, validate(RetirementIn, {"kind": "dismantled", "agency": "CICPC"}), None
        )
    with pytest.raises(TransitionError):
        report(engine)
    with pytest.raises(ConflictError), unit_of_work(engine) as s:
        services.retire_vehicle(
            s, VIN, validate(RetirementIn, {"kind": "scrapped", "agency": "CICPC"}), None
        )


def test_actively_stolen_vehicle_cannot_be_retired(engine: Engine, actors: dict[str, int]) -> None:
    register(engine)
    report(engine)
    with pytest.raises(TransitionError), unit_of_work(engine) as s:
        services.retire_vehicle(
            s, VIN, validate(RetirementIn, {"kind": "scrapped", "agency": "CICPC"}), None
        )
