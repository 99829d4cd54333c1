"""The tamper-evident log's core: RFC 9162 Merkle proofs and C2SP notes, as a pure library.

What: :mod:`~alcabala.ledger.merkle` hashes leaves and trees and makes and checks
inclusion and consistency proofs; :mod:`~alcabala.ledger.note` signs and verifies C2SP
signed notes with Ed25519 keys (:mod:`~alcabala.ledger.keys`);
:mod:`~alcabala.ledger.checkpoint` is the tlog-checkpoint body and
:mod:`~alcabala.ledger.cosignature` the witnesses' tlog-cosignature v1.

Why a package of its own, with no database and no web: tools outside the project call this
API (it is pinned by issue 11), and the verifying half must run anywhere a receipt is
checked. It imports nothing from alcabala but the error hierarchy; every refusal is a
:class:`ProofError`. See docs/ledger.md.
"""

from __future__ import annotations

from alcabala.ledger.errors import KeyFormatError, ProofError
from alcabala.ledger.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)

__all__ = [
    "KeyFormatError",
    "ProofError",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root_hash",
    "verify_consistency",
    "verify_inclusion",
]
