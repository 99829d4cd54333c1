"""``alcabala serve``: run the API (and later the web console) with uvicorn."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", help="Address to listen on."),
        port: int = typer.Option(8000, help="TCP port to listen on."),
    ) -> None:
        """Serve the JSON API and the web console."""
        import uvicorn

        from alcabala.api.app import create_app

        typer.echo(f"alcabala listening on http://{host}:{port}/  (API docs at /docs)")
        uvicorn.run(create_app(), host=host, port=port, log_level="info")
