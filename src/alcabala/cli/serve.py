"""``alcabala serve``: run the API and the web console with uvicorn, in one or more processes.

uvicorn believes ``X-Forwarded-For`` and ``X-Forwarded-Proto`` only from the addresses in
``Settings.trusted_proxies`` (``ALCABALA_TRUSTED_PROXIES``, comma-separated), and from
nobody by default. Left to itself uvicorn trusts them from 127.0.0.1, so anyone on the
machine, or behind a proxy that does not overwrite the header, could send a new
``X-Forwarded-For`` with each request and escape the per-address limits (the public
lookups' and the sign-in throttle's).

``--workers N`` (``ALCABALA_WORKERS``) runs N uvicorn worker processes on one PostgreSQL.
Each worker has its own runtime and hotlist, kept in step by the change sequence and its
notifications (:mod:`alcabala.db.notify`). uvicorn starts workers by import string, so each
builds its app with :func:`app_from_env` from the parent's own ``Settings``, handed down
as JSON (:meth:`Settings.to_json`) after the parent created the session key file: every
worker runs with exactly the parent's configuration and resolves nothing itself. SQLite
has one writer: there ``--workers`` above 1 is refused before anything starts.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import typer

from alcabala.cli.common import DATABASE_OPTION, settings_for
from alcabala.config import INHERITED_ENV, Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

SQLITE_ONE_WRITER = (
    "--workers: SQLite has one writer; run one worker, or use PostgreSQL for several."
)
WORKERS_OPTION = typer.Option(
    None,
    "--workers",
    min=1,
    help="API worker processes (default: ALCABALA_WORKERS, else 1). More than 1 needs "
    "PostgreSQL: SQLite has one writer.",
    show_default=False,
)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The proxy options of uvicorn's ``Config`` for ``settings`` (see the module docstring)."""
    trusted = list(settings.trusted_proxies)
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted}


def app_from_env() -> FastAPI:
    """The app of one worker process, with the settings its parent handed down (uvicorn's
    factory when ``serve`` runs several workers)."""
    from alcabala.api.app import create_app

    return create_app(Settings.inherited())


def export_for_workers(settings: Settings) -> None:
    """Hand ``settings``, exactly as this process resolved them (command-line options
    included), to the workers, which inherit this process's environment."""
    os.environ[INHERITED_ENV] = settings.replace(data_dir=settings.data_dir.resolve()).to_json()


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", help="Address to listen on."),
        port: int = typer.Option(8000, help="TCP port to listen on."),
        database: str | None = DATABASE_OPTION,
        workers: int | None = WORKERS_OPTION,
    ) -> None:
        """Serve the JSON API and the web console (migrating the database first)."""
        import uvicorn

        from alcabala.api.app import create_app
        from alcabala.db.engine import is_sqlite_url, make_engine
        from alcabala.db.migrate import upgrade

        settings = settings_for(database)
        if workers is not None:
            settings = settings.replace(workers=workers)
        if settings.workers > 1 and is_sqlite_url(settings.database_url):
            typer.echo(SQLITE_ONE_WRITER, err=True)
            raise typer.Exit(2)
        engine = make_engine(settings.database_url)
        upgrade(engine)
        engine.dispose()
        count = settings.workers
        shown = f"{count} workers" if count > 1 else "1 worker"
        typer.echo(f"alcabala listening on http://{host}:{port}/  (API docs at /docs; {shown})")
        options: dict[str, Any] = {
            "host": host,
            "port": port,
            "log_level": "info",
            **uvicorn_options(settings),
        }
        if count == 1:
            uvicorn.run(create_app(settings), **options)
            return
        settings.with_secret()  # the key file, created once here rather than raced for
        export_for_workers(settings)
        uvicorn.run(f"{__name__}:app_from_env", factory=True, workers=count, **options)
