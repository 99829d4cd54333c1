"""Two writers changing the same record at once: exactly one wins, the other gets a conflict.

Runs on SQLite (writers serialized by BEGIN IMMEDIATE, the loser sees a newer version) and on
PostgreSQL (row locks; the loser's ``UPDATE ... WHERE version = n`` matches nothing).
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, select

from alcabala.context import SYSTEM, Door
from alcabala.db.engine import read_session
from alcabala.errors import ConflictError, Error
from alcabala.schemas import validate
from alcabala.vehicles import services
from alcabala.vehicles.models import StolenReport, StolenReportTransition
from alcabala.vehicles.schemas import StolenReportIn, VehicleIn


def _active_report(door: Door) -> int:
    with door.write(SYSTEM) as ctx:
        services.register_vehicle(
            ctx, validate(VehicleIn, {"vin": "1M8GDM9AXKP042788", "plate": "AB123CD"})
        )
        r = services.report_stolen(
            ctx, "1M8GDM9AXKP042788", StolenReportIn(number="R-1", agency="CICPC")
        )
        return r.id


def _race(engine: Engine, *writers: object) -> list[object]:
    barrier = threading.Barrier(len(writers))
    outcomes: list[object] = [None] * len(writers)

    def run(i: int, writer: object) -> None:
        barrier.wait(timeout=10)
        try:
            outcomes[i] = writer()  # type: ignore[operator]
        except Error as exc:
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def test_two_writers_same_version_one_wins(
    door: Door, engine: Engine, actors: dict[str, int]
) -> None:
    rid = _active_report(door)

    def recover() -> str:
        with door.write(SYSTEM) as ctx:
            return services.recover(ctx, rid, "found", expected_version=1).status

    def cancel() -> str:
        with door.write(SYSTEM) as ctx:
            return services.cancel_report(ctx, rid, "error", expected_version=1).status

    outcomes = _race(engine, recover, cancel)
    winners = [o for o in outcomes if isinstance(o, str)]
    losers = [o for o in outcomes if isinstance(o, ConflictError)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    with read_session(engine) as s:
        report = s.get(StolenReport, rid)
        assert report is not None
        assert (report.status, report.version) == (winners[0], 2)
        transitions = s.scalars(
            select(StolenReportTransition).where(StolenReportTransition.report_id == rid)
        ).all()
        assert len(transitions) == 2  # creation + the winner's move, nothing of the loser


@pytest.mark.postgres
def test_interleaved_transactions_on_postgres(
    door: Door, engine: Engine, actors: dict[str, int]
) -> None:
    """Both load version 1 inside their own transactions; the second to write loses."""
    if engine.dialect.name != "postgresql":
        pytest.skip("interleaving two open write transactions needs PostgreSQL")
    rid = _active_report(door)
    with pytest.raises(ConflictError), door.write(SYSTEM) as first:
        loaded = services.get_report(first.session, rid)  # held: this writer works from v1
        assert loaded.version == 1
        with door.write(SYSTEM) as second:
            services.recover(second, rid)  # commits version 2
        services.cancel_report(first, rid, "too late")  # still holds version 1
    with read_session(engine) as s:
        report = s.get(StolenReport, rid)
        assert report is not None and (report.status, report.version) == ("recovered", 2)
