"""A C2SP tlog-witness (c2sp.org/tlog-witness): its rules, without the web.

What: a witness trusts a few logs, each known by its origin and verifier key(s), and for
each keeps the latest checkpoint it cosigned. :meth:`Witness.add_checkpoint` takes the body
of an ``add-checkpoint`` request — ``old <size>``, up to 63 base64 consistency-proof
lines, a blank line, then the signed checkpoint — and answers with its cosignature line
(c2sp.org/tlog-cosignature), or refuses with the spec's status, in the spec's order:

- 400 :class:`MalformedRequest`: the body does not parse, or ``old`` is above the size;
- 404 :class:`UnknownLog`: no trusted log has the checkpoint's origin;
- 403 :class:`BadSignature`: no trusted key of that origin signed it (or one failed);
- 409 :class:`SizeConflict`: ``old`` is not the size it last cosigned (the refusal carries
  that size, for the ``text/x.tlog.size`` body), or the size is the same but not the root;
- 422 :class:`InconsistentProof`: the proof does not take its tree to the new one.

Why: a log's signature cannot show the log did not fork; a witness that never cosigns two
inconsistent checkpoints of one log can. So the check of ``old`` against the stored
state and the write of the new state happen under one lock, and the new state is on disk
— written to a temporary file, fsynced, renamed over the old, the directory fsynced —
before any cosignature leaves. The state directory is locked (``flock``) for the life of
the witness, so two processes cannot both hold it. A refused checkpoint that a trusted key
did sign (a fork) is kept under ``evidence/``, as the spec allows: it proves misbehaviour.
The files are :mod:`alcabala.ledger.witness_state`'s; the HTTP, :mod:`~.witness_app`'s.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from alcabala.ledger import note
from alcabala.ledger.checkpoint import Checkpoint
from alcabala.ledger.cosignature import cosign, witness_verifier_key
from alcabala.ledger.errors import ProofError
from alcabala.ledger.keys import ED25519, Signer, Verifier, b64decode
from alcabala.ledger.merkle import HASH_SIZE, MAX_SIZE, verify_consistency
from alcabala.ledger.witness_state import (
    LogState,
    WitnessStateError,
    keep_evidence,
    load_states,
    lock_directory,
    persist,
    state_file,
)

__all__ = [
    "MAX_BODY",
    "MAX_PROOF_LINES",
    "AddCheckpoint",
    "BadSignature",
    "InconsistentProof",
    "LogState",
    "MalformedRequest",
    "SizeConflict",
    "UnknownLog",
    "Witness",
    "WitnessError",
    "WitnessStateError",
    "parse_request",
    "state_file",
]

#: The most consistency-proof lines a request may carry (the spec's limit for clients).
MAX_PROOF_LINES = 63
#: The largest request body read (a checkpoint with 100 signatures is about 12 KiB).
MAX_BODY = 64 * 1024
_OLD = re.compile(r"old (0|[1-9][0-9]{0,19})")


class WitnessError(ProofError):
    """A refused ``add-checkpoint``; ``http_status`` is the spec's status code for it."""

    code = "witness_refused"
    http_status = 400

    def __init__(self, message: str, *, size: int | None = None) -> None:
        super().__init__(message)
        #: With a 409: the size of the latest checkpoint the witness cosigned.
        self.size = size


class MalformedRequest(WitnessError):
    code = "witness_bad_request"
    http_status = 400


class BadSignature(WitnessError):
    code = "witness_forbidden"
    http_status = 403


class UnknownLog(WitnessError):
    code = "witness_unknown_log"
    http_status = 404


class SizeConflict(WitnessError):
    code = "witness_conflict"
    http_status = 409


class InconsistentProof(WitnessError):
    code = "witness_inconsistent"
    http_status = 422


@dataclass(frozen=True)
class AddCheckpoint:
    """A parsed request: the client's ``old`` size, the proof, and the checkpoint note."""

    old_size: int
    proof: tuple[bytes, ...]
    note: str
    checkpoint: Checkpoint


