"""A monitor of a remote log: each checkpoint it serves is signed, and extends the last one.

What: :func:`check_log` fetches ``<url>/log/checkpoint`` (c2sp.org/tlog-tiles), verifies
its signature with the log's verifier keys (the origin must be the name of the key that
verified it), and checks it against the latest checkpoint this monitor stored: a larger
tree must be consistent with it — the RFC 9162 proof is *computed here* from the log's
tiles (``<url>/log/tile/<L>/<N>[.p/<W>]``, :func:`~alcabala.ledger.tiles.consistency_proof`)
and verified against the two signed roots (:func:`~alcabala.ledger.merkle.
verify_consistency`), so the server is trusted for nothing; the same size must have the
same root; a smaller one must be one it stored before. With witness keys, their
cosignatures are read and a listed witness's line that does not verify fails the check.

The state (:class:`MonitorState`) is the signed notes of the checkpoints seen, oldest
first (the last :data:`KEPT`), in a JSON file written atomically (temporary file, fsync,
rename, fsync of the directory). Loading it verifies every note again: a state file edited
by hand, or of another log, is refused (:class:`StateFileError`) rather than trusted. A
failed check raises :class:`MonitorFailure`, one line naming what failed, after both
notes are kept in ``evidence/`` next to the state file; a log that cannot be read (down,
a 5xx, a missing tile) raises :class:`LogUnreachable`, which a poller simply retries.

Why: a log's signature alone cannot show it did not fork or rewrite history; a monitor
that remembers what it saw, and checks each new tree against it, can.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from alcabala.ledger import note
from alcabala.ledger.checkpoint import Checkpoint
from alcabala.ledger.cosignature import cosignatures
from alcabala.ledger.errors import ProofError
from alcabala.ledger.merkle import verify_consistency
from alcabala.ledger.tilepath import HEIGHT, TILE_WIDTH, encode_index
from alcabala.ledger.tiles import TileReader, consistency_proof

__all__ = [
    "KEPT",
    "Checked",
    "LogUnreachable",
    "MonitorFailure",
    "MonitorState",
    "StateFileError",
    "TileClient",
    "check_log",
    "load_state",
    "save_state",
]

#: How many of the checkpoints seen the state file keeps (the latest always).
KEPT = 1000
_MAX_NOTE = 1 << 20
_VERSION = 1


class MonitorFailure(ProofError):
    """The log served something it must not have: a bad signature, a fork, a rollback."""

    code = "monitor_failed"


class StateFileError(ProofError):
    """The monitor's state file is unreadable, malformed, or does not verify."""

    code = "monitor_state"


class LogUnreachable(ProofError):
    """The log could not be read (try again later)."""

    code = "log_unreachable"


@dataclass
class MonitorState:
    """The signed notes of the checkpoints seen, by increasing size, and their origin."""

    origin: str | None = None
    notes: list[str] = field(default_factory=list)
    checkpoints: list[Checkpoint] = field(default_factory=list)

    @property
    def latest(self) -> Checkpoint | None:
        return self.checkpoints[-1] if self.checkpoints else None

    def add(self, checkpoint: Checkpoint, signed: str) -> None:
        self.origin = checkpoint.origin
        self.checkpoints.append(checkpoint)
        self.notes.append(signed)
        del self.checkpoints[:-KEPT], self.notes[:-KEPT]


@dataclass(frozen=True)
class Checked:
    """What one check found: the checkpoint served, the size it was checked against (None
    the first time), whether it is new, and the listed witnesses that cosigned it."""

    checkpoint: Checkpoint
    previous: int | None
    new: bool
    cosigned_by: tuple[str, ...]


