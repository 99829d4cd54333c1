"""Shared fixtures: every database test runs on SQLite and on a real PostgreSQL.

PostgreSQL is found through ``ALCABALA_TEST_POSTGRES_URL``. When it is unset or unreachable
the PostgreSQL variants are skipped with the reason, except under ``CI=true``, where a missing
PostgreSQL fails the run. Each test run works in a private database it creates and drops, so
several runs can share one server.

Time: the app under test reads a :class:`~alcabala.clock.FixedClock` (fixture ``clock``),
set to the real time when the test starts; tests move it. ``ALCABALA_TEST_TRAVEL_DAYS=730``
runs the whole suite with the process clock two years ahead (time-machine), which proves
that no test depends on the day it runs.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from alcabala.clock import FixedClock
from alcabala.config import Settings
from alcabala.context import SYSTEM, Ctx
from alcabala.db.engine import make_engine
from alcabala.db.migrate import upgrade
from alcabala.db.models import Base

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_ENV = "ALCABALA_TEST_POSTGRES_URL"
TRAVEL_ENV = "ALCABALA_TEST_TRAVEL_DAYS"
# Cheap argon2 for tests (production keeps argon2's recommended cost; see Settings).
FAST_HASH = {"argon2_time_cost": 1, "argon2_memory_kib": 8, "argon2_parallelism": 1}


@pytest.fixture(scope="session", autouse=True)
def _travel() -> Iterator[None]:
    """With ``ALCABALA_TEST_TRAVEL_DAYS=N``, the whole run happens N days from now."""
    days = int(os.environ.get(TRAVEL_ENV, "0") or 0)
    if not days:
        yield
        return
    import time_machine

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=days), tick=True):
        yield


@pytest.fixture
def clock() -> FixedClock:
    """The clock of the app and services under test: now, standing still until moved."""
    return FixedClock(dt.datetime.now(dt.UTC))


def settings_for(db_url: str, data_dir: Path, **changes: Any) -> Settings:
    """Settings of a test process: its database, a private data directory, cheap hashing."""
    changes.setdefault("detection_seconds", 0)  # tests run the detector by hand
    return Settings(database_url=db_url, data_dir=data_dir, **{**FAST_HASH, **changes})


def _postgres_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        return None
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"PostgreSQL is required in CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private PostgreSQL database, migrated to head, for this test run."""
    admin_url = _postgres_admin_url()
    if admin_url is None:
        _unavailable(f"{PG_ENV} is not set")
        raise AssertionError  # unreachable
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"alcabala_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # any connection failure means: no usable server
        admin.dispose()
        _unavailable(f"cannot reach {make_url(admin_url).render_as_string()}: {exc}")
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def _truncate_all(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty, migrated database: once SQLite, once PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "alcabala.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url: str = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    _truncate_all(engine)
    engine.dispose()
    yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on the test database (SQLite and PostgreSQL in turn)."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return settings_for(db_url, tmp_path / "data")


@pytest.fixture
def door(engine: Engine, settings: Settings, clock: FixedClock) -> Any:
    """A :class:`~alcabala.context.Door` on the test database, reading the test clock."""
    from alcabala.context import Door

    return Door(engine, settings, clock)


@pytest.fixture
def system(door: Any) -> Iterator[Ctx]:
    """A write transaction acting as the system (committed at the end of the test's use)."""
    with door.write(SYSTEM) as ctx:
        yield ctx


@pytest.fixture
def actors(engine: Engine) -> dict[str, int]:
    """Agencies CICPC (police) and TSJ-GUA (court), and one user of each role's kind."""
    from alcabala.accounts.services import add_agency, add_user
    from alcabala.db.engine import unit_of_work

    with unit_of_work(engine) as session:
        add_agency(session, "CICPC", "Cuerpo de Investigaciones Científicas", "police")
        add_agency(session, "TSJ-GUA", "Circuito Judicial Penal de Guárico", "court")
        add_agency(session, "INSAI", "Instituto Nacional de Salud Agrícola Integral", "livestock")
        ids = {}
        for name, role, agency in [
            ("registrar", "registrar", "CICPC"),
            ("officer", "officer", "CICPC"),
            ("clerk", "registrar", "TSJ-GUA"),
            ("vet", "livestock", "INSAI"),
        ]:
            user, _ = add_user(session, name, role, agency)
            ids[name] = user.id
    return ids


def wipe(engine: Engine) -> None:
    """Empty every table (the database becomes as new, schema kept)."""
    if engine.dialect.name == "postgresql":
        _truncate_all(engine)
        return
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


ROLES = (
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
)


@pytest.fixture
def api(engine: Engine, settings: Settings, clock: FixedClock) -> Iterator[Any]:
    """A TestClient on the API over the test database, with agencies, a checkpoint and one
    user per role; ``api.auth(role)`` gives that user's Authorization header."""
    from fastapi.testclient import TestClient

    from alcabala.accounts.services import add_agency, add_user
    from alcabala.api.app import create_app
    from alcabala.checkpoints.schemas import CheckpointIn
    from alcabala.checkpoints.services import add_checkpoint
    from alcabala.context import Door

    tokens: dict[str, str] = {}
    with Door(engine, settings, clock).write(SYSTEM) as ctx:
        session = ctx.session
        add_agency(session, "CICPC", "Cuerpo de Investigaciones Científicas", "police")
        add_agency(session, "GNB", "Guardia Nacional Bolivariana", "police")
        add_agency(session, "TSJ-GUA", "Circuito Judicial Penal de Guárico", "court")
        add_agency(session, "INSAI", "Instituto Nacional de Salud Agrícola Integral", "livestock")
        add_agency(session, "DDP", "Defensoría del Pueblo", "oversight")
        add_checkpoint(
            ctx,
            CheckpointIn(
                code="GUA-ALDAO",
                name="Puente Aldao",
                road="Troncal 2",
                state="Guárico",
                lat=8.87,
                lon=-67.43,
                agency="GNB",
            ),
        )
        for role in ROLES:
            agency = {
                "officer": "GNB",
                "registrar": "CICPC",
                "livestock": "INSAI",
                "supervisor": "GNB",
                "court": "TSJ-GUA",
                "oversight": "DDP",
                "custodian": "GNB",
                "camera": "GNB",
            }.get(role)
            _, tokens[role] = add_user(session, role, role, agency)
    with TestClient(create_app(settings, clock)) as client:
        client.clock = clock  # type: ignore[attr-defined]
        client.tokens = tokens  # type: ignore[attr-defined]
        client.auth_for = lambda role: {"Authorization": f"Bearer {tokens[role]}"}  # type: ignore[attr-defined]
        yield client


@pytest.fixture
def log_signer(settings: Settings) -> Any:
    """The log's key, written to the key file of ``settings`` (as ``alcabala keys generate``
    does), so that a server built from them signs promises and checkpoints with it."""
    from alcabala.ledger.keys import Signer
    from alcabala.ledger.keystore import key_path, write_signer

    signer = Signer.generate(settings.log_origin)
    write_signer(key_path(settings), signer)
    return signer
