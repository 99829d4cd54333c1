"""Ed25519 checkpoint cosignatures v1 (c2sp.org/tlog-cosignature): what witnesses add.

What: a witness that has checked a checkpoint's consistency signs
``cosignature/v1\\ntime <t>\\n`` followed by the checkpoint body, with its Ed25519 key.
The result is one more signature line on the checkpoint note, whose bytes after the
4-byte key ID are the 8-byte big-endian timestamp ``t`` and the 64-byte signature. The
key ID is computed with signature type ``0x04``, so a witness's vkey is
``name+hex(keyID)+base64(0x04 ‖ pubkey)`` — distinct from the ``0x01`` vkey of the same
key, and never usable for a plain note signature.

Why: a log's own signature cannot show it did not fork; a quorum of independent
cosignatures can. :func:`cosign` is the witness side, :func:`verify_cosignature` checks
one line, and :func:`cosignatures` reads every known witness's line of a cosigned
checkpoint note, for a quorum policy to count. The ML-DSA-44 type (``0x06``) is not
implemented.
"""

from __future__ import annotations

from collections.abc import Iterable

from alcabala.ledger import note
from alcabala.ledger.checkpoint import Checkpoint
from alcabala.ledger.errors import KeyFormatError, ProofError
from alcabala.ledger.keys import (
    COSIGNATURE_V1,
    MAX_TIMESTAMP,
    Signer,
    Verifier,
    cosigned_message,
)

__all__ = ["cosign", "cosignatures", "timestamp", "verify_cosignature", "witness_verifier_key"]

#: Bytes after the key ID of an Ed25519 cosignature: u64 timestamp, 64-byte signature.
SIGNATURE_SIZE = 8 + 64


def witness_verifier_key(witness_key: Signer) -> str:
    """The witness's ``0x04`` vkey, to configure in the logs and clients that trust it."""
    return witness_key.verifier_key(COSIGNATURE_V1)


def cosign(checkpoint_body: str, witness_key: Signer, time: int) -> str:
    """The cosignature line of ``witness_key`` on ``checkpoint_body`` at ``time``.

    ``time`` is POSIX seconds. The body is checked to be a checkpoint (extension lines
    are cosigned as received). Append the line to the signed checkpoint note.
    """
    Checkpoint.parse(checkpoint_body, extensions=True)
    if not isinstance(witness_key, Signer):
        raise ProofError("the witness key must be a ledger Signer", field="witness_key")
    _check_time(time)
    signature = witness_key.sign(cosigned_message(checkpoint_body.encode(), time))
    stamped = time.to_bytes(8, "big") + signature
    return note.signature_line(witness_key.name, witness_key.key_id(COSIGNATURE_V1), stamped)


def verify_cosignature(
    checkpoint_body: str,
    line: str,
    witness_vkey: str | Verifier,
    *,
    not_after: int | None = None,
) -> int:
    """Check one cosignature ``line`` by ``witness_vkey``; return its timestamp.

    With ``not_after`` (POSIX seconds), a timestamp later than that is refused.
    """
    if not isinstance(line, str) or not line.endswith("\n") or line.count("\n") != 1:
        raise ProofError("a cosignature is one signature line", field="line")
    Checkpoint.parse(checkpoint_body, extensions=True)
    verifier = _witness(witness_vkey)
    found = cosignatures(checkpoint_body + "\n" + line, [verifier], not_after=not_after)
    if verifier.key_string() not in found:
        raise ProofError(f"the line is not a cosignature by {verifier.name}", field="line")
    return found[verifier.key_string()]


def cosignatures(
    signed_checkpoint: str,
    witness_vkeys: Iterable[str | Verifier],
    *,
    not_after: int | None = None,
) -> dict[str, int]:
    """The timestamp of each known witness's valid cosignature, by its vkey string.

    Witnesses absent from the note are absent from the result; a line from a known
    witness that fails to verify refuses the whole note (as signed-note asks). The log's
    own signature is not checked here: verify it with :func:`~alcabala.ledger.checkpoint.
    open_checkpoint` first.
    """
    known = note.verifiers(_witness(v) for v in _iterable(witness_vkeys))
    text, lines = note.parse(signed_checkpoint)
    Checkpoint.parse(text, extensions=True)
    message = text.encode()
    found: dict[str, int] = {}
    for sig in lines:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            continue
        if not verifier.verify_note(message, sig.signature):
            raise ProofError(f"invalid cosignature by {sig.name}+{sig.key_id.hex()}")
        when = timestamp(sig)
        if not_after is not None and when > not_after:
            raise ProofError(f"the cosignature by {sig.name} is from the future")
        found[verifier.key_string()] = when
    return found


def timestamp(signature: note.Signature) -> int:
    """The (unverified) time of a cosignature line, for display and freshness checks."""
    if len(signature.signature) != SIGNATURE_SIZE:
        raise ProofError("not an Ed25519 cosignature v1: wrong length", field="signature")
    value = int.from_bytes(signature.signature[:8], "big")
    if value > MAX_TIMESTAMP:
        raise ProofError("a cosignature time must not exceed 2^63-1", field="signature")
    return value


def _witness(vkey: str | Verifier) -> Verifier:
    verifier = vkey if isinstance(vkey, Verifier) else Verifier.parse(vkey)
    if verifier.sig_type != COSIGNATURE_V1:
        raise KeyFormatError(f"{verifier.name} is not a cosignature v1 key", field="vkey")
    return verifier


def _iterable(vkeys: Iterable[str | Verifier]) -> Iterable[str | Verifier]:
    if isinstance(vkeys, str):
        raise KeyFormatError("pass a list of witness keys, not one string", field="vkeys")
    return vkeys


def _check_time(time: object) -> None:
    if type(time) is not int or not 0 <= time <= MAX_TIMESTAMP:
        raise ProofError("a cosignature time is POSIX seconds from 0 to 2^63-1", field="time")
