"""Rebuilding the stored log from its entries, for :mod:`alcabala.ledger.verify`.

What: :func:`rebuild` streams the integrated entries in index order, appends their leaf
hashes to a fresh :class:`~.tiles.TileWriter` and compares every tile it completes with
the stored one, and the root at each checkpoint size with the signed root; :func:`classify`
then turns the differences into :class:`Problem` lines.

Why the classification: a level-0 tile hash that differs from its entry's leaf hash,
while the entries still give the signed roots, is a changed *tile*; if they no longer do,
the *entry* changed. What follows from one change (every later root after a changed
entry, the higher tiles above it) is folded into it, so one changed byte is one line,
naming an index, a tile and hash, or a checkpoint size. An entry missing from the table
is stood in for by its hash in the stored tile, so that the rest is still checked.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala.ledger import merkle
from alcabala.ledger.entries import EntryError, parse_entry
from alcabala.ledger.models import LogEntry, LogTile, tile_reader
from alcabala.ledger.tilepath import HEIGHT, TILE_WIDTH, encode_index
from alcabala.ledger.tiles import FULL_TILE_BYTES, CompactRange, TileWriter

__all__ = ["MAX_PROBLEMS", "Audit", "Problem", "Progress", "Report", "classify", "rebuild"]

#: ``progress(done, total)``, called as the work advances (the CLI draws a bar).
Progress = Callable[[int, int], None]
CHUNK = 4096
#: Problems listed one by one; beyond this a log is plainly corrupt and the rest are counted.
MAX_PROBLEMS = 1000


@dataclass(frozen=True)
class Problem:
    """One thing that does not hold, and where: ``entry 12``, ``tile 0/001``, ``checkpoint 40``."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Report:
    """What was checked, and the problems found (none: the log holds)."""

    entries: int = 0
    tiles: int = 0
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Audit:
    """The state of one audit: the signed and recomputed roots, and what differs."""

    session: Session
    report: Report
    signed: dict[int, bytes] = field(default_factory=dict)  # size -> signed root
    computed: dict[int, bytes] = field(default_factory=dict)  # size -> root from entries
    malformed: dict[int, str] = field(default_factory=dict)  # index -> why
    # (level, index, position): a stored tile hash that is not the recomputed one
    differing: list[tuple[int, int, int]] = field(default_factory=list)
    seen_tiles: set[tuple[int, int]] = field(default_factory=set)

    more: int = 0

    def add(self, where: str, message: str) -> None:
        if len(self.report.problems) < MAX_PROBLEMS:
            self.report.problems.append(Problem(where, message))
        else:
            self.more += 1


def rebuild(audit: Audit, progress: Progress | None, work: int) -> int:
    """Stream the entries up to the latest checkpoint, rebuild the tiles and compare them;
    return how many entries the tree has (missing ones counted, from their tile hashes)."""
    target = max(audit.signed, default=0)
    tree = _Tree(audit, sorted(audit.signed))
    uncovered: list[int] = []
    last = -1
    while True:
        rows = audit.session.execute(
            select(LogEntry.idx, LogEntry.entry)
            .where(LogEntry.idx > last)
            .order_by(LogEntry.idx)
            .limit(CHUNK)
        ).all()
        if not rows:
            break
        for row_idx, entry in rows:
            idx = cast(int, row_idx)  # never NULL here: ``idx > last``
            if idx >= target:
                uncovered.append(idx)
                continue
            tree.fill_missing(idx)
            try:
                parse_entry(entry)
            except EntryError as exc:
                audit.malformed[tree.writer.size] = exc.message
            tree.append(merkle.leaf_hash(entry))
            audit.report.entries += 1
        last = cast(int, rows[-1].idx)
        tree.compare(final=False)
        if progress is not None:
            progress(audit.report.entries + len(uncovered), work)
    tree.fill_missing(target)
    tree.compare(final=True)
    if uncovered:
        audit.add(
            f"entries {uncovered[0]} to {uncovered[-1]}"
            if len(uncovered) > 1
            else f"entry {uncovered[0]}",
            f"indexed, but the latest checkpoint has {target} entries",
        )
    stored = audit.session.execute(select(LogTile.level, LogTile.idx)).all()
    for level, index in stored:
        if (level, index) not in audit.seen_tiles:
            audit.add(_tile(level, index), "is stored but is no tile of the log's tree")
    audit.report.tiles = len(stored)
    return tree.writer.size


