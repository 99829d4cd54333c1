"""Complaints over the JSON API, on SQLite and PostgreSQL: filed with no login, followed
with the code and the secret, proven by the log, moved by oversight only, never edited.

- a complaint about a stop takes the stop's checkpoint and the officer's agency; its
  receipt holds a code, a secret and a promise the log's key signed over the very leaf
  the log then contains; its tlog proof verifies offline, and again after it was moved;
- a wrong secret and an unknown code answer the same 404;
- the agency complained about sees and answers it, but cannot move it; oversight can,
  with a reason, along the lifecycle only, and each move and note is a log entry;
- no complaint route edits or deletes (no PUT, PATCH or DELETE under any complaint path);
- bad input names its field and stores nothing; a repeat within the hour is refused;
- filing is rate-limited per address.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from alcabala.cli.main import app as cli
from alcabala.complaints.models import Complaint, ComplaintNote, ComplaintTransition
from alcabala.complaints.promise import verify_promise
from alcabala.config import Settings
from alcabala.db.engine import read_session
from alcabala.ledger.keys import Signer
from alcabala.ledger.merkle import leaf_hash
from alcabala.ledger.models import LogEntry
from alcabala.ledger.proof import verify_receipt_proof

from ..api.test_roles import app_routes
from ..helpers import integrate_all

runner = CliRunner()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
TEXT = "The officer asked for 20 dollars to let us go on without a fine."


def _stop(api: Any) -> str:
    body = {"check_id": str(uuid.uuid4()), "checkpoint": "GUA-ALDAO", "plate": "AB123CD"}
    r = api.post("/v1/checks", json=body, headers=api.auth_for("officer"))
    assert r.status_code == 200, r.text
    return str(r.json()["receipt"])


def _file(api: Any, **changes: Any) -> Any:
    body = {"category": "bribe", "subject_kind": "checkpoint", "checkpoint": "GUA-ALDAO"}
    body |= {"description": TEXT, **changes}
    return api.post("/v1/complaints", json=body)


def _count(engine: Engine, model: Any) -> int:
    with read_session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_a_complaint_about_a_stop_is_received_promised_and_proven(
    api: Any, engine: Engine, settings: Settings, clock: Any, log_signer: Signer
) -> None:
    receipt = _stop(api)
    photo = base64.b64encode(PNG).decode()
    r = _file(
        api,
        subject_kind="stop",
        receipt=receipt.lower(),
        checkpoint=None,
        photos=[{"content_type": "image/png", "data": photo}],
        contact="someone@example.org",
    )
    assert r.status_code == 201, r.text
    filed = r.json()
    code, secret = filed["code"], filed["secret"]
    assert code.startswith("D-") and len(secret) >= 20 and filed["status"] == "received"

    with read_session(engine) as s:
        complaint = s.scalar(select(Complaint).where(Complaint.code == code))
        assert complaint is not None
        assert complaint.secret_hash != secret  # only its hash is stored
        assert complaint.photos == [hashlib.sha256(PNG).hexdigest()]
        entry = s.scalar(select(LogEntry.entry).where(LogEntry.ref_kind == "complaints"))
        assert entry is not None
    vkey = log_signer.verifier_key()
    promise = verify_promise(filed["promise"], [vkey])
    assert promise.code == code and promise.leaf_hash == leaf_hash(bytes(entry))

    # Before the integrator runs there is no proof yet: 503 and when to ask again.
    pending = api.get(filed["proof_url"], headers={"X-Complaint-Secret": secret})
    assert pending.status_code == 503 and pending.headers["retry-after"] == "1"
    integrate_all(engine, log_signer, settings.log_origin, clock)
    proof = api.get(filed["proof_url"], params={"secret": secret, "download": "1"})
    assert proof.status_code == 200, proof.text
    assert f"complaint-{code}.tlog-proof" in proof.headers["content-disposition"]
    proven = verify_receipt_proof(proof.text, [vkey], [])
    assert proven.data.type == "complaint.created" and proven.data.agency == "GNB"
    assert proven.record["code"] == code and proven.record["receipt"] == receipt
    assert proven.leaf_hash == promise.leaf_hash

    # The complainant follows it; the agency complained about sees it, answers, cannot move.
    mine = api.get(f"/v1/complaints/{code}", headers={"X-Complaint-Secret": secret}).json()
    assert mine["checkpoint"] == "GUA-ALDAO" and mine["agency"] == "GNB"
    assert mine["contact"] is None  # the complainant's own view does not echo it back
    seen = api.get(f"/v1/oversight/complaints/{code}", headers=api.auth_for("supervisor"))
    assert seen.status_code == 200 and seen.json()["contact"] == "someone@example.org"
    answer = api.post(
        f"/v1/oversight/complaints/{code}/notes",
        json={"text": "We are looking into the shift of that day."},
        headers=api.auth_for("supervisor"),
    )
    assert answer.status_code == 201 and answer.json()["notes"][0]["kind"] == "answer"
    close = api.post(
        f"/v1/oversight/complaints/{code}/moves",
        json={"to": "under_review", "reason": "mine now"},
        headers=api.auth_for("supervisor"),
    )
    assert close.status_code == 403

    # Oversight moves it, with reasons, along the lifecycle only.
    ombudsman = api.auth_for("oversight")
    skip = api.post(
        f"/v1/oversight/complaints/{code}/moves",
        json={"to": "resolved", "reason": "done"},
        headers=ombudsman,
    )
    assert skip.status_code == 409 and skip.json()["error"]["code"] == "illegal_transition"
    for to in ("under_review", "resolved"):
        moved = api.post(
            f"/v1/oversight/complaints/{code}/moves",
            json={"to": to, "reason": f"moved to {to}"},
            headers=ombudsman,
        )
        assert moved.status_code == 200, moved.text
    again = api.post(
        f"/v1/oversight/complaints/{code}/moves",
        json={"to": "dismissed", "reason": "no"},
        headers=ombudsman,
    )
    assert again.status_code == 409
    info = api.post(
        f"/v1/complaints/{code}/information",
        json={"secret": secret, "text": "The officer's badge ended in 17."},
    )
    assert info.status_code == 201
    mine = api.get(f"/v1/complaints/{code}", headers={"X-Complaint-Secret": secret}).json()
    assert mine["status"] == "resolved"
    assert [t["to_state"] for t in mine["transitions"]] == ["under_review", "resolved"]
    assert [n["kind"] for n in mine["notes"]] == ["answer", "information"]
    assert all(n["author"] is None for n in mine["notes"])  # staff names stay internal

    # Each move and note is an entry; the filed record never changed, so it still proves.
    with read_session(engine) as s:
        types = list(s.scalars(select(LogEntry.ref_kind).order_by(LogEntry.id)))
    assert types.count("complaint_transitions") == 2 and types.count("complaint_notes") == 2
    integrate_all(engine, log_signer, settings.log_origin, clock)
    later = api.get(filed["proof_url"], params={"secret": secret})
    assert verify_receipt_proof(later.text, [vkey], []).size > proven.size


def test_the_proof_verifies_with_the_command(
    api: Any, engine: Engine, settings: Settings, clock: Any, log_signer: Signer, tmp_path: Any
) -> None:
    filed = _file(api).json()
    integrate_all(engine, log_signer, settings.log_origin, clock)
    text = api.get(filed["proof_url"], params={"secret": filed["secret"]}).text
    path = tmp_path / "complaint.tlog-proof"
    path.write_text(text)
    result = runner.invoke(
        cli, ["log", "verify-proof", str(path), "--vkey", log_signer.verifier_key()]
    )
    assert result.exit_code == 0, result.output
    assert f"complaint {filed['code']}" in result.output
    assert "category:   bribe" in result.output
    extra = text.split("\n")[1]
    changed = extra[:20] + ("A" if extra[20] != "A" else "B") + extra[21:]
    path.write_text(text.replace(extra, changed))
    bad = runner.invoke(
        cli, ["log", "verify-proof", str(path), "--vkey", log_signer.verifier_key()]
    )
    assert bad.exit_code == 1


def test_wrong_secret_and_unknown_code_answer_alike(api: Any, log_signer: Signer) -> None:
    filed = _file(api).json()
    wrong = api.get(f"/v1/complaints/{filed['code']}", headers={"X-Complaint-Secret": "nope"})
    unknown = api.get("/v1/complaints/D-00000-00000", headers={"X-Complaint-Secret": "nope"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    missing = api.get(f"/v1/complaints/{filed['code']}")
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "secret"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "rudeness"}, "category"),
        ({"description": "short"}, "description"),
        ({"subject_kind": "stop", "receipt": "ZZZZZ-ZZZZZ"}, "receipt"),
        ({"checkpoint": "NOWHERE"}, "checkpoint"),
        ({"subject_kind": "officer", "checkpoint": None}, "officer"),
        ({"subject_kind": "agency", "checkpoint": None}, "agency"),
        ({"photos": [{"content_type": "image/png", "data": "not base64!"}]}, "photos.0.data"),
        ({"photos": [{"content_type": "image/gif", "data": "R0lG"}]}, "photos.0.content_type"),
        (
            {"photos": [{"content_type": "image/jpeg", "data": base64.b64encode(PNG).decode()}]},
            "photos.0",
        ),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    api: Any, engine: Engine, changes: dict[str, Any], field: str
) -> None:
    entries = _count(engine, LogEntry)
    r = _file(api, **changes)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field
    assert _count(engine, Complaint) == 0 and _count(engine, LogEntry) == entries


def test_the_same_complaint_twice_within_the_hour_is_refused(
    api: Any, engine: Engine, clock: Any
) -> None:
    assert _file(api).status_code == 201
    again = _file(api, description="  " + TEXT.upper() + " ")
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate_complaint"
    assert _file(api, description=TEXT + " And he kept my licence.").status_code == 201
    clock.advance(dt.timedelta(hours=1, seconds=1))
    assert _file(api).status_code == 201
    assert _count(engine, Complaint) == 3


def test_filing_is_rate_limited_per_address(api: Any, settings: Settings) -> None:
    answers = [
        _file(api, description=f"{TEXT} Number {i}.").status_code
        for i in range(settings.complaints_per_hour + 2)
    ]
    assert answers[: settings.complaints_per_hour] == [201] * settings.complaints_per_hour
    assert answers[-1] == 429


def test_no_route_edits_or_deletes_a_complaint() -> None:
    routes = [(m, p) for m, p in app_routes() if "complaint" in p]
    assert len(routes) >= 9
    assert {m for m, _ in routes} == {"GET", "POST"}
    for method, path in routes:  # every POST adds: a complaint, a move, a note
        if method == "POST":
            assert path.endswith(("/complaints", "/moves", "/notes", "/information")), path


def test_oversight_cannot_handle_a_complaint_about_its_own_agency(api: Any, engine: Engine) -> None:
    filed = _file(api, subject_kind="agency", checkpoint=None, agency="DDP").json()
    r = api.post(
        f"/v1/oversight/complaints/{filed['code']}/moves",
        json={"to": "under_review", "reason": "ours"},
        headers=api.auth_for("oversight"),
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_owner"
    assert _count(engine, ComplaintTransition) == 0 and _count(engine, ComplaintNote) == 0
