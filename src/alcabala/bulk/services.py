"""Bulk import and export of one registry kind.

Import is one transaction by default: if any row is bad nothing is stored, and every bad row
is reported as ``line N: field: reason``. With ``partial`` the good rows are stored and the
bad ones written, with their reasons, to a reject file in the same format.

Each row is checked by the same rule functions as the API and the console (each codec
calls its domain's ``rules``), and refused with the same error code. An import acts as a
user or as the system (``client`` "import"); an export names people and vehicles and is
audited as one lookup of the whole kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from alcabala.accounts.audit import audit_lookup
from alcabala.bulk.codec import RowProblems, problems_of
from alcabala.bulk.formats import RowError, read_rows, write_rows
from alcabala.bulk.kinds import codec_for
from alcabala.context import SYSTEM, Actor, Door
from alcabala.db.engine import read_session
from alcabala.errors import Error

IMPORTER = SYSTEM.via("import")

BATCH = 5_000
Progress = Callable[[int], None]


@dataclass
class ImportReport:
    kind: str
    stored: int = 0
    errors: list[RowError] = field(default_factory=list)
    rejected_rows: list[tuple[int, dict[str, Any], list[RowError]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_rows(
    door: Door,
    kind: str,
    source: IO[str],
    fmt: str,
    *,
    actor: Actor = IMPORTER,
    partial: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import ``source`` into ``kind``; all or nothing unless ``partial``."""
    codec = codec_for(kind)
    report = ImportReport(kind)
    with door.write(actor) as ctx:
        session = ctx.session
        codec.begin(ctx)
        batch: list[Any] = []
        for line, row in read_rows(source, fmt, codec.fields, report.errors):
            try:
                try:
                    batch.append(codec.convert(row))
                except Error as exc:
                    raise problems_of(exc) from exc
            except RowProblems as exc:
                row_errors = [RowError(line, f, r, c) for f, r, c in exc.problems]
                report.errors.extend(row_errors)
                report.rejected_rows.append((line, row, row_errors))
            if progress is not None:
                progress(1)
            if len(batch) >= BATCH and (partial or not report.errors):
                codec.store(session, batch)
                report.stored += len(batch)
                batch = []
        if report.errors and not partial:
            session.rollback()
            report.stored = 0
            return report
        if batch:
            codec.store(session, batch)
            report.stored += len(batch)
    return report


def write_rejects(out: IO[str], fmt: str, kind: str, report: ImportReport) -> None:
    """The rejected rows with a ``reason`` column (CSV) or field (JSONL)."""
    codec = codec_for(kind)
    fields = (*codec.fields, "line", "reason")
    rows = (
        {
            **{f: row.get(f) for f in codec.fields},
            "line": line,
            "reason": "; ".join(f"{e.field}: {e.reason}" for e in errors),
        }
        for line, row, errors in report.rejected_rows
    )
    write_rows(out, fmt, fields, rows)


def export_rows(
    door: Door,
    kind: str,
    out: IO[str],
    fmt: str,
    progress: Progress | None = None,
    actor: Actor = IMPORTER,
    reason: str = "export",
) -> int:
    """Write every record of ``kind`` to ``out``; returns how many. Audited first (as one
    lookup of every record of the kind), so an export that is written is one on record."""
    codec = codec_for(kind)
    with door.lookup(actor) as ctx:
        audit_lookup(ctx, "export", kind[:20], "*", reason=reason)
    with read_session(door.engine) as session:

        def rows() -> Any:
            for row in codec.export(session):
                if progress is not None:
                    progress(1)
                yield row

        return write_rows(out, fmt, codec.fields, rows())


def count(door: Door, kind: str) -> int:
    with read_session(door.engine) as session:
        return codec_for(kind).count(session)
