"""The ledger's errors: one class for every proof, note or key that does not hold.

A verifier's whole job is to say "no" safely, so every refusal in :mod:`alcabala.ledger` —
a wrong proof, an index out of range, a malformed note, a bad signature, an unparsable key —
is a :class:`ProofError`. Callers (the API, the CLI, tools outside the project) catch exactly
one class and never see a ``ValueError``, ``IndexError`` or a library's exception instead.
"""

from __future__ import annotations

from alcabala.errors import Error


class ProofError(Error):
    """A Merkle proof, signed note, checkpoint or cosignature that does not verify or parse."""

    code = "proof_invalid"
    http_status = 422


class KeyFormatError(ProofError):
    """A signer or verifier key string that is malformed (still a :class:`ProofError`)."""

    code = "key_invalid"
