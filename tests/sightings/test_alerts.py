"""Sightings and alerts over the JSON API, on SQLite and PostgreSQL (the detector run by
hand on the test clock, as the server runs it every second):

- two far-apart sightings of one plate (a stop at Aldao, a camera at San Antonio five
  minutes later) raise an impossible-travel alert, with both sightings in order;
- a retired vehicle's plate, checked alone, raises a dead-identity alert;
- a theft reported after the car was stopped yields a lead for the reporting agency,
  naming the checkpoint that let it pass;
- a certain hit nobody answered shows up as passed without action for the checkpoint's
  agency, once;
- alerts move open → acknowledged → closed with a reason, by the owning agency only;
- camera reads: the camera role only, all or nothing, a read sent twice stored once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Engine, func, select

from alcabala.db.engine import read_session
from alcabala.sightings.detector import Detector
from alcabala.sightings.models import Alert, Sighting

from ..helpers import post

VIN, PLATE = "1M8GDM9AXKP042788", "AB123CD"


def _far_checkpoint(api: Any) -> None:
    post(api, "/v1/checkpoints", "admin", {
        "code": "TAC-SANANTONIO", "name": "Puente Simón Bolívar", "road": "Troncal 1",
        "state": "Táchira", "lat": 7.8146, "lon": -72.4430, "agency": "GNB",
    })  # fmt: skip


def _detect(api: Any) -> int:
    """Run the app's detector until it has judged everything (one detector per app: it
    holds the lease, as the server's does)."""
    detector = getattr(api, "detector", None)
    if detector is None:
        detector = api.detector = Detector(api.app.state.door)
    judged = 0
    while (n := detector.run_once()) > 0:
        judged += n
    return judged


def _stop(api: Any, **body: Any) -> dict[str, Any]:
    base = {"check_id": str(uuid.uuid4()), "checkpoint": "GUA-ALDAO"}
    r = api.post("/v1/checks", json=base | body, headers=api.auth_for("officer"))
    assert r.status_code == 200, r.text
    return dict(r.json())


def _alerts(api: Any, role: str = "oversight", **params: Any) -> list[dict[str, Any]]:
    r = api.get("/v1/alerts", params=params, headers=api.auth_for(role))
    assert r.status_code == 200, r.text
    return list(r.json())


def _count(engine: Engine, model: Any) -> int:
    with read_session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_two_far_apart_sightings_raise_an_impossible_travel_alert(api: Any, engine: Engine) -> None:
    _far_checkpoint(api)
    now = api.clock.now() - dt.timedelta(hours=10)
    _stop(api, plate=PLATE, at=(now - dt.timedelta(minutes=5)).isoformat())
    read = {"plate": "AB-123-CD", "checkpoint": "TAC-SANANTONIO", "camera": "TAC-01",
            "at": now.isoformat(), "confidence": 0.91}  # fmt: skip
    post(api, "/v1/sightings/batch", "camera", {"reads": [read]})
    assert _detect(api) == 2
    (alert,) = _alerts(api, kind="impossible_travel")
    assert alert["subject"] == PLATE and alert["agency"] == "GNB"
    assert alert["checkpoint"] == "TAC-SANANTONIO"
    full = api.get(f"/v1/alerts/{alert['id']}", headers=api.auth_for("oversight")).json()
    assert [(s["source"], s["checkpoint"]) for s in full["sightings"]] == [
        ("check", "GUA-ALDAO"), ("camera", "TAC-SANANTONIO"),
    ]  # fmt: skip
    assert full["facts"]["km"] > 500 and full["facts"]["kmh"] > 3000
    assert full["facts"]["from"] == "GUA-ALDAO" and full["facts"]["to"] == "TAC-SANANTONIO"
    # A misread (0 for O... here 8 for B) of the same plate an hour later still pairs.
    later = read | {
        "plate": "A8123CD",
        "checkpoint": "GUA-ALDAO",
        "at": (now + dt.timedelta(hours=1)).isoformat(),
    }
    post(api, "/v1/sightings/batch", "camera", {"reads": [later]})
    _detect(api)
    (same,) = _alerts(api, kind="impossible_travel")  # joined, not a second alert
    full = api.get(f"/v1/alerts/{same['id']}", headers=api.auth_for("oversight")).json()
    assert len(full["sightings"]) == 3 and full["sightings"][-1]["plate"] == "A8123CD"
    # A plausible trip raises nothing: Aldao to San Antonio in 9 hours.
    post(api, "/v1/sightings/batch", "camera", {"reads": [read | {
        "plate": "XY987ZW", "at": (now + dt.timedelta(hours=9)).isoformat()}]})  # fmt: skip
    _stop(api, plate="XY987ZW", at=now.isoformat())
    assert _detect(api) == 2 and len(_alerts(api, kind="impossible_travel")) == 1


