"""C2SP signed notes (c2sp.org/signed-note): sign a text, and verify one against known keys.

What: a signed note is a text ending in a newline, a blank line, then one or more lines
``— <key name> base64(keyID ‖ signature)`` (em dash U+2014, one space each side of the
name). :func:`sign` writes one; :func:`verify` returns the text only if the note passes
every rule of the spec:

- the note is UTF-8 with no control character other than newline, and the text is
  separated from the signatures by the *last* blank line;
- key names are non-empty, without Unicode spaces or ``+``; signatures decode to at least
  five bytes of standard base64;
- a signature whose (name, key ID) pair is unknown is ignored, even if one of the two
  matches a known key; one whose pair is known is verified, and if it fails the whole note
  is refused (the spec's SHOULD, taken as a must here); at least one must verify;
- up to :data:`MAX_SIGNATURES` lines are read (the spec requires at least 16; 100 is
  golang.org/x/mod's limit); a note with more is refused rather than half-read.

Why: a checkpoint is only worth its signatures, and both our log's checkpoints and the
witnesses' cosignatures travel as notes between implementations in several languages, so
the parser is byte-exact and refuses instead of guessing. Every refusal is a
:class:`ProofError`. Re-exports :class:`Signer` and :class:`Verifier` from
:mod:`alcabala.ledger.keys`, where the key strings are parsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from alcabala.ledger.errors import KeyFormatError, ProofError
from alcabala.ledger.keys import Signer, Verifier, b64decode, b64encode, valid_name

__all__ = [
    "MAX_SIGNATURES",
    "Note",
    "Signature",
    "Signer",
    "Verifier",
    "check_text",
    "open_note",
    "parse",
    "sign",
    "signature_line",
    "verifiers",
    "verify",
]

#: The most signature lines a note may carry here (the spec's floor is 16).
MAX_SIGNATURES = 100
_PREFIX = "— "
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f]")


@dataclass(frozen=True)
class Signature:
    """One signature line: the key's name, its 4-byte ID, and the bytes after the ID."""

    name: str
    key_id: bytes
    signature: bytes


@dataclass(frozen=True)
class Note:
    """A verified note: its text, the signatures that verified, and the ignored ones."""

    text: str
    verified: tuple[tuple[Verifier, Signature], ...]
    unverified: tuple[Signature, ...]


def signature_line(name: str, key_id: bytes, signature: bytes) -> str:
    """``— name base64(keyID ‖ signature)`` and a newline."""
    if not valid_name(name) or len(key_id) != 4:
        raise ProofError("a signature line needs a valid key name and a 4-byte key ID")
    return f"{_PREFIX}{name} {b64encode(key_id + signature)}\n"


def sign(body: str, signers: Iterable[Signer]) -> str:
    """The signed note of ``body`` (which must end in a newline) by each of ``signers``."""
    check_text(body)
    if not body.endswith("\n"):
        raise ProofError("a note's text must end with a newline", field="body")
    lines = []
    message = body.encode()
    for signer in signers:
        if not isinstance(signer, Signer):
            raise ProofError("signers must be ledger Signer keys", field="signers")
        lines.append(signature_line(signer.name, signer.key_id(), signer.sign(message)))
    if not lines:
        raise ProofError("a signed note needs at least one signature", field="signers")
    return body + "\n" + "".join(lines)


def verify(note: str, vkeys: Iterable[str]) -> str:
    """The text of ``note`` if a known key signed it and no known key's signature fails.

    ``vkeys`` are verifier key strings (``name+keyid+key``); a malformed one raises
    :class:`~alcabala.ledger.errors.KeyFormatError`, and any failure of the note itself
    :class:`ProofError`.
    """
    return open_note(note, vkeys).text


def verifiers(vkeys: Iterable[str | Verifier]) -> dict[tuple[str, bytes], Verifier]:
    """Parse verifier keys, indexed by (name, key ID); two different keys sharing both
    would make signatures ambiguous and are refused."""
    if isinstance(vkeys, str):
        raise KeyFormatError("pass a list of verifier keys, not one string", field="vkeys")
    known: dict[tuple[str, bytes], Verifier] = {}
    for vkey in vkeys:
        verifier = vkey if isinstance(vkey, Verifier) else Verifier.parse(vkey)
        pair = (verifier.name, verifier.key_id)
        if known.get(pair, verifier) != verifier:
            raise KeyFormatError(f"two keys share name and ID {verifier.name}+{pair[1].hex()}")
        known[pair] = verifier
    return known


def open_note(note: str, vkeys: Iterable[str | Verifier]) -> Note:
    """Verify ``note`` as :func:`verify` does, and say which signatures verified."""
    known = verifiers(vkeys)
    text, signatures = parse(note)
    message = text.encode()
    verified: list[tuple[Verifier, Signature]] = []
    unverified: list[Signature] = []
    for sig in signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            unverified.append(sig)
        elif verifier.verify_note(message, sig.signature):
            verified.append((verifier, sig))
        else:
            raise ProofError(f"invalid signature for key {sig.name}+{sig.key_id.hex()}")
    if not verified:
        raise ProofError("the note has no signature from a known key")
    return Note(text, tuple(verified), tuple(unverified))


def parse(note: object) -> tuple[str, list[Signature]]:
    """Split a note into its text and signature lines, checking the syntax only.

    Nothing here is verified: use it to look at signatures, never to trust the text.
    """
    whole = check_text(note)
    split = whole.rfind("\n\n")
    if split < 0:
        raise ProofError("malformed note: no blank line before the signatures", field="note")
    text, block = whole[: split + 1], whole[split + 2 :]
    if not block.endswith("\n"):
        raise ProofError("malformed note: it must end with a signature line", field="note")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise ProofError(f"the note has over {MAX_SIGNATURES} signatures", field="note")
    signatures = []
    for line in lines:
        name, space, encoded = line.removeprefix(_PREFIX).partition(" ")
        raw = b64decode(encoded)
        if not line.startswith(_PREFIX) or not space or not valid_name(name):
            raise ProofError("malformed note: bad signature line", field="note")
        if raw is None or len(raw) < 5:
            raise ProofError("malformed note: bad signature encoding", field="note")
        signatures.append(Signature(name, raw[:4], raw[4:]))
    return text, signatures


def check_text(text: object) -> str:
    """Refuse what no note may contain: non-strings, invalid UTF-8, control characters."""
    if not isinstance(text, str):
        raise ProofError("a note must be a string", field="note")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ProofError("a note must be valid UTF-8", field="note") from None
    if _CONTROL.search(text):
        raise ProofError("a note must not contain control characters", field="note")
    return text
