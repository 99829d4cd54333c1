"""Helpers shared by CLI command groups: settings, the door, the acting user, output.

Each command builds one :class:`~alcabala.config.Settings` (from the environment, with
``--database`` on top) and one :class:`~alcabala.context.Door`, and acts either as a named
user (``--actor``/``--officer``, who must be active) or as the system itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.orm import Session

from alcabala.accounts.services import get_user
from alcabala.clock import SYSTEM_CLOCK
from alcabala.config import Settings
from alcabala.context import SYSTEM, Actor, Ctx, Door
from alcabala.db.engine import make_engine
from alcabala.errors import AuthError

console = Console()
err_console = Console(stderr=True)

DATABASE_OPTION = typer.Option(
    None,
    "--database",
    envvar="ALCABALA_DATABASE_URL",
    help="Database URL (default: sqlite:///alcabala.db in the working directory).",
    show_default=False,
)


def settings_for(database: str | None) -> Settings:
    """This process's settings: the environment's, with ``--database`` on top."""
    settings = Settings.from_env()
    return settings.replace(database_url=database) if database else settings


@contextmanager
def door_for(database: str | None) -> Iterator[Door]:
    """A door on the database, disposed of afterwards."""
    settings = settings_for(database)
    door = Door(make_engine(settings.database_url), settings, SYSTEM_CLOCK)
    try:
        yield door
    finally:
        door.engine.dispose()


def actor_named(session: Session, username: str, *roles: str) -> Actor:
    """The active user ``username`` acting through the CLI (with one of ``roles``, if given)."""
    user = get_user(session, username)
    if not user.active:
        raise AuthError(f"User {user.username} is deactivated.", field="actor")
    if roles and user.role not in roles:
        raise AuthError(
            f"User {user.username} is {user.role}; this needs one of: {', '.join(roles)}.",
            field="actor",
        )
    return Actor(user.id, user.username, user.role, user.agency_id, "cli")


@contextmanager
def writing(database: str | None, actor: str | None = None) -> Iterator[Ctx]:
    """One transaction on the database, as the user ``actor`` (or the system)."""
    with door_for(database) as door, door.write(SYSTEM.via("cli")) as ctx:
        if actor:
            ctx = Ctx(ctx.session, actor_named(ctx.session, actor), ctx.settings, ctx.clock)
        yield ctx


def safe(text: object) -> str:
    """``text`` with Rich markup escaped, so data (a reason, a name) prints as typed."""
    return escape(str(text))