def test_a_retired_vehicles_plate_raises_a_dead_identity_alert(api: Any) -> None:
    post(api, "/v1/vehicles", "registrar", {"vin": VIN, "plate": PLATE, "make": "Toyota"})
    post(
        api,
        f"/v1/vehicles/{VIN}/retirements",
        "registrar",
        {"kind": "dismantled", "agency": "CICPC", "reference": "Flota PDVSA, lote 12"},
    )
    stop = _stop(api, plate=PLATE)  # the plate alone: the engine finds nothing against it
    assert stop["verdict"] == "clear"
    _detect(api)
    (alert,) = _alerts(api, "registrar", kind="dead_identity")
    assert (alert["subject"], alert["agency"]) == (VIN, "CICPC")
    full = api.get(f"/v1/alerts/{alert['id']}", headers=api.auth_for("registrar")).json()
    assert full["facts"]["matched_on"] == "plate" and full["facts"]["retired"] == "dismantled"
    assert full["sightings"][0]["checkpoint"] == "GUA-ALDAO"
    # A retired VIN, checked alone (an exported car's VIN back on a car).
    other = "9BWZZZ377VT004251"
    post(api, "/v1/vehicles", "registrar", {"vin": other, "plate": "XY987ZW"})
    post(
        api,
        f"/v1/vehicles/{other}/retirements",
        "registrar",
        {"kind": "exported", "agency": "CICPC"},
    )
    _stop(api, vin=other)
    _detect(api)
    dead = {a["subject"]: a for a in _alerts(api, "registrar", kind="dead_identity")}
    full = api.get(f"/v1/alerts/{dead[other]['id']}", headers=api.auth_for("registrar")).json()
    assert full["facts"]["matched_on"] == "vin" and full["facts"]["retired"] == "exported"


def test_a_report_filed_after_a_sighting_yields_a_lead(api: Any, engine: Engine) -> None:
    post(api, "/v1/vehicles", "registrar", {"vin": VIN, "plate": PLATE})
    now = api.clock.now()
    seen_at = now - dt.timedelta(minutes=50)
    assert _stop(api, plate=PLATE, at=seen_at.isoformat())["verdict"] == "clear"
    report = post(api, f"/v1/vehicles/{VIN}/stolen-reports", "registrar", {
        "number": "R-LATE", "agency": "CICPC",
        "stolen_at": (now - dt.timedelta(hours=1, minutes=11)).isoformat(),
    })  # fmt: skip
    (lead,) = _alerts(api, "registrar", kind="lead")
    assert (lead["subject"], lead["agency"], lead["checkpoint"]) == (VIN, "CICPC", "GUA-ALDAO")
    full = api.get(f"/v1/alerts/{lead['id']}", headers=api.auth_for("registrar")).json()
    assert full["facts"]["record"] == report["number"]
    (seen,) = full["facts"]["sightings"]
    assert seen["checkpoint"] == "GUA-ALDAO" and seen["stopped"] is True
    assert dt.datetime.fromisoformat(seen["at"]) == seen_at.replace(microsecond=0)
    # Another agency's registrar does not see it; a warrant finds the person's stops too.
    assert api.get(f"/v1/alerts/{lead['id']}", headers=api.auth_for("court")).status_code == 403
    nid = "V7654321"
    _stop(api, plate="XY987ZW", people=[{"national_id": nid}], reason="operativo")
    post(api, "/v1/warrants", "court", {
        "number": "W-LATE", "national_id": nid, "court": "Tribunal 3", "case_number": "3C-9",
        "offence": "Robo", "issued_at": (now - dt.timedelta(days=2)).isoformat(),
    })  # fmt: skip
    (person,) = _alerts(api, "court", kind="lead")
    assert (person["subject_kind"], person["subject"], person["agency"]) == (
        "person",
        nid,
        "TSJ-GUA",
    )


