"""The witness's memory on disk: per log, the latest cosigned checkpoint, written durably.

What: one JSON file per log origin in the state directory (``log-<hash of origin>.json``:
origin, size, base64 root, and the signed note as received), an ``evidence/`` folder of
refused forks, and a ``lock`` file that the running witness holds with ``flock``.

Why: a witness is only as good as its memory. If it forgot a cosigned size, or kept half a
write, a log could get a second, inconsistent history cosigned. So a state is replaced
atomically and durably — temporary file, fsync, rename over the old, fsync of the
directory — and :class:`~alcabala.ledger.witness.Witness` calls :func:`persist` *before*
it answers; a state file that does not read back exactly stops the witness from starting
(:class:`WitnessStateError`) rather than being skipped, and two processes never share one
directory. The rules of what may be written are in :mod:`alcabala.ledger.witness`.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from alcabala.errors import Error
from alcabala.ledger import note
from alcabala.ledger.checkpoint import Checkpoint
from alcabala.ledger.errors import ProofError
from alcabala.ledger.keys import b64decode, b64encode


class WitnessStateError(Error):
    """The state directory is in use, unreadable or corrupt: the witness must not start."""

    code = "witness_state"


@dataclass(frozen=True)
class LogState:
    """What the witness remembers of one log: the latest checkpoint it cosigned."""

    origin: str
    size: int
    root: bytes
    note: str


def state_file(state_dir: Path, origin: str) -> Path:
    """One file per log, named by a hash of its origin (origins may hold ``/``)."""
    return state_dir / f"log-{hashlib.sha256(origin.encode()).hexdigest()[:32]}.json"


def persist(state_dir: Path, state: LogState) -> None:
    """Replace the state of ``state.origin`` on disk, atomically and durably."""
    record = {"origin": state.origin, "size": state.size, "root": b64encode(state.root)}
    _write_durably(state_file(state_dir, state.origin), json.dumps({**record, "note": state.note}))


def _write_durably(path: Path, text: str) -> None:
    """``text`` into ``path`` atomically: temporary file, fsync, rename, fsync the directory."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    finally:
        tmp.unlink(missing_ok=True)


def keep_evidence(state_dir: Path, body: bytes) -> None:
    """A refused request whose checkpoint a trusted key signed: a fork, kept as proof.

    Best effort: failing to keep it must not turn the refusal into a server error.
    """
    folder = state_dir / "evidence"
    try:
        folder.mkdir(exist_ok=True)
        _write_durably(folder / f"{hashlib.sha256(body).hexdigest()}.txt", body.decode())
    except OSError:
        pass


def lock_directory(state_dir: Path) -> int:
    """Create ``state_dir`` if needed and lock it for this witness; the lock's descriptor."""
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(state_dir / "lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise WitnessStateError(f"cannot use {state_dir}: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise WitnessStateError(f"another witness is using {state_dir}") from None
    return fd


def load_states(state_dir: Path) -> dict[str, LogState]:
    """Every log's state in ``state_dir``; anything unexpected stops the witness."""
    states: dict[str, LogState] = {}
    for path in sorted(state_dir.glob("log-*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            root = b64decode(record["root"]) or b""
            checkpoint = Checkpoint(record["origin"], record["size"], root)
            signed = note.check_text(record["note"])
        except (OSError, ValueError, KeyError, TypeError, ProofError) as exc:
            raise WitnessStateError(f"corrupt witness state {path}: {exc}") from None
        if path != state_file(state_dir, checkpoint.origin):
            raise WitnessStateError(f"{path} holds the state of another log")
        states[checkpoint.origin] = LogState(
            checkpoint.origin, checkpoint.size, checkpoint.root, signed
        )
    return states
