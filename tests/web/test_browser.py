"""The console in a real browser: Debian's Chromium driven by Playwright against a live server.

The story of issue 5: an officer checks a clean vehicle, then a stolen one and sees the hit;
a registrar recovers it; the officer checks it again and it is clear; a citizen looks it up;
a form posted without its CSRF token is refused; a destructive action asks first.
Screenshots at 360 px (a phone) and 1280 px are saved under ``test-artifacts/``, and no page
may scroll sideways on a phone.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from alcabala.accounts.models import Agency
from alcabala.demo.seed import DEMO_PASSWORD
from alcabala.vehicles.models import Retirement, StolenReport, Vehicle

from .conftest import PHONE

DESKTOP = {"width": 1280, "height": 900}


def _plates(engine: Any) -> tuple[str, str]:
    """A clean registered plate, and the plate of a vehicle with an active theft report of
    CICPC (the demo registrar's agency, so that the registrar can answer its hits)."""
    from alcabala.db.engine import read_session

    with read_session(engine) as s:
        stolen = s.scalars(
            select(Vehicle.plate)
            .join(StolenReport, StolenReport.vehicle_id == Vehicle.id)
            .join(Agency, StolenReport.agency_id == Agency.id)
            .where(StolenReport.status == "active", Agency.code == "CICPC")
            .order_by(Vehicle.id)
        ).first()
        reported = select(StolenReport.vehicle_id)
        retired = select(Retirement.vehicle_id)
        clean = s.scalars(
            select(Vehicle.plate)
            .where(Vehicle.id.not_in(reported), Vehicle.id.not_in(retired))
            .order_by(Vehicle.id)
        ).first()
    assert stolen and clean
    return clean, stolen


@pytest.fixture(scope="module")
def plates(live_server: dict[str, Any]) -> tuple[str, str]:
    return _plates(live_server["engine"])


def _context(browser: Any, viewport: dict[str, int], locale: str = "es-VE") -> Any:
    """A browser context that fails the test on any script error or CSP violation. Its
    clock reads the same time as the server's (which is the test process's, possibly moved by
    ``ALCABALA_TEST_TRAVEL_DAYS``), so the countdowns to deadlines agree with the server."""
    context = browser.new_context(viewport=viewport, locale=locale)
    if os.environ.get("ALCABALA_TEST_TRAVEL_DAYS"):
        context.clock.install(time=dt.datetime.now(dt.UTC))
    problems: list[str] = []
    context.on("weberror", lambda e: problems.append(str(e.error)))
    context.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text
            else None
        ),
    )
    context.problems = problems
    return context


