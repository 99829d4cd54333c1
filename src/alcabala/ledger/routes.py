"""The log's public read API: C2SP tlog-tiles, and JSON proofs for convenience.

What (no login; every answer reads only committed, integrated state):

- ``GET /log/checkpoint``: the latest signed checkpoint note, ``text/plain; charset=utf-8``,
  not cached (it changes every second while entries arrive);
- ``GET /log/tile/<L>/<N>[.p/<W>]``: a Merkle tile, ``application/octet-stream``;
- ``GET /log/tile/entries/<N>[.p/<W>]``: an entry bundle, each entry as a big-endian
  uint16 length then its bytes;
- ``GET /v1/log/proofs/inclusion?index=&size=`` and
  ``GET /v1/log/proofs/consistency?first=&second=``: the RFC 9162 proofs as base64 hashes,
  computed from the tiles (:mod:`alcabala.ledger.tiles`).

Full tiles and bundles never change: ``Cache-Control: public, max-age=31536000,
immutable``. A partial one of width ``W`` never changes either, but the spec lets a log
drop it once the full tile exists, so it is cached for a minute. A resource beyond the
latest checkpoint is 404, a malformed path 400, a bad query parameter 422 naming the
field: nothing a client sends can make a 5xx.

Why tiles and not only proofs: any client of c2sp.org/tlog-tiles (tessera's, sunlight's,
the Go sumdb's) can then read, verify and mirror the log without knowing us.
"""

from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala.context import SYSTEM, Door
from alcabala.errors import NotFoundError, ValidationError
from alcabala.ledger import tiles
from alcabala.ledger.models import LogEntry, latest_checkpoint, log_size, tile_reader
from alcabala.ledger.tilepath import TILE_WIDTH, TilePath, parse_tile_path

__all__ = ["IMMUTABLE", "PARTIAL", "router"]

router = APIRouter(tags=["log"])
PUBLIC = SYSTEM.via("api")
IMMUTABLE = "public, max-age=31536000, immutable"
PARTIAL = "public, max-age=60"
OCTETS = "application/octet-stream"
_MAX_QUERY = 2**64 - 1


def _door(request: Request) -> Door:
    door: Door = request.app.state.door
    return door


@router.get("/log/checkpoint", summary="The latest signed checkpoint (C2SP tlog-checkpoint)")
def checkpoint(request: Request) -> Response:
    with _door(request).read(PUBLIC) as ctx:
        latest = latest_checkpoint(ctx.session)
    if latest is None:
        raise NotFoundError("The log has no checkpoint yet.")
    return Response(
        latest.note,
        media_type="text/plain; charset=utf-8",
        headers={"Cache-Control": "no-cache"},
    )


@router.get(
    "/log/tile/{path:path}",
    summary="A tile or an entry bundle (C2SP tlog-tiles)",
    response_class=Response,
)
def tile(path: str, request: Request) -> Response:
    """``<L>/<N>[.p/<W>]`` or ``entries/<N>[.p/<W>]``, with ``N`` as ``x001/x234/067``."""
    wanted = parse_tile_path(path)
    with _door(request).read(PUBLIC) as ctx:
        if wanted.needs_size() > log_size(ctx.session):
            raise NotFoundError(f"No tile {wanted.path()} in the log as checkpointed.")
        body = _bundle(ctx.session, wanted) if wanted.is_entries else _hashes(ctx.session, wanted)
    cache = PARTIAL if wanted.partial else IMMUTABLE
    return Response(body, media_type=OCTETS, headers={"Cache-Control": cache})


def _hashes(session: Session, wanted: TilePath) -> bytes:
    stored = tile_reader(session)(wanted.level, wanted.index)
    size = wanted.width * 32
    if len(stored) < size:  # the checkpoint says it exists: the store is damaged
        raise NotFoundError(f"Tile {wanted.path()} is not available.")
    return stored[:size]


def _bundle(session: Session, wanted: TilePath) -> bytes:
    first = wanted.index * TILE_WIDTH
    entries = session.scalars(
        select(LogEntry.entry)
        .where(LogEntry.idx >= first, LogEntry.idx < first + wanted.width)
        .order_by(LogEntry.idx)
    ).all()
    if len(entries) != wanted.width:
        raise NotFoundError(f"Entry bundle {wanted.path()} is not available.")
    return b"".join(len(e).to_bytes(2, "big") + e for e in entries)


def _number(name: str, raw: str | None) -> int:
    if raw is None or raw == "":
        raise ValidationError("This parameter is required.", field=name)
    if not raw.isascii() or not raw.isdigit() or (len(raw) > 1 and raw[0] == "0"):
        raise ValidationError("A decimal number without leading zeros.", field=name)
    if len(raw) > 20 or int(raw) > _MAX_QUERY:
        raise ValidationError("At most 2^64-1.", field=name)
    return int(raw)


def _b64(hashes: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode("ascii") for h in hashes]


@router.get("/v1/log/proofs/inclusion", summary="An inclusion proof (RFC 9162), from the tiles")
def inclusion(
    request: Request, index: str | None = None, size: str | None = None
) -> dict[str, Any]:
    """The audit path of entry ``index`` in the tree of ``size`` entries (base64 hashes,
    from the leaf up), with the entry's leaf hash and that tree's root."""
    i, n = _number("index", index), _number("size", size)
    with _door(request).read(PUBLIC) as ctx:
        _within(ctx.session, n, "size")
        if i >= n:
            raise ValidationError(f"The index must be below the size {n}.", field="index")
        reader = tile_reader(ctx.session, tiles.proof_tiles([n], [i]))
        proof = tiles.inclusion_proof(i, n, reader)
        leaf = reader(0, i // TILE_WIDTH)[(i % TILE_WIDTH) * 32 :][:32]
        root = tiles.tree_root(n, reader)
    return {
        "index": i,
        "size": n,
        "leaf_hash": _b64([leaf])[0],
        "root": _b64([root])[0],
        "proof": _b64(proof),
    }


@router.get("/v1/log/proofs/consistency", summary="A consistency proof (RFC 9162), from the tiles")
def consistency(
    request: Request, first: str | None = None, second: str | None = None
) -> dict[str, Any]:
    """The proof that the tree of ``first`` entries is a prefix of the tree of ``second``
    (base64 hashes), with both roots."""
    m, n = _number("first", first), _number("second", second)
    if m == 0:
        raise ValidationError("A proof from the empty tree is meaningless.", field="first")
    with _door(request).read(PUBLIC) as ctx:
        _within(ctx.session, n, "second")
        if m > n:
            raise ValidationError("first must not exceed second.", field="first")
        reader = tile_reader(ctx.session, tiles.proof_tiles([m, n], [m - 1, m]))
        proof = tiles.consistency_proof(m, n, reader)
        roots = tiles.tree_root(m, reader), tiles.tree_root(n, reader)
    return {
        "first": m,
        "second": n,
        "first_root": _b64([roots[0]])[0],
        "second_root": _b64([roots[1]])[0],
        "proof": _b64(proof),
    }


def _within(session: Session, size: int, field: str) -> None:
    latest = log_size(session)
    if size > latest:
        raise ValidationError(f"The log's latest checkpoint has {latest} entries.", field=field)
