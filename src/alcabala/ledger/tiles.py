"""The Merkle tree as C2SP tlog-tiles: building tiles, and roots and proofs read from them.

What: tile ``n`` of level ``l`` is the 256 hashes
``MTH(D[(256n + i)·256^l : (256n + i + 1)·256^l])`` — at level 0 leaf hashes, above
that the root of each *full* tile of the level below (c2sp.org/tlog-tiles).
:class:`TileWriter` appends leaf hashes to a tree and says which tiles changed (the
integrator writes them; ``log verify`` rebuilds every tile with it).
:func:`tree_root`, :func:`inclusion_proof` and :func:`consistency_proof` compute from any
:data:`TileReader` (a function returning a stored tile's hashes) what
:mod:`alcabala.ledger.merkle` computes from all the leaves, with the same RFC 9162
``PATH``/``SUBPROOF`` recursion; :func:`proof_tiles` says which tiles to fetch in one
query first. :class:`CompactRange` keeps the perfect subtrees of a growing tree, for its
root at any size in O(log n) (``log verify`` checks every checkpoint's root with it).

Why: reading a handful of 8 KiB tiles makes a proof cost O(log n) tile reads and at most
a few hundred hashes whatever the tree's size, where the leaf-based oracle is linear.
Every node the recursion needs is the root of an aligned perfect subtree, and the node of
height ``h`` lies in one tile of level ``h // 8``: the ``2^(h mod 8)`` hashes under it are
consecutive there. A tile shorter than the tree size needs is a corrupt store and raises
:class:`TileError`.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable

from alcabala.ledger.errors import ProofError
from alcabala.ledger.merkle import HASH_SIZE, node_hash
from alcabala.ledger.tilepath import HEIGHT, TILE_WIDTH

__all__ = [
    "FULL_TILE_BYTES",
    "CompactRange",
    "TileError",
    "TileReader",
    "TileWriter",
    "consistency_proof",
    "edge_tiles",
    "inclusion_proof",
    "perfect_root",
    "proof_tiles",
    "tree_root",
]

FULL_TILE_BYTES = TILE_WIDTH * HASH_SIZE
#: ``reader(level, index)``: the stored hashes of that tile (possibly partial), or b"".
TileReader = Callable[[int, int], bytes]


class TileError(ProofError):
    """The stored tiles cannot give what a tree of this size must have."""

    code = "tile_missing"


@functools.lru_cache(maxsize=2048)
def perfect_root(hashes: bytes) -> bytes:
    """The root of the perfect tree whose leaves are ``hashes`` (a power of two of them).

    Cached by content (so it is right whatever log the bytes come from): every proof over
    a tree climbs the same upper tiles and right edge, which then cost a dictionary look-up
    instead of up to 255 hashes each; only the leaf's own tile is hashed afresh."""
    level = [hashes[i : i + HASH_SIZE] for i in range(0, len(hashes), HASH_SIZE)]
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def edge_tiles(size: int) -> list[tuple[int, int, int]]:
    """(level, index, width) of the partial tiles of a tree of ``size``, lowest level first."""
    edges = []
    level = 0
    while size >> (HEIGHT * level):
        count = size >> (HEIGHT * level)
        if count % TILE_WIDTH:
            edges.append((level, count // TILE_WIDTH, count % TILE_WIDTH))
        level += 1
    return edges


def proof_tiles(sizes: Iterable[int], indices: Iterable[int] = ()) -> set[tuple[int, int]]:
    """The tiles a root or proof over trees of ``sizes`` touching leaves ``indices`` reads:
    at every level, the tile above each index and each size's partial tile. The tests
    find every tile the recursion visits among them; any other would be read on demand."""
    wanted: set[tuple[int, int]] = set()
    sizes = list(sizes)
    for size in sizes:
        wanted.update((level, index) for level, index, _ in edge_tiles(size))
    top = max(sizes, default=0)
    for leaf in indices:
        level = 0
        while top >> (HEIGHT * level):
            wanted.add((level, leaf >> (HEIGHT * (level + 1))))
            level += 1
    return wanted


class TileWriter:
    """Appends leaf hashes to a tree of ``size`` leaves whose partial tiles are ``edges``.

    ``edges`` maps each level to the hashes of its rightmost partial tile (as stored);
    :attr:`changed` collects every tile touched since, by (level, index), with its new
    contents — full tiles (8 KiB) are final, the others are the new partial tiles.
    """

    def __init__(self, size: int = 0, edges: dict[int, bytes] | None = None) -> None:
        self.size = size
        self._edge: dict[int, bytearray] = {}
        for level, index, width in edge_tiles(size):
            stored = (edges or {}).get(level, b"")
            if len(stored) < width * HASH_SIZE:
                raise TileError(f"tile {level}/{index} is missing or short", field="tile")
            self._edge[level] = bytearray(stored[: width * HASH_SIZE])
        self.changed: dict[tuple[int, int], bytes] = {}

    def append(self, leaf_hash: bytes) -> None:
        """Add one leaf; fill tiles upwards as they become full."""
        node, level = leaf_hash, 0
        while True:
            tile = self._edge.setdefault(level, bytearray())
            tile += node
            count = (self.size >> (HEIGHT * level)) + 1  # level-``level`` nodes, this one in
            key = (level, (count - 1) // TILE_WIDTH)
            if len(tile) < FULL_TILE_BYTES:
                self.changed[key] = bytes(tile)
                break
            full = bytes(tile)
            self.changed[key] = full
            self._edge[level] = bytearray()
            node, level = perfect_root(full), level + 1
        self.size += 1

    def take_changed(self) -> dict[tuple[int, int], bytes]:
        """The tiles changed since the last call (and forget them)."""
        changed, self.changed = self.changed, {}
        return changed

    def root(self) -> bytes:
        """The root of the tree as it stands, from the partial tiles alone."""
        edges = {level: bytes(tile) for level, tile in self._edge.items() if tile}
        return tree_root(self.size, lambda level, _index: edges.get(level, b""))


def _node(
    reader: TileReader, height: int, index: int, cache: dict[tuple[int, int], bytes]
) -> bytes:
    """The root of the aligned perfect subtree of ``height`` number ``index``."""
    level, rest = divmod(height, HEIGHT)
    first = index << rest  # its first node at tile level ``level``
    tile_index, offset = divmod(first, TILE_WIDTH)
    key = (level, tile_index)
    hashes = cache.get(key)
    if hashes is None:
        hashes = cache[key] = reader(level, tile_index)
    start, end = offset * HASH_SIZE, (offset + (1 << rest)) * HASH_SIZE
    if len(hashes) < end:
        raise TileError(f"tile {level}/{tile_index} is missing or too short", field="tile")
    return perfect_root(hashes[start:end])


class _Hasher:
    """``MTH(D[lo:hi])`` for the ranges the RFC 9162 recursion visits, from tiles."""

    def __init__(self, reader: TileReader) -> None:
        self.reader = reader
        self.cache: dict[tuple[int, int], bytes] = {}

    def mth(self, lo: int, hi: int) -> bytes:
        n = hi - lo
        if n & (n - 1) == 0:  # perfect and aligned (the recursion only makes such ranges)
            height = n.bit_length() - 1
            return _node(self.reader, height, lo >> height, self.cache)
        k = 1 << ((n - 1).bit_length() - 1)
        return node_hash(self.mth(lo, lo + k), self.mth(lo + k, hi))


def tree_root(size: int, reader: TileReader) -> bytes:
    """The root hash of the first ``size`` leaves (``SHA-256()`` of nothing when empty)."""
    if size == 0:
        return hashlib.sha256(b"").digest()
    return _Hasher(reader).mth(0, size)


def inclusion_proof(index: int, size: int, reader: TileReader) -> list[bytes]:
    """RFC 9162 ``PATH(index, D[0:size])``, from the leaf up."""
    if not 0 <= index < size:
        raise ProofError(f"index {index} is not below the tree size {size}", field="index")
    hasher = _Hasher(reader)
    lo, hi, m = 0, size, index
    frames: list[bytes] = []
    while hi - lo > 1:
        k = 1 << ((hi - lo - 1).bit_length() - 1)
        if m < k:
            frames.append(hasher.mth(lo + k, hi))
            hi = lo + k
        else:
            frames.append(hasher.mth(lo, lo + k))
            lo, m = lo + k, m - k
    return list(reversed(frames))


def consistency_proof(size1: int, size2: int, reader: TileReader) -> list[bytes]:
    """RFC 9162 ``PROOF(size1, D[0:size2])``, from the bottom up."""
    if not 0 < size1 <= size2:
        raise ProofError("a consistency proof needs 0 < first <= second", field="first")
    hasher = _Hasher(reader)
    frames: list[bytes] = []
    lo, hi, m, known = 0, size2, size1, True
    while True:
        n = hi - lo
        if m == n:
            if not known:
                frames.append(hasher.mth(lo, hi))
            break
        k = 1 << ((n - 1).bit_length() - 1)
        if m <= k:
            frames.append(hasher.mth(lo + k, hi))
            hi = lo + k
        else:
            frames.append(hasher.mth(lo, lo + k))
            lo, m, known = lo + k, m - k, False
    return list(reversed(frames))


class CompactRange:
    """The perfect subtrees of the leaves so far, for a root at any size in O(log n)."""

    def __init__(self) -> None:
        self.nodes: list[tuple[int, bytes]] = []  # (height, hash), left to right

    def append(self, leaf: bytes) -> None:
        height, node = 0, leaf
        while self.nodes and self.nodes[-1][0] == height:
            node = node_hash(self.nodes.pop()[1], node)
            height += 1
        self.nodes.append((height, node))

    def root(self) -> bytes:
        if not self.nodes:
            return hashlib.sha256(b"").digest()
        node = self.nodes[-1][1]
        for _, left in reversed(self.nodes[:-1]):
            node = node_hash(left, node)
        return node
