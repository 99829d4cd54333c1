"""``alcabala sightings``: camera reads from a CSV file, the detector by hand, the purge.

``sightings import FILE`` stores a CSV of camera reads (columns ``plate``, ``at`` and
``checkpoint`` or ``lat``/``lon``; optionally ``country``, ``confidence``, ``camera``,
``image_sha256``, ``vin``, ``make``, ``colour``) all or nothing, in batches of 10,000
under one transaction, with a progress bar; a bad row stops it with its line number and
stores nothing. ``sightings detect`` judges everything not judged yet (what the server
does every second) and prints the alerts raised. ``sightings purge`` deletes camera
sightings older than ``ALCABALA_SIGHTING_RETENTION_DAYS``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import typer
from rich.progress import Progress
from sqlalchemy import func, select

from alcabala.cli.common import DATABASE_OPTION, door_for, writing
from alcabala.context import SYSTEM
from alcabala.errors import ValidationError
from alcabala.schemas import validate
from alcabala.sightings.detector import BATCH, Detector
from alcabala.sightings.ingest import ingest, purge
from alcabala.sightings.models import Alert
from alcabala.sightings.schemas import MAX_READS, ReadIn

COLUMNS = (
    "plate",
    "country",
    "confidence",
    "checkpoint",
    "lat",
    "lon",
    "camera",
    "at",
    "image_sha256",
    "vin",
    "make",
    "colour",
)


def read_csv(path: Path) -> list[ReadIn]:
    """Every row as a read, checked; a ValidationError names the line and the field."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"cannot read {path}: {exc}", field="file") from None
    reads = []
    for line, row in enumerate(rows, start=2):
        unknown = set(row) - set(COLUMNS) - {None}
        if unknown:
            raise ValidationError(f"line 1: unknown column {sorted(unknown)[0]!r}", field="file")
        data = {k: v.strip() for k, v in row.items() if k and v and v.strip()}
        try:
            reads.append(validate(ReadIn, data))
        except ValidationError as exc:
            raise ValidationError(
                f"line {line}: {exc.field}: {exc.message}", field=exc.field
            ) from None
    return reads


def _on_line(exc: ValidationError, start: int) -> ValidationError:
    """The service's error on ``reads.<i>.<field>`` as the CSV line it came from."""
    parts = (exc.field or "").split(".")
    if len(parts) >= 2 and parts[0] == "reads" and parts[1].isdigit():
        line = start + int(parts[1]) + 2  # the header is line 1
        field = ".".join(parts[2:]) or "row"
        return ValidationError(f"line {line}: {field}: {exc.message}", field=field)
    return exc


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Camera sightings and the alerts they raise.", no_args_is_help=True)
    app.add_typer(group, name="sightings")

    @group.command("import")
    def import_cmd(
        file: Path = typer.Argument(..., help="A CSV of camera reads."),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Store a CSV of camera reads, all or nothing."""
        reads = read_csv(file)
        stored = duplicates = 0
        with writing(database) as ctx, Progress(transient=True) as progress:
            task = progress.add_task("storing reads", total=len(reads))
            for start in range(0, len(reads), MAX_READS):
                chunk = reads[start : start + MAX_READS]
                try:
                    n, d = ingest(ctx, chunk, source="csv")
                except ValidationError as exc:
                    raise _on_line(exc, start) from None
                stored, duplicates = stored + n, duplicates + d
                progress.advance(task, len(chunk))
        typer.echo(f"stored {stored} reads ({duplicates} already stored)")

    @group.command("detect")
    def detect_cmd(database: str | None = DATABASE_OPTION) -> None:
        """Judge every check and read not judged yet; print how many alerts exist."""
        with door_for(database) as door:
            detector = Detector(door)
            judged = 0
            while (n := detector.run_once()) > 0:
                judged += n
                if n < BATCH:
                    break
            with door.read(SYSTEM) as ctx:
                alerts = ctx.session.scalar(select(func.count()).select_from(Alert)) or 0
        typer.echo(f"judged {judged} sightings; {alerts} alerts in all")

    @group.command("purge")
    def purge_cmd(database: str | None = DATABASE_OPTION) -> None:
        """Delete camera sightings past the retention (alerts keep their copies)."""
        with writing(database) as ctx:
            n = purge(ctx)
            days = ctx.settings.sighting_retention_days
        typer.echo(f"purged {n} camera sightings older than {days} days")
