"""One row per stop: the check row is also the sighting and the vehicle's audit entry.

- migration 0005 folds existing sightings and vehicle audit rows into their checks, keeps
  every other row, and its downgrade writes them back (SQLite and PostgreSQL, each on a
  database of its own at revision 0004);
- a check written now leaves no sighting and no vehicle audit row, and the audit trail of
  the vehicle still shows it, merged with registry searches by time, and the models agree
  with the migrated schema.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from alcabala.clock import FixedClock
from alcabala.db.base import Base
from alcabala.db.engine import make_engine
from alcabala.db.migrate import alembic_config, include_object, upgrade


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def scratch(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of this test's own (not the shared test database), at 0004."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        upgrade(engine, "0004")
        yield engine
        engine.dispose()
        return
    admin_url = os.environ.get("ALCABALA_TEST_POSTGRES_URL")
    if not admin_url:
        if os.environ.get("CI"):
            pytest.fail("ALCABALA_TEST_POSTGRES_URL is not set")
        pytest.skip("ALCABALA_TEST_POSTGRES_URL is not set")
    admin = create_engine(
        make_url(make_engine(admin_url).url.render_as_string(hide_password=False)),
        isolation_level="AUTOCOMMIT",
    )
    name = f"alcabala_mig_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(admin.url.set(database=name).render_as_string(hide_password=False))
    try:
        upgrade(engine, "0004")
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _seed_0004(engine: Engine, now: dt.datetime) -> None:
    """What a 0004 database held after two checks, a camera sighting and a registry search,
    the first check an hour before ``now`` (the test clock's), the second at ``now``."""
    t0 = (now - dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    t1 = now.strftime("%Y-%m-%d %H:%M:%S")
    with engine.begin() as conn:
        run = conn.exec_driver_sql
        run(
            "INSERT INTO agencies (id, code, name, kind, state, created_at, email, language) "
            f"VALUES (1, 'GNB', 'Guardia', 'police', '', '{t0}', NULL, 'es')"
        )
        run(
            "INSERT INTO users (id, username, role, agency_id, password_hash, active, "
            f"created_at) VALUES (1, 'ana', 'officer', 1, NULL, TRUE, '{t0}')"
        )
        run(
            "INSERT INTO checkpoints (id, code, name, road, state, lat, lon, agency_id, "
            f"created_at) VALUES (1, 'GUA-1', 'Puente', 'T2', 'Guárico', 8.5, -67.5, 1, '{t0}')"
        )
        for pk, check_id, at, plate, vin, receipt in (
            (1, "c-1", t0, "AB123CD", "1M8GDM9AXKP042788", "AAAAA-AAAAA"),
            (2, "c-2", t1, None, None, "BBBBB-BBBBB"),
        ):
            run(
                "INSERT INTO checks (id, check_id, checkpoint_id, officer_id, at, recorded_at, "
                "plate, plate_country, vin, inputs, verdict, irregularities, receipt, offline) "
                f"VALUES ({pk}, '{check_id}', 1, 1, '{at}', '{at}', "
                f"{_sql(plate)}, 'VE', {_sql(vin)}, '{{}}', 'clear', '[]', '{receipt}', FALSE)"
            )
        run(
            "INSERT INTO sightings (at, plate, plate_country, vin, checkpoint_id, lat, lon, "
            f"source, check_id) VALUES ('{t0}', 'AB123CD', 'VE', '1M8GDM9AXKP042788', 1, 8.51, "
            f"-67.52, 'check', 'c-1'), ('{t1}', 'ZZ999ZZ', 'VE', NULL, NULL, 9.0, -66.0, "
            "'camera', NULL)"
        )
        audit = (
            "INSERT INTO audit_entries (at, user_id, role, agency_id, client, action, "
            "subject_kind, subject, checkpoint_id, check_id, reason) VALUES "
        )
        run(
            audit + f"('{t0}', 1, 'officer', 1, 'web', 'check', 'vehicle', '1M8GDM9AXKP042788', "
            f"1, 'c-1', 'routine'), ('{t0}', 1, 'officer', 1, 'web', 'check', 'vehicle', "
            f"'AB123CD', 1, 'c-1', 'routine'), ('{t0}', 1, 'officer', 1, 'web', 'check', "
            f"'person', 'V1', 1, 'c-1', 'routine'), ('{t1}', 1, 'officer', 1, 'api', 'check', "
            f"'person', 'V2', 1, 'c-2', 'night stop'), ('{t1}', 1, 'officer', 1, 'api', "
            "'search', 'vehicle', 'AB123CD', NULL, NULL, 'case 7')"
        )


def _sql(value: str | None) -> str:
    return "NULL" if value is None else f"'{value}'"


def _rows(engine: Engine, query: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(query)]


def test_migration_folds_sightings_and_vehicle_audit_into_checks(
    scratch: Engine, clock: FixedClock
) -> None:
    _seed_0004(scratch, clock.now())
    upgrade(scratch)
    checks = _rows(
        scratch,
        "SELECT check_id, role, agency_id, client, reason, lat, lon FROM checks ORDER BY id",
    )
    assert checks == [
        ("c-1", "officer", 1, "web", "routine", 8.51, -67.52),
        # Only people were named: who checked comes from their audit row; no position.
        ("c-2", "officer", 1, "api", "night stop", None, None),
    ]
    assert _rows(scratch, "SELECT source, plate FROM sightings") == [("camera", "ZZ999ZZ")]
    assert _rows(
        scratch,
        "SELECT action, subject_kind, subject FROM audit_entries ORDER BY id",
    ) == [
        ("check", "person", "V1"),
        ("check", "person", "V2"),
        ("search", "vehicle", "AB123CD"),
    ]
    with scratch.connect() as conn:
        opts = {"compare_type": True, "include_object": include_object}
        context = MigrationContext.configure(conn, opts=opts)
        diffs = [
            d
            for d in compare_metadata(context, Base.metadata)
            if "checks" in repr(d) or "sightings" in repr(d) or "audit_entries" in repr(d)
        ]
    assert diffs == []
    # And back: the folded rows are written again from the checks.
    config = alembic_config(scratch.url.render_as_string(hide_password=False))
    from alembic import command

    with scratch.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
    assert sorted(_rows(scratch, "SELECT source, check_id FROM sightings"), key=str) == sorted(
        [("camera", None), ("check", "c-1")], key=str
    )
    vehicle_checks = _rows(
        scratch,
        "SELECT subject, reason, client FROM audit_entries "
        "WHERE action = 'check' AND subject_kind = 'vehicle' ORDER BY subject",
    )
    assert vehicle_checks == [
        ("1M8GDM9AXKP042788", "routine", "web"),
        ("AB123CD", "routine", "web"),
    ]


def test_a_check_is_its_own_sighting_and_audit_entry(api: Any, engine: Engine) -> None:
    from sqlalchemy import func, select

    from alcabala.accounts.models import AuditEntry
    from alcabala.checks.models import Check
    from alcabala.db.engine import read_session
    from alcabala.sightings.models import Sighting

    vin, plate = "1M8GDM9AXKP042788", "AB123CD"
    r = api.post(
        "/v1/vehicles", json={"vin": vin, "plate": plate}, headers=api.auth_for("registrar")
    )
    assert r.status_code == 201, r.text
    stop = {
        "check_id": str(uuid.uuid4()),
        "checkpoint": "GUA-ALDAO",
        "plate": "ab-123-cd",
        "vin": vin,
        "people": [{"national_id": "V-12.345.678"}],
        "reason": "routine stop",
    }
    assert api.post("/v1/checks", json=stop, headers=api.auth_for("officer")).status_code == 200
    api.clock.advance(dt.timedelta(minutes=5))
    r = api.get(
        f"/v1/vehicles/{vin}", params={"reason": "case 9"}, headers=api.auth_for("registrar")
    )
    assert r.status_code == 200, r.text
    with read_session(engine) as s:
        (check,) = s.scalars(select(Check)).all()
        assert (check.plate, check.vin, check.reason) == (plate, vin, "routine stop")
        assert (check.role, check.client) == ("officer", "api")
        assert check.agency_id is not None and check.lat is not None  # the checkpoint's place
        assert s.scalar(select(func.count()).select_from(Sighting)) == 0
        kinds = s.execute(
            select(AuditEntry.subject_kind, AuditEntry.action).where(
                AuditEntry.check_id == stop["check_id"]
            )
        ).all()
        assert kinds == [("person", "check")]
    trail = api.get(f"/v1/audit?vehicle={plate}", headers=api.auth_for("auditor")).json()
    assert [(t["action"], t["username"], t["subject"], t["reason"]) for t in trail] == [
        ("search", "registrar", vin, "case 9"),
        ("check", "officer", vin, "routine stop"),
    ]
    assert trail[1]["check_id"] == stop["check_id"] and trail[1]["checkpoint"] == "GUA-ALDAO"