def parse_request(body: object) -> AddCheckpoint:
    """Read an ``add-checkpoint`` body; anything malformed is a :class:`MalformedRequest`."""
    if not isinstance(body, bytes) or len(body) > MAX_BODY:
        raise MalformedRequest(f"the body must be bytes, at most {MAX_BODY}")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedRequest("the body is not UTF-8") from None
    head, blank, signed = text.partition("\n\n")
    lines = head.split("\n")
    match = _OLD.fullmatch(lines[0])
    if not blank or match is None or int(match[1]) > MAX_SIZE:
        raise MalformedRequest("the body starts with 'old <size>', proof lines, a blank line")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise MalformedRequest(f"more than {MAX_PROOF_LINES} consistency proof lines")
    proof = []
    for line in lines[1:]:
        node = b64decode(line)
        if node is None or len(node) != HASH_SIZE:
            raise MalformedRequest("a consistency proof line is not a base64 hash")
        proof.append(node)
    try:
        checkpoint_text, _ = note.parse(signed)
        checkpoint = Checkpoint.parse(checkpoint_text, extensions=True)
    except ProofError as exc:
        raise MalformedRequest(f"malformed checkpoint: {exc.message}") from None
    return AddCheckpoint(int(match[1]), tuple(proof), signed, checkpoint)


class Witness:
    """A witness of the logs ``log_vkeys`` (origin = key name), cosigning with ``key``."""

    def __init__(
        self,
        key: Signer,
        log_vkeys: Iterable[str],
        state_dir: Path,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.key = key
        self.verifier_key = witness_verifier_key(key)
        self.logs: dict[str, list[Verifier]] = {}
        for vkey in log_vkeys:
            verifier = Verifier.parse(vkey)
            if verifier.sig_type != ED25519:
                raise ProofError(f"{verifier.name}: a log key is an Ed25519 (0x01) key")
            self.logs.setdefault(verifier.name, []).append(verifier)
        if not self.logs:
            raise ProofError("a witness needs at least one log key", field="log")
        self.state_dir = state_dir
        self._clock = clock
        self._lock = threading.Lock()
        self._lock_fd = lock_directory(state_dir)
        try:
            self._states = load_states(state_dir)
        except BaseException:
            self.close()
            raise

    def add_checkpoint(self, body: bytes) -> str:
        """Check an ``add-checkpoint`` body; persist and return the cosignature line(s)."""
        request = parse_request(body)
        checkpoint = request.checkpoint
        trusted = self.logs.get(checkpoint.origin)
        if trusted is None:
            raise UnknownLog(f"unknown log {checkpoint.origin!r}")
        try:
            text = note.open_note(request.note, trusted).text
        except ProofError as exc:
            raise BadSignature(f"not signed by {checkpoint.origin}: {exc.message}") from None
        if request.old_size > checkpoint.size:
            raise MalformedRequest(f"old size {request.old_size} is above {checkpoint.size}")
        with self._lock:
            self._check(request, body)
        return cosign(text, self.key, int(self._clock()))

    def state(self, origin: str) -> LogState | None:
        """The latest checkpoint cosigned for ``origin``, if any."""
        return self._states.get(origin)

    def close(self) -> None:
        """Release the state directory (the lock), once."""
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1

    def __enter__(self) -> Witness:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _check(self, request: AddCheckpoint, body: bytes) -> None:
        """The state checks of the spec, then the durable write (called under the lock)."""
        new = request.checkpoint
        stored = self._states.get(new.origin)
        current = stored.size if stored else 0
        if request.old_size != current:
            raise SizeConflict(f"the witness is at size {current}", size=current)
        if stored is not None and new.size == stored.size:
            if new.root != stored.root:
                keep_evidence(self.state_dir, body)
                raise SizeConflict(f"another root at size {current}", size=current)
            if request.proof:
                raise InconsistentProof("equal sizes need an empty proof")
            return  # nothing new: cosign again, state unchanged
        if stored is None or request.old_size == 0:
            if request.proof:
                raise InconsistentProof("the proof must be empty from size 0")
        else:
            try:
                verify_consistency(current, new.size, request.proof, stored.root, new.root)
            except ProofError as exc:
                keep_evidence(self.state_dir, body)
                message = f"inconsistent with size {current}: {exc.message}"
                raise InconsistentProof(message) from None
        state = LogState(new.origin, new.size, new.root, request.note)
        persist(self.state_dir, state)
        self._states[new.origin] = state
