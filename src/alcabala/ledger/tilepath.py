"""C2SP tlog-tiles resource paths: ``tile/<L>/<N>[.p/<W>]`` and ``tile/entries/<N>[.p/<W>]``.

What: :func:`parse_tile_path` reads the part after ``tile/`` into a :class:`TilePath`, and
:meth:`TilePath.path` writes it back. Following c2sp.org/tlog-tiles exactly:

- ``<L>`` is 0 to 63 in decimal, without leading zeros (or ``entries``, the entry bundles);
- ``<N>`` is split into zero-padded 3-digit elements, all but the last prefixed with ``x``:
  index 1234067 is ``x001/x234/067``;
- ``.p/<W>`` marks a partial tile of width 1 to 255, without leading zeros; a full tile
  (256 hashes) has no suffix.

Why so strict: every tile has exactly one URL, so caches and mirrors never hold two copies
(``x000/005`` is refused: 5 is ``005``), and whatever a stranger puts in a URL ends as a
:class:`TilePathError` (HTTP 400) — never another exception. A well-formed path may
still name a tile no tree has (level 63): :meth:`TilePath.needs_size` tells the server,
before any database query, that it is beyond the log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from alcabala.errors import Error

__all__ = ["ENTRIES", "TILE_WIDTH", "TilePath", "TilePathError", "encode_index", "parse_tile_path"]

#: Hashes in a full tile (8-bit tiles, as c2sp.org/tlog-tiles fixes them).
TILE_WIDTH = 256
HEIGHT = 8
MAX_LEVEL = 63
#: The level of entry bundles in :class:`TilePath` (not a Merkle level).
ENTRIES = -1
_LEVEL = re.compile(r"0|[1-9][0-9]?")
_WIDTH = re.compile(r"[1-9][0-9]{0,2}")
_INNER = re.compile(r"x[0-9]{3}")
_LAST = re.compile(r"[0-9]{3}")
_MAX_ELEMENTS = 7  # 1000^7 > 2^64: no index of a real tree needs more


class TilePathError(Error):
    """A tile path that is not one c2sp.org/tlog-tiles defines (HTTP 400)."""

    code = "bad_tile_path"
    http_status = 400


@dataclass(frozen=True)
class TilePath:
    """Tile ``index`` of ``level`` (:data:`ENTRIES` for a bundle), ``width`` hashes wide."""

    level: int
    index: int
    width: int = TILE_WIDTH

    @property
    def partial(self) -> bool:
        return self.width < TILE_WIDTH

    @property
    def is_entries(self) -> bool:
        return self.level == ENTRIES

    def needs_size(self) -> int:
        """The smallest tree size that has this tile (bundle) at this width."""
        level = max(self.level, 0)
        return (self.index * TILE_WIDTH + self.width) << (HEIGHT * level)

    def path(self) -> str:
        """The path after ``<prefix>/tile/``."""
        level = "entries" if self.is_entries else str(self.level)
        suffix = f".p/{self.width}" if self.partial else ""
        return f"{level}/{encode_index(self.index)}{suffix}"


def encode_index(index: int) -> str:
    """``N`` as tlog-tiles encodes it: ``1234067`` is ``x001/x234/067``."""
    if index < 0:
        raise ValueError("a tile index is non-negative")
    parts = [f"{index % 1000:03d}"]
    index //= 1000
    while index:
        parts.append(f"x{index % 1000:03d}")
        index //= 1000
    return "/".join(reversed(parts))


def parse_tile_path(path: str) -> TilePath:
    """The tile that ``path`` (``<L>/<N>[.p/<W>]`` or ``entries/<N>[.p/<W>]``) names."""
    if not isinstance(path, str) or len(path) > 64:
        raise TilePathError("not a tile path", field="path")
    elements = path.split("/")
    head, elements = elements[0], elements[1:]
    if head == "entries":
        level = ENTRIES
    elif _LEVEL.fullmatch(head) and int(head) <= MAX_LEVEL:
        level = int(head)
    else:
        raise TilePathError("the level is 0 to 63 (or entries)", field="level")
    width = TILE_WIDTH
    if len(elements) >= 2 and elements[-2].endswith(".p"):
        raw_width = elements.pop()
        if not _WIDTH.fullmatch(raw_width) or not 0 < int(raw_width) < TILE_WIDTH:
            raise TilePathError("a partial width is 1 to 255", field="width")
        width = int(raw_width)
        elements[-1] = elements[-1][: -len(".p")]
    if not 0 < len(elements) <= _MAX_ELEMENTS:
        raise TilePathError("the index is 1 to 7 path elements", field="index")
    *inner, last = elements
    if not _LAST.fullmatch(last) or not all(_INNER.fullmatch(e) for e in inner):
        raise TilePathError(
            "the index is 3-digit elements, all but the last x-prefixed", field="index"
        )
    index = 0
    for element in elements:
        index = index * 1000 + int(element.removeprefix("x"))
    if inner and inner[0] == "x000":
        raise TilePathError("the index has a leading x000 element", field="index")
    return TilePath(level, index, width)
