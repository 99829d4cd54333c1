"""Warrants: active until executed, cancelled or expired; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from alcabala.db.base import utcnow
from alcabala.db.engine import read_session, unit_of_work
from alcabala.errors import ConflictError, TransitionError, ValidationError
from alcabala.persons import services
from alcabala.persons.models import Warrant, WarrantTransition
from alcabala.persons.schemas import PersonIn, WarrantIn
from alcabala.schemas import validate


def issue(engine: Engine, number: str = "W-1", expires_in: dt.timedelta | None = None) -> int:
    now = utcnow()
    data = validate(
        WarrantIn,
        {
            "number": number,
            "agency": "TSJ-GUA",
            "national_id": "V-12.345.678",
            "court": "Tribunal Tercero de Control del estado Guárico",
            "case_number": "3C-12345-24",
            "offence": "Hurto de ganado (abigeato)",
            "issued_at": (now - dt.timedelta(days=10)).isoformat(),
            "expires_at": (now + expires_in).isoformat() if expires_in else None,
        },
    )
    with unit_of_work(engine) as s:
        return services.issue_warrant(s, data, None).id


def state(engine: Engine, wid: int) -> tuple[str, int, list[tuple[str | None, str]]]:
    with read_session(engine) as s:
        w = s.get(Warrant, wid)
        assert w is not None
        moves = s.scalars(
            select(WarrantTransition)
            .where(WarrantTransition.warrant_id == wid)
            .order_by(WarrantTransition.id)
        )
        return w.status, w.version, [(t.from_state, t.to_state) for t in moves]


def test_register_person_normalizes_and_refuses_duplicates(engine: Engine) -> None:
    with unit_of_work(engine) as s:
        p = services.register_person(s, validate(PersonIn, {"national_id": "v-1.234.567"}))
        assert (p.national_id, p.country) == ("V1234567", "VE")
    with pytest.raises(ConflictError), unit_of_work(engine) as s:
        services.register_person(s, validate(PersonIn, {"national_id": "V1234567"}))


def test_bad_national_id_names_the_field() -> None:
    with pytest.raises(ValidationError) as err:
        validate(PersonIn, {"national_id": "X-12", "country": "VE"})
    assert err.value.field == "national_id"


def test_issue_then_execute(engine: Engine, actors: dict[str, int]) -> None:
    wid = issue(engine)
    with unit_of_work(engine) as s:
        services.execute_warrant(s, wid, None, "arrested at Puente Aldao")
    assert state(engine, wid) == ("executed", 2, [(None, "active"), ("active", "executed")])
    with pytest.raises(TransitionError), unit_of_work(engine) as s:
        services.execute_warrant(s, wid, None)
    assert state(engine, wid)[1] == 2


def test_cancel_needs_reason(engine: Engine, actors: dict[str, int]) -> None:
    wid = issue(engine)
    with pytest.raises(ValidationError), unit_of_work(engine) as s:
        services.cancel_warrant(s, wid, None, "")
    with unit_of_work(engine) as s:
        services.cancel_warrant(s, wid, None, "revoked by the court")
    assert state(engine, wid)[0] == "cancelled"


def test_expired_warrant_cannot_be_executed_even_before_the_sweep(
    engine: Engine, actors: dict[str, int]
) -> None:
    wid = issue(engine, expires_in=dt.timedelta(seconds=1))
    with unit_of_work(engine) as s:
        w = s.get(Warrant, wid)
        assert w is not None
        w.expires_at = utcnow() - dt.timedelta(hours=1)  # time passes
    with read_session(engine) as s:
        w = s.get(Warrant, wid)
        assert w is not None and w.effective_status(utcnow()) == "expired"
    with pytest.raises(TransitionError) as err, unit_of_work(engine) as s:
        services.execute_warrant(s, wid, None)
    assert "expired" in err.value.message


def test_sweeper_records_expiry_by_the_system(engine: Engine, actors: dict[str, int]) -> None:
    past = issue(engine, "W-PAST", expires_in=dt.timedelta(days=1))
    future = issue(engine, "W-FUTURE", expires_in=dt.timedelta(days=30))
    with unit_of_work(engine) as s:
        assert services.expire_warrants(s, utcnow() + dt.timedelta(days=2)) == 1
    status, _, moves = state(engine, past)
    assert status == "expired" and moves[-1] == ("active", "expired")
    assert state(engine, future)[0] == "active"
    with read_session(engine) as s:
        last = s.scalars(select(WarrantTransition).order_by(WarrantTransition.id.desc())).first()
        assert last is not None and last.actor_id is None


def test_expiry_before_issue_is_refused() -> None:
    with pytest.raises(ValidationError):
        validate(
            WarrantIn,
            {
                "number": "W",
                "agency": "X",
                "national_id": "V1",
                "court": "c",
                "case_number": "1",
                "offence": "o",
                "issued_at": "2026-01-02T00:00:00Z",
                "expires_at": "2026-01-01T00:00:00Z",
            },
        )
