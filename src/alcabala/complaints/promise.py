"""The log's signed promise to include a complaint, given the moment it is filed.

What: a C2SP signed note, signed with the log's own key, whose text is::

    <origin>/complaint-promise
    <complaint code>
    <base64 RFC 9162 leaf hash of the complaint's log entry>
    <filing time, RFC 3339 UTC>

It is what Certificate Transparency calls a signed certificate timestamp: before the
integrator has numbered the entry (within a second or so), the complainant already holds
the log's signature over the exact leaf it will contain. If the log never includes that
leaf, the promise is the evidence that it broke its word. The tlog proof
(:mod:`.proofs`) then shows the leaf in a signed, witnessed tree.

Why the first line: a checkpoint's first line is the origin alone, so a promise can never
be read as a checkpoint (and a checkpoint never as a promise), although the same key
signs both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from alcabala.ledger import note
from alcabala.ledger.errors import ProofError
from alcabala.ledger.keys import Signer, b64decode, b64encode

SUFFIX = "/complaint-promise"
_TIME = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Promise:
    origin: str
    code: str
    leaf_hash: bytes
    at: dt.datetime


def sign_promise(signer: Signer, code: str, leaf_hash: bytes, at: dt.datetime) -> str:
    """The signed promise note that ``leaf_hash`` (complaint ``code``) will be logged."""
    when = at.astimezone(dt.UTC).strftime(_TIME)
    body = f"{signer.name}{SUFFIX}\n{code}\n{b64encode(leaf_hash)}\n{when}\n"
    return note.sign(body, [signer])


def verify_promise(text: str, vkeys: list[str]) -> Promise:
    """What a promise says, once one of the log's ``vkeys`` verified it (else ProofError)."""
    opened = note.open_note(text, vkeys)
    lines = opened.text.split("\n")
    if len(lines) != 5 or lines[4] != "" or not lines[0].endswith(SUFFIX):
        raise ProofError("this is not a complaint's promise", field="promise")
    origin = lines[0].removesuffix(SUFFIX)
    leaf = b64decode(lines[2])
    if leaf is None or len(leaf) != 32:
        raise ProofError("the promise's leaf hash is not 32 bytes of base64", field="promise")
    if not any(v.name == origin for v, _ in opened.verified):
        raise ProofError(f"the promise is of {origin!r}, not of a key given", field="promise")
    try:
        at = dt.datetime.strptime(lines[3], _TIME).replace(tzinfo=dt.UTC)
    except ValueError:
        raise ProofError("the promise's time is not RFC 3339 UTC", field="promise") from None
    return Promise(origin, lines[1], leaf, at)
