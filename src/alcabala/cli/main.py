"""The ``alcabala`` console script: assembles the command groups."""

from __future__ import annotations

import sys

import typer

from alcabala.cli import serve
from alcabala.errors import Error

app = typer.Typer(
    name="alcabala",
    help="alcabala: the information system behind a network of road checkpoints.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

serve.register(app)


def main() -> None:
    """Run the CLI; an alcabala error becomes one readable line and exit status 2."""
    try:
        app()
    except Error as exc:
        typer.echo(f"error: {exc.diagnostics()}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
