"""A ``check_id`` names one stop, by one officer: the same stop again is idempotent, anything
else under that id is 409 ``check_id_conflict`` naming ``check_id`` (``stops.N.check_id``).

Whether the first copy is stored, earlier in the same batch, or in another request written in
the same recorder transaction; and a check_id of another officer's check neither returns
their verdict nor records anything. SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from alcabala.accounts.models import AuditEntry
from alcabala.accounts.services import add_user, get_user
from alcabala.checkpoints.schemas import CheckpointIn
from alcabala.checkpoints.services import add_checkpoint
from alcabala.checks import writing as recorder_module
from alcabala.checks.models import Check, Hit
from alcabala.checks.pending import CheckIdConflictError, PendingCheck, canonical
from alcabala.checks.recorder import Recorder
from alcabala.checks.schemas import StopIn, VerdictOut
from alcabala.checks.services import engine_stop, pending_check
from alcabala.checks.writing import write_jobs
from alcabala.context import SYSTEM, Actor
from alcabala.db.engine import make_engine, read_session, unit_of_work
from alcabala.errors import AuthError
from alcabala.sightings.models import Sighting

VIN = "1M8GDM9AXKP042788"


def body(check_id: str | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "check_id": check_id or str(uuid.uuid4()),
        "checkpoint": "GUA-ALDAO",
        "plate": "XY999ZZ",
        **fields,
    }


def post(api: Any, stop: dict[str, Any], role: str = "officer", **headers: str) -> Any:
    return api.post("/v1/checks", json=stop, headers={**api.auth_for(role), **headers})


def batch(api: Any, stops: list[dict[str, Any]], role: str = "officer") -> Any:
    return api.post("/v1/checks/batch", json={"stops": stops}, headers=api.auth_for(role))


def counts(engine: Engine) -> tuple[int, int, int, int]:
    with read_session(engine) as s:
        return (
            s.scalar(select(func.count()).select_from(Check)) or 0,
            s.scalar(select(func.count()).select_from(Hit)) or 0,
            s.scalar(select(func.count()).select_from(Sighting)) or 0,
            s.scalar(select(func.count()).select_from(AuditEntry)) or 0,
        )


def conflict(r: Any, field: str = "check_id") -> None:
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("check_id_conflict", field), error
    assert "receipt" not in r.json()


def other_officer(api: Any, name: str = "otra", agency: str = "GNB") -> dict[str, str]:
    with api.app.state.door.write(SYSTEM) as ctx:
        _, token = add_user(ctx.session, name, "officer", agency)
    return {"Authorization": f"Bearer {token}"}


def stolen_vehicle(api: Any) -> None:
    for path, data in [
        ("/v1/vehicles", {"vin": VIN, "plate": "AB123CD"}),
        (f"/v1/vehicles/{VIN}/stolen-reports", {"number": "CICPC-2026-000001", "agency": "CICPC"}),
    ]:
        r = api.post(path, json=data, headers=api.auth_for("registrar"))
        assert r.status_code == 201, r.text


def test_the_same_stop_again_returns_the_stored_verdict(api: Any, engine: Engine) -> None:
    stolen_vehicle(api)
    at = (api.clock.now() - dt.timedelta(hours=2)).isoformat()
    first = post(api, body(vin=VIN, plate="ab-123-cd", at=at, people=[{"national_id": "V-1"}]))
    assert first.status_code == 200, first.text
    before = counts(engine)
    api.clock.advance(dt.timedelta(minutes=3))
    # the same stop, written differently: it is compared as normalized and stored
    again = post(
        api,
        body(
            first.json()["check_id"],
            vin=VIN.lower(),
            plate="AB123CD",
            at=at,
            people=[{"national_id": "v1", "country": "VE"}],
        ),
    )
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    assert counts(engine) == before


def test_another_stop_under_a_stored_check_id_is_409(api: Any, engine: Engine) -> None:
    first = post(api, body(plate="XY999ZZ"))
    assert first.status_code == 200
    check_id = first.json()["check_id"]
    before = counts(engine)
    with api.app.state.door.write(SYSTEM) as ctx:
        add_checkpoint(
            ctx,
            CheckpointIn(
                code="APU-1",
                name="Biruaca",
                road="T2",
                state="Apure",
                lat=7.8,
                lon=-67.5,
                agency="GNB",
            ),
        )
    for change in [
        {"plate": "XY998ZZ"},
        {"plate": "XY999ZZ", "reason": "another reason"},
        {"plate": "XY999ZZ", "vin": VIN},
        {"plate": "XY999ZZ", "at": api.clock.now().isoformat()},
        {"plate": "XY999ZZ", "checkpoint": "APU-1"},
    ]:
        conflict(post(api, {**body(check_id), **change}))
    assert counts(engine) == before
    assert post(api, body(check_id)).json() == first.json()  # the original still answers


def test_a_batch_repeating_a_check_id_with_another_stop_is_refused_whole(
    api: Any, engine: Engine
) -> None:
    stored = post(api, body()).json()["check_id"]
    before = counts(engine)
    repeated = str(uuid.uuid4())
    stops = [body() for _ in range(5)]
    stops[1] = body(repeated, plate="AA111AA")
    stops[3] = body(repeated, plate="BB222BB")
    conflict(batch(api, stops), "stops.3.check_id")  # the earlier copy is in the same batch
    stops = [body() for _ in range(5)]
    stops[4] = body(stored, plate="CC333CC")
    conflict(batch(api, stops), "stops.4.check_id")  # the earlier copy is stored
    assert counts(engine) == before


def test_the_same_stop_twice_in_a_batch_is_recorded_once(api: Any, engine: Engine) -> None:
    repeated = body()
    r = batch(api, [repeated, body(), dict(repeated)])
    assert r.status_code == 200, r.text
    first, _, third = r.json()["results"]
    assert first == third
    assert counts(engine)[0] == 2


def test_another_officers_check_id_is_409_and_shows_nothing(api: Any, engine: Engine) -> None:
    stolen_vehicle(api)
    mine = post(api, body(vin=VIN))
    assert mine.status_code == 200 and mine.json()["verdict"] == "hit"
    check_id = mine.json()["check_id"]
    before = counts(engine)
    stranger = other_officer(api)
    for stop in [body(check_id, vin=VIN), body(check_id, plate="XY998ZZ")]:
        r = api.post("/v1/checks", json=stop, headers=stranger)
        conflict(r)
        assert mine.json()["receipt"] not in r.text
    # their supervisor may read it, but not record under the officer's id either
    conflict(post(api, body(check_id, vin=VIN), role="supervisor"))
    r = api.post(
        "/v1/checks/batch", json={"stops": [body(), body(check_id, vin=VIN)]}, headers=stranger
    )
    conflict(r, "stops.1.check_id")
    assert counts(engine) == before


def _pending(api: Any, officer: Actor, **fields: Any) -> PendingCheck:
    runtime = api.app.state.runtime
    stop = StopIn.model_validate(body(**fields))
    now = api.clock.now()
    verdict = runtime.hotlist.engine.check(engine_stop(stop), now)
    return pending_check(stop, verdict, runtime.checkpoint("GUA-ALDAO"), officer, now)


def _officer(engine: Engine, name: str = "officer") -> Actor:
    with read_session(engine) as s:
        user = get_user(s, name)
        return Actor(user.id, user.username, user.role, user.agency_id)


def test_requests_written_in_one_transaction_are_judged_one_by_one(
    api: Any, engine: Engine
) -> None:
    """The recorder writes every waiting request at once; one refused request (a conflict,
    an officer gone) does not take the others down with it."""
    officer = _officer(engine)
    shared = str(uuid.uuid4())
    first = [_pending(api, officer, check_id=shared, plate="AA111AA")]
    same = [_pending(api, officer, check_id=shared, plate="aa-111-aa")]
    clash = [_pending(api, officer), _pending(api, officer, check_id=shared, plate="BB222BB")]
    clash[1].check_id_field = "stops.1.check_id"
    other = [_pending(api, officer), _pending(api, officer)]
    with unit_of_work(engine) as s:
        outcomes = write_jobs(s, [first, same, clash, other])
    assert isinstance(outcomes[0], list) and isinstance(outcomes[1], list)
    assert outcomes[0] == outcomes[1]
    assert isinstance(outcomes[2], CheckIdConflictError)
    assert outcomes[2].field == "stops.1.check_id"
    assert isinstance(outcomes[3], list) and len(outcomes[3]) == 2
    with read_session(engine) as s:
        ids = set(s.scalars(select(Check.check_id)))
    assert ids == {shared, other[0].check_id, other[1].check_id}  # nothing of the clash
    gone = Actor(officer.id, "officer", "officer", None)
    with unit_of_work(engine) as s:
        get_user(s, "officer").active = False
    with unit_of_work(engine) as s:
        outcomes = write_jobs(s, [[_pending(api, gone)], first])
    assert isinstance(outcomes[0], AuthError) and outcomes[0].http_status == 401
    assert isinstance(outcomes[1], AuthError)  # the same officer: gone for every request


def test_the_recorder_thread_answers_each_request_with_its_own_outcome(
    api: Any, engine: Engine
) -> None:
    officer = _officer(engine)
    recorder = Recorder(engine)
    recorder.start()
    try:
        shared = str(uuid.uuid4())
        jobs = [
            [_pending(api, officer, check_id=shared, plate="AA111AA")],
            [_pending(api, officer, check_id=shared, plate="BB222BB")],
            [_pending(api, officer)],
        ]
        futures = [recorder.submit(job) for job in jobs]
        assert isinstance(futures[0].result(timeout=10)[0], VerdictOut)
        with pytest.raises(CheckIdConflictError):
            futures[1].result(timeout=10)
        assert len(futures[2].result(timeout=10)) == 1
    finally:
        recorder.stop()


def test_canonical_ignores_key_order_and_spacing() -> None:
    assert canonical({"b": [1, {"y": 2, "x": 1}], "a": "é"}) == canonical(
        {"a": "é", "b": [1, {"x": 1, "y": 2}]}
    )
    assert canonical({"a": 1}) != canonical({"a": "1"})


def test_a_check_id_stored_meanwhile_by_another_process_is_answered_not_failed(
    api: Any, engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between the recorder's read of stored ids and its insert, another process stores the
    same check_id (PostgreSQL: READ COMMITTED; SQLite's writers never overlap). The unique
    index refuses our insert; one more attempt finds the row and answers from it."""
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite serializes writers: a recorder's read and insert never interleave")
    officer = _officer(engine)
    mine = _pending(api, officer, plate="AA111AA")
    theirs = _pending(api, officer, check_id=mine.check_id, plate="AA111AA")
    clash = _pending(api, officer, check_id=str(uuid.uuid4()), plate="BB222BB")
    rival = clash.check_id
    other_engine = make_engine(db_url)
    original = recorder_module._unique_receipts
    calls = {"n": 0}

    def meanwhile(session: Any, rows: list[PendingCheck]) -> None:
        calls["n"] += 1
        if calls["n"] == 1:  # the other process commits both check_ids first
            competitor = _pending(api, officer, check_id=rival, plate="CC333CC")
            Recorder(other_engine).write([theirs, competitor])
        original(session, rows)

    monkeypatch.setattr(recorder_module, "_unique_receipts", meanwhile)
    try:
        outcomes = Recorder(engine).write_jobs([[mine], [clash]])
    finally:
        other_engine.dispose()
    assert calls["n"] == 2  # ours, which let the rival write (its own call), and no more
    assert isinstance(outcomes[0], list) and outcomes[0][0].check_id == mine.check_id
    assert isinstance(outcomes[1], CheckIdConflictError)
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Check)) == 2


def test_concurrent_copies_of_one_stop_record_it_once(api: Any, engine: Engine) -> None:
    """Many requests with the same stop at once, through the API: one row, one verdict."""
    stop = body()
    results: list[Any] = []

    def send() -> None:
        results.append(post(api, stop))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {r.status_code for r in results} == {200}
    assert len({r.text for r in results}) == 1
    assert counts(engine)[0] == 1
