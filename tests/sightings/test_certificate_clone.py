"""A pre-purchase certificate looks for clone alerts: with one open on the VIN or plate it
says so, signed, and is not sound; once the alert is closed a new certificate is."""

from __future__ import annotations

from typing import Any

from alcabala.certificates import codec

from ..helpers import post
from .test_alerts import PLATE, VIN, _alerts, _detect, _stop


def test_a_certificate_says_when_a_clone_alert_is_open(api: Any, log_signer: Any) -> None:
    post(
        api,
        "/v1/vehicles",
        "registrar",
        {"vin": VIN, "plate": PLATE, "engine_number": "K24A1234567"},
    )
    clean = post(api, "/v1/certificates", "registrar", {"vin": VIN, "plate": PLATE})
    assert clean["clone_alert"] is False and clean["sound"] is True
    _stop(api, plate="XY987ZW", vin=VIN)  # its VIN under another plate
    _detect(api)
    (alert,) = _alerts(api, kind="vin_two_plates")
    flagged = api.post("/v1/certificates", json={"vin": VIN, "plate": PLATE}).json()
    assert flagged["clone_alert"] is True and flagged["sound"] is False
    claims = codec.decode(flagged["text"], [log_signer.verifier_key()])
    assert claims.clone_alert is True and not claims.sound
    post(api, f"/v1/alerts/{alert['id']}/close", "oversight", {"reason": "x"}, 403)
    owner = api.get(f"/v1/alerts/{alert['id']}", headers=api.auth_for("supervisor"))
    assert owner.status_code == 200  # GNB: the checkpoint's agency owns it
    post(
        api, f"/v1/alerts/{alert['id']}/close", "supervisor", {"reason": "Error de digitación"}, 200
    )
    again = api.post("/v1/certificates", json={"vin": VIN, "plate": PLATE}).json()
    assert again["clone_alert"] is False and again["sound"] is True


def test_a_certificate_from_before_clone_alerts_commits_as_it_did(
    api: Any, engine: Any, log_signer: Any
) -> None:
    """``clone_alert`` came in a later migration: while NULL (a certificate issued before
    it) it is left out of the record, so the entries of those certificates still match."""
    from sqlalchemy import text

    from alcabala.certificates.models import Certificate
    from alcabala.db.base import table_of
    from alcabala.db.engine import read_session
    from alcabala.ledger.records import stored_records

    post(api, "/v1/vehicles", "registrar", {"vin": VIN, "plate": PLATE})
    issued = api.post("/v1/certificates", json={"vin": VIN, "plate": PLATE}).json()
    with read_session(engine) as s:
        cid = s.scalar(
            text("SELECT id FROM certificates WHERE serial = :s"), {"s": issued["serial"]}
        )
        now = stored_records(s, table_of(Certificate), [cid])[str(cid)]
    assert now["clone_alert"] is False
    with engine.begin() as conn:
        conn.execute(text("UPDATE certificates SET clone_alert = NULL WHERE id = :i"), {"i": cid})
    with read_session(engine) as s:
        before = stored_records(s, table_of(Certificate), [cid])[str(cid)]
    assert (
        "clone_alert" not in before
        and {k: v for k, v in now.items() if k != "clone_alert"} == before
    )
