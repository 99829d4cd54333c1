"""In Chromium at 360 px, with no login: a complaint is filed (with a photo), its receipt
shows the code, the secret and — once the running integrator has logged it — the proof
and a QR code; the downloaded proof passes ``alcabala log verify-proof`` given only the
log's key and a witness's key; the follow-up page shows the status.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, update
from typer.testing import CliRunner

from alcabala.cli.main import app as cli
from alcabala.config import Settings
from alcabala.db.engine import unit_of_work
from alcabala.ledger.checkpoint import Checkpoint
from alcabala.ledger.cosignature import cosign, witness_verifier_key
from alcabala.ledger.integrator import Integrator
from alcabala.ledger.keys import Signer
from alcabala.ledger.keystore import key_path, write_signer
from alcabala.ledger.models import LogCheckpoint, latest_checkpoint

from .conftest import PHONE, fits

WITNESS = Signer.generate("testigo.example")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _cosign_latest(engine: Engine, settings: Settings, now: int) -> None:
    """What a witness's answer does: its cosignature appended to the latest checkpoint."""
    with unit_of_work(engine) as s:
        latest = latest_checkpoint(s)
        assert latest is not None
        body = Checkpoint(settings.log_origin, latest.size, bytes(latest.root)).body()
        line = cosign(body, WITNESS, now)
        s.execute(
            update(LogCheckpoint)
            .where(LogCheckpoint.size == latest.size)
            .values(note=latest.note + line)
        )


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_complaint_filed_in_the_browser_proves_itself(
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
    integrator = Integrator(engine, signer, settings.log_origin, api.clock, interval=0.2)
    integrator.start()
    context = browser.new_context(viewport=PHONE, locale="es-VE", accept_downloads=True)
    problems: list[str] = []
    context.on("weberror", lambda e: problems.append(str(e.error)))
    page = context.new_page()
    try:
        page.goto(f"{served}/complaints/new")
        fits(page, artifacts, "complaint-new")
        page.select_option("#f-category", "seizure_without_receipt")
        page.select_option("#f-subject_kind", "checkpoint")
        page.select_option("#f-checkpoint", "GUA-ALDAO")
        page.fill("#f-officer", "Sargento, placa terminada en 17")
        page.fill("#f-description", "Se llevaron dos cajas de la carga y no me dieron recibo.")
        photo = tmp_path / "carga.png"
        photo.write_bytes(PNG)
        page.set_input_files("#f-photos", str(photo))
        page.click("#complaint-form button[type=submit]")
        page.wait_for_selector("[data-status=filed]")
        code = page.text_content("#complaint-code") or ""
        secret = page.text_content("#complaint-secret") or ""
        assert code.startswith("D-") and secret
        page.wait_for_selector("#proof-part[data-ready='1']", timeout=15_000)
        qr = page.locator("#proof-qr svg.qr")
        assert qr.is_visible() and (qr.bounding_box() or {"width": 0})["width"] >= 100
        fits(page, artifacts, "complaint-receipt")

        _cosign_latest(engine, settings, int(api.clock.now().timestamp()))
        with page.expect_download() as caught:
            page.click("#proof-download")
        download = caught.value
        assert download.suggested_filename == f"complaint-{code}.tlog-proof"
        proof = tmp_path / download.suggested_filename
        download.save_as(str(proof))
        result = CliRunner().invoke(
            cli,
            [
                "log",
                "verify-proof",
                str(proof),
                "--vkey",
                signer.verifier_key(),
                "--witness",
                witness_verifier_key(WITNESS),
            ],
        )
        assert result.exit_code == 0, result.output
        assert f"ok: complaint {code}" in result.output
        assert "category:   seizure_without_receipt" in result.output
        assert "witnesses:  1 of 1 cosigned" in result.output

        page.goto(f"{served}/registro")  # the public log page checks it too
        page.fill("#f-proof", proof.read_text(encoding="utf-8"))
        page.click("#proof-form button[type=submit]")
        page.wait_for_selector("[data-status=verified]")
        assert page.text_content("[data-field=receipt]") == code
        assert page.text_content("[data-field=verdict]") == "Decomiso sin recibo"

        page.goto(f"{served}/complaints")
        page.fill("#f-code", code)
        page.fill("#f-secret", secret)
        page.click("form[action='/complaints'] button[type=submit]")
        page.wait_for_selector("#complaint-status[data-status=received]")
        assert "Decomiso sin recibo" in page.content()
        fits(page, artifacts, "complaint-status")
        assert problems == []
    finally:
        context.close()
        integrator.stop()
