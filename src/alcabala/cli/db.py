"""``alcabala db``: create or migrate the database."""

from __future__ import annotations

import typer

from alcabala.cli.common import DATABASE_OPTION, console, door_for
from alcabala.db.migrate import current_revision, upgrade


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="Create, migrate and inspect the database.", no_args_is_help=True)
    app.add_typer(db, name="db")

    @db.command("upgrade")
    def upgrade_cmd(database: str | None = DATABASE_OPTION) -> None:
        """Create the database or migrate it to the newest schema."""
        with door_for(database) as door:
            upgrade(door.engine)
            revision = current_revision(door.engine)
            console.print(f"database at revision {revision}: {door.engine.url!r}")

    @db.command("current")
    def current_cmd(database: str | None = DATABASE_OPTION) -> None:
        """Print the schema revision of the database (nothing if it was never migrated)."""
        with door_for(database) as door:
            console.print(current_revision(door.engine) or "(empty database)")
