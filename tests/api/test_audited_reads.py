"""Every API route that returns personal data audits the read, in the service.

The table below lists each GET route as naming people or vehicles (with the role that reads
it and the subject its audit row must name) or as naming nobody. A route missing from the
table fails the test, so no read can be added without deciding whether it is audited.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, select

from alcabala.accounts.models import AuditEntry, User
from alcabala.db.engine import read_session
from alcabala.ledger.integrator import integrate

from ..helpers import post
from ..ledger.test_integrator import ORIGIN, SIGNER
from .test_roles import app_routes

VIN, PLATE, NID = "1M8GDM9AXKP042788", "AB123CD", "V7654321"
# (path template, reading role, subject kind, subject the audit row names)
PERSONAL: dict[str, tuple[str, str, str]] = {
    "/v1/vehicles/{vin}": ("officer", "vehicle", VIN),
    "/v1/stolen-reports/{report_id}": ("officer", "vehicle", VIN),
    "/v1/persons/{country}/{national_id}": ("registrar", "person", NID),
    "/v1/warrants/{warrant_id}": ("supervisor", "person", NID),
    "/v1/permits/{permit_id}": ("officer", "vehicle", "XY999ZZ"),
    "/v1/permits/by-number/{number}": ("livestock", "vehicle", "XY999ZZ"),
    "/v1/checks/{check_id}": ("auditor", "person", NID),
    "/v1/hits": ("registrar", "vehicle", VIN),
    "/v1/records/due": ("supervisor", "vehicle", VIN),
    "/v1/audit": ("auditor", "vehicle", VIN),
    "/v1/public/vehicles/{vin_or_plate}": ("", "vehicle", PLATE),
    # The proof carries the receipt's record (plate, VIN): its holder's read is audited.
    "/v1/receipts/{code}/proof": ("", "vehicle", PLATE),
    # A complaint names its complainant's contact and an officer: staff reads are audited.
    "/v1/oversight/complaints/{complaint}": ("oversight", "complaint", "{complaint}"),
    # A certificate names a vehicle (never its owner): reading one is a lookup of its VIN.
    "/v1/certificates/{serial}": ("", "vehicle", VIN),
    # A seizure names the persons detained; its proof's record names any vehicle seized.
    "/v1/seizures/{seizure}": ("supervisor", "seizure", "{seizure}"),
    "/v1/seizures/{seizure}/proof": ("", "seizure", "{seizure}"),
    "/v1/custody/items/{seizure}/{item}/history": ("oversight", "seized_item", "{seizure}/1"),
    "/v1/custody/outcomes/{outcome_id}": ("auditor", "seizure", "{seizure}"),
    # The unapproved detentions name their persons.
    "/v1/custody/oversight": ("oversight", "person", NID),
    # Alerts name plates, VINs and people (here a lead: a warrant after the person's stop).
    "/v1/alerts": ("registrar", "person", NID),
    "/v1/alerts/{alert_id}": ("registrar", "person", NID),
}
# The log's read API names nobody: entries hold only salted commitments.
NAMELESS = {
    "/v1/checkpoints",
    "/v1/receipts/{code}",
    "/healthz",
    "/log/checkpoint",
    "/log/tile/{path:path}",
    "/v1/log/proofs/inclusion",
    "/v1/log/proofs/consistency",
    # Counts, and codes and categories only; the complainant's own reads, behind the secret.
    "/v1/complaints/stats",
    "/v1/complaints/stats.csv",
    "/v1/oversight/complaints",
    "/v1/complaints/{complaint}",
    "/v1/complaints/{complaint}/proof",
    "/v1/certificates/keys",
    # What was taken, no names and no full serials; codes of locations and transfers.
    "/v1/seizures/{seizure}/receipt",
    "/v1/custody/locations",
    "/v1/custody/transfers",
}


@pytest.fixture
def world(api: Any, engine: Engine, log_signer: Any) -> dict[str, str]:
    """A stolen car, a wanted person, a permit and a check that hit both; returns path values."""
    post(api, "/v1/vehicles", "registrar", {"vin": VIN, "plate": PLATE})
    report = post(
        api, f"/v1/vehicles/{VIN}/stolen-reports", "registrar", {"number": "R-1", "agency": "CICPC"}
    )
    warrant = post(
        api,
        "/v1/warrants",
        "registrar",
        {
            "number": "W-1", "agency": "CICPC", "national_id": NID, "court": "Tribunal 3",
            "case_number": "3C-1", "offence": "Robo",
            "issued_at": api.clock.now().isoformat(),
        },
    )  # fmt: skip
    post(api, "/v1/premises", "livestock", {"code": "P-1", "name": "Hato Uno"})
    post(api, "/v1/premises", "livestock", {"code": "P-2", "name": "Hato Dos"})
    now = api.clock.now()
    permit = post(
        api,
        "/v1/permits",
        "livestock",
        {
            "number": "G-1", "issuer": "INSAI", "origin_premises": "P-1",
            "destination_premises": "P-2", "vehicle_plate": "XY999ZZ",
            "valid_from": (now - dt.timedelta(hours=1)).isoformat(),
            "valid_to": (now + dt.timedelta(days=1)).isoformat(),
            "lines": [{"species": "bovine", "head_count": 3}],
        },
    )  # fmt: skip
    check_id = str(uuid.uuid4())
    r = api.post(
        "/v1/checks",
        json={
            "check_id": check_id, "checkpoint": "GUA-ALDAO", "plate": PLATE,
            "people": [{"national_id": NID}], "reason": "operativo",
        },
        headers=api.auth_for("officer"),
    )  # fmt: skip
    assert r.status_code == 200 and r.json()["verdict"] == "hit", r.text
    seizure = post(api, "/v1/seizures", "officer", {
        "check_id": check_id, "items": [{"kind": "vehicle", "description": "Sedán", "vin": VIN}],
        "detained": [{"national_id": NID, "basis": "reason", "reason": "Conducía el vehículo"}],
    })  # fmt: skip
    post(api, "/v1/warrants", "registrar", {
        "number": "W-2", "agency": "CICPC", "national_id": NID, "court": "Tribunal 3",
        "case_number": "3C-2", "offence": "Robo", "issued_at": api.clock.now().isoformat(),
    })  # fmt: skip
    (lead,) = api.get("/v1/alerts", headers=api.auth_for("registrar")).json()
    label = seizure["items"][0]["label"]
    move = post(api, "/v1/custody/transfers", "officer",
                {"items": [label], "to": "custodian", "purpose": "Depósito"})  # fmt: skip
    post(api, f"/v1/custody/transfers/{move['id']}/receive", "custodian", {}, 200)
    outcome = post(
        api,
        f"/v1/seizures/{seizure['code']}/releases",
        "custodian",
        {"to": "owner", "recipient": "Ana Díaz", "lines": [{"label": label}]},
    )
    while integrate(engine, SIGNER, ORIGIN, api.clock) is not None:
        pass  # the check's log entry, so that its receipt has a proof
    complaint = api.post(
        "/v1/complaints",
        json={"category": "bribe", "subject_kind": "stop", "receipt": r.json()["receipt"],
              "description": "Asked for money to let us go."},
    )  # fmt: skip
    assert complaint.status_code == 201, complaint.text
    certificate = api.post("/v1/certificates", json={"vin": VIN, "plate": PLATE})
    assert certificate.status_code == 201, certificate.text
    return {
        "alert_id": str(lead["id"]),
        "seizure": seizure["code"],
        "item": "1",
        "outcome_id": str(outcome["id"]),
        "serial": certificate.json()["serial"],
        "complaint": complaint.json()["code"],
        "code": r.json()["receipt"],
        "vin": VIN,
        "report_id": str(report["id"]),
        "country": "VE",
        "national_id": NID,
        "warrant_id": str(warrant["id"]),
        "permit_id": str(permit["id"]),
        "number": "G-1",
        "check_id": check_id,
        "vin_or_plate": PLATE,
    }


def test_every_get_route_is_classified() -> None:
    gets = {path for method, path in app_routes() if method == "GET"}
    assert gets == set(PERSONAL) | NAMELESS


def _audit_rows(engine: Any) -> list[AuditEntry]:
    with read_session(engine) as s:
        return list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))


@pytest.mark.parametrize("template", sorted(PERSONAL))
def test_each_personal_read_writes_an_audit_row(
    api: Any, engine: Any, world: dict[str, str], template: str
) -> None:
    role, kind, subject = PERSONAL[template]
    url, subject = template.format(**world), subject.format(**world)
    query = {"reason": "case 3C-1", "vehicle": VIN} if template == "/v1/audit" else {}
    query.setdefault("reason", "case 3C-1")
    if template == "/v1/records/due":
        api.clock.advance(dt.timedelta(days=120))  # the report and the warrant are due now
    if template == "/v1/custody/oversight":
        api.clock.advance(dt.timedelta(hours=5))  # the detention is unapproved past due
    before = len(_audit_rows(engine))
    headers = api.auth_for(role) if role else {}
    r = api.get(url, params=query, headers=headers)
    assert r.status_code == 200, (template, r.text)
    new = _audit_rows(engine)[before:]
    assert any(e.subject_kind == kind and e.subject == subject for e in new), (
        template,
        [(e.action, e.subject_kind, e.subject) for e in new],
    )
    with read_session(engine) as s:
        user_id = s.scalar(select(User.id).where(User.username == role)) if role else None
    for entry in new:
        assert entry.user_id == user_id and entry.client == "api"
        assert entry.role == (role or None)


@pytest.mark.parametrize(
    ("template", "role"),
    [
        ("/v1/vehicles/{vin}", "officer"),
        ("/v1/vehicles/{vin}", "registrar"),
        ("/v1/persons/{country}/{national_id}", "registrar"),
        ("/v1/warrants/{warrant_id}", "registrar"),
        ("/v1/stolen-reports/{report_id}", "registrar"),
        ("/v1/permits/{permit_id}", "officer"),
    ],
)
def test_officers_and_registrars_must_say_why(
    api: Any, engine: Any, world: dict[str, str], template: str, role: str
) -> None:
    before = len(_audit_rows(engine))
    r = api.get(template.format(**world), headers=api.auth_for(role))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == "reason"
    assert len(_audit_rows(engine)) == before, "a refused lookup reads and records nothing"


def test_a_lookup_that_finds_nothing_is_still_audited(api: Any, engine: Any) -> None:
    r = api.get(
        "/v1/vehicles/9BWZZZ377VT004251", params={"reason": "tip"}, headers=api.auth_for("officer")
    )
    assert r.status_code == 404
    (entry,) = _audit_rows(engine)
    assert (entry.subject, entry.reason, entry.role) == ("9BWZZZ377VT004251", "tip", "officer")
