"""Alerts in Chromium at 360 px: GNB's supervisor sees the queue, a new alert appears in it
without a reload (the list refreshes itself), the alert's page shows its sightings in
order with times and places, and it is acknowledged with a reason. The dashboard counts
passed-without-action alerts per checkpoint."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from ..helpers import post
from ..sightings.test_alerts import PLATE, VIN, _detect, _far_checkpoint, _stop
from .conftest import PHONE, csrf_of, fits
from .test_custody_browser import _sign_in


def _travel(api: Any, plate: str, minutes_ago: int) -> None:
    now = api.clock.now() - dt.timedelta(minutes=minutes_ago)
    _stop(api, plate=plate, at=(now - dt.timedelta(minutes=5)).isoformat())
    read = {
        "plate": plate,
        "checkpoint": "TAC-SANANTONIO",
        "camera": "TAC-01",
        "at": now.isoformat(),
    }
    post(api, "/v1/sightings/batch", "camera", {"reads": [read]})
    _detect(api)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_alert_queue_updates_itself_and_an_alert_is_acknowledged(
    browser: Any, served: str, api: Any, pages: Any, artifacts: Path
) -> None:
    _far_checkpoint(api)
    _travel(api, PLATE, 30)
    context = browser.new_context(viewport=PHONE, locale="es-VE")
    problems: list[str] = []
    context.on("weberror", lambda e: problems.append(str(e.error)))
    page = _sign_in(context, served, "supervisor")
    page.goto(f"{served}/alertas")
    assert page.locator("#alert-rows li[data-kind=impossible_travel]").count() == 1
    assert "Viaje imposible" in (page.text_content("#alert-rows") or "")
    fits(page, artifacts, "alerts")
    _travel(api, "XY987ZW", 10)  # a second one, while the page is open
    page.locator("#alert-rows li[data-kind]").nth(1).wait_for(timeout=25_000)  # no reload
    page.click("#alert-rows li:last-child a")
    page.wait_for_selector("#alert-band")
    places = page.locator("#alert-sightings li")
    assert [places.nth(i).get_attribute("data-checkpoint") for i in range(2)] == [
        "GUA-ALDAO", "TAC-SANANTONIO",
    ]  # fmt: skip
    assert "km/h" in (page.text_content("#alert-facts") or "")
    fits(page, artifacts, "alert")
    page.fill("#f-acknowledged-reason", "Patrulla enviada al puente")
    page.click("#alert-move form:first-of-type button[type=submit]")
    page.wait_for_selector("#alert-band[data-status=acknowledged]")
    assert "Patrulla enviada" in page.content()
    context.close()
    assert problems == []


def test_the_dashboard_counts_passed_without_action_per_checkpoint(pages: Any, api: Any) -> None:
    post(api, "/v1/vehicles", "registrar", {"vin": VIN, "plate": PLATE})
    post(
        api, f"/v1/vehicles/{VIN}/stolen-reports", "registrar", {"number": "R-1", "agency": "CICPC"}
    )
    _stop(api, plate=PLATE)
    api.clock.advance(dt.timedelta(minutes=61))
    _detect(api)
    page = pages.login("supervisor").get("/dashboard")
    assert page.status_code == 200
    row = page.text.split('data-checkpoint="GUA-ALDAO"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="passed">1</td>' in row
    assert "Pasaron sin actuación" in page.text or "Pasó sin actuación" in page.text
    alerts = pages.login("supervisor")
    listing = alerts.get("/alertas")
    assert listing.status_code == 200 and "Pasó sin actuación" in listing.text
    assert csrf_of(listing.text)
