"""``alcabala custody``: storage locations, and the audit of one against a count.

``custody audit LOCATION --count FILE --actor USER`` compares what the records say is on
hand at LOCATION with what was counted there: FILE (``-``: standard input, what a barcode
scanner types) has one item label per line, optionally followed by the quantity counted
(``I-7K2QX-M9D4B/1 87``); blank lines and ``#`` comments are skipped, and a label scanned
twice without a quantity counts once. Every difference is printed and recorded as a
discrepancy that oversight sees; the exit status is 1 when there is any.
``custody location add CODE NAME --agency AGENCY`` adds a location.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from alcabala.cli.common import DATABASE_OPTION, console, safe, writing
from alcabala.custody import locations, oversight, views
from alcabala.custody.schemas import CountIn, CountLine, LocationIn
from alcabala.errors import ValidationError
from alcabala.schemas import validate


def read_count(text: str) -> list[CountLine]:
    """The count's lines, checked; a ValidationError names the first bad line."""
    found: dict[str, CountLine] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        words = raw.split("#", 1)[0].replace(",", " ").replace(";", " ").split()
        if not words:
            continue
        if len(words) > 2:
            raise ValidationError(f"line {number}: give a label and at most a quantity")
        try:
            quantity = words[1] if len(words) == 2 else None
            line = validate(CountLine, {"label": words[0], "quantity": quantity})
        except ValidationError as exc:
            raise ValidationError(f"line {number}: {exc.message}", field=exc.field) from None
        before = found.get(line.label)
        if before is not None and before.quantity is not None and line.quantity is not None:
            raise ValidationError(
                f"line {number}: {line.label} is counted twice with a quantity; give one total"
            )
        if before is None or line.quantity is not None:
            found[line.label] = line
    return list(found.values())


def register(app: typer.Typer) -> None:
    custody = typer.Typer(help="Seized items in custody.", no_args_is_help=True)
    app.add_typer(custody, name="custody")
    location = typer.Typer(help="Storage locations.", no_args_is_help=True)
    custody.add_typer(location, name="location")

    @location.command("add")
    def add(
        code: str = typer.Argument(..., help="The location's code, e.g. GNB-DEP-1."),
        name: str = typer.Argument(..., help="What it is and where."),
        agency: str = typer.Option(..., "--agency", help="The agency that keeps it."),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Add a storage location (as the system)."""
        data = validate(LocationIn, {"code": code, "name": name, "agency": agency})
        with writing(database) as ctx:
            added = locations.add_location(ctx, data)
            console.print(f"Added location {safe(added.code)} ({safe(added.name)}).")

    @custody.command("audit")
    def audit(
        location_code: str = typer.Argument(..., metavar="LOCATION", help="The location."),
        count: Path = typer.Option(
            ..., "--count", help="The count: one label per line, optionally a quantity (-: stdin)."
        ),
        actor: str = typer.Option(
            ..., "--actor", help="Who counts: a custodian, supervisor, auditor or oversight."
        ),
        note: str = typer.Option("", "--note", help="A note kept with each difference."),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Compare what the records say is on hand with a count; list every difference."""
        try:
            text = sys.stdin.read() if str(count) == "-" else count.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationError(f"cannot read the count: {exc}", field="count") from None
        lines = read_count(text)
        data = validate(CountIn, {"location": location_code, "counted": lines, "note": note})
        with writing(database, actor) as ctx:
            on_record, counted, matched, found = oversight.audit_location(ctx, data)
            shown = views.discrepancies_out(ctx, found)
        typer.echo(
            f"{data.location}: {on_record} on record, {counted} counted, {matched} found "
            f"where the records say; {len(shown)} difference(s)."
        )
        if not shown:
            return
        table = Table("what", "item", "on record", "counted")
        for d in shown:
            table.add_row(d.kind, safe(d.item or "—"), safe(d.expected), safe(d.found))
        console.print(table)
        raise typer.Exit(1)
