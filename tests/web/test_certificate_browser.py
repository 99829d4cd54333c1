"""In Chromium at 360 px, with no login: a buyer asks for a certificate, sees its QR code,
prints it on one A4 sheet, verifies it online (and again after the car is reported stolen:
superseded), and saves the offline verifier, which — opened from the saved file with the
network cut — verifies the certificate with nothing but the public key it embeds, and
refuses one changed character.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from alcabala.certificates import codec
from alcabala.config import Settings
from alcabala.ledger.keys import Signer
from alcabala.ledger.keystore import key_path, write_signer

from .conftest import PHONE, fits

VIN, PLATE, ENGINE = "1HGCM82633A004352", "AB123CD", "K24A1234567"


def _register(api: Any) -> None:
    body = {"vin": VIN, "plate": PLATE, "engine_number": ENGINE, "make": "Honda"}
    body |= {"model": "Accord", "year": 2003, "colour": "gris", "owner_national_id": "V-1234567"}
    r = api.post("/v1/vehicles", json=body, headers=api.auth_for("registrar"))
    assert r.status_code == 201, r.text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_certificate_asked_for_printed_and_verified_online_and_offline(
    browser: Any,
    served: str,
    api: Any,
    engine: Engine,
    settings: Settings,
    artifacts: Path,
    tmp_path: Path,
) -> None:
    signer = Signer.generate(settings.log_origin)
    write_signer(key_path(settings), signer)
    _register(api)
    context = browser.new_context(viewport=PHONE, locale="es-VE", accept_downloads=True)
    problems: list[str] = []
    context.on("weberror", lambda e: problems.append(str(e.error)))
    page = context.new_page()
    try:
        page.goto(f"{served}/certificados")
        fits(page, artifacts, "certificate-request")
        page.fill("#f-vin", VIN)
        page.fill("#f-plate", "XY987ZW")  # not this car's plate: refused, and why
        page.click("#certificate-form button[type=submit]")
        error = page.text_content("#e-plate") or ""
        assert "no están registrados juntos" in error, error
        assert "1234567" not in page.content()
        page.fill("#f-plate", PLATE.lower())
        page.fill("#f-contact", "comprador@example.org")
        page.click("#certificate-form button[type=submit]")
        page.wait_for_selector("#certificate[data-status=valid]")
        assert "Nada registrado en contra de la compra" in (page.text_content("#cert-band") or "")
        assert page.text_content("#cert-vin") == VIN
        qr = page.locator("#cert-qr svg.qr")
        assert qr.is_visible() and (qr.bounding_box() or {"width": 0})["width"] >= 150
        assert "comprador" not in page.content() and "1234567" not in page.content()
        fits(page, artifacts, "certificate")
        text = page.input_value("#cert-text")
        assert codec.decode(text, [signer.verifier_key()]).vin == VIN
        # Printed: one A4 page, without the site's header or buttons.
        page.emulate_media(media="print")
        assert not page.locator(".top").is_visible()
        assert not page.locator("[data-print]").is_visible()
        pdf = page.pdf(format="A4", print_background=True)
        assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1  # one A4 sheet
        (artifacts / "certificate-a4.pdf").write_bytes(pdf)
        page.emulate_media(media="screen")

        page.goto(f"{served}/verificar")
        page.fill("#f-text", text)
        page.click("#verify-form button[type=submit]")
        page.wait_for_selector("#verify-result[data-valid=true]")
        fits(page, artifacts, "certificate-verified")
        r = api.post(
            f"/v1/vehicles/{VIN}/stolen-reports",
            json={"number": "CICPC-2026-0009"},
            headers=api.auth_for("registrar"),
        )
        assert r.status_code == 201, r.text
        page.goto(f"{served}/verificar")
        page.fill("#f-text", text)
        page.click("#verify-form button[type=submit]")
        page.wait_for_selector("#verify-result[data-status=superseded][data-valid=false]")
        assert "CICPC-2026-0009" in (page.text_content("#verify-result") or "")

        page.goto(f"{served}/verificar")
        with page.expect_download() as caught:
            page.click("a[href='/verificar/offline?download=1']")
        saved = tmp_path / caught.value.suggested_filename
        caught.value.save_as(str(saved))
        assert saved.name == "verificar-certificados.html"
        assert problems == []
    finally:
        context.close()

    # The saved page, opened from the file, the network cut: it needs nothing but itself.
    offline = browser.new_context(viewport=PHONE, locale="es-VE")
    requests: list[str] = []
    offline.on("request", lambda r: requests.append(r.url))
    offline.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort(),
    )
    offline.set_offline(True)
    page = offline.new_page()
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        page.goto(saved.as_uri())
        page.fill("#text", text)
        page.click("#verify")
        page.wait_for_selector("#result[data-valid=true]")
        assert page.text_content("#vin") == VIN and page.text_content("#plate") == PLATE
        assert page.text_content("#status") == "Firma válida"
        assert page.is_hidden("#expired")
        fits(page, artifacts, "certificate-offline")
        cut = text.index(":") + 10
        changed = text[:cut] + ("A" if text[cut] != "A" else "B") + text[cut + 1 :]
        page.fill("#text", changed)
        page.click("#verify")
        page.wait_for_selector("#result[data-valid=false]")
        assert page.text_content("#status") == "Firma inválida"
        other = codec.encode(codec.decode(text, [signer.verifier_key()]), Signer.generate("x"))
        page.fill("#text", other)
        page.click("#verify")
        page.wait_for_selector("#result[data-valid=false]")
        assert "ninguna de las claves" in (page.text_content("#reason") or "")
        assert [u for u in requests if not u.startswith("file:")] == []
        assert problems == []
    finally:
        offline.close()
