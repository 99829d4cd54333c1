"""Property-based fuzzing of every route in /openapi.json: no input may produce a 5xx.

Each operation is called with generated inputs as an officer, a registrar, a livestock
user and an auditor (and without a token), on a seeded SQLite database, so that both the
validation paths and the role checks are exercised.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from alcabala.accounts.services import add_user
from alcabala.api.app import create_app
from alcabala.config import Settings
from alcabala.context import SYSTEM, Door
from alcabala.db.engine import make_engine
from alcabala.db.migrate import upgrade
from alcabala.demo.seed import seed

ROLES = ("officer", "registrar", "livestock", "auditor", None)
# The schema is read from the app at import; the database behind it is seeded by a fixture.
DB_PATH = Path(tempfile.mkdtemp(prefix="alcabala-fuzz-")) / "fuzz.db"
_engine = make_engine(f"sqlite:///{DB_PATH}")
upgrade(_engine)  # loading the schema starts the app, which reads its (empty) hotlist
_engine.dispose()
SETTINGS = Settings(
    database_url=f"sqlite:///{DB_PATH}", data_dir=DB_PATH.parent, argon2_time_cost=1,
    argon2_memory_kib=8, argon2_parallelism=1,
)  # fmt: skip
APP = create_app(SETTINGS)
APP.state.runtime.public_limit.rate = 1e9  # fuzzing is not abuse
APP.state.runtime.public_limit.burst = 1e9
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module")
def tokens() -> Iterator[dict[str, str]]:
    engine = make_engine(f"sqlite:///{DB_PATH}")
    door = Door(engine, SETTINGS)
    report = seed(door, vehicles=60, seed=5)
    with door.write(SYSTEM) as ctx:  # an officer without an agency, to reach odd branches
        add_user(ctx.session, "loose", "officer")
    engine.dispose()
    yield {role: token for _, role, token in report.users}
    shutil.rmtree(DB_PATH.parent, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case: Any, tokens: dict[str, str]) -> None:
    for role in ROLES:
        headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
        case.call_and_validate(headers=headers, checks=[not_a_server_error])
