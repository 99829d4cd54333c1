"""COSE_Sign1 (RFC 9052, section 4.2 and 4.4) on cbor2, for Ed25519 (EdDSA, ``alg`` -8).

Why written here: the Python COSE library, pycose 1.1, no longer decodes messages with
cbor2 6 (which returns CBOR arrays inside tags as tuples, where pycose expects lists), and
it brings ``ecdsa`` and ``certvalidator`` along for nothing we use. A Sign1 message is one
CBOR array and its signature covers one more, so cbor2 (the encoding) and cryptography
(the signature) do all the work; the tests check the structure against the COSE working
group's published example.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import cbor2

__all__ = ["ALG", "EDDSA", "KID", "TAG", "CoseError", "Sign1", "sign1", "to_be_signed"]

TAG = 18  # COSE_Sign1
ALG, KID = 1, 4  # header labels
EDDSA = -8


class CoseError(ValueError):
    """Bytes that are not a COSE_Sign1 message."""


@dataclass(frozen=True)
class Sign1:
    """A decoded COSE_Sign1: its protected header (as decoded and as signed), payload and
    signature."""

    protected: dict[Any, Any]
    protected_bytes: bytes
    payload: bytes
    signature: bytes

    def to_be_signed(self) -> bytes:
        return to_be_signed(self.protected_bytes, self.payload)


def to_be_signed(protected_bytes: bytes, payload: bytes, external_aad: bytes = b"") -> bytes:
    """The ``Sig_structure`` a Sign1 signature covers (RFC 9052, section 4.4)."""
    return cbor2.dumps(["Signature1", protected_bytes, external_aad, payload])


def sign1(protected: dict[int, Any], payload: bytes, sign: Callable[[bytes], bytes]) -> bytes:
    """A tagged COSE_Sign1 of ``payload`` with ``protected`` headers, signed by ``sign``
    (which returns the raw signature of the bytes it is given)."""
    protected_bytes = cbor2.dumps(protected)
    signature = sign(to_be_signed(protected_bytes, payload))
    return cbor2.dumps(cbor2.CBORTag(TAG, [protected_bytes, {}, payload, signature]))


def decode(raw: bytes) -> Sign1:
    """Read a tagged COSE_Sign1, or raise :class:`CoseError`; the signature is not checked."""
    try:
        message = cbor2.loads(raw)
    except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError):
        raise CoseError("not CBOR") from None
    if not isinstance(message, cbor2.CBORTag) or message.tag != TAG:
        raise CoseError("not a tagged COSE_Sign1")
    body = message.value
    if not isinstance(body, (list, tuple)) or len(body) != 4:
        raise CoseError("a COSE_Sign1 is an array of four")
    protected_bytes, unprotected, payload, signature = body
    if not all(isinstance(v, bytes) for v in (protected_bytes, payload, signature)):
        raise CoseError("a COSE_Sign1's header, payload and signature are byte strings")
    if not isinstance(unprotected, Mapping):  # cbor2 6 gives immutable maps inside tags
        raise CoseError("a COSE_Sign1's unprotected header is a map")
    try:
        protected = cbor2.loads(protected_bytes) if protected_bytes else {}
    except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError):
        raise CoseError("the protected header is not CBOR") from None
    if not isinstance(protected, Mapping):
        raise CoseError("the protected header is not a map")
    return Sign1(dict(protected), protected_bytes, payload, signature)
