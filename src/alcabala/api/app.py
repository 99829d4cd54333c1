"""The FastAPI application factory.

Domains own their routes (``<domain>/routes.py``); this module only assembles them and maps
:class:`alcabala.errors.Error` to JSON error bodies so that no user input can produce a 500.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from alcabala import __version__
from alcabala.errors import Error


def create_app() -> FastAPI:
    """Build the API application."""
    app = FastAPI(
        title="alcabala",
        version=__version__,
        description="Road checkpoint information system.",
    )

    @app.exception_handler(Error)
    async def _alcabala_error(_: Request, exc: Error) -> JSONResponse:
        return JSONResponse(status_code=exc.http_status, content=exc.to_dict())

    @app.get("/healthz", tags=["meta"], summary="Liveness probe")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
