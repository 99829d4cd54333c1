"""The ``alcabala`` console script: assembles the command groups."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from alcabala.cli import (
    cert,
    check,
    checkpoints,
    custody,
    db,
    demo,
    ids,
    keys,
    log,
    records,
    serve,
    sightings,
    transfer,
    users,
    witness,
)
from alcabala.errors import Error


class _Group(TyperGroup):
    """Turns an alcabala error into one readable line on stderr and exit status 1."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Error as exc:
            typer.echo(f"error: {exc.diagnostics()}", err=True)
            raise typer.Exit(1) from exc


app = typer.Typer(
    cls=_Group,
    name="alcabala",
    help="alcabala: the information system behind a network of road checkpoints.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

serve.register(app)
ids.register(app)
db.register(app)
users.register(app)
checkpoints.register(app)
records.register(app)
transfer.register(app)
demo.register(app)
check.register(app)
keys.register(app)
log.register(app)
witness.register(app)
cert.register(app)
custody.register(app)
sightings.register(app)


def main() -> None:
    """Entry point of the console script."""
    app()


if __name__ == "__main__":
    main()