class _Tree:
    """The tree rebuilt from the entries: its tiles, and its root at each checkpoint."""

    def __init__(self, audit: Audit, sizes: list[int]) -> None:
        self.audit, self.sizes = audit, sizes
        self.writer, self.stack = TileWriter(), CompactRange()
        self.next = 0
        self.partial: dict[tuple[int, int], bytes] = {}
        self.reader = tile_reader(audit.session)
        self._record_roots()

    def append(self, leaf: bytes) -> None:
        self.writer.append(leaf)
        self.stack.append(leaf)
        self._record_roots()

    def _record_roots(self) -> None:
        while self.next < len(self.sizes) and self.sizes[self.next] == self.writer.size:
            self.audit.computed[self.writer.size] = self.stack.root()
            self.next += 1

    def fill_missing(self, upto: int) -> None:
        """Entries below ``upto`` that are not stored: reported, and stood in for by their
        hash in the stored level-0 tile, so that the rest of the log is still checked."""
        first = self.writer.size
        while self.writer.size < upto:
            i = self.writer.size
            tile = self.reader(0, i // TILE_WIDTH)
            at = (i % TILE_WIDTH) * 32
            self.append(tile[at : at + 32] if len(tile) >= at + 32 else bytes(32))
        if self.writer.size > first:
            span = f"entries {first} to {upto - 1}" if upto - first > 1 else f"entry {first}"
            self.audit.add(span, "missing: the checkpoints have them, the entries table not")

    def compare(self, *, final: bool) -> None:
        """Compare the tiles completed since the last call (and, when final, the partial ones)."""
        changed = self.writer.take_changed()
        full = {k: v for k, v in changed.items() if len(v) == FULL_TILE_BYTES}
        self.partial.update((k, v) for k, v in changed.items() if k not in full)
        for key in full:
            self.partial.pop(key, None)
        _compare_tiles(self.audit, full)
        if final:
            _compare_tiles(self.audit, self.partial)


def _compare_tiles(audit: Audit, expected: Mapping[tuple[int, int], bytes]) -> None:
    by_level: dict[int, list[int]] = {}
    for level, index in expected:
        by_level.setdefault(level, []).append(index)
    stored: dict[tuple[int, int], bytes] = {}
    for level, indices in by_level.items():
        for i in range(0, len(indices), 500):
            rows = audit.session.execute(
                select(LogTile.idx, LogTile.width, LogTile.hashes).where(
                    LogTile.level == level, LogTile.idx.in_(indices[i : i + 500])
                )
            ).all()
            for index, width, hashes in rows:
                stored[level, index] = hashes
                if width * 32 != len(hashes):
                    audit.add(
                        _tile(level, index), f"says {width} hashes but holds {len(hashes)} bytes"
                    )
    for key, hashes in sorted(expected.items()):
        audit.seen_tiles.add(key)
        found = stored.get(key)
        if found is None:
            audit.add(_tile(*key), "is missing")
        elif len(found) != len(hashes):
            audit.add(_tile(*key), f"is {len(found) // 32} hashes wide, not {len(hashes) // 32}")
        elif found != hashes:
            for pos in range(0, len(hashes), 32):
                if found[pos : pos + 32] != hashes[pos : pos + 32]:
                    audit.differing.append((key[0], key[1], pos // 32))


def classify(audit: Audit) -> None:
    """Name the changed entries and tiles, then the roots nothing above explains."""
    sizes = sorted(audit.signed)
    bad = {s for s in sizes if audit.computed.get(s) != audit.signed[s]}

    def entries_agree(end: int) -> bool:  # the first checkpoint covering [.., end) holds
        at = bisect.bisect_left(sizes, end)
        return at == len(sizes) or sizes[at] not in bad

    changed_entries: set[int] = set()
    for level, index, pos in audit.differing:
        first = (index * TILE_WIDTH + pos) << (HEIGHT * level)
        end = (index * TILE_WIDTH + pos + 1) << (HEIGHT * level)
        where = f"{_tile(level, index)} hash {pos}"
        if entries_agree(end):
            span = f"entry {first}" if level == 0 else f"entries {first} to {end - 1}"
            audit.add(where, f"was changed: it is not the hash of {span}, which the log signed")
        elif level == 0:
            changed_entries.add(first)
            why = f"; and {audit.malformed.pop(first)}" if first in audit.malformed else ""
            audit.add(
                f"entry {first}",
                f"was changed: it no longer hashes to {where}, nor to the signed roots{why}",
            )
    for index, why in sorted(audit.malformed.items()):
        audit.add(f"entry {index}", f"is not a well-formed log entry ({why})")
    previous_ok = 0
    run: list[int] = []
    for s in [*sizes, None]:
        if s is not None and s in bad:
            run.append(s)
            continue
        if run and not any(previous_ok <= i < run[0] for i in changed_entries):
            more = f" (and {len(run) - 1} later checkpoints)" if len(run) > 1 else ""
            audit.add(
                f"checkpoint {run[0]}{more}",
                f"the entries as stored do not give the signed root: one from index "
                f"{previous_ok} to {run[0] - 1} was changed",
            )
        run = []
        if s is not None:
            previous_ok = s


def _tile(level: int, index: int) -> str:
    return f"tile {level}/{encode_index(index)}"