def test_an_unanswered_hit_shows_up_as_passed_without_action(api: Any, engine: Engine) -> None:
    post(api, "/v1/vehicles", "registrar", {"vin": VIN, "plate": PLATE})
    post(
        api, f"/v1/vehicles/{VIN}/stolen-reports", "registrar", {"number": "R-1", "agency": "CICPC"}
    )
    _detect(api)  # the lead of the report: none, it was never seen
    hit = _stop(api, plate=PLATE)
    assert hit["verdict"] == "hit"
    _detect(api)
    assert _alerts(api, kind="passed_without_action") == []  # still time to answer
    api.clock.advance(dt.timedelta(minutes=61))  # a routine hit has an hour
    _detect(api)
    _detect(api)
    (alert,) = _alerts(api, "supervisor", kind="passed_without_action")
    assert (alert["agency"], alert["checkpoint"]) == ("GNB", "GUA-ALDAO")
    assert _count(engine, Alert) == 1  # once, however often the detector runs


def test_alerts_move_by_the_owning_agency_with_a_reason(api: Any) -> None:
    post(api, "/v1/vehicles", "registrar", {"vin": VIN, "plate": PLATE})
    _stop(api, plate=PLATE, at=(api.clock.now() - dt.timedelta(minutes=5)).isoformat())
    post(
        api, f"/v1/vehicles/{VIN}/stolen-reports", "registrar", {"number": "R-1", "agency": "CICPC"}
    )
    (lead,) = _alerts(api, "registrar", kind="lead")
    url = f"/v1/alerts/{lead['id']}"
    r = api.post(f"{url}/acknowledge", json={"reason": "x"}, headers=api.auth_for("supervisor"))
    assert r.status_code == 403  # GNB's supervisor: not the owning agency
    r = api.post(f"{url}/close", json={"reason": ""}, headers=api.auth_for("registrar"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    done = post(api, f"{url}/acknowledge", "registrar", {"reason": "Patrulla enviada"}, 200)
    assert done["status"] == "acknowledged"
    done = post(
        api, f"{url}/close", "registrar", {"reason": "Recuperado", "version": done["version"]}, 200
    )
    assert done["status"] == "closed" and [t["to"] for t in done["transitions"]] == [
        "acknowledged",
        "closed",
    ]
    assert _alerts(api, "registrar") == [] and len(_alerts(api, "registrar", status="closed")) == 1


def test_camera_reads_all_or_nothing_and_once(api: Any, engine: Engine) -> None:
    at = api.clock.now().isoformat()
    good = {"plate": PLATE, "checkpoint": "GUA-ALDAO", "camera": "GUA-02", "at": at}
    r = api.post("/v1/sightings/batch", json={"reads": [good]}, headers=api.auth_for("officer"))
    assert r.status_code == 403
    for bad, field in [
        ({"plate": PLATE, "at": at}, "reads.0"),
        (good | {"checkpoint": "NOPE"}, "reads.1.checkpoint"),
        (good | {"at": (api.clock.now() + dt.timedelta(hours=1)).isoformat()}, "reads.1.at"),
        (good | {"plate": "AB-12#"}, "reads.1"),
        (good | {"confidence": 2}, "reads.1.confidence"),
    ]:
        reads = [good, bad] if field.startswith("reads.1") else [bad]
        r = api.post("/v1/sightings/batch", json={"reads": reads}, headers=api.auth_for("camera"))
        assert r.status_code == 422 and r.json()["error"]["field"] == field, (bad, r.text)
    assert _count(engine, Sighting) == 0
    assert post(api, "/v1/sightings/batch", "camera", {"reads": [good, good]}) == {
        "stored": 1,
        "duplicates": 1,
    }
    assert post(api, "/v1/sightings/batch", "camera", {"reads": [good]}) == {
        "stored": 0,
        "duplicates": 1,
    }
    assert _count(engine, Sighting) == 1
