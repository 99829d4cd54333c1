"""``GET /v1/receipts/{code}/proof`` and ``alcabala log verify-proof``, on SQLite and
PostgreSQL: a stop posted, integrated, its proof fetched and verified offline; a changed
byte, a wrong key, a pending stop, an unknown code; and a witness's cosignature counted.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from typer.testing import CliRunner

from alcabala.accounts.models import AuditEntry
from alcabala.checks.models import Check
from alcabala.cli.main import app as cli
from alcabala.config import Settings
from alcabala.db.engine import read_session, unit_of_work
from alcabala.ledger.checkpoint import Checkpoint
from alcabala.ledger.cosignature import cosign, witness_verifier_key
from alcabala.ledger.integrator import integrate
from alcabala.ledger.keys import Signer
from alcabala.ledger.models import LogCheckpoint, LogEntry, latest_checkpoint
from alcabala.ledger.proof import verify_receipt_proof

PLATE, VIN = "XY999ZZ", "9BWZZZ377VT004251"
runner = CliRunner()


def _check(api: Any, **stop: Any) -> dict[str, Any]:
    body = {"check_id": str(uuid.uuid4()), "checkpoint": "GUA-ALDAO", **stop}
    r = api.post("/v1/checks", json=body, headers=api.auth_for("officer"))
    assert r.status_code == 200, r.text
    return dict(r.json())


def _integrate(engine: Engine, settings: Settings, clock: Any, signer: Signer) -> None:
    while integrate(engine, signer, settings.log_origin, clock) is not None:
        pass


def _verify(path: Path, *args: str) -> Any:
    return runner.invoke(cli, ["log", "verify-proof", str(path), *args])


@pytest.fixture
def signer(settings: Settings) -> Signer:
    return Signer.generate(settings.log_origin)


def test_a_stop_proves_itself_offline(
    api: Any, engine: Engine, settings: Settings, clock: Any, signer: Signer, tmp_path: Path
) -> None:
    stop = _check(api, plate=PLATE, vin=VIN)
    code = stop["receipt"]
    _integrate(engine, settings, clock, signer)

    r = api.get(f"/v1/receipts/{code.lower()}/proof")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert "content-disposition" not in r.headers
    assert r.headers["cache-control"] == "no-store"
    text = r.text
    assert text.startswith("c2sp.org/tlog-proof@v1\nextra ")
    with read_session(engine) as s:
        latest = latest_checkpoint(s)
        entry = s.scalars(select(LogEntry).where(LogEntry.ref_id == stop["check_id"])).one()
        assert latest is not None and entry.idx is not None
        assert text.endswith("\n\n" + latest.note) and f"\nindex {entry.idx}\n" in text
        # the read names the vehicle: audited, like every read of a plate or VIN
        audited = s.scalars(
            select(AuditEntry.subject).where(AuditEntry.action == "receipt_proof")
        ).all()
    assert sorted(audited) == sorted([PLATE, VIN])

    proven = verify_receipt_proof(text, [signer.verifier_key()])
    assert (proven.receipt, proven.verdict, proven.checkpoint_code) == (code, "clear", "GUA-ALDAO")
    assert proven.record["plate"] == PLATE and proven.record["check_id"] == stop["check_id"]

    download = api.get(f"/v1/receipts/{code}/proof", params={"download": "1"})
    assert download.status_code == 200
    assert download.headers["content-disposition"] == (
        f'attachment; filename="receipt-{code}.tlog-proof"'
    )
    path = tmp_path / f"receipt-{code}.tlog-proof"
    path.write_bytes(download.content)

    ok = _verify(path, "--vkey", signer.verifier_key())
    assert ok.exit_code == 0, ok.output
    assert f"receipt:    {code}" in ok.output
    assert "checkpoint: GUA-ALDAO" in ok.output and "verdict:    clear" in ok.output
    assert f"index:      {entry.idx}" in ok.output
    assert f"tree size:  {latest.size}" in ok.output
    assert "witnesses:  none checked" in ok.output
    at = dt.datetime.fromisoformat(stop["at"]).astimezone(dt.UTC)  # the test clock's time
    assert f"time:       {at:%Y-%m-%d %H:%M:%S} UTC" in ok.output

    raw = bytearray(download.content)
    raw[raw.index(b"\nindex ") - 10] ^= 0x01  # one byte of the extra data (the record)
    changed = tmp_path / "changed.tlog-proof"
    changed.write_bytes(bytes(raw))
    bad = _verify(changed, "--vkey", signer.verifier_key())
    assert bad.exit_code == 1, bad.output
    assert bad.output.startswith(f"FAILED: {changed}: ") and bad.output.count("\n") == 1

    wrong = Signer.generate(settings.log_origin).verifier_key()
    refused = _verify(path, "--vkey", wrong)
    assert refused.exit_code == 1
    assert "the log's signature does not verify" in refused.output

    missing = _verify(tmp_path / "nope.tlog-proof", "--vkey", signer.verifier_key())
    assert missing.exit_code == 1 and "cannot read the file" in missing.output
    malformed = _verify(path, "--vkey", "not-a-key")
    assert malformed.exit_code == 2


def test_a_pending_stop_and_an_unknown_code(
    api: Any, engine: Engine, settings: Settings, clock: Any, signer: Signer
) -> None:
    pending = _check(api, plate=PLATE)
    r = api.get(f"/v1/receipts/{pending['receipt']}/proof")
    assert r.status_code == 503, r.text
    assert r.headers["retry-after"] == "1"
    assert r.json()["error"]["code"] == "not_logged_yet"
    assert r.json()["error"]["field"] == "code"

    _integrate(engine, settings, clock, signer)
    assert api.get(f"/v1/receipts/{pending['receipt']}/proof").status_code == 200
    later = _check(api, plate="AB123CD")  # after the checkpoint: pending again
    assert api.get(f"/v1/receipts/{later['receipt']}/proof").status_code == 503

    for code in ("AAAAA-AAAAA", "not a code"):
        unknown = api.get(f"/v1/receipts/{code}/proof")
        assert unknown.status_code == 404
        assert unknown.json()["error"] == {
            "code": "not_found",
            "message": "No stop has this receipt code.",
            "field": "code",
        }
    with unit_of_work(engine) as s:  # changed behind the services' back, with plain SQL
        s.execute(update(Check).where(Check.check_id == pending["check_id"]).values(plate="ZZ1"))
    tampered = api.get(f"/v1/receipts/{pending['receipt']}/proof")
    assert tampered.status_code == 409
    assert tampered.json()["error"]["code"] == "receipt_not_provable"
    with read_session(engine) as s:
        audited = s.scalars(
            select(AuditEntry.subject).where(AuditEntry.action == "receipt_proof")
        ).all()
    assert audited == [PLATE]  # only the proof given was a read


def test_a_witness_cosignature_is_counted(
    api: Any, engine: Engine, settings: Settings, clock: Any, signer: Signer, tmp_path: Path
) -> None:
    stop = _check(api, vin=VIN)
    _integrate(engine, settings, clock, signer)
    witness = Signer.generate("testigo.example")
    wkey = witness_verifier_key(witness)
    with unit_of_work(engine) as s:
        latest = latest_checkpoint(s)
        assert latest is not None
        body = Checkpoint(settings.log_origin, latest.size, bytes(latest.root)).body()
        line = cosign(body, witness, int(clock.now().timestamp()))
        s.execute(
            update(LogCheckpoint)
            .where(LogCheckpoint.size == latest.size)
            .values(note=latest.note + line)
        )
    path = tmp_path / "p.tlog-proof"
    path.write_text(api.get(f"/v1/receipts/{stop['receipt']}/proof").text, encoding="utf-8")
    vkey = signer.verifier_key()
    ok = _verify(path, "--vkey", vkey, "--witness", wkey)
    assert ok.exit_code == 0, ok.output
    assert "witnesses:  1 of 1 cosigned (needed 1): testigo.example at " in ok.output
    other = witness_verifier_key(Signer.generate("otro.example"))
    short = _verify(path, "--vkey", vkey, "--witness", wkey, "--witness", other)
    assert short.exit_code == 1 and "only 1 of the 2 witness cosignatures" in short.output
    enough = _verify(path, "--vkey", vkey, "--witness", wkey, "--witness", other, "--quorum", "1")
    assert enough.exit_code == 0 and "1 of 2 cosigned (needed 1)" in enough.output
    too_many = _verify(path, "--vkey", vkey, "--witness", wkey, "--quorum", "2")
    assert too_many.exit_code == 2
