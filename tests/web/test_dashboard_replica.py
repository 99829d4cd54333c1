"""``ALCABALA_READ_DATABASE_URL`` sends the dashboard's counts to a replica, and nothing else.

The "replica" is a copy of the primary's SQLite file taken after the users were created,
plus three checks written only there: the dashboard counts the replica's checks, while
sign-in and the session still use the primary (the replica never gets the session's row,
so a console that read sessions from it could not sign in).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, insert, select

from alcabala.accounts.models import User
from alcabala.accounts.passwords import hasher_for
from alcabala.accounts.services import set_password
from alcabala.api.app import create_app
from alcabala.checkpoints.models import Checkpoint
from alcabala.checks.models import Check
from alcabala.config import Settings
from alcabala.context import SYSTEM, Door
from alcabala.db.base import table_of
from alcabala.db.engine import make_engine, read_session

from ..helpers import PASSWORD, sign_in


def _total_checks(html: str) -> int:
    found = re.search(r"<strong>(\d+)</strong>", html)
    assert found, "no totals on the dashboard"
    return int(found.group(1))


def test_the_dashboard_counts_from_the_replica(
    api: Any, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the replica is simulated by a copy of the SQLite file")
    door: Door = api.app.state.door
    with door.write(SYSTEM) as ctx:
        set_password(ctx.session, "supervisor", PASSWORD, hasher_for(ctx.settings))
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    replica_path = tmp_path / "replica.db"
    shutil.copyfile(str(engine.url.database), replica_path)
    replica = make_engine(f"sqlite:///{replica_path}")
    now = api.clock.now()
    with replica.begin() as conn:
        checkpoint = conn.execute(select(Checkpoint.id)).scalar_one()
        officer = conn.execute(select(User.id).where(User.username == "officer")).scalar_one()
        conn.execute(
            insert(table_of(Check)),
            [
                {
                    "check_id": str(uuid.uuid4()),
                    "checkpoint_id": checkpoint,
                    "officer_id": officer,
                    "at": now - dt.timedelta(hours=n),
                    "recorded_at": now,
                    "plate": "AB123CD",
                    "inputs": {},
                    "verdict": "clear",
                    "irregularities": [],
                    "receipt": f"AAAAA-AAAA{n}",
                }
                for n in range(3)
            ],
        )
    replica.dispose()
    routed = settings.replace(read_database_url=f"sqlite:///{replica_path}")
    with TestClient(create_app(routed, api.clock)) as client:
        r = sign_in(client, "supervisor")
        assert r.status_code == 303  # signed in against the primary
        page = client.get("/dashboard")
        assert page.status_code == 200
        assert _total_checks(page.text) == 3  # the replica's checks
    with TestClient(create_app(settings, api.clock)) as client:  # no replica: the primary
        assert sign_in(client, "supervisor").status_code == 303
        assert _total_checks(client.get("/dashboard").text) == 0
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Check)) == 0