def _shot(page: Any, artifacts: Path, name: str) -> None:
    width = page.viewport_size["width"]
    page.screenshot(path=str(artifacts / f"{name}-{width}.png"), full_page=True)
    if width <= 360:
        fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert fits, f"{name} scrolls sideways at {width} px"


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#f-username", username)
    page.fill("#f-password", DEMO_PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()


def _check_plate(page: Any, base: str, plate: str) -> str:
    page.goto(f"{base}/console")
    page.fill("#f-plate", plate)
    page.click("#check-form button[type=submit]")
    page.wait_for_selector("[data-verdict]")
    verdict: str = page.get_attribute("[data-verdict]", "data-verdict")
    return verdict


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_officer_registrar_and_public_story(
    browser: Any,
    live_server: dict[str, Any],
    plates: tuple[str, str],
    artifacts: Path,
    viewport: dict[str, int],
) -> None:
    base = live_server["url"]
    clean, stolen = plates
    width = viewport["width"]
    if width == DESKTOP["width"]:
        # The phone run recovered the first stolen vehicle; take another one.
        clean, stolen = _plates(live_server["engine"])

    public = _context(browser, viewport)
    page = public.new_page()
    page.goto(base + "/")
    assert page.locator("#f-q").is_visible()  # the stolen-vehicle lookup
    assert page.locator("#f-username").is_visible()  # and the sign-in form
    assert "¿Es robado?" in page.content()
    _shot(page, artifacts, "home")

    officer = _context(browser, viewport).new_page()
    _login(officer, base, "oficial")
    assert officer.url.endswith("/console/checkpoint")
    _shot(officer, artifacts, "checkpoint")
    officer.click("form[action='/console/checkpoint'] button[type=submit]")
    officer.wait_for_selector("#check-form")
    _shot(officer, artifacts, "console")

    assert _check_plate(officer, base, clean) == "clear"
    assert "SIN NOVEDAD" in officer.inner_text(".band")
    assert officer.inner_text("#receipt").strip()
    _shot(officer, artifacts, "verdict-clear")

    officer.goto(f"{base}/console")
    officer.fill("#f-vin", "1M8GDM9A1KP042788")  # a wrong check digit
    officer.click("#check-form button[type=submit]")
    assert officer.get_attribute("[data-verdict]", "data-verdict") == "irregular"
    assert officer.locator("[data-code=vin_check_digit]").count() == 1
    assert "dígito verificador" in officer.inner_text(".irregularities")
    _shot(officer, artifacts, "verdict-irregular")

    assert _check_plate(officer, base, stolen) == "hit"
    hit = officer.locator(".hit").first
    assert stolen in hit.inner_text()
    assert "placa" in hit.inner_text()  # what matched
    officer.wait_for_function(
        "document.querySelector('.clock').textContent.match(/^\\d+:\\d\\d/)"
    )  # the countdown runs
    assert officer.evaluate("typeof htmx") == "object"
    assert officer.get_attribute("#hits", "hx-trigger") == "every 10s"  # live confirmation
    _shot(officer, artifacts, "verdict-hit")

    registrar = _context(browser, viewport).new_page()
    _login(registrar, base, "registro")
    registrar.goto(f"{base}/registry/hits")
    card = registrar.locator(".hit", has_text=stolen)
    assert card.locator(".clock").count() == 1  # the deadline, counting down
    _shot(registrar, artifacts, "registry-hits")
    card.locator("form[action$='/confirm'] button[type=submit]").click()
    registrar.wait_for_selector(".flash-ok")
    # The officer's verdict page learns of the confirmation by itself (htmx polling).
    officer.wait_for_selector(".confirm-confirmed", timeout=20_000)
    _shot(officer, artifacts, "verdict-hit-confirmed")

    registrar.goto(f"{base}/registry")
    registrar.fill("#f-v-q", stolen)
    registrar.fill("#f-v-reason", "hit confirmed at the checkpoint")
    registrar.click("form[action='/registry/vehicles'] button[type=submit]")
    registrar.wait_for_selector("[data-status=reported_stolen]")
    _shot(registrar, artifacts, "registry-vehicle")
    registrar.click("form[action$='/recover'] button[type=submit]")
    registrar.wait_for_selector(".flash-ok")
    assert registrar.locator("[data-status=no_report]").count() == 1

    assert _check_plate(officer, base, stolen) == "clear"

    page.goto(base + "/")
    page.fill("#f-q", stolen)
    page.click("form[action='/lookup'] button[type=submit]")
    page.wait_for_selector("[data-status]")
    assert page.get_attribute(".result", "data-status") == "recovered"
    _shot(page, artifacts, "public-lookup")
    page.goto(f"{base}/lookup?q={clean}")
    assert page.get_attribute(".result", "data-status") == "no_report"
    for context in (public, officer.context, registrar.context):
        assert context.problems == [], context.problems
        context.close()


def test_form_without_csrf_token_is_refused(
    browser: Any, live_server: dict[str, Any], plates: tuple[str, str], artifacts: Path
) -> None:
    base = live_server["url"]
    context = _context(browser, DESKTOP)
    page = context.new_page()
    _login(page, base, "oficial")
    page.click("form[action='/console/checkpoint'] button[type=submit]")
    page.wait_for_selector("#check-form")
    page.fill("#f-plate", plates[0])
    page.evaluate("document.querySelector('#check-form [name=csrf_token]').remove()")
    with page.expect_response(lambda r: r.url.endswith("/console/check")) as info:
        page.click("#check-form button[type=submit]")
    assert info.value.status == 403
    assert "no viene de este sitio" in page.content()
    _shot(page, artifacts, "csrf-refused")
    context.close()


def test_destructive_action_asks_first(
    browser: Any, live_server: dict[str, Any], artifacts: Path
) -> None:
    """Cancelling a theft report asks once (``confirm()``, from static/app.js): dismissed,
    nothing is sent; accepted, the report is cancelled."""
    from alcabala.db.engine import read_session

    engine = live_server["engine"]
    with read_session(engine) as s:
        vin = s.scalars(
            select(Vehicle.vin)
            .join(StolenReport, StolenReport.vehicle_id == Vehicle.id)
            .join(Agency, StolenReport.agency_id == Agency.id)
            .where(StolenReport.status == "active", Agency.code == "CICPC")
            .order_by(Vehicle.id.desc())
        ).first()
    assert vin
    base = live_server["url"]
    context = _context(browser, PHONE)
    page = context.new_page()
    _login(page, base, "registro")
    page.goto(f"{base}/registry/vehicles/{vin}")
    assert "¿Por qué consulta este vehículo?" in page.content()  # no reason, no data
    page.fill("#f-why-reason", "entered twice")
    page.click("form button[type=submit] >> text=Mostrar")
    page.wait_for_selector("[data-status=reported_stolen]")
    report = page.locator(".report[data-status=active]").first
    report.locator("summary").click()
    report.locator("form[action$='/cancel'] input[name=reason]").fill("entered twice")
    questions: list[str] = []

    def dismiss(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    report.locator("form[action$='/cancel'] button[type=submit]").click()
    page.wait_for_timeout(300)
    assert questions and "¿Anular la denuncia de robo" in questions[0]
    assert page.locator(".flash-ok").count() == 0  # nothing was sent
    page.once("dialog", lambda dialog: dialog.accept())
    report.locator("form[action$='/cancel'] button[type=submit]").click()
    page.wait_for_selector(".flash-ok")
    assert page.locator("[data-status=no_report]").count() == 1
    assert page.locator(".report[data-status=cancelled]").count() >= 1
    _shot(page, artifacts, "registry-cancelled")
    assert context.problems == [], context.problems
    context.close()


def test_english_and_dashboard(browser: Any, live_server: dict[str, Any], artifacts: Path) -> None:
    base = live_server["url"]
    for viewport in (PHONE, DESKTOP):
        context = _context(browser, viewport, locale="en-US")
        page = context.new_page()
        _login(page, base, "supervisor")
        page.goto(f"{base}/dashboard")
        assert "Checks and hits per day" in page.content()
        assert page.locator(".chart svg").count() >= 1
        _shot(page, artifacts, "dashboard")
        page.goto(f"{base}/dashboard?lang=es")
        assert "Tablero" in page.content()
        context.close()


GALLERY = {
    "registro": [
        ("registry-home", "/registry"),
        ("registry-new-vehicle", "/registry/new-vehicle"),
        ("registry-new-warrant", "/registry/warrants/new"),
        ("registry-due", "/registry/due"),
        ("registry-person", "/registry/persons?country=VE&national_id={person}&reason=gallery"),
        ("registry-why", "/registry/vehicles/{vin}"),
    ],
    "ganaderia": [
        ("livestock-home", "/livestock"),
        ("livestock-new-permit", "/livestock/permits/new"),
        ("livestock-permit", "/livestock/permits?number={permit}&reason=gallery"),
        ("livestock-new-theft", "/livestock/thefts/new"),
    ],
    "oficial": [("forbidden", "/dashboard")],
    "defensoria": [
        ("oversight-dashboard", "/dashboard"),
        ("oversight-complaints", "/oversight/complaints"),
        ("complaint-new", "/complaints/new"),
        ("complaint-follow", "/complaints"),
        ("complaint-stats", "/complaints/stats"),
        ("custody-oversight", "/custodia/discrepancias"),
    ],
    "custodio": [("custody-custodian", "/custodia/discrepancias")],
}


def test_every_page_fits_a_phone(
    browser: Any, live_server: dict[str, Any], artifacts: Path
) -> None:
    """Each console page, at 360 px and 1280 px: screenshot, and no sideways scrolling."""
    from alcabala.db.engine import read_session
    from alcabala.livestock.models import Permit
    from alcabala.persons.models import Person, Warrant

    with read_session(live_server["engine"]) as s:
        person = s.scalars(select(Person.national_id).join(Warrant)).first()
        permit = s.scalars(select(Permit.number)).first()
        vin = s.scalars(select(Vehicle.vin)).first()
    base = live_server["url"]
    for viewport in (PHONE, DESKTOP):
        for username, pages in GALLERY.items():
            context = _context(browser, viewport)
            page = context.new_page()
            _login(page, base, username)
            for name, path in pages:
                response = page.goto(base + path.format(person=person, permit=permit, vin=vin))
                assert response is not None
                expected = 403 if name == "forbidden" else 200
                assert response.status == expected, (name, response.status)
                _shot(page, artifacts, name)
            context.close()
    context = _context(browser, PHONE)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#f-username", "oficial")
    page.fill("#f-password", "wrong-password")
    page.click("form[action='/login'] button[type=submit]")
    assert "Usuario o contraseña incorrectos." in page.inner_text("#e-_form")
    _shot(page, artifacts, "login-failed")
    context.close()
