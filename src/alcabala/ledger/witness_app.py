"""The witness over HTTP: ``POST /add-checkpoint`` of c2sp.org/tlog-witness, as ASGI.

What: :func:`create_witness_app` wraps one :class:`~alcabala.ledger.witness.Witness` in a
Starlette app with a single route. The body is read up to
:data:`~alcabala.ledger.witness.MAX_BODY` (beyond: 413) and handed to the witness in a
worker thread, since it fsyncs. The answers are the spec's:

- 200 with the cosignature line(s), ``text/plain; charset=utf-8``;
- 409 with the witness's size and a newline, ``Content-Type: text/x.tlog.size`` exactly
  (no charset parameter, which Starlette would otherwise add to a ``text/`` type);
- 400, 403, 404 and 422 with a one-line reason in plain text;
- 405 for another method on the route, 404 for any other path.

Why so small: every rule lives in :mod:`alcabala.ledger.witness`, testable without a
server; this module only maps its refusals to statuses. There is no authentication: the
spec has none beyond the log's signature on the checkpoint. ``alcabala witness serve``
(:mod:`alcabala.cli.witness`) runs it with uvicorn.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from alcabala.ledger.witness import MAX_BODY, SizeConflict, Witness, WitnessError

#: The media type of a 409's body (c2sp.org/tlog-witness).
SIZE_TYPE = "text/x.tlog.size"


def create_witness_app(witness: Witness) -> Starlette:
    """An ASGI app serving ``POST /add-checkpoint`` for ``witness``."""

    async def add_checkpoint(request: Request) -> Response:
        body = await _read_body(request)
        if body is None:
            return PlainTextResponse(f"the body is over {MAX_BODY} bytes\n", status_code=413)
        try:
            lines = await run_in_threadpool(witness.add_checkpoint, body)
        except SizeConflict as exc:
            return size_response(exc.size or 0)
        except WitnessError as exc:
            return PlainTextResponse(exc.message + "\n", status_code=exc.http_status)
        return PlainTextResponse(lines)

    return Starlette(routes=[Route("/add-checkpoint", add_checkpoint, methods=["POST"])])


def size_response(size: int) -> Response:
    """The 409 of the spec: the latest cosigned size, as ``text/x.tlog.size``."""
    return Response(f"{size}\n", status_code=409, headers={"Content-Type": SIZE_TYPE})


async def _read_body(request: Request) -> bytes | None:
    """The request body, or ``None`` once it passes :data:`MAX_BODY` (read no further)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
