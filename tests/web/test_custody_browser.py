"""In Chromium at 360 px (and 1,280 px): the driver's seizure receipt and the release's
comparison with the seizure.

The driver, with no login, opens the receipt: every item and seal, no names, a QR code
that — read back from the screenshot — opens this same receipt. The custodian, signed in,
releases the items with one pack short: refused until the difference is explained, next
to the item it concerns, in Spanish; then the comparison shows the shortfall item by item,
and oversight's dashboard shows it under the agency and the storage location.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from ..custody.test_api import NAME, NID, _location, _seizure
from ..helpers import post
from .conftest import PASSWORD, PHONE, fits


def _sign_in(context: Any, base: str, username: str) -> Any:
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#f-username", username)
    page.fill("#f-password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
    return page


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_seizure_receipt_and_the_release_comparison(
    browser: Any, served: str, api: Any, pages: Any, artifacts: Path
) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    _location(api)
    seized = _seizure(api)
    code = seized["code"]
    labels = [i["label"] for i in seized["items"]]
    move = post(api, "/v1/custody/transfers", "officer",
                {"items": labels, "to": "custodian", "purpose": "Depósito",
                 "location": "GNB-DEP-1"})  # fmt: skip
    post(api, f"/v1/custody/transfers/{move['id']}/receive", "custodian", {}, 200)
    problems: list[str] = []

    # The driver's receipt, no login.
    driver = browser.new_context(viewport=PHONE, locale="es-VE")
    driver.on("weberror", lambda e: problems.append(str(e.error)))
    page = driver.new_page()
    page.goto(f"{served}/incautacion/{code}")
    assert page.text_content("#seizure-code") == code
    items = page.locator("#seizure-items li")
    assert items.count() == 3
    assert "Panelas de cocaína" in (items.nth(0).text_content() or "")
    assert "92.4 kg" in (items.nth(0).text_content() or "")
    assert page.text_content("#seizure-seals") == "GNB-000110 · GNB-000111 · GNB-000112"
    html = page.content()
    for secret in (NID, NAME, "BRT-99812"):
        assert secret not in html
    fits(page, artifacts, "seizure-receipt")
    qr = Image.open(io.BytesIO(page.locator("#seizure-qr svg").screenshot()))
    (found,) = zxingcpp.read_barcodes(qr)
    assert found.text == f"{served}/incautacion/{code}"
    page.goto(found.text)
    assert page.text_content("#seizure-code") == code
    page.emulate_media(media="print")
    assert not page.locator(".top").is_visible() and not page.locator("[data-print]").is_visible()
    driver.close()

    # The custodian releases, one pack short.
    for viewport, suffix in ((PHONE, ""), ({"width": 1280, "height": 900}, "-wide")):
        context = browser.new_context(viewport=viewport, locale="es-VE")
        context.on("weberror", lambda e: problems.append(str(e.error)))
        page = _sign_in(context, served, "custodian")
        page.goto(f"{served}/custodia/incautaciones/{code}")
        if suffix:
            page.screenshot(path=str(artifacts / "seizure-staff-1280.png"), full_page=True)
            context.close()
            continue
        assert page.locator("#release fieldset").count() == 3
        fits(page, artifacts, "seizure-staff")
        page.select_option("#f-to", "court")
        page.fill("#f-recipient", "Tribunal 3.º de Control, Calabozo")
        page.fill("#f-authority", "Oficio 3C-455")
        page.fill("#f-quantity_0", "87")
        page.click("#release button[type=submit]")
        error = page.text_content("#e-explanation_0") or ""
        assert "difiere de la incautación" in error, error
        fits(page, artifacts, "seizure-release-refused")
        page.fill("#f-explanation_0", "Una panela rota en el traslado; acta 12")
        page.click("#release button[type=submit]")
        page.wait_for_selector("#outcome-band")
        assert page.get_attribute("#outcome-band", "data-discrepancies") == "1"
        assert "1 diferencia con la incautación" in (page.text_content("#outcome-band") or "")
        lines = page.locator("#outcome-lines li")
        assert [lines.nth(i).get_attribute("data-differences") for i in range(3)] == [
            "quantity", "", "",
        ]  # fmt: skip
        first = lines.nth(0).text_content() or ""
        assert "88" in first and "87" in first and "La cantidad difiere" in first
        assert "Una panela rota" in first
        fits(page, artifacts, "seizure-release-comparison")
        context.close()

    # Oversight sees it under the agency and the location.
    context = browser.new_context(viewport=PHONE, locale="es-VE")
    page = _sign_in(context, served, "oversight")
    page.goto(f"{served}/custodia/discrepancias")
    group = page.locator("#by-place li.group").first
    assert group.get_attribute("data-agency") == "GNB"
    assert group.get_attribute("data-location") == "GNB-DEP-1"
    assert "La cantidad difiere: 1" in (group.text_content() or "")
    fits(page, artifacts, "custody-discrepancies")
    context.close()
    assert problems == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_officer_records_a_seizure_and_the_custodian_confirms_its_transfer(
    browser: Any, served: str, api: Any, pages: Any, artifacts: Path
) -> None:
    _location(api)
    problems: list[str] = []
    context = browser.new_context(viewport=PHONE, locale="es-VE")
    context.on("weberror", lambda e: problems.append(str(e.error)))
    page = _sign_in(context, served, "officer")
    page.goto(f"{served}/custodia/nueva")
    fits(page, artifacts, "seizure-new")
    page.fill("#f-checkpoint", "GUA-ALDAO")
    page.select_option("#f-item0_kind", "drugs")
    page.fill("#f-item0_description", "Panelas de cocaína")
    page.fill("#f-item0_quantity", "88")
    page.click("#seizure-form button[type=submit]")  # drugs are weighed: refused, and where
    assert "se pesan" in (page.text_content("#e-item0_description") or "")
    page.fill("#f-item0_weight_kg", "92,4")
    page.fill("#f-item0_seal", "GNB-000111")
    page.select_option("#f-item1_kind", "cargo")
    page.fill("#f-item1_description", "Cajas de cerámica")
    page.fill("#f-item1_quantity", "120")
    page.fill("#f-person0_national_id", "V-7.654.321")
    page.fill("#f-person0_name", NAME)
    page.click("#seizure-form button[type=submit]")  # a detention needs its reason
    assert page.locator("#e-person0_reason").is_visible()
    page.fill("#f-person0_reason", "Conducía el camión con la carga")
    page.click("#seizure-form button[type=submit]")
    page.wait_for_selector("#seizure[data-code]")
    code = page.get_attribute("#seizure", "data-code")
    assert page.locator("#seizure-items li").count() == 2
    assert "92.4" in (page.text_content("#seizure-items") or "")
    assert "En espera de la aprobación" in page.content()

    page.goto(f"{served}/custodia")
    page.check(f"#offer-form input[value='{code}/1']")
    page.check(f"#offer-form input[value='{code}/2']")
    page.fill("#f-to", "custodian")
    page.fill("#f-purpose", "Resguardo en depósito")
    page.select_option("#f-location", "GNB-DEP-1")
    page.click("#offer-form button[type=submit]")
    assert "hasta que quien recibe confirme" in (page.text_content(".flash") or "")
    assert page.locator("#outgoing li").count() == 1
    fits(page, artifacts, "custody-offered")
    context.close()

    context = browser.new_context(viewport=PHONE, locale="es-VE")
    page = _sign_in(context, served, "custodian")
    assert page.url.endswith("/custodia")  # a custodian lands here
    transfer = page.locator("#incoming article.transfer")
    assert transfer.count() == 1
    fits(page, artifacts, "custody-incoming")
    page.click("#incoming form[id^=receive] button[type=submit]")
    assert "en su custodia" in (page.text_content(".flash") or "")
    held = page.text_content("#held") or ""
    assert f"{code}/1" in held and f"{code}/2" in held and "GNB-DEP-1" in held
    context.close()
    assert problems == []
