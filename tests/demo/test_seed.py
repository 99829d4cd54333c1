"""The demo seed fills every registry and two weeks of stops through the real paths."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from alcabala.checks.models import Check, Hit
from alcabala.db.base import utcnow
from alcabala.db.engine import read_session
from alcabala.demo.seed import is_empty, seed


def test_seed_fills_registries_users_and_stops(engine: Engine) -> None:
    assert is_empty(engine)
    report = seed(engine, vehicles=120, seed=3, stops=80)
    assert not is_empty(engine)
    assert report.counts["vehicles"] == 120 and report.counts["checks"] == 80
    assert {role for _, role, _ in report.users} == {
        "officer",
        "registrar",
        "livestock",
        "supervisor",
        "auditor",
        "admin",
    }
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Check)) == 80
        verdicts = set(s.scalars(select(Check.verdict)))
        assert "clear" in verdicts and "hit" in verdicts
        pending = s.scalars(select(Hit).where(Hit.deadline > utcnow())).all()
        assert pending, "the newest stops leave hits awaiting confirmation"
