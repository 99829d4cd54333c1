"""``alcabala records``: the re-validation queue and the automatic expiry sweep."""

from __future__ import annotations

import typer
from rich.table import Table

from alcabala.checks.sweep import sweep
from alcabala.cli.common import DATABASE_OPTION, console, safe, writing
from alcabala.records.services import due, validate


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Re-validation of long-lived records.", no_args_is_help=True)
    app.add_typer(group, name="records")

    @group.command("due")
    def due_cmd(
        actor: str | None = typer.Option(
            None, "--actor", help="Username reading the queue (audited; default: the system)."
        ),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """List active reports and warrants whose re-validation date has passed."""
        with writing(database, actor) as ctx:
            rows = due(ctx, "re-validation queue (cli)")
        table = Table("kind", "number", "agency", "vehicle / person", "validate by", "overdue")
        for r in rows:
            table.add_row(
                r.kind,
                safe(r.number),
                safe(r.agency),
                safe(r.subject),
                r.validate_by.isoformat(),
                f"{r.days_overdue} d",
            )
        console.print(table)
        console.print(f"{len(rows)} record(s) due for re-validation")

    @group.command("validate")
    def validate_cmd(
        number: str = typer.Argument(..., help="Number of the report or warrant."),
        actor: str = typer.Option(..., "--actor", help="Username confirming the record."),
        kind: str | None = typer.Option(None, "--kind", help="stolen-report or warrant."),
        note: str = typer.Option("", "--note", help="What was checked."),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Confirm that a record still stands; it is due again in a year."""
        with writing(database, actor) as ctx:
            record = validate(ctx, number, kind, note)
        console.print(f"{record.kind} {record.number} re-validated; next by {record.validate_by}")

    @group.command("expire")
    def expire_cmd(database: str | None = DATABASE_OPTION) -> None:
        """Record what time has already decided: warrants and permits past their end expire,
        hits nobody answered before their deadline time out. (Until then the engine already
        treats them so; this writes the transitions into their history.)"""
        with writing(database) as ctx:
            done = sweep(ctx)
        console.print(
            f"{done.warrants} warrant(s) and {done.permits} permit(s) expired; "
            f"{done.hits} hit(s) closed (timed out or record no longer in force)"
        )
