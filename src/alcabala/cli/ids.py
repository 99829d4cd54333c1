"""``alcabala id``: normalize and validate one identifier from the command line.

``alcabala id vin|plate|person|tag|engine VALUE [--country CC] [--json]`` prints a short
table (errors in red, warnings in yellow) or, with ``--json``, exactly one JSON object in
the shape of :meth:`IdentifierResult.to_dict`. The exit status says the verdict so that
scripts can use it: 0 valid, 1 invalid, 2 usage error (an unknown kind, a malformed
``--country``), the latter with one readable line on stderr.

This module only parses arguments and renders; the rules live in
:mod:`alcabala.identifiers`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from alcabala.identifiers import KINDS, IdentifierResult, Problem, parse

_HELP = {
    "vin": "A 17-character VIN: check digit (49 CFR 565), WMI and model year.",
    "plate": "A licence plate, checked against its country's formats (default VE).",
    "person": "A national ID: VE cédula or RIF, CO cédula, BR CPF, MX CURP (default VE).",
    "tag": "An ISO 11784 15-digit livestock ear-tag number.",
    "engine": "An engine number: 4 to 20 letters and digits.",
}
_COUNTRY = re.compile(r"[A-Za-z]{2}")
_MAX_SHOWN = 200


def _usage_error(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


class _KindGroup(TyperGroup):
    """The ``id`` group: an unknown kind is one readable line and exit status 2."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and not args[0].startswith("-") and args[0] not in KINDS:
            _usage_error(
                f"unknown identifier kind {_printable(args[0])}; use one of: {', '.join(KINDS)}."
            )
        return super().resolve_command(ctx, args)


def _visible(value: str) -> str:
    """``value`` with invisible characters escaped and long text cut short."""
    text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in value[:_MAX_SHOWN])
    return text + ("…" if len(value) > _MAX_SHOWN else "")


def _printable(value: str) -> str:
    return f"'{_visible(value)}'"


def _cell(value: Any) -> Text:
    """A table cell; ``Text`` so that user input is never read as Rich markup."""
    if value is None:
        return Text("—")
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    if isinstance(value, dict | list):
        return Text(_visible(json.dumps(value, ensure_ascii=False)))
    return Text(_visible(str(value)))


def _render(result: IdentifierResult) -> None:
    console = Console(highlight=False)
    table = Table(show_header=True, header_style="bold")
    table.add_column("field")
    table.add_column("value", overflow="fold")
    table.add_row("kind", _cell(result.kind))
    table.add_row("input", _cell(result.input))
    table.add_row("normalized", _cell(result.normalized))
    verdict = Text("valid", style="green") if result.valid else Text("INVALID", style="bold red")
    table.add_row("valid", verdict)
    for problem in result.errors:
        table.add_row(Text("error", style="red"), Text(_message(problem), style="red"))
    for problem in result.warnings:
        table.add_row(Text("warning", style="yellow"), Text(_message(problem), style="yellow"))
    for key, value in result.details.items():
        table.add_row(Text(key), _cell(value))
    console.print(table)


def _message(problem: Problem) -> str:
    return f"{problem.code}: {problem.message}"


def _run(kind: str, value: str, country: str | None, as_json: bool) -> None:
    if country is not None and not _COUNTRY.fullmatch(country):
        _usage_error(
            f"--country must be a two-letter ISO 3166 code such as VE, CO or BR; "
            f"got {_printable(country)}."
        )
    result = parse(kind, value, country.upper() if country else None)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=True))
    else:
        _render(result)
    raise typer.Exit(0 if result.valid else 1)


def _command(kind: str) -> Callable[..., None]:
    def command(
        value: str = typer.Argument(..., metavar="VALUE", help="The identifier as written."),
        country: str | None = typer.Option(
            None,
            "--country",
            metavar="CC",
            help="ISO 3166 alpha-2 country (plates and persons; default VE).",
        ),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    ) -> None:
        _run(kind, value, country, as_json)

    command.__doc__ = _HELP[kind]
    return command


def register(app: typer.Typer) -> None:
    """Add the ``id`` command group to the main app."""
    ids = typer.Typer(
        name="id",
        cls=_KindGroup,
        help="Normalize and validate an identifier.",
        no_args_is_help=True,
        add_completion=False,
    )
    for kind in KINDS:
        ids.command(name=kind, help=_HELP[kind])(_command(kind))
    app.add_typer(ids, name="id")