class TileClient:
    """The tlog-tiles read API of the log at ``url``, over httpx."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.http = httpx.Client(timeout=timeout, follow_redirects=False)

    def close(self) -> None:
        self.http.close()

    def _get(self, path: str, limit: int) -> bytes:
        try:
            response = self.http.get(self.url + path)
        except httpx.HTTPError as exc:
            raise LogUnreachable(f"{self.url}{path}: {exc}") from None
        if response.status_code != 200:
            raise LogUnreachable(f"{self.url}{path} answered {response.status_code}")
        if len(response.content) > limit:
            raise MonitorFailure(f"{self.url}{path} is over {limit} bytes")
        return response.content

    def checkpoint(self) -> str:
        raw = self._get("/log/checkpoint", _MAX_NOTE)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise MonitorFailure("the checkpoint served is not UTF-8") from None

    def reader(self, size: int) -> TileReader:
        """The tiles of the tree of ``size``, each fetched once, at the width that tree has."""
        cache: dict[tuple[int, int], bytes] = {}

        def read(level: int, index: int) -> bytes:
            if (level, index) not in cache:
                width = min(TILE_WIDTH, (size >> (HEIGHT * level)) - index * TILE_WIDTH)
                if width <= 0:
                    return b""
                suffix = "" if width == TILE_WIDTH else f".p/{width}"
                path = f"/log/tile/{level}/{encode_index(index)}{suffix}"
                hashes = self._get(path, width * 32)
                if len(hashes) != width * 32:
                    raise MonitorFailure(f"tile {path} is {len(hashes)} bytes, not {width * 32}")
                cache[level, index] = hashes
            return cache[level, index]

        return read


def check_log(
    client: TileClient,
    state: MonitorState,
    vkeys: list[str],
    witness_vkeys: Sequence[str] = (),
    evidence: Path | None = None,
) -> Checked:
    """Fetch the log's checkpoint and check it (see the module's docstring); a new one is
    added to ``state`` (save it with :func:`save_state`). A failure keeps the served note,
    and the stored one it contradicts, in ``evidence`` (a directory) before raising."""
    served = client.checkpoint()
    latest = state.latest
    try:
        checkpoint = _open(served, vkeys, state.origin)
        cosigned = _cosigned(served, witness_vkeys)
        new = _compare(client, state, checkpoint)
    except LogUnreachable:
        raise
    except ProofError as exc:
        old = state.notes[-1] if state.notes else None
        if evidence is not None:
            keep_evidence(evidence, exc.message, old, served)
        raise MonitorFailure(exc.message) from None
    if new:
        state.add(checkpoint, served)
    return Checked(checkpoint, None if latest is None else latest.size, new, cosigned)


def _open(signed: str, vkeys: list[str], origin: str | None) -> Checkpoint:
    try:
        opened = note.open_note(signed, vkeys)
        checkpoint = Checkpoint.parse(opened.text, extensions=True)
    except ProofError as exc:
        raise ProofError(f"the checkpoint's signature does not verify: {exc.message}") from None
    names = {verifier.name for verifier, _ in opened.verified}
    if checkpoint.origin not in names:
        raise ProofError(f"the checkpoint is of {checkpoint.origin!r}, signed by {names}")
    if origin is not None and checkpoint.origin != origin:
        raise ProofError(f"the checkpoint is of {checkpoint.origin!r}, not {origin!r}")
    return checkpoint


def _cosigned(signed: str, witness_vkeys: Sequence[str]) -> tuple[str, ...]:
    if not witness_vkeys:
        return ()
    try:
        found = cosignatures(signed, witness_vkeys)
    except ProofError as exc:
        raise ProofError(f"a witness's cosignature does not verify: {exc.message}") from None
    return tuple(key.split("+", 1)[0] for key in found)


def _compare(client: TileClient, state: MonitorState, new: Checkpoint) -> bool:
    """Whether ``new`` is newer than the state's latest; raise if it contradicts the state."""
    latest = state.latest
    if latest is None:
        return True
    m, n = latest.size, new.size
    if n < m:
        if any(c.size == n and c.root == new.root for c in state.checkpoints):
            return False  # an older checkpoint we saw (a lagging mirror)
        raise ProofError(f"the log went back from size {m} to {n}, a tree it never showed")
    if n == m:
        if new.root != latest.root:
            raise ProofError(f"two different trees of size {n}: the log forked")
        return False
    if m == 0:
        return True
    try:
        proof = consistency_proof(m, n, client.reader(n))
        verify_consistency(m, n, proof, latest.root, new.root)
    except (LogUnreachable, MonitorFailure):
        raise
    except ProofError as exc:
        raise ProofError(
            f"checkpoint {n} is not consistent with checkpoint {m}: {exc.message}"
        ) from None
    return True


def keep_evidence(directory: Path, reason: str, old: str | None, new: str) -> Path:
    """Write the two notes and the reason as one JSON file in ``directory``; its path."""
    directory.mkdir(parents=True, exist_ok=True)
    body = {"reason": reason, "stored": old, "served": new}
    digest = hashlib.sha256(f"{old}\0{new}".encode()).hexdigest()[:16]
    path = directory / f"evidence-{digest}.json"
    _write_atomically(path, json.dumps(body, indent=1) + "\n")
    return path


def load_state(path: Path, vkeys: list[str]) -> MonitorState:
    """The state in ``path`` (empty if there is none), every note verified again."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return MonitorState()
    except (OSError, UnicodeDecodeError) as exc:
        raise StateFileError(f"state file {path} cannot be read: {exc}") from None
    try:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("version") != _VERSION:
            raise ValueError("not a monitor state of this version")
        notes = data["checkpoints"]
        if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
            raise ValueError("its checkpoints are not a list of notes")
    except (ValueError, KeyError) as exc:
        raise StateFileError(f"state file {path} is malformed: {exc}") from None
    state = MonitorState()
    for number, signed in enumerate(notes, 1):
        try:
            checkpoint = _open(signed, vkeys, state.origin)
        except ProofError as exc:
            where = f"state file {path}, checkpoint {number}"
            raise StateFileError(f"{where}: {exc.message} (edited? another log's?)") from None
        if state.latest is not None and checkpoint.size <= state.latest.size:
            raise StateFileError(f"state file {path}: its checkpoints are not in size order")
        state.add(checkpoint, signed)
    return state


def save_state(path: Path, state: MonitorState) -> None:
    """Write ``state`` to ``path`` atomically and durably."""
    body = {"version": _VERSION, "origin": state.origin, "checkpoints": state.notes}
    _write_atomically(path, json.dumps(body, indent=1) + "\n")


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
