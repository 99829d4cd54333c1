"""Bulk import and export of one registry kind.

Import is one transaction by default: if any row is bad nothing is stored, and every bad row
is reported as ``line N: field: reason``. With ``partial`` the good rows are stored and the
bad ones written, with their reasons, to a reject file in the same format.

Each row is checked by the same rule functions as the API and the console (each codec
calls its domain's ``rules``), and refused with the same error code. An import acts as a
user or as the system (``client`` "import"); an export names people and vehicles and is
audited as one lookup of the whole kind.

How an import runs: the rows are read and cut into chunks; each chunk is checked (schema
and identifiers: the codec's ``check``) in this process or, with ``jobs`` > 1, by a pool of
worker processes (:mod:`.pool`); the checked rows are then resolved in line order against
the registry (duplicates, owners: the codec's ``resolve``, calling the domain rules with the
facts) and stored chunk by chunk while later chunks are still being checked (:mod:`.copy`:
``COPY`` on PostgreSQL, ``executemany`` on SQLite). The first bad row stops the storing but
not the checking, so that every bad row is reported, in line order; then the transaction is
rolled back. Progress is reported per phase: ``checking``, ``storing``, ``finishing``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import dataclass, field
from typing import IO, Any

from sqlalchemy.orm import Session

from alcabala.accounts.audit import audit_lookup
from alcabala.bulk.codec import Codec, RowProblems, problems_of
from alcabala.bulk.copy import Storer, bulk_load
from alcabala.bulk.formats import RowError, read_rows, write_rows
from alcabala.bulk.kinds import codec_for
from alcabala.bulk.pool import CHUNK_ROWS, Checker, Refused
from alcabala.context import SYSTEM, Actor, Door
from alcabala.db.base import table_of
from alcabala.db.engine import read_session
from alcabala.errors import Error

IMPORTER = SYSTEM.via("import")

#: ``progress(phase, rows)``: phases ``checking``, ``storing`` and ``finishing``.
ImportProgress = Callable[[str, int], None]
Progress = Callable[[int], None]
Chunk = tuple[list[int], list[dict[str, Any]]]


@dataclass
class ImportReport:
    kind: str
    stored: int = 0
    errors: list[RowError] = field(default_factory=list)
    rejected_rows: list[tuple[int, dict[str, Any], list[RowError]]] = field(default_factory=list)
    #: Worker processes that checked rows (0: all were checked in the importing process).
    workers: int = 0

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
    progress: ImportProgress | None = None,
    jobs: int = 1,
    chunk_rows: int = CHUNK_ROWS,
    rows_hint: int | None = None,
) -> ImportReport:
    """Import ``source`` into ``kind``; all or nothing unless ``partial``.

    ``jobs`` > 1 checks rows in that many worker processes once the file is known to span
    several chunks of ``chunk_rows`` rows (see :class:`~alcabala.bulk.pool.Checker`);
    ``rows_hint`` (the number of data lines, if known) starts them at once, and lets a large
    import rebuild its table's indexes once at the end.
    """
    codec = codec_for(kind)
    report = ImportReport(kind)
    with Checker(codec, jobs) as checker:
        if rows_hint is not None:
            checker.start(chunks_hint=-(-rows_hint // chunk_rows))
        with door.write(actor) as ctx:
            codec.begin(ctx)
            run = _Run(codec, ctx.session, report, partial, progress)
            table = table_of(codec.model)
            with bulk_load(ctx.session, table, rows_hint, codec.rebuild_indexes) as load:
                run.all(
                    checker,
                    _chunks(read_rows(source, fmt, codec.fields, report.errors), chunk_rows),
                )
                report.errors.sort(key=lambda e: e.line)
                if report.ok or partial:
                    run.phase("finishing", 0)
                    load.rebuild()
            if report.errors and not partial:
                ctx.session.rollback()
                report.stored = 0
        report.workers = checker.workers
    return report


def _chunks(rows: Iterable[tuple[int, dict[str, Any]]], size: int) -> Iterator[Chunk]:
    lines: list[int] = []
    batch: list[dict[str, Any]] = []
    for line, row in rows:
        lines.append(line)
        batch.append(row)
        if len(batch) >= size:
            yield lines, batch
            lines, batch = [], []
    if batch:
        yield lines, batch


class _Run:
    """One import's loop: chunks out to the checker, results back in order, stored."""

    def __init__(
        self,
        codec: Codec,
        session: Session,
        report: ImportReport,
        partial: bool,
        progress: ImportProgress | None,
    ) -> None:
        self.codec, self.session, self.report = codec, session, report
        self.partial, self.progress = partial, progress
        self.shown = 0  # stored rows shown as progress

    def phase(self, name: str, rows: int) -> None:
        if self.progress is not None:
            self.progress(name, rows)

    def all(self, checker: Checker, chunks: Iterator[Chunk]) -> None:
        """Every chunk checked, resolved in order and stored (in the background for the
        codecs whose storing does not share the session with resolving: ``parallel``)."""
        pending: deque[tuple[list[int], list[dict[str, Any]], Future[list[Any]]]] = deque()
        self.storer = Storer(
            lambda batch: self.codec.store_logged(self.session, batch),
            background=self.codec.parallel,
        )
        try:
            for lines, rows in chunks:
                while len(pending) >= checker.window:
                    self.take(*pending.popleft())
                pending.append((lines, rows, checker.submit(rows)))
            while pending:
                self.take(*pending.popleft())
        except BaseException:
            with suppress(BaseException):  # the first error is the one to report
                self.storer.close()
            raise
        self.storer.close()  # every batch stored before the indexes and the commit
        self.report.stored = self.storer.stored
        self.phase("storing", self.storer.stored - self.shown)

    def refuse(self, line: int, row: dict[str, Any], problems: list[tuple[str, str, str]]) -> None:
        row_errors = [RowError(line, f, r, c) for f, r, c in problems]
        self.report.errors.extend(row_errors)
        self.report.rejected_rows.append((line, row, row_errors))

    def take(self, lines: list[int], rows: list[dict[str, Any]], done: Future[list[Any]]) -> None:
        """Resolve a checked chunk in line order and store what passed (unless a row failed
        before, in an all-or-nothing import)."""
        payloads: list[Any] = []
        resolve = self.codec.resolve
        for line, row, checked in zip(lines, rows, done.result(), strict=True):
            if type(checked) is Refused:
                self.refuse(line, row, checked.problems)
                continue
            try:
                payloads.append(resolve(checked))
            except RowProblems as exc:
                self.refuse(line, row, exc.problems)
            except Error as exc:
                self.refuse(line, row, problems_of(exc).problems)
        self.phase("checking", len(rows))
        if payloads and (self.partial or not self.report.errors):
            self.storer.put(payloads)
        stored = self.storer.stored
        self.phase("storing", stored - self.shown)
        self.shown = stored


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
