"""``alcabala serve``: run the API (and later the web console) with uvicorn."""

from __future__ import annotations

import typer

from alcabala.cli.common import DATABASE_OPTION, settings_for


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
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
