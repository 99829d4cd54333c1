"""The public read API: C2SP tlog-tiles paths, caching, and the JSON proof conveniences.

A client that knows only c2sp.org/tlog-tiles and signed notes (written below, with
:mod:`alcabala.ledger.merkle` and nothing of the server) fetches the checkpoint, verifies
it, fetches the tiles and entry bundles and recomputes the signed root, on SQLite and
PostgreSQL. Tile paths follow the spec's encoding exactly; whatever string a client puts
in one is answered 200, 400 or 404, never 5xx.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from alcabala.api import errors
from alcabala.clock import FixedClock
from alcabala.config import Settings
from alcabala.context import Door
from alcabala.db.engine import unit_of_work
from alcabala.ledger import merkle, note, tiles
from alcabala.ledger.checkpoint import Checkpoint
from alcabala.ledger.models import append_many
from alcabala.ledger.routes import IMMUTABLE, PARTIAL, router
from alcabala.ledger.tilepath import TilePath, TilePathError, encode_index, parse_tile_path
from alcabala.ledger.tiles import TileWriter

from .test_integrator import ORIGIN, VKEY, fill, run_all

AT = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)


@pytest.fixture
def client(engine: Engine, settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    """The log router alone on a small app over the test database."""
    app = FastAPI()
    app.state.door = Door(engine, settings, clock)
    errors.install(app)
    app.include_router(router)
    with TestClient(app) as test_client:
        yield test_client


def bulk(engine: Engine, count: int) -> None:
    with unit_of_work(engine) as session:
        append_many(session, [("test.bulk", None, AT, {"n": n}, ("test", n)) for n in range(count)])


# -- a client that knows only the specs ------------------------------------------------------
def tile_url(level: str | int, index: int, width: int) -> str:
    suffix = f".p/{width}" if width < 256 else ""
    return f"/log/tile/{level}/{encode_index(index)}{suffix}"


def fetch(client: TestClient, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.text)
    assert response.headers["content-type"] == "application/octet-stream"
    return response.content


def spec_client(client: TestClient, vkey: str) -> tuple[Checkpoint, bytes]:
    """Verify the checkpoint and the whole tree from the tiles; return it and the root
    computed from the leaves."""
    response = client.get("/log/checkpoint")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    checkpoint = Checkpoint.parse(note.verify(response.text, [vkey]))
    assert checkpoint.origin == ORIGIN
    size = checkpoint.size
    leaves: list[bytes] = []
    for n in range(0, -(-size // 256)):
        width = min(256, size - n * 256)
        tile = fetch(client, tile_url(0, n, width))
        bundle = fetch(client, tile_url("entries", n, width))
        entries, at = [], 0
        while at < len(bundle):
            length = int.from_bytes(bundle[at : at + 2], "big")
            entries.append(bundle[at + 2 : at + 2 + length])
            at += 2 + length
        hashes = [tile[i : i + 32] for i in range(0, len(tile), 32)]
        assert hashes == [merkle.leaf_hash(e) for e in entries]
        leaves += hashes
    level_hashes, level = leaves, 0
    while len(level_hashes) >= 256:  # each level-(l+1) hash is the MTH of a full tile below
        above: list[bytes] = []
        count = len(level_hashes) // 256
        for n in range(0, -(-count // 256)):
            width = min(256, count - n * 256)
            tile = fetch(client, tile_url(level + 1, n, width))
            above += [tile[i : i + 32] for i in range(0, len(tile), 32)]
        expected = [merkle.root_hash(level_hashes[i * 256 : (i + 1) * 256]) for i in range(count)]
        assert above == expected
        level_hashes, level = above, level + 1
    root = merkle.root_hash(leaves)
    assert root == checkpoint.root
    return checkpoint, root


def root_from_partial_tiles(client: TestClient, size: int) -> bytes:
    """The cheap way: only the rightmost partial tile of each level, as the spec lays out."""
    subtrees: list[bytes] = []
    level = 0
    while size >> (8 * level):
        count = size >> (8 * level)
        if count % 256:
            tile = fetch(client, tile_url(level, count // 256, count % 256))
            hashes = [tile[i : i + 32] for i in range(0, len(tile), 32)]
            chunks, at = [], 0
            for bit in reversed(range(8)):
                if len(hashes) & (1 << bit):
                    chunks.append(merkle.root_hash(hashes[at : at + (1 << bit)]))
                    at += 1 << bit
            subtrees = chunks + subtrees
        level += 1
    root = subtrees[-1]
    for left in reversed(subtrees[:-1]):
        root = merkle.node_hash(left, root)
    return root


def test_a_spec_only_client_gets_the_signed_root(
    client: TestClient, engine: Engine, clock: FixedClock
) -> None:
    """70,000 entries: the spec's own example (273 full level-0 tiles and one of 112, one
    full level-1 tile and one of 17, and a level-2 tile of width 1)."""
    assert client.get("/log/checkpoint").status_code == 404  # no checkpoint yet
    bulk(engine, 70_000)
    last = run_all(engine, clock, max_entries=30_000)
    assert last is not None and last.size == 70_000
    checkpoint, root = spec_client(client, VKEY)
    assert checkpoint == last
    assert root_from_partial_tiles(client, 70_000) == root
    assert client.get(tile_url(0, 273, 112)).status_code == 200
    assert client.get(tile_url(1, 1, 17)).status_code == 200
    assert client.get(tile_url(2, 0, 1)).status_code == 200
    for missing in (
        tile_url(0, 273, 113),
        tile_url(0, 274, 1),
        tile_url(1, 1, 256),
        tile_url(2, 0, 2),
    ):
        assert client.get(missing).status_code == 404, missing


def test_small_logs_caching_and_partial_prefixes(
    client: TestClient, engine: Engine, clock: FixedClock
) -> None:
    written = 0
    for count in (1, 255, 1, 8):  # 256 after two rounds: a full tile and a level-1 tile
        fill(engine, count, start=written)
        written += count
        run_all(engine, clock)
        spec_client(client, VKEY)
    full = client.get("/log/tile/0/000")
    assert full.headers["cache-control"] == IMMUTABLE and len(full.content) == 8192
    partial = client.get("/log/tile/0/001.p/9")
    assert partial.headers["cache-control"] == PARTIAL and len(partial.content) == 9 * 32
    assert client.get("/log/tile/0/001.p/4").content == partial.content[: 4 * 32]
    assert client.get("/log/tile/0/000.p/7").content == full.content[: 7 * 32]  # old partial
    assert client.get("/log/tile/1/000.p/1").content == merkle.root_hash(
        [full.content[i : i + 32] for i in range(0, 8192, 32)]
    )
    assert client.get("/log/tile/entries/000").headers["cache-control"] == IMMUTABLE
    checkpoint = client.get("/log/checkpoint")
    assert checkpoint.headers["cache-control"] == "no-cache"
    for path in ("/log/tile/0/001", "/log/tile/entries/001", "/log/tile/0/001.p/10"):
        assert client.get(path).status_code == 404


def test_json_proofs_verify_against_the_checkpoints(
    client: TestClient, engine: Engine, clock: FixedClock
) -> None:
    fill(engine, 300)
    first = run_all(engine, clock)
    fill(engine, 345, start=300)
    last = run_all(engine, clock)
    assert first is not None and last is not None
    for index in (0, 1, 255, 256, 299, 644):
        body = client.get(f"/v1/log/proofs/inclusion?index={index}&size=645").json()
        proof = [base64.b64decode(h) for h in body["proof"]]
        leaf = base64.b64decode(body["leaf_hash"])
        merkle.verify_inclusion(leaf, index, 645, proof, last.root)
        assert base64.b64decode(body["root"]) == last.root
    body = client.get("/v1/log/proofs/consistency?first=300&second=645").json()
    proof = [base64.b64decode(h) for h in body["proof"]]
    merkle.verify_consistency(300, 645, proof, first.root, last.root)
    assert base64.b64decode(body["first_root"]) == first.root
    same = client.get("/v1/log/proofs/consistency?first=645&second=645").json()
    assert same["proof"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("inclusion?size=5", "index"),
        ("inclusion?index=1", "size"),
        ("inclusion?index=abc&size=5", "index"),
        ("inclusion?index=-1&size=5", "index"),
        ("inclusion?index=01&size=5", "index"),
        ("inclusion?index=5&size=5", "index"),
        ("inclusion?index=0&size=6", "size"),
        ("inclusion?index=0&size=18446744073709551616", "size"),
        ("inclusion?index=%C2%B2&size=5", "index"),  # a superscript two is a "digit" to str
        ("consistency?first=0&second=5", "first"),
        ("consistency?first=5&second=4", "first"),
        ("consistency?first=1&second=6", "second"),
        ("consistency?first=1", "second"),
    ],
)
def test_bad_proof_requests_name_the_field(
    client: TestClient, engine: Engine, clock: FixedClock, query: str, field: str
) -> None:
    fill(engine, 5)
    run_all(engine, clock)
    response = client.get(f"/v1/log/proofs/{query}")
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


# -- roots and proofs from tiles, against the leaf-based oracle --------------------------------
def tree_of(size: int) -> tuple[list[bytes], dict[tuple[int, int], bytes]]:
    writer = TileWriter()
    leaves = [merkle.leaf_hash(n.to_bytes(4, "big")) for n in range(size)]
    for leaf in leaves:
        writer.append(leaf)
    return leaves, writer.take_changed()


@pytest.mark.parametrize("size", [*range(0, 40), 255, 256, 257, 511, 512, 513, 700, 65536, 65793])
def test_tile_roots_and_proofs_are_the_oracles(size: int) -> None:
    leaves, store = tree_of(size)
    read: list[tuple[int, int]] = []

    def reader(level: int, index: int) -> bytes:
        read.append((level, index))
        return store.get((level, index), b"")

    assert tiles.tree_root(size, reader) == merkle.root_hash(leaves)
    rng = random.Random(size)
    for _ in range(min(size, 8)):
        index, first = rng.randrange(size), rng.randint(1, size)
        read.clear()
        proof = tiles.inclusion_proof(index, size, reader)
        assert proof == merkle.inclusion_proof(index, size, leaves)
        assert set(read) <= tiles.proof_tiles([size], [index])
        read.clear()
        proof = tiles.consistency_proof(first, size, reader)
        assert proof == merkle.consistency_proof(first, size, leaves)
        assert set(read) <= tiles.proof_tiles([first, size], [first - 1, first])
    compact = tiles.CompactRange()
    for n, leaf in enumerate(leaves[:300], 1):
        compact.append(leaf)
        assert compact.root() == merkle.root_hash(leaves[:n])


@pytest.mark.parametrize("start", [0, 1, 255, 256, 257, 300, 511, 512])
def test_a_writer_resumed_from_the_partial_tiles_builds_the_same_tiles(start: int) -> None:
    leaves, whole = tree_of(1000)
    _, before = tree_of(start)
    edges = {level: before[level, index] for level, index, _ in tiles.edge_tiles(start)}
    resumed = TileWriter(start, edges)
    for leaf in leaves[start:]:
        resumed.append(leaf)
    assert {**before, **resumed.take_changed()} == whole
    assert resumed.root() == merkle.root_hash(leaves)
    with pytest.raises(tiles.TileError):
        TileWriter(300, {})  # the partial tiles of a tree of 300 are needed


# -- the path encoding -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "tile"),
    [
        ("0/000", TilePath(0, 0)),
        ("0/005.p/3", TilePath(0, 5, 3)),
        ("63/999", TilePath(63, 999)),
        ("1/x001/000", TilePath(1, 1000)),
        ("0/x001/x234/067", TilePath(0, 1234067)),
        ("0/x001/x234/067.p/255", TilePath(0, 1234067, 255)),
        ("entries/x001/x234/067.p/8", TilePath(-1, 1234067, 8)),
    ],
)
def test_tile_paths_as_the_spec_writes_them(path: str, tile: TilePath) -> None:
    assert parse_tile_path(path) == tile
    assert tile.path() == path


@pytest.mark.parametrize(
    "path",
    [
        "",
        "0",
        "0/",
        "00/000",
        "64/000",
        "-1/000",
        "0/5",
        "0/0005",
        "0/x000/005",  # non-canonical: 5 is 005
        "0/001/002",  # inner elements need the x
        "0/x001",
        "0/000.p/256",
        "0/000.p/0",
        "0/000.p/07",
        "0/000.p/",
        "0/000.p",
        "0/000/",
        "data/000",
        "0/x001/x002/x003/x004/x005/x006/x007/008",
        "entries/000.p/1/",
    ],
)
def test_every_other_path_is_a_400(path: str) -> None:
    with pytest.raises(TilePathError) as caught:
        parse_tile_path(path)
    assert caught.value.http_status == 400


@settings(max_examples=1000, deadline=None)
@given(
    st.text(max_size=40) | st.from_regex(r"(entries|[0-9]{1,2})(/x?[0-9]{3}){1,3}(\.p/[0-9]{1,3})?")
)
def test_parsing_anything_gives_a_400_or_a_tile_with_that_very_path(path: str) -> None:
    try:
        tile = parse_tile_path(path)
    except TilePathError as exc:
        assert exc.http_status == 400
    else:
        assert tile.path() == path


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.text(max_size=30)
    | st.from_regex(r"(entries|[0-9]{1,2})(/x?[0-9]{3}){1,2}(\.p/[0-9]{1,3})?", fullmatch=True)
)
def test_no_tile_url_makes_a_5xx(small_log: TestClient, path: str) -> None:
    response = small_log.get("/log/tile/" + quote(path, safe="/"))
    assert response.status_code in (200, 400, 404), (path, response.status_code)


@pytest.fixture
def small_log(client: TestClient, engine: Engine, clock: FixedClock) -> TestClient:
    fill(engine, 300)
    run_all(engine, clock)
    return client


@given(
    st.builds(
        TilePath,
        level=st.integers(-1, 63),
        index=st.integers(0, 10**21 - 1),
        width=st.integers(1, 256),
    )
)
def test_every_tile_has_one_path_that_parses_back(tile: TilePath) -> None:
    assert parse_tile_path(tile.path()) == tile
