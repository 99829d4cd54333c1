"""The log's public page ``/registro`` and the receipt page's proof, through TestClient (on
SQLite and PostgreSQL) and in Debian's Chromium (Playwright, on SQLite).

The app is the ``api`` fixture's, configured here with two witnesses (quorum 1), of which
one cosigns the latest checkpoint; the log's key is written after the app is built, so no
integrator thread runs and the test integrates with the test clock, by hand. The browser
drives a uvicorn server on the very same app (its runtime already started by the fixture),
so every date it shows comes from the test clock.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, update

from alcabala.config import Settings
from alcabala.db.engine import unit_of_work
from alcabala.ledger.checkpoint import Checkpoint
from alcabala.ledger.cosignature import cosign, witness_verifier_key
from alcabala.ledger.integrator import integrate
from alcabala.ledger.keys import Signer
from alcabala.ledger.keystore import key_path, write_signer
from alcabala.ledger.models import LogCheckpoint, latest_checkpoint

from ..conftest import settings_for
from .conftest import PHONE, csrf_of, fits

W1, W2 = Signer.generate("testigo-uno.example"), Signer.generate("testigo-dos.example")
PLATE, VIN = "XY999ZZ", "9BWZZZ377VT004251"


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """The shared settings, with two witnesses (that never answer) and a quorum of one."""
    witnesses = (
        ("http://127.0.0.1:9/uno", witness_verifier_key(W1)),
        ("http://127.0.0.1:9/dos", witness_verifier_key(W2)),
    )
    return settings_for(db_url, tmp_path / "data", witnesses=witnesses, witness_quorum=1)


@pytest.fixture
def logged(api: Any, engine: Engine, settings: Settings) -> dict[str, Any]:
    """A stop, integrated into the log, whose latest checkpoint W1 cosigned."""
    signer = Signer.generate(settings.log_origin)
    write_signer(key_path(settings), signer)
    body = {"check_id": str(uuid.uuid4()), "checkpoint": "GUA-ALDAO", "plate": PLATE, "vin": VIN}
    r = api.post("/v1/checks", json=body, headers=api.auth_for("officer"))
    assert r.status_code == 200, r.text
    while integrate(engine, signer, settings.log_origin, api.clock) is not None:
        pass
    with unit_of_work(engine) as s:
        latest = latest_checkpoint(s)
        assert latest is not None
        checkpoint = Checkpoint(settings.log_origin, latest.size, bytes(latest.root))
        line = cosign(checkpoint.body(), W1, int(api.clock.now().timestamp()))
        s.execute(
            update(LogCheckpoint)
            .where(LogCheckpoint.size == latest.size)
            .values(note=latest.note + line)
        )
    proof = api.get(f"/v1/receipts/{r.json()['receipt']}/proof")
    assert proof.status_code == 200, proof.text
    return {
        "receipt": r.json()["receipt"],
        "size": checkpoint.size,
        "root": checkpoint.body().split("\n")[2],
        "vkey": signer.verifier_key(),
        "proof": proof.text,
    }


def _post_proof(client: Any, text: str) -> Any:
    token = csrf_of(client.get("/registro").text)
    return client.post("/registro", data={"proof": text, "csrf_token": token})


def test_the_log_page_shows_the_latest_checkpoint(pages: Any, logged: dict[str, Any]) -> None:
    html = pages.client().get("/registro").text
    assert "El registro público" in html
    assert f'data-field="size">{logged["size"]}<' in html
    assert f'data-field="root">{logged["root"]}<' in html
    assert logged["vkey"] in html and "alcabala.example/log" in html
    assert "Verificada con la clave del registro" in html
    at = pages.now().strftime("%Y-%m-%d %H:%M:%S UTC")
    assert f'data-field="at">{at}<' in html  # the test clock's time, when it was signed
    rows = re.findall(r"<tr><td class=\"mono\">([^<]+)</td><td>(.*?)</td></tr>", html)
    assert [name for name, _ in rows] == ["testigo-uno.example", "testigo-dos.example"]
    assert rows[0][1] == at and "Todavía no" in rows[1][1]
    assert "Atestiguado" in html and "Deben cofirmar 1 de 2 testigos." in html
    english = pages.client(**{"Accept-Language": "en"}).get("/registro").text
    assert "The public log" in english and "Not yet" in english


def test_a_pasted_proof_is_verified(pages: Any, logged: dict[str, Any]) -> None:
    client = pages.client()
    pasted = logged["proof"].replace("\n", "\r\n").rstrip()  # as a textarea sends it
    r = _post_proof(client, pasted)
    assert r.status_code == 200, r.text
    assert 'data-status="verified"' in r.text
    assert f'data-field="receipt">{logged["receipt"]}<' in r.text
    assert 'data-field="checkpoint">GUA-ALDAO<' in r.text
    assert 'data-field="verdict">Sin novedad<' in r.text
    assert "testigo-uno.example" in r.text and "Atestiguado:" in r.text
    assert PLATE not in r.text and VIN not in r.text  # shown: what a receipt shows, no more
    changed = logged["proof"].replace("index ", "index 1", 1)
    refused = _post_proof(client, changed)
    assert refused.status_code == 422
    assert 'data-status="refused"' in refused.text and "La prueba no es válida" in refused.text
    assert refused.headers["x-alcabala-error"] == "proof_invalid"
    empty = _post_proof(client, "  ")
    assert empty.status_code == 422 and "Pegue el texto" in empty.text
    forged = client.post("/registro", data={"proof": logged["proof"]})
    assert forged.status_code == 403  # no CSRF token


def test_the_receipt_page_links_the_proof(pages: Any, logged: dict[str, Any]) -> None:
    code = logged["receipt"]
    html = pages.client().get("/receipt", params={"code": code}).text
    assert f'href="/v1/receipts/{code}/proof?download=1"' in html
    assert re.search(r'<figure[^>]*id="proof-qr"[^>]*><svg [^>]*class="qr"', html)
    assert "<title>Código QR de la prueba del comprobante</title>" in html
    assert f"http://testserver/v1/receipts/{code}/proof" in html
    missing = pages.client().get("/receipt", params={"code": "AAAAA-AAAAA"}).text
    assert "proof-qr" not in missing


# -- in the browser ------------------------------------------------------------------------


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_in_the_browser(
    browser: Any, served: str, logged: dict[str, Any], artifacts: Path, pages: Any
) -> None:
    context = browser.new_context(viewport=PHONE, locale="es-VE", accept_downloads=True)
    problems: list[str] = []
    context.on("weberror", lambda e: problems.append(str(e.error)))
    context.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text  # the 422
            else None
        ),
    )
    page = context.new_page()
    code = logged["receipt"]

    page.goto(f"{served}/receipt?code={code}")
    qr = page.locator("#proof-qr svg.qr")
    assert qr.is_visible() and qr.bounding_box()["width"] >= 100
    link = page.locator("#proof-download")
    assert link.get_attribute("href") == f"/v1/receipts/{code}/proof?download=1"
    with page.expect_download() as caught:
        link.click()
    download = caught.value
    assert download.suggested_filename == f"receipt-{code}.tlog-proof"
    proof = Path(download.path()).read_text(encoding="utf-8")
    assert proof.startswith("c2sp.org/tlog-proof@v1\n") and f"\n{logged['size']}\n" in proof
    fits(page, artifacts, "receipt-proof")

    page.goto(f"{served}/registro")
    assert page.text_content("[data-field=size]") == str(logged["size"])
    assert page.text_content("#witnesses tbody tr:first-child td:first-child") == (
        "testigo-uno.example"
    )
    page.fill("#f-proof", proof)
    page.click("#proof-form button[type=submit]")
    page.wait_for_selector("[data-status=verified]")
    assert page.text_content("[data-field=receipt]") == code
    assert "El comprobante está en el registro" in page.text_content("[data-status=verified]")
    fits(page, artifacts, "registro-verified")

    page.fill("#f-proof", proof.replace(f"\n{logged['size']}\n", f"\n{logged['size'] + 1}\n"))
    page.click("#proof-form button[type=submit]")
    page.wait_for_selector("[data-status=refused]")
    assert "La prueba no es válida" in page.text_content("[data-status=refused]")
    assert problems == []
    context.close()
