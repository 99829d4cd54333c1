"""``alcabala checkpoints``: the checkpoint sites."""

from __future__ import annotations

import typer
from rich.table import Table

from alcabala.checkpoints.schemas import CheckpointIn
from alcabala.checkpoints.services import add_checkpoint, list_checkpoints
from alcabala.cli.common import DATABASE_OPTION, console, door_for, safe, writing
from alcabala.context import SYSTEM
from alcabala.schemas import validate


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Checkpoint sites.", no_args_is_help=True)
    app.add_typer(group, name="checkpoints")

    @group.command("add")
    def add_cmd(
        code: str = typer.Argument(..., help="Short code, e.g. GUA-ALDAO."),
        name: str = typer.Option(..., "--name", help="Name of the site."),
        road: str = typer.Option("", "--road", help="Road it stands on."),
        state: str = typer.Option("", "--state", help="State."),
        lat: float = typer.Option(..., "--lat", help="Latitude, decimal degrees."),
        lon: float = typer.Option(..., "--lon", help="Longitude, decimal degrees."),
        agency: str | None = typer.Option(None, "--agency", help="Code of the agency running it."),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Register a checkpoint site."""
        data = validate(
            CheckpointIn,
            {
                "code": code,
                "name": name,
                "road": road,
                "state": state,
                "lat": lat,
                "lon": lon,
                "agency": agency,
            },
        )
        with writing(database) as ctx:
            checkpoint = add_checkpoint(ctx, data)
            console.print(f"checkpoint {checkpoint.code} added")

    @group.command("list")
    def list_cmd(database: str | None = DATABASE_OPTION) -> None:
        """List checkpoint sites."""
        with door_for(database) as door, door.read(SYSTEM.via("cli")) as ctx:
            table = Table("code", "name", "road", "state", "lat", "lon")
            for c in list_checkpoints(ctx.session):
                table.add_row(
                    safe(c.code), safe(c.name), safe(c.road), safe(c.state),
                    f"{c.lat:.4f}", f"{c.lon:.4f}",
                )  # fmt: skip
        console.print(table)
