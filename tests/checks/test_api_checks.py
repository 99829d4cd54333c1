"""A check, end to end over HTTP, on SQLite and PostgreSQL: every "Done when" of the stop."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Engine, func, select

from alcabala.accounts.models import AuditEntry
from alcabala.checks.models import Check
from alcabala.db.engine import read_session
from alcabala.sightings.models import Sighting

VIN = "1M8GDM9AXKP042788"
PLATE = "AB123CD"
ENGINE = "1ZZ1234567"


def post(api: Any, path: str, role: str, body: dict[str, Any], status: int = 201) -> Any:
    r = api.post(path, json=body, headers=api.auth_for(role))
    assert r.status_code == status, r.text
    return r.json()


def stolen_vehicle(api: Any) -> int:
    post(
        api,
        "/v1/vehicles",
        "registrar",
        {
            "vin": VIN,
            "plate": PLATE,
            "engine_number": ENGINE,
            "make": "Toyota",
            "model": "Corolla",
            "year": 2019,
            "owner_national_id": "V12345678",
        },
    )
    report = post(
        api,
        f"/v1/vehicles/{VIN}/stolen-reports",
        "registrar",
        {"number": "CICPC-2026-000001", "agency": "CICPC"},
    )
    return int(report["id"])


def check(api: Any, check_id: str | None = None, **stop: Any) -> dict[str, Any]:
    body = {"check_id": check_id or str(uuid.uuid4()), "checkpoint": "GUA-ALDAO", **stop}
    r = api.post("/v1/checks", json=body, headers=api.auth_for("officer"))
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_clean_vehicle_is_clear_with_a_receipt(api: Any) -> None:
    result = check(api, plate="XY999ZZ", vin="9BWZZZ377VT004251")
    assert result["verdict"] == "clear"
    assert result["hits"] == [] and result["irregularities"] == []
    assert len(result["receipt"]) == 11


def test_stolen_vehicle_hits_by_vin_plate_and_engine(api: Any) -> None:
    stolen_vehicle(api)
    for stop, key in [
        ({"vin": VIN}, "vin"),
        ({"plate": "ab-123-cd"}, "plate"),
        ({"engine_number": ENGINE}, "engine_number"),
    ]:
        result = check(api, **stop)
        assert result["verdict"] == "hit", (stop, result)
        (hit,) = result["hits"]
        assert (hit["category"], hit["certainty"], hit["matched_on"]) == (
            "stolen_vehicle",
            "certain",
            key,
        )
        assert hit["confirmation"]["required"] is True
        assert hit["record"]["number"] == "CICPC-2026-000001"


def test_ocr_lookalike_plate_is_only_a_possible_hit(api: Any) -> None:
    stolen_vehicle(api)
    result = check(api, plate="A8I23CD")  # 8 for B, I for 1: a camera misread
    assert result["verdict"] == "irregular"
    (hit,) = result["hits"]
    assert (hit["certainty"], hit["matched_on"]) == ("possible", "plate~ocr")


def test_recovered_vehicle_checks_clear_and_public_lookup_says_recovered(api: Any) -> None:
    report_id = stolen_vehicle(api)
    assert api.get(f"/v1/public/vehicles/{PLATE}").json() == {"status": "reported_stolen"}
    post(api, f"/v1/stolen-reports/{report_id}/recover", "registrar", {"reason": "found"}, 200)
    result = check(api, vin=VIN, plate=PLATE, engine_number=ENGINE)
    assert result["verdict"] == "clear", result
    assert api.get(f"/v1/public/vehicles/{VIN}").json() == {"status": "recovered"}
    assert api.get("/v1/public/vehicles/ZZ999ZZ").json() == {"status": "no_report"}


def test_public_lookup_is_rate_limited(api: Any) -> None:
    codes = [api.get("/v1/public/vehicles/AB123CD").status_code for _ in range(15)]
    assert codes[0] == 200 and codes[-1] == 429
    assert api.get("/v1/public/vehicles/AB123CD").json()["error"]["code"] == "rate_limited"


def warrant(api: Any, expires_at: str | None = None) -> int:
    body = {
        "number": "TSJ-GUA-OA-2026-00001",
        "agency": "TSJ-GUA",
        "national_id": "V-7.654.321",
        "court": "Tribunal Tercero de Control",
        "case_number": "3C-1-26",
        "offence": "Robo agravado",
        "issued_at": "2026-01-01T00:00:00Z",
        "expires_at": expires_at,
    }
    return int(post(api, "/v1/warrants", "court", body)["id"])


def test_wanted_person_hits_until_executed(api: Any) -> None:
    wid = warrant(api)
    result = check(api, plate="XY999ZZ", people=[{"national_id": "V7654321"}])
    assert result["verdict"] == "hit"
    (hit,) = result["hits"]
    assert (hit["category"], hit["matched_on"]) == ("wanted_person", "national_id")
    assert hit["confirmation"]["urgency"] == "urgent"
    deadline = dt.datetime.fromisoformat(hit["confirmation"]["deadline"])
    at = dt.datetime.fromisoformat(result["at"])
    assert dt.timedelta(minutes=9) < deadline - at <= dt.timedelta(minutes=10)
    post(api, f"/v1/warrants/{wid}/execute", "court", {"reason": "arrested"}, 200)
    assert check(api, people=[{"national_id": "V7654321"}])["verdict"] == "clear"


def test_expired_warrant_does_not_hit(api: Any) -> None:
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)).isoformat()
    warrant(api, expires_at=soon)
    assert check(api, people=[{"national_id": "V7654321"}])["verdict"] == "hit"
    later = (api.clock.now() + dt.timedelta(minutes=4)).isoformat()  # within the clock skew
    result = check(api, people=[{"national_id": "V7654321"}], at=later)
    assert result["verdict"] == "clear"


def cattle_permit(api: Any) -> None:
    post(api, "/v1/premises", "livestock", {"code": "GUA-0001", "name": "Hato La Guanota"})
    post(api, "/v1/premises", "livestock", {"code": "APU-0002", "name": "Fundo El Samán"})
    post(api, "/v1/brands", "livestock", {"mark": "HLG", "premises": "GUA-0001"})
    now = dt.datetime.now(dt.UTC)
    post(
        api,
        "/v1/permits",
        "livestock",
        {
            "number": "INSAI-GM-2026-000001",
            "issuer": "INSAI",
            "origin_premises": "GUA-0001",
            "destination_premises": "APU-0002",
            "vehicle_plate": "AC321DE",
            "valid_from": (now - dt.timedelta(hours=2)).isoformat(),
            "valid_to": (now + dt.timedelta(hours=20)).isoformat(),
            "lines": [{"species": "bovine", "category": "steer", "head_count": 20, "brand": "HLG"}],
        },
    )


def test_cattle_truck_over_permit_or_without_one_is_irregular(api: Any) -> None:
    cattle_permit(api)
    ok = check(
        api,
        plate="AC321DE",
        livestock={
            "permit_number": "INSAI-GM-2026-000001",
            "lines": [{"species": "bovine", "head_count": 20, "brand": "HLG"}],
        },
    )
    assert ok["verdict"] == "clear", ok
    over = check(
        api,
        plate="AC321DE",
        livestock={
            "permit_number": "INSAI-GM-2026-000001",
            "lines": [{"species": "bovine", "head_count": 26, "brand": "HLG"}],
        },
    )
    assert over["verdict"] == "irregular"
    assert [i["code"] for i in over["irregularities"]] == ["head_count_exceeds_permit"]
    none = check(
        api, plate="AC321DE", livestock={"lines": [{"species": "bovine", "head_count": 20}]}
    )
    assert none["verdict"] == "irregular"
    assert "permit_missing" in [i["code"] for i in none["irregularities"]]


def test_retired_vehicle_vin_on_the_road_is_flagged(api: Any) -> None:
    post(api, "/v1/vehicles", "registrar", {"vin": VIN, "plate": PLATE, "engine_number": ENGINE})
    post(
        api,
        f"/v1/vehicles/{VIN}/retirements",
        "registrar",
        {"kind": "dismantled", "agency": "CICPC"},
    )
    result = check(api, vin=VIN, plate="XY999ZZ")
    assert result["verdict"] == "irregular"
    assert "retired_vehicle" in [i["code"] for i in result["irregularities"]]


def test_same_check_id_twice_is_recorded_once(api: Any, engine: Engine) -> None:
    stolen_vehicle(api)
    check_id = str(uuid.uuid4())
    first = check(api, check_id, vin=VIN, people=[{"national_id": "V1"}])
    second = check(api, check_id, vin=VIN, people=[{"national_id": "V1"}])
    assert first == second
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Check)) == 1
        # One row per stop: the check is the VIN's sighting and audit entry ...
        assert s.scalar(select(func.count()).select_from(Sighting)) == 0
        # ... and the person looked up has one audit row, once.
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "check")).all()
        assert [(a.subject_kind, a.subject, a.check_id) for a in audit] == [
            ("person", "V1", check_id)
        ]


def test_receipt_shows_nothing_personal(api: Any) -> None:
    stolen_vehicle(api)
    result = check(api, vin=VIN, people=[{"national_id": "V12345678"}])
    r = api.get(f"/v1/receipts/{result['receipt'].lower()}")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"receipt", "date", "checkpoint", "checkpoint_name", "verdict"}
    assert body["verdict"] == "hit" and body["checkpoint"] == "GUA-ALDAO"
    assert VIN not in r.text and "V12345678" not in r.text
    assert api.get("/v1/receipts/AAAAA-AAAAA").status_code == 404


def test_hit_confirmed_only_by_the_owning_agency(api: Any) -> None:
    stolen_vehicle(api)
    (hit,) = check(api, vin=VIN)["hits"]
    r = api.post(f"/v1/hits/{hit['id']}/confirm", json={}, headers=api.auth_for("supervisor"))
    assert r.status_code == 403  # supervisor of GNB; the report belongs to CICPC
    pending = api.get("/v1/hits", headers=api.auth_for("registrar")).json()
    assert [h["id"] for h in pending] == [hit["id"]]
    r = api.post(f"/v1/hits/{hit['id']}/deny", json={}, headers=api.auth_for("registrar"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    r = api.post(f"/v1/hits/{hit['id']}/confirm", json={}, headers=api.auth_for("registrar"))
    assert r.status_code == 200 and r.json()["confirmation"]["status"] == "confirmed"
    assert api.get("/v1/hits", headers=api.auth_for("registrar")).json() == []


def test_audit_shows_who_checked_a_vehicle_and_a_person(api: Any) -> None:
    stolen_vehicle(api)
    check(api, plate=PLATE, people=[{"national_id": "V-9.999.999"}], reason="random stop")
    rows = api.get(f"/v1/audit?vehicle={VIN}", headers=api.auth_for("auditor")).json()
    assert [(r["username"], r["action"], r["checkpoint"]) for r in rows] == [
        ("officer", "check", "GUA-ALDAO")
    ]
    assert rows[0]["reason"] == "random stop"
    rows = api.get("/v1/audit?person=V9999999", headers=api.auth_for("auditor")).json()
    assert len(rows) == 1
    assert api.get("/v1/audit?person=V1", headers=api.auth_for("officer")).status_code == 403


def test_bad_stops_are_4xx_naming_the_field(api: Any) -> None:
    cases = [
        ({"vin": "123"}, "vin"),
        ({"people": [{"national_id": "Q-1"}]}, "national_id"),
        ({}, "plate"),
        ({"plate": "AB123CD", "declared_year": 3000}, "declared_year"),
    ]
    for stop, field in cases:
        body = {"check_id": str(uuid.uuid4()), "checkpoint": "GUA-ALDAO", **stop}
        r = api.post("/v1/checks", json=body, headers=api.auth_for("officer"))
        assert r.status_code == 422, (stop, r.text)
        assert field in (r.json()["error"]["field"] or ""), (stop, r.json())
    body = {"check_id": "not-a-uuid", "checkpoint": "GUA-ALDAO", "plate": "AB123CD"}
    assert api.post("/v1/checks", json=body, headers=api.auth_for("officer")).status_code == 422
    body = {"check_id": str(uuid.uuid4()), "checkpoint": "NOWHERE", "plate": "AB123CD"}
    r = api.post("/v1/checks", json=body, headers=api.auth_for("officer"))
    assert r.status_code == 404 and r.json()["error"]["field"] == "checkpoint"


def test_odd_path_values_are_4xx_on_both_databases(api: Any) -> None:
    for path in ["/v1/checks/a%00b", "/v1/vehicles/0.1.0", "/v1/permits/by-number/x%00"]:
        r = api.get(path, headers=api.auth_for("supervisor"))
        assert 400 <= r.status_code < 500, (path, r.text)
    r = api.post(
        "/v1/vehicles/0.1.0/stolen-reports",
        json={"agency": "CICPC", "number": "N-1"},
        headers=api.auth_for("registrar"),
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "vin"
    r = api.get("/v1/public/vehicles/a%00b")  # cleaned to "ab": too short to be a plate
    assert r.status_code == 422 and r.json()["error"]["field"] == "vin_or_plate"
    assert api.get("/v1/public/vehicles/ab%00cd").json() == {"status": "no_report"}


def test_a_receipt_collision_is_drawn_again_not_failed(api: Any, engine: Engine) -> None:
    from alcabala.checks.schemas import StopIn
    from alcabala.checks.services import engine_stop, pending_check
    from alcabala.checks.writing import write_batch
    from alcabala.context import Actor
    from alcabala.db.engine import unit_of_work

    taken = check(api, plate="XY999ZZ")["receipt"]
    runtime = api.app.state.runtime
    now = api.clock.now()
    officer = Actor(1, "officer", "officer", None)
    stops = [
        StopIn(check_id=uuid.uuid4(), checkpoint="GUA-ALDAO", plate="XY998ZZ") for _ in range(3)
    ]
    pendings = []
    for stop in stops:
        verdict = runtime.hotlist.engine.check(engine_stop(stop), now)
        p = pending_check(stop, verdict, runtime.checkpoint("GUA-ALDAO"), officer, now)
        p.receipt = taken  # every one collides with the stored receipt and with each other
        pendings.append(p)
    with unit_of_work(engine) as s:
        results = write_batch(s, pendings)
    receipts = {r.receipt for r in results}
    assert len(receipts) == 3 and taken not in receipts
