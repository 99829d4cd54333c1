"""Pre-purchase certificates over the JSON API, on SQLite and PostgreSQL.

- a certificate is issued with no login for a VIN and plate registered together, names no
  owner, and verifies with nothing but the log's public key (offline, and with the CLI);
- a VIN and a plate that are not one vehicle get a 422 naming ``plate`` and no row, the
  same whether the VIN is unknown or the plate belongs to another;
- a stolen report or a retirement filed while it is in force supersedes it, as a log
  entry, and the buyer who left an address is told; online verification says so;
- an expired certificate still verifies its signature but is not valid any more;
- the serial numbers are consistent only when the engine is registered to this VIN alone
  and the latest inspection read the same numbers; a registrar records inspections;
- requests are rate-limited per address; a server without a log key refuses with a 503.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from alcabala.accounts.models import AuditEntry
from alcabala.certificates import codec
from alcabala.certificates.models import Certificate, CertificateTransition
from alcabala.cli.main import app as cli
from alcabala.config import Settings
from alcabala.db.engine import read_session
from alcabala.ledger.keys import Signer
from alcabala.ledger.models import LogEntry
from alcabala.notifications.models import Notification

from ..api.test_roles import app_routes

runner = CliRunner()
VIN = "1HGCM82633A004352"
OTHER_VIN = "2T1BURHE5JC034461"
PLATE = "AB123CD"
ENGINE = "K24A1234567"


def _register(api: Any, vin: str = VIN, plate: str = PLATE, **more: Any) -> None:
    body = {"vin": vin, "plate": plate, "make": "Honda", "model": "Accord", "year": 2003}
    body |= {"colour": "gris", "owner_national_id": "V-12345678"} | more
    r = api.post("/v1/vehicles", json=body, headers=api.auth_for("registrar"))
    assert r.status_code == 201, r.text


def _ask(api: Any, vin: str = VIN, plate: str = PLATE, **more: Any) -> Any:
    return api.post("/v1/certificates", json={"vin": vin, "plate": plate, **more})


def _count(engine: Engine, model: Any) -> int:
    with read_session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_a_certificate_is_issued_and_verifies_offline_with_only_the_public_key(
    api: Any, engine: Engine, settings: Settings, log_signer: Signer, tmp_path: Any
) -> None:
    _register(api, engine_number=ENGINE)
    r = _ask(api, vin=VIN.lower(), plate="ab-123-cd")
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["serial"].startswith("C-") and out["status"] == "valid" and out["sound"]
    assert (out["vin"], out["plate"], out["make"], out["year"]) == (VIN, PLATE, "Honda", 2003)
    assert out["consistent"] and not out["stolen"] and not out["retired"]
    issued = dt.datetime.fromisoformat(out["issued_at"])
    assert dt.datetime.fromisoformat(out["expires_at"]) - issued == dt.timedelta(hours=72)
    assert "12345678" not in r.text  # no owner
    # Only the public key: the claims come back from the text alone.
    claims = codec.decode(out["text"], [log_signer.verifier_key()])
    assert (claims.serial, claims.vin, claims.plate) == (out["serial"], VIN, PLATE)
    assert claims.sound and claims.clone_alert is False  # looked for: none open
    # The certificate names its own log entry (the first 16 bytes of its leaf hash).
    with read_session(engine) as s:
        cert = s.scalar(select(Certificate).where(Certificate.serial == out["serial"]))
        assert cert is not None and cert.text == out["text"]
        entry = s.scalar(
            select(LogEntry.entry).where(
                LogEntry.ref_kind == "certificates", LogEntry.ref_id == str(cert.id)
            )
        )
    from alcabala.ledger.merkle import leaf_hash

    assert entry is not None and leaf_hash(bytes(entry))[:16] == claims.log_leaf
    assert api.get("/v1/certificates/keys").json()[0] == log_signer.verifier_key()
    # The CLI verifies offline, from the text or from a file.
    path = tmp_path / "cert.txt"
    path.write_text(out["text"] + "\n")
    ok = runner.invoke(cli, ["cert", "verify", str(path), "--key", log_signer.verifier_key()])
    assert ok.exit_code == 0, ok.output
    assert VIN in ok.output and out["serial"] in ok.output
    stranger = Signer.generate(settings.log_origin).verifier_key()
    bad = runner.invoke(cli, ["cert", "verify", out["text"], "--key", stranger])
    assert bad.exit_code == 1 and "none of the keys" in bad.output
    # Read back by serial, typed loosely.
    again = api.get(f"/v1/certificates/{out['serial'].lower().replace('-', '')}")
    assert again.status_code == 200 and again.json()["text"] == out["text"]


def test_a_vin_and_plate_that_are_not_one_vehicle_get_no_certificate(
    api: Any, engine: Engine, log_signer: Signer
) -> None:
    _register(api)
    _register(api, vin=OTHER_VIN, plate="XY987ZW")
    answers = [
        _ask(api, plate="XY987ZW"),  # the plate of another vehicle
        _ask(api, plate="ZZ000ZZ"),  # a plate of none
        _ask(api, vin="5YJSA1E27HF000337"),  # a VIN of none
    ]
    for r in answers:
        assert r.status_code == 422, r.text
        assert r.json()["error"]["field"] == "plate"
        assert r.json()["error"]["code"] == "vin_plate_mismatch"
    assert len({r.json()["error"]["message"] for r in answers}) == 1
    bad_vin = _ask(api, vin="1HGCM82633A00435X")
    assert bad_vin.status_code == 422 and bad_vin.json()["error"]["field"] == "vin"
    bad_contact = _ask(api, contact="not an address")
    assert bad_contact.status_code == 422 and bad_contact.json()["error"]["field"] == "contact"
    assert _count(engine, Certificate) == 0
    with read_session(engine) as s:  # each refused request is still an audited lookup
        audited = s.scalars(select(AuditEntry.subject).where(AuditEntry.action == "certificate"))
        assert sorted(audited) == sorted([VIN, VIN, "5YJSA1E27HF000337"])


def test_a_later_stolen_report_supersedes_it_and_tells_the_buyer(
    api: Any, engine: Engine, log_signer: Signer
) -> None:
    _register(api, engine_number=ENGINE)
    out = _ask(api, contact="comprador@example.org").json()
    assert "comprador" not in str(out)
    before = api.post("/v1/certificates/verify", json={"text": out["text"]}).json()
    assert before["valid"] and before["status"] == "valid"
    r = api.post(
        f"/v1/vehicles/{VIN}/stolen-reports",
        json={"number": "CICPC-2026-0001"},
        headers=api.auth_for("registrar"),
    )
    assert r.status_code == 201, r.text
    after = api.post("/v1/certificates/verify", json={"text": out["text"]}).json()
    assert not after["valid"] and after["status"] == "superseded" and not after["expired"]
    assert "CICPC-2026-0001" in after["superseded_reason"]
    with read_session(engine) as s:
        move = s.scalar(select(CertificateTransition))
        assert move is not None and move.to_state == "superseded"
        logged = s.scalar(
            select(func.count())
            .select_from(LogEntry)
            .where(LogEntry.ref_kind == "certificate_transitions", LogEntry.ref_id == str(move.id))
        )
        assert logged == 1
        told = s.scalars(
            select(Notification).where(Notification.kind == "certificate_superseded")
        ).all()
    assert [n.to_address for n in told] == ["comprador@example.org"]
    assert out["serial"] in told[0].subject and out["serial"] in told[0].body
    # A new certificate now says stolen.
    fresh = _ask(api).json()
    assert fresh["stolen"] and not fresh["sound"]
    assert codec.decode(fresh["text"], [log_signer.verifier_key()]).stolen


def test_a_retirement_supersedes_only_certificates_in_force(
    api: Any, engine: Engine, clock: Any, log_signer: Signer
) -> None:
    _register(api, engine_number=ENGINE)
    old = _ask(api).json()
    clock.advance(dt.timedelta(hours=73))  # expired: left as it was
    current = _ask(api).json()
    r = api.post(
        f"/v1/vehicles/{VIN}/retirements",
        json={"kind": "scrapped", "reference": "CHAT-1"},
        headers=api.auth_for("registrar"),
    )
    assert r.status_code == 201, r.text
    seen = {
        c["serial"]: api.post("/v1/certificates/verify", json={"text": c["text"]}).json()
        for c in (old, current)
    }
    assert seen[old["serial"]]["status"] == "valid" and seen[old["serial"]]["expired"]
    assert not seen[old["serial"]]["valid"]
    assert seen[current["serial"]]["status"] == "superseded"
    assert "retired" in seen[current["serial"]]["superseded_reason"]
    assert _count(engine, Notification) == 0  # nobody left an address


def test_serial_numbers_are_consistent_only_when_engine_and_inspection_agree(
    api: Any, log_signer: Signer
) -> None:
    _register(api)  # no engine number on file
    assert not _ask(api).json()["consistent"]
    _register(api, vin=OTHER_VIN, plate="XY987ZW", engine_number=ENGINE)
    assert _ask(api, vin=OTHER_VIN, plate="XY987ZW").json()["consistent"]
    photo = hashlib.sha256(b"photo").hexdigest()
    inspection = {"place": "CICPC San Juan", "vin_seen": OTHER_VIN, "engine_seen": ENGINE}
    officer = api.post(
        f"/v1/vehicles/{OTHER_VIN}/inspections",
        json=inspection,
        headers=api.auth_for("officer"),
    )
    assert officer.status_code == 403
    r = api.post(
        f"/v1/vehicles/{OTHER_VIN}/inspections",
        json=inspection | {"photos": [photo.upper()]},
        headers=api.auth_for("registrar"),
    )
    assert r.status_code == 201, r.text
    assert r.json()["matches"] and r.json()["photos"] == [photo]
    seen = _ask(api, vin=OTHER_VIN, plate="XY987ZW").json()
    claims = codec.decode(seen["text"], [log_signer.verifier_key()])
    assert claims.consistent and claims.inspection is not None and claims.inspection.ok
    assert claims.inspection.place == "CICPC San Juan"
    bad = api.post(
        f"/v1/vehicles/{OTHER_VIN}/inspections",
        json=inspection | {"photos": ["abc"]},
        headers=api.auth_for("registrar"),
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "photos"
    # An inspection reading another engine: what was issued is superseded, and from now
    # on the numbers are not consistent.
    r = api.post(
        f"/v1/vehicles/{OTHER_VIN}/inspections",
        json=inspection | {"engine_seen": "ZZ99999999"},
        headers=api.auth_for("registrar"),
    )
    assert r.status_code == 201 and not r.json()["matches"]
    after = api.post("/v1/certificates/verify", json={"text": seen["text"]}).json()
    assert after["status"] == "superseded" and "inspection" in after["superseded_reason"]
    assert not _ask(api, vin=OTHER_VIN, plate="XY987ZW").json()["consistent"]


def test_verification_names_what_is_wrong(api: Any, settings: Settings, log_signer: Signer) -> None:
    _register(api, engine_number=ENGINE)
    text = _ask(api).json()["text"]
    for bad, field in [
        ("hello", "certificate"),
        (text[:-3] + ("A" if text[-3] != "A" else "B") + text[-2:], "certificate"),
    ]:
        r = api.post("/v1/certificates/verify", json={"text": bad})
        assert r.status_code == 422, r.text
        assert r.json()["error"]["field"] == field
    other = codec.encode(
        codec.decode(text, [log_signer.verifier_key()]), Signer.generate(settings.log_origin)
    )
    r = api.post("/v1/certificates/verify", json={"text": other})
    assert r.status_code == 422 and r.json()["error"]["field"] == "key"
    assert api.get("/v1/certificates/C-00000-00000").status_code == 404


def test_requests_are_rate_limited_and_need_a_log_key(
    api: Any, settings: Settings, engine: Engine
) -> None:
    _register(api, engine_number=ENGINE)
    no_key = _ask(api)
    assert no_key.status_code == 503 and no_key.json()["error"]["code"] == "no_log_key"
    assert _count(engine, Certificate) == 0
    api.app.state.log_signer = None  # the key appears: it is read again
    from alcabala.ledger.keystore import key_path, write_signer

    write_signer(key_path(settings), Signer.generate(settings.log_origin))
    left = settings.certificates_per_hour - 1  # the refused request counted too
    codes = [_ask(api).status_code for _ in range(left + 1)]
    assert codes == [201] * left + [429]
    assert _count(engine, Certificate) == left


def test_no_route_edits_or_deletes_a_certificate() -> None:
    methods = {m for m, p in app_routes() if p.startswith("/v1/certificates")}
    assert methods == {"GET", "POST"}
