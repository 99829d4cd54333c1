"""The registry's detectors, on SQLite and PostgreSQL: one VIN under another plate, a
fleet car's VIN under a private plate (the PDVSA clones), and a plate a camera saw on a
vehicle of another make and colour than the registered one."""

from __future__ import annotations

from typing import Any

from ..helpers import post
from .test_alerts import PLATE, VIN, _alerts, _detect, _stop

FLEET_VIN = "1HGCM82633A004352"


def test_a_vin_under_another_plate_and_a_fleet_vin_under_a_private_plate(api: Any) -> None:
    post(api, "/v1/vehicles", "registrar", {"vin": VIN, "plate": PLATE})
    post(
        api,
        "/v1/vehicles",
        "registrar",
        {"vin": FLEET_VIN, "plate": "PD001AA", "owner_agency": "GNB"},
    )
    _stop(api, plate="XY987ZW", vin=VIN)
    _stop(api, plate="MN456PQ", vin=FLEET_VIN)
    _stop(api, plate=PLATE, vin=VIN)  # as registered: nothing
    _detect(api)
    (swap,) = _alerts(api, kind="vin_two_plates")
    assert swap["subject"] == VIN
    full = api.get(f"/v1/alerts/{swap['id']}", headers=api.auth_for("oversight")).json()
    assert full["facts"]["plate_seen"] == "XY987ZW" and full["facts"]["plate_registered"] == PLATE
    (fleet,) = _alerts(api, "supervisor", kind="fleet_identity")
    assert (fleet["subject"], fleet["agency"]) == (FLEET_VIN, "GNB")


def test_a_plate_seen_on_another_make_and_colour(api: Any) -> None:
    post(
        api,
        "/v1/vehicles",
        "registrar",
        {"vin": VIN, "plate": PLATE, "make": "Toyota", "colour": "blanco"},
    )
    at = api.clock.now().isoformat()
    read = {"plate": PLATE, "checkpoint": "GUA-ALDAO", "camera": "GUA-01", "at": at}
    post(
        api,
        "/v1/sightings/batch",
        "camera",
        {
            "reads": [
                read | {"make": "TOYOTA", "colour": "Blanco"},  # the same, in other case
                read | {"camera": "GUA-02", "make": "Ford", "colour": "rojo"},
            ]
        },
    )
    _detect(api)
    (alert,) = _alerts(api, kind="plate_two_vehicles")
    full = api.get(f"/v1/alerts/{alert['id']}", headers=api.auth_for("oversight")).json()
    assert full["facts"]["make_seen"] == "Ford" and full["facts"]["make_registered"] == "Toyota"
    assert [s["note"] for s in full["sightings"]] == ["GUA-02"]
