"""``alcabala demo``: a realistic synthetic registry to try alcabala on."""

from __future__ import annotations

import typer
from rich.table import Table

from alcabala.cli.common import DATABASE_OPTION, console, door_for
from alcabala.db.migrate import upgrade
from alcabala.demo.seed import DEMO_PASSWORD, is_empty, seed


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Demo data.", no_args_is_help=True)
    app.add_typer(group, name="demo")

    @group.command("seed")
    def seed_cmd(
        vehicles: int = typer.Option(2000, "--vehicles", min=10, help="How many vehicles."),
        seed_value: int = typer.Option(7, "--seed", help="Random seed: same seed, same data."),
        if_empty: bool = typer.Option(
            False, "--if-empty", help="Do nothing if the database already has users."
        ),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Create (or migrate) the database and fill it with a deterministic demo registry:
        Venezuelan plates and cédulas, VINs with correct check digits, stolen and recovered
        reports, retired fleet vehicles, warrants, ranches, brands, permits and checkpoints on
        real roads, plus one demo user per role."""
        with door_for(database) as door:
            upgrade(door.engine)
            if if_empty and not is_empty(door.engine):
                console.print(
                    "database already has data; not seeding (use a new database to reseed)"
                )
                return
            with console.status("seeding demo data…") as status:
                report = seed(
                    door,
                    vehicles=vehicles,
                    seed=seed_value,
                    progress=lambda kind, n: status.update(f"seeded {n} {kind}…"),
                )
        table = Table("registry", "records")
        for kind, n in report.counts.items():
            table.add_row(kind, str(n))
        console.print(table)
        users = Table("username", "role", "password", title="demo users")
        for username, role, _ in report.users:
            users.add_row(username, role, DEMO_PASSWORD)
        console.print(users)
        for username, _, token in report.users:
            console.print(f"API token of {username}: {token}", soft_wrap=True)
