"""``alcabala db``: create or migrate the database."""

from __future__ import annotations

import typer

from alcabala.cli.common import DATABASE_OPTION, console, engine_for
from alcabala.db.migrate import current_revision, upgrade


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="Create, migrate and inspect the database.", no_args_is_help=True)
    app.add_typer(db, name="db")

    @db.command("upgrade")
    def upgrade_cmd(database: str | None = DATABASE_OPTION) -> None:
        """Create the database or migrate it to the newest schema."""
        engine = engine_for(database)
        upgrade(engine)
        console.print(f"database at revision {current_revision(engine)}: {engine.url!r}")
        engine.dispose()

    @db.command("current")
    def current_cmd(database: str | None = DATABASE_OPTION) -> None:
        """Print the schema revision of the database (nothing if it was never migrated)."""
        engine = engine_for(database)
        console.print(current_revision(engine) or "(empty database)")
        engine.dispose()
