"""``alcabala users`` and ``alcabala agencies``: who may use the system, and for whom."""

from __future__ import annotations

import sys

import typer

from alcabala.accounts.models import AgencyKind, Role
from alcabala.accounts.passwords import hasher_for
from alcabala.accounts.services import (
    add_agency,
    add_user,
    deactivate_user,
    revoke_tokens,
    set_password,
)
from alcabala.cli.common import DATABASE_OPTION, console, safe, writing
from alcabala.errors import ValidationError

ROLES = ", ".join(r.value for r in Role)
KINDS = ", ".join(k.value for k in AgencyKind)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise ValidationError("An empty password was given.", field="password")
    return password


def register(app: typer.Typer) -> None:
    users = typer.Typer(
        help="Create users, set passwords, revoke tokens, deactivate.", no_args_is_help=True
    )
    agencies = typer.Typer(help="Agencies that own records.", no_args_is_help=True)
    app.add_typer(users, name="users")
    app.add_typer(agencies, name="agencies")

    @users.command("add")
    def add_cmd(
        name: str = typer.Argument(..., help="Username: lowercase letters, digits, . _ -"),
        role: str = typer.Option(..., "--role", help=f"One of: {ROLES}."),
        agency: str | None = typer.Option(None, "--agency", help="Code of the user's agency."),
        password_stdin: bool = typer.Option(
            False, "--password-stdin", help="Read the password from the first line of stdin."
        ),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Create a user and print its API token, once, alone on the last line.

        Without --password-stdin nothing is asked: the user can use the API with the token
        until `alcabala users password NAME` sets a password for the web console.
        """
        password = _read_password(True) if password_stdin else None
        with writing(database) as ctx:
            hasher = hasher_for(ctx.settings)
            user, token = add_user(ctx.session, name, role, agency, password, hasher)
            console.print(f"user {safe(user.username)} ({user.role}) created; API token:")
        typer.echo(token)

    @users.command("password")
    def password_cmd(
        name: str = typer.Argument(..., help="Username."),
        password_stdin: bool = typer.Option(
            False, "--password-stdin", help="Read the password from the first line of stdin."
        ),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Set or change a user's password (asked twice unless --password-stdin); the user's
        console sessions end."""
        password = _read_password(password_stdin)
        with writing(database) as ctx:
            set_password(ctx.session, name, password, hasher_for(ctx.settings), now=ctx.now())
        console.print(f"password of {safe(name)} set")

    @users.command("revoke-tokens")
    def revoke_cmd(
        name: str = typer.Argument(..., help="Username."), database: str | None = DATABASE_OPTION
    ) -> None:
        """Revoke every API token of a user (a lost phone, a departure); their console
        sessions end too."""
        with writing(database) as ctx:
            count = revoke_tokens(ctx.session, name, ctx.now())
        console.print(f"{count} token(s) of {safe(name)} revoked; console sessions ended")

    @users.command("deactivate")
    def deactivate_cmd(
        name: str = typer.Argument(..., help="Username."), database: str | None = DATABASE_OPTION
    ) -> None:
        """Deactivate a user: no sign-in, no API token and no open console session works any
        more. Nothing of theirs is deleted."""
        with writing(database) as ctx:
            user = deactivate_user(ctx.session, name, ctx.now())
        console.print(f"user {safe(user.username)} deactivated")

    @agencies.command("add")
    def agency_add_cmd(
        code: str = typer.Argument(..., help="Short code, e.g. CICPC."),
        name: str = typer.Option(..., "--name", help="Full name."),
        kind: str = typer.Option("police", "--kind", help=f"One of: {KINDS}."),
        state: str = typer.Option("", "--state", help="State or region it covers."),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Register an agency."""
        with writing(database) as ctx:
            agency = add_agency(ctx.session, code, name, kind, state)
            console.print(f"agency {safe(agency.code)} added")
