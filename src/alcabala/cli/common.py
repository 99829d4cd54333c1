"""Helpers shared by CLI command groups: the database, the acting user, output."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from alcabala.accounts.models import User
from alcabala.accounts.services import get_user
from alcabala.db.engine import make_engine, unit_of_work

console = Console()
err_console = Console(stderr=True)

DATABASE_OPTION = typer.Option(
    None,
    "--database",
    envvar="ALCABALA_DATABASE_URL",
    help="Database URL (default: sqlite:///alcabala.db in the working directory).",
    show_default=False,
)


def engine_for(url: str | None) -> Engine:
    return make_engine(url)


@contextmanager
def writing(url: str | None) -> Iterator[Session]:
    """One transaction on the database at ``url``; disposed of afterwards."""
    engine = make_engine(url)
    try:
        with unit_of_work(engine) as session:
            yield session
    finally:
        engine.dispose()


def actor_or_none(session: Session, username: str | None) -> User | None:
    """The acting user named on the command line; None means the system itself."""
    return get_user(session, username) if username else None
