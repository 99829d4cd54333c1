"""``alcabala serve``: run the API and the web console with uvicorn.

uvicorn believes ``X-Forwarded-For`` and ``X-Forwarded-Proto`` only from the addresses in
``Settings.trusted_proxies`` (``ALCABALA_TRUSTED_PROXIES``, comma-separated), and from
nobody by default. Left to itself uvicorn trusts them from 127.0.0.1, so anyone on the
machine, or behind a proxy that does not overwrite the header, could send a new
``X-Forwarded-For`` with each request and escape the per-address limits (the public
lookups' and the sign-in throttle's).
"""

from __future__ import annotations

from typing import Any

import typer

from alcabala.cli.common import DATABASE_OPTION, settings_for
from alcabala.config import Settings


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The proxy options of uvicorn's ``Config`` for ``settings`` (see the module docstring)."""
    trusted = list(settings.trusted_proxies)
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted}


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", help="Address to listen on."),
        port: int = typer.Option(8000, help="TCP port to listen on."),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Serve the JSON API and the web console (migrating the database first)."""
        import uvicorn

        from alcabala.api.app import create_app
        from alcabala.db.engine import make_engine
        from alcabala.db.migrate import upgrade

        settings = settings_for(database)
        engine = make_engine(settings.database_url)
        upgrade(engine)
        engine.dispose()
        typer.echo(f"alcabala listening on http://{host}:{port}/  (API docs at /docs)")
        uvicorn.run(
            create_app(settings),
            host=host,
            port=port,
            log_level="info",
            **uvicorn_options(settings),
        )
