"""Hits on records that left force: never confirmed, closed as ``record_inactive``.

An officer must never read "confirmed, proceed" on a warrant cancelled minutes earlier or a
car recovered since the stop. Both databases.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select

from alcabala.checks.models import Hit, HitTransition
from alcabala.checks.sweep import sweep
from alcabala.context import SYSTEM, Door
from alcabala.db.engine import read_session

from ..helpers import post

VIN, PLATE, NID = "1M8GDM9AXKP042788", "AB123CD", "V7654321"


def _warrant_hit(api: Any) -> tuple[int, int]:
    warrant = post(
        api,
        "/v1/warrants",
        "registrar",
        {
            "number": "W-1", "agency": "CICPC", "national_id": NID, "court": "Tribunal 3",
            "case_number": "3C-1", "offence": "Robo", "urgent": True,
            "issued_at": (api.clock.now() - dt.timedelta(days=3)).isoformat(),
        },
    )  # fmt: skip
    result = post(
        api,
        "/v1/checks",
        "officer",
        {
            "check_id": str(uuid.uuid4()), "checkpoint": "GUA-ALDAO", "plate": "XY999ZZ",
            "people": [{"national_id": NID}], "reason": "operativo",
        },
        200,
    )  # fmt: skip
    (hit,) = result["hits"]
    return int(warrant["id"]), int(hit["id"])


def _stolen_hit(api: Any) -> tuple[int, int]:
    post(api, "/v1/vehicles", "registrar", {"vin": VIN, "plate": PLATE})
    report = post(
        api, f"/v1/vehicles/{VIN}/stolen-reports", "registrar", {"number": "R-1", "agency": "CICPC"}
    )
    result = post(
        api,
        "/v1/checks",
        "officer",
        {"check_id": str(uuid.uuid4()), "checkpoint": "GUA-ALDAO", "plate": PLATE},
        200,
    )
    (hit,) = result["hits"]
    return int(report["id"]), int(hit["id"])


def _hit_status(engine: Any, hit_id: int) -> tuple[str, list[tuple[str | None, str]]]:
    with read_session(engine) as s:
        hit = s.get(Hit, hit_id)
        assert hit is not None
        moves = s.execute(
            select(HitTransition.from_state, HitTransition.to_state)
            .where(HitTransition.hit_id == hit_id)
            .order_by(HitTransition.id)
        ).all()
        return hit.status, [(a, b) for a, b in moves]


def test_confirming_a_hit_on_a_cancelled_warrant_is_refused_and_closes_it(
    api: Any, engine: Any
) -> None:
    warrant_id, hit_id = _warrant_hit(api)
    post(api, f"/v1/warrants/{warrant_id}/cancel", "registrar", {"reason": "court"}, 200)
    listed = api.get("/v1/hits", headers=api.auth_for("registrar")).json()
    assert [(h["id"], h["record_status"]) for h in listed] == [(hit_id, "cancelled")]
    r = api.post(f"/v1/hits/{hit_id}/confirm", json={}, headers=api.auth_for("registrar"))
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["code"] == "record_inactive" and "cancelled" in error["message"]
    assert _hit_status(engine, hit_id) == (
        "record_inactive",
        [(None, "pending"), ("pending", "record_inactive")],
    )  # the closing stood although the request failed
    again = api.post(f"/v1/hits/{hit_id}/confirm", json={}, headers=api.auth_for("registrar"))
    assert again.status_code == 409 and again.json()["error"]["code"] == "illegal_transition"
    assert api.get("/v1/hits", headers=api.auth_for("registrar")).json() == []


def test_confirming_a_hit_on_a_recovered_car_is_refused(api: Any, engine: Any) -> None:
    report_id, hit_id = _stolen_hit(api)
    post(api, f"/v1/stolen-reports/{report_id}/recover", "registrar", {"reason": "found"}, 200)
    r = api.post(f"/v1/hits/{hit_id}/confirm", json={}, headers=api.auth_for("registrar"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "record_inactive"
    assert "recovered" in r.json()["error"]["message"]
    assert _hit_status(engine, hit_id)[0] == "record_inactive"


def test_a_hit_on_a_live_record_is_confirmed(api: Any, engine: Any) -> None:
    _, hit_id = _stolen_hit(api)
    listed = api.get("/v1/hits", headers=api.auth_for("registrar")).json()
    assert [h["record_status"] for h in listed] == ["active"]
    r = api.post(f"/v1/hits/{hit_id}/confirm", json={}, headers=api.auth_for("registrar"))
    assert r.status_code == 200 and r.json()["confirmation"]["status"] == "confirmed"


def test_denying_a_hit_on_a_dead_record_is_still_allowed(api: Any, engine: Any) -> None:
    """Saying "not this person" stays possible: only a confirmation needs a live record."""
    warrant_id, hit_id = _warrant_hit(api)
    post(api, f"/v1/warrants/{warrant_id}/execute", "registrar", {"reason": "arrested"}, 200)
    r = api.post(
        f"/v1/hits/{hit_id}/deny", json={"reason": "another man"}, headers=api.auth_for("registrar")
    )
    assert r.status_code == 200 and r.json()["confirmation"]["status"] == "denied"


def test_the_sweep_closes_hits_whose_record_left_force(api: Any, engine: Any) -> None:
    warrant_id, hit_id = _warrant_hit(api)
    _, live_hit = _stolen_hit(api)
    post(api, f"/v1/warrants/{warrant_id}/execute", "registrar", {"reason": "arrested"}, 200)
    door: Door = api.app.state.door
    with door.write(SYSTEM) as ctx:
        done = sweep(ctx)
    assert done.hits == 1
    assert _hit_status(engine, hit_id)[0] == "record_inactive"
    assert _hit_status(engine, live_hit)[0] == "pending"
    api.clock.advance(dt.timedelta(hours=2))  # past every deadline
    with door.write(SYSTEM) as ctx:
        assert sweep(ctx).hits == 1
    assert _hit_status(engine, live_hit)[0] == "timed_out"
