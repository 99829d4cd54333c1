"""The log's side of witnessing: submit a checkpoint, and count who cosigned it (k of n).

What: :func:`submit_checkpoint` sends one ``add-checkpoint`` request (c2sp.org/tlog-witness)
and returns the witness's cosignature lines, to append to the checkpoint note; every
refusal raises the same class the witness refused with (:mod:`alcabala.ledger.witness`):
:class:`MalformedRequest` (400), :class:`BadSignature` (403), :class:`UnknownLog` (404),
:class:`SizeConflict` (409, whose ``size`` is the witness's: prove consistency from it and
submit again) and :class:`InconsistentProof` (422); anything else — no answer, a timeout,
a 5xx, an answer that is not signature lines — is :class:`WitnessUnavailable`.
:func:`count_witnessed` is the quorum policy, and :func:`witness_policy` reads the
witnesses and the quorum from ``Settings`` and checks their keys.

Why here and not in the log: the integrator that will send every checkpoint (issue 11,
item 6, second bullet) is not built yet; it calls these. The client is the standard
library's ``urllib`` (no extra dependency), with a default timeout of 20 s, the floor that
Rekor v2 gives its clients. The lines returned are checked only as syntax: their
signatures are checked, with the witnesses' keys, by :func:`count_witnessed`.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from alcabala.config import Settings
from alcabala.errors import ValidationError
from alcabala.ledger import note
from alcabala.ledger.cosignature import cosignatures
from alcabala.ledger.errors import KeyFormatError, ProofError
from alcabala.ledger.keys import COSIGNATURE_V1, Verifier, b64encode
from alcabala.ledger.witness import (
    BadSignature,
    InconsistentProof,
    MalformedRequest,
    SizeConflict,
    UnknownLog,
    WitnessError,
)

__all__ = [
    "WitnessPolicy",
    "WitnessUnavailable",
    "count_witnessed",
    "request_body",
    "submit_checkpoint",
    "witness_policy",
]

DEFAULT_TIMEOUT = 20.0
_REFUSALS: dict[int, type[WitnessError]] = {
    400: MalformedRequest,
    403: BadSignature,
    404: UnknownLog,
    422: InconsistentProof,
}
_SIZE = re.compile(r"(0|[1-9][0-9]{0,19})\n")


class WitnessUnavailable(WitnessError):
    """The witness did not answer, or not as the spec says: try again later."""

    code = "witness_unavailable"
    http_status = 502


@dataclass(frozen=True)
class WitnessPolicy:
    """The configured witnesses (submission URL, cosignature vkey) and the quorum ``k``."""

    witnesses: tuple[tuple[str, str], ...]
    quorum: int

    def witnessed(self, note_with_cosigs: str) -> bool:
        """Whether at least ``quorum`` of the witnesses cosigned this checkpoint note."""
        return count_witnessed(note_with_cosigs, [v for _, v in self.witnesses], self.quorum)


def request_body(old_size: int, proof: Sequence[bytes], signed_checkpoint: str) -> bytes:
    """``old <size>``, one base64 line per proof hash, a blank line, the checkpoint."""
    lines = [f"old {old_size}", *(b64encode(bytes(node)) for node in proof)]
    return ("\n".join(lines) + "\n\n" + signed_checkpoint).encode("utf-8")


def submit_checkpoint(
    url: str,
    old_size: int,
    proof: Sequence[bytes],
    note_text: str,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[str]:
    """POST the signed checkpoint ``note_text`` to the witness whose submission prefix is
    ``url``, with the consistency ``proof`` from ``old_size``; return its cosignature lines
    (each ending in a newline). Raises a :class:`WitnessError` subclass per refusal."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(f"a witness URL is http(s)://…, not {url!r}", field="url")
    if type(old_size) is not int or old_size < 0:
        raise MalformedRequest("the old size is a whole number from 0")
    request = urllib.request.Request(
        url.rstrip("/") + "/add-checkpoint",
        data=request_body(old_size, proof, note_text),
        method="POST",
        headers={"Content-Type": "text/plain; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, body = response.status, response.read(65536)
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read(65536)
        exc.close()
    except (OSError, ValueError) as exc:
        raise WitnessUnavailable(f"witness {url} did not answer: {exc}") from None
    text = body.decode("utf-8", errors="replace")
    if status == 200:
        return _cosignature_lines(url, note_text, text)
    if status == 409:
        match = _SIZE.fullmatch(text)
        if match is None:
            raise WitnessUnavailable(f"witness {url}: 409 without a tree size")
        size = int(match[1])
        raise SizeConflict(f"witness {url} is at size {size}", size=size)
    reason = text.strip().splitlines()[0][:200] if text.strip() else "no reason given"
    refusal = _REFUSALS.get(status, WitnessUnavailable)
    raise refusal(f"witness {url} answered {status}: {reason}")


def count_witnessed(
    note_with_cosigs: str,
    witness_vkeys: Iterable[str],
    quorum: int,
    *,
    not_after: int | None = None,
) -> bool:
    """Whether at least ``quorum`` distinct witnesses of ``witness_vkeys`` validly cosigned
    the checkpoint note (k of n, with 1 <= k <= n).

    Cosignatures of unknown keys are ignored; one by a listed witness that does not verify
    raises :class:`ProofError`, as signed-note asks. The log's own signature is not
    checked here: open the note with :func:`~alcabala.ledger.checkpoint.open_checkpoint`.
    """
    if isinstance(witness_vkeys, str):
        raise KeyFormatError("pass a list of witness keys, not one string", field="vkeys")
    keys = list(dict.fromkeys(Verifier.parse(v).key_string() for v in witness_vkeys))
    if type(quorum) is not int or not 1 <= quorum <= len(keys):
        raise ProofError(f"a quorum is from 1 to the {len(keys)} witnesses", field="quorum")
    return len(cosignatures(note_with_cosigs, keys, not_after=not_after)) >= quorum


def witness_policy(settings: Settings) -> WitnessPolicy:
    """``Settings.witnesses`` with their keys checked, and the quorum (0 there means all)."""
    for url, vkey in settings.witnesses:
        try:
            verifier = Verifier.parse(vkey)
        except KeyFormatError as exc:
            raise ValidationError(
                f"ALCABALA_WITNESSES: the key of {url} is malformed: {exc.message}.",
                field="ALCABALA_WITNESSES",
            ) from None
        if verifier.sig_type != COSIGNATURE_V1:
            raise ValidationError(
                f"ALCABALA_WITNESSES: the key of {url} is not a cosignature (0x04) key.",
                field="ALCABALA_WITNESSES",
            )
    quorum = settings.witness_quorum or len(settings.witnesses)
    return WitnessPolicy(settings.witnesses, quorum)


def _cosignature_lines(url: str, note_text: str, text: str) -> list[str]:
    """The 200 body as signature lines, checked for syntax against the checkpoint's text."""
    lines = text.splitlines(keepends=True)
    try:
        checkpoint_text, _ = note.parse(note_text)
        note.parse(checkpoint_text + "\n" + text)
    except ProofError as exc:
        raise WitnessUnavailable(f"witness {url}: not cosignature lines: {exc.message}") from None
    if not lines:
        raise WitnessUnavailable(f"witness {url}: an empty answer")
    return lines
