"""Complaints in the log, on SQLite and PostgreSQL: ``alcabala log verify`` passes after a
complaint is filed, moved and annotated, and then reports a complaint, a move or a note
edited with plain SQL; the status shown comes from the logged moves, not from the row.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

from alcabala.complaints import filing, services, views
from alcabala.complaints.schemas import ComplaintIn, MoveIn
from alcabala.config import Settings
from alcabala.context import SYSTEM, Door
from alcabala.ledger.integrator import integrate
from alcabala.ledger.keystore import key_path, write_signer

from ..ledger.test_integrator import ORIGIN, SIGNER
from ..ledger.test_logged_changes import run_verify


def test_log_verify_reports_a_complaint_edited_behind_the_services(
    door: Door, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "cli"
    write_signer(key_path(Settings(data_dir=data_dir, log_origin=ORIGIN)), SIGNER)
    data = ComplaintIn.model_validate(
        {
            "category": "extortion",
            "subject_kind": "officer",
            "officer": "Cabo Pérez",
            "description": "Pidió dinero para no retener el camión.",
        }
    )
    with door.write(SYSTEM) as ctx:
        filed = filing.file_complaint(ctx, data, "192.0.2.7")
        code, complaint_id = filed.complaint.code, filed.complaint.id
    with door.write(SYSTEM) as ctx:
        services.move(ctx, code, MoveIn(to="under_review", reason="Se abrió expediente"))
        note = services.add_note(ctx, code, "Se citó al funcionario.")
        note_id = note.id
    while integrate(engine, SIGNER, ORIGIN, door.clock) is not None:
        pass
    assert run_verify(db_url, data_dir)[0] == 0

    with engine.begin() as conn:  # the status column is bookkeeping: not what is shown
        conn.execute(
            text("UPDATE complaints SET status = 'resolved' WHERE id = :i"), {"i": complaint_id}
        )
    with door.read(SYSTEM) as ctx:
        shown = views.describe(ctx, services.find(ctx, code), staff=True)
    assert shown.status == "under_review"

    edits = [
        ("complaints", "UPDATE complaints SET description = 'nada' WHERE id = :i", complaint_id),
        ("complaint_notes", "UPDATE complaint_notes SET text = 'nada' WHERE id = :i", note_id),
        (
            "complaint_transitions",
            "UPDATE complaint_transitions SET reason = 'nada' WHERE complaint_id = :i",
            complaint_id,
        ),
    ]
    for table, sql, row in edits:
        with engine.begin() as conn:
            conn.execute(text(sql), {"i": row})
        code_, out = run_verify(db_url, data_dir)
        assert code_ == 1
        assert any(line.startswith(f"record {table} ") and "was changed" in line for line in out), (
            out
        )
