"""``alcabala import`` and ``alcabala export``: registries in and out as CSV or JSONL.

An import checks its rows in ``--jobs`` worker processes (default: one per CPU) and shows a
progress bar per phase (checking, storing) on a terminal, unless ``--quiet``.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from alcabala.bulk.formats import format_for, open_text
from alcabala.bulk.kinds import KINDS
from alcabala.bulk.pool import CHUNK_ROWS
from alcabala.bulk.services import IMPORTER, count, export_rows, import_rows, write_rejects
from alcabala.cli.common import DATABASE_OPTION, actor_named, door_for, err_console
from alcabala.context import Actor, Door
from alcabala.errors import ValidationError

KIND_HELP = "One of: " + ", ".join(KINDS) + " (import them in this order)."
MAX_LISTED_ERRORS = 200


def _progress(quiet: bool = False) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=quiet or not err_console.is_terminal,
    )


class _Phases:
    """One bar per import phase (checking, storing, finishing), added as each begins."""

    def __init__(self, progress: Progress, kind: str, total: int | None) -> None:
        self.progress, self.kind, self.total = progress, kind, total
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, phase: str, rows: int) -> None:
        task = self.tasks.get(phase)
        if task is None:
            total = None if phase == "finishing" else self.total
            task = self.progress.add_task(f"{phase} {self.kind}", total=total)
            self.tasks[phase] = task
        self.progress.advance(task, rows)


def _data_lines(path: str) -> int | None:
    if path == "-":
        return None
    with open(path, "rb") as f:
        return max(sum(1 for _ in f) - (0 if path.endswith((".jsonl", ".ndjson")) else 1), 0)


def _actor(door: Door, username: str | None) -> Actor:
    if not username:
        return IMPORTER
    with door.read(IMPORTER) as ctx:
        return actor_named(ctx.session, username).via("import")


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_cmd(
        kind: str = typer.Argument(..., help=KIND_HELP),
        file: str = typer.Argument(..., help="CSV or JSONL file ('-' for stdin)."),
        partial: bool = typer.Option(
            False, "--partial", help="Store the good rows; write the bad ones to a reject file."
        ),
        reject: str | None = typer.Option(
            None, "--reject", help="Reject file for --partial (default: FILE.rejects.EXT)."
        ),
        fmt: str | None = typer.Option(
            None, "--format", help="csv or jsonl (default: from the file name)."
        ),
        actor: str | None = typer.Option(
            None, "--actor", help="Username the import is recorded under (default: the system)."
        ),
        jobs: int | None = typer.Option(
            None,
            "--jobs",
            "-j",
            min=1,
            help="Worker processes checking rows (default: the CPU count; 1: no pool).",
            show_default=False,
        ),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
        chunk_rows: int = typer.Option(CHUNK_ROWS, "--chunk-rows", min=1, hidden=True),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Import a registry file in one transaction: one bad row and nothing is stored.

        Every bad row is reported as `line N: field: reason` (the header is line 1).
        """
        if kind not in KINDS:
            raise ValidationError(f"Unknown kind {kind!r}; {KIND_HELP}", field="kind")
        fmt = format_for(file, fmt)
        if file != "-" and not Path(file).is_file():
            raise ValidationError(f"No such file: {file}", field="file")
        with door_for(database) as door:
            who = _actor(door, actor)
            lines = _data_lines(file)
            with _progress(quiet) as progress, open_text(file, "r") as source:
                report = import_rows(
                    door,
                    kind,
                    source,
                    fmt,
                    actor=who,
                    partial=partial,
                    progress=_Phases(progress, kind, lines),
                    jobs=jobs or os.cpu_count() or 1,
                    chunk_rows=chunk_rows,
                    rows_hint=lines,
                )
        for error in report.errors[:MAX_LISTED_ERRORS]:
            typer.echo(f"{error} [{error.code}]", err=True)
        if len(report.errors) > MAX_LISTED_ERRORS:
            typer.echo(f"... and {len(report.errors) - MAX_LISTED_ERRORS} more", err=True)
        if report.errors and not partial:
            typer.echo(
                f"error: {len(report.errors)} problem(s) in {file}; nothing was imported.",
                err=True,
            )
            raise typer.Exit(1)
        if report.rejected_rows:
            stem = Path(file if file != "-" else f"{kind}.{fmt}")
            reject_path = reject or str(stem.with_suffix(f".rejects.{fmt}"))
            with open_text(reject_path, "w") as out:
                write_rejects(out, fmt, kind, report)
            typer.echo(f"{len(report.rejected_rows)} bad row(s) written to {reject_path}", err=True)
        typer.echo(f"{report.stored} {kind} imported")

    @app.command("export")
    def export_cmd(
        kind: str = typer.Argument(..., help=KIND_HELP),
        fmt: str | None = typer.Option(
            None, "--format", help="csv or jsonl (default: from the output name, else csv)."
        ),
        output: str = typer.Option("-", "-o", "--output", help="Output file ('-' for stdout)."),
        actor: str | None = typer.Option(
            None, "--actor", help="Username the export is audited under (default: the system)."
        ),
        reason: str = typer.Option("export", "--reason", help="Why the export is made."),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Export every record of a registry, in a stable order, as CSV or JSONL (audited)."""
        if kind not in KINDS:
            raise ValidationError(f"Unknown kind {kind!r}; {KIND_HELP}", field="kind")
        fmt = format_for(output, fmt)
        with door_for(database) as door:
            who = _actor(door, actor)
            with _progress() as progress, open_text(output, "w") as out:
                task = progress.add_task(f"exporting {kind}", total=count(door, kind))
                written = export_rows(
                    door, kind, out, fmt, lambda n: progress.advance(task, n), who, reason
                )
                out.flush()
        if output != "-":
            typer.echo(f"{written} {kind} exported to {output}", err=True)
