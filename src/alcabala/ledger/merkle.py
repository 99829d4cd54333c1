"""RFC 9162 Merkle tree hashing, proofs and their verification (pure, no I/O).

What: the hash of a leaf is ``SHA-256(0x00 ‖ entry)``, of an interior node
``SHA-256(0x01 ‖ left ‖ right)``, and the root of ``n`` leaves splits them at the largest
power of two below ``n`` (RFC 9162 §2.1.1). Inclusion and consistency proofs are generated
with the recursive ``PATH`` and ``SUBPROOF`` definitions (§2.1.3.1, §2.1.4.1) and verified
with the iterative algorithms of §2.1.3.2 and §2.1.4.2.

Why this shape: the verifiers are the part that strangers run against our log, so they
accept *anything* and answer only ``None`` or :class:`ProofError` — never another
exception, whatever the types or values. Edge cases follow transparency-dev/merkle (the
reference the published test vectors come from): sizes are uint64, an index must be below
the size, a consistency proof from the empty tree is meaningless and refused, and equal
sizes need an empty proof and equal roots. The generators are the simple recursive
definitions, linear in the tree size: the database integration will read proofs from
tiles instead, and uses these as the oracle.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from alcabala.ledger.errors import ProofError

HASH_SIZE = 32
#: Tree sizes and indices are uint64, as in every C2SP and RFC 9162 encoding.
MAX_SIZE = 2**64 - 1

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(entry: bytes) -> bytes:
    """``SHA-256(0x00 ‖ entry)``: the hash of one log entry."""
    return hashlib.sha256(_LEAF_PREFIX + bytes(entry)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 ‖ left ‖ right)``: the hash of an interior node."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """The Merkle tree hash of ``leaf_hashes``; ``SHA-256()`` of nothing for an empty tree."""
    if not leaf_hashes:
        return hashlib.sha256(b"").digest()
    return _mth(leaf_hashes, 0, len(leaf_hashes))


def inclusion_proof(index: int, size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of the first ``size`` leaf hashes."""
    _check_size("size", size)
    _check_size("index", index)
    if index >= size:
        raise ProofError(f"index {index} is not below the tree size {size}", field="index")
    if size > len(leaf_hashes):
        raise ProofError(f"size {size} is beyond the {len(leaf_hashes)} leaves", field="size")
    proof: list[bytes] = []
    _path(index, leaf_hashes, 0, size, proof)
    return proof


def consistency_proof(size1: int, size2: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """The proof that the tree of ``size1`` leaves is a prefix of the tree of ``size2``."""
    _check_size("size1", size1)
    _check_size("size2", size2)
    if size1 > size2:
        raise ProofError(f"size1 {size1} is beyond size2 {size2}", field="size1")
    if size1 == 0:
        raise ProofError("a consistency proof from the empty tree is meaningless", field="size1")
    if size2 > len(leaf_hashes):
        raise ProofError(f"size2 {size2} is beyond the {len(leaf_hashes)} leaves", field="size2")
    proof: list[bytes] = []
    if size1 < size2:
        _subproof(size1, leaf_hashes, 0, size2, True, proof)
    return proof


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree of ``size`` with ``root``.

    Raises :class:`ProofError` on any failure, including malformed arguments.
    """
    _check_size("index", index)
    _check_size("size", size)
    _check_hash("leaf_hash", leaf_hash)
    root = _check_bytes("root", root)
    path = _check_proof(proof)
    if index >= size:
        raise ProofError(f"index {index} is not below the tree size {size}", field="index")
    fn, sn = index, size - 1
    r = bytes(leaf_hash)
    for p in path:  # RFC 9162 §2.1.3.2, step 4
        if sn == 0:
            raise ProofError("the inclusion proof is too long", field="proof")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is too short", field="proof")
    if not hmac.compare_digest(r, root):
        raise ProofError("the inclusion proof does not lead to the root", field="root")


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Check that the tree of ``size1`` with ``root1`` is a prefix of ``size2`` with ``root2``.

    Raises :class:`ProofError` on any failure, including malformed arguments.
    """
    _check_size("size1", size1)
    _check_size("size2", size2)
    root1 = _check_bytes("root1", root1)
    root2 = _check_bytes("root2", root2)
    path = _check_proof(proof)
    if size2 < size1:
        raise ProofError(f"size2 {size2} is below size1 {size1}", field="size2")
    if size1 == 0:
        raise ProofError("a consistency proof from the empty tree is meaningless", field="size1")
    if size1 == size2:
        if path:
            raise ProofError("equal sizes need an empty proof", field="proof")
        if not hmac.compare_digest(root1, root2):
            raise ProofError("equal sizes but different roots", field="root2")
        return
    if not path:  # RFC 9162 §2.1.4.2, step 1
        raise ProofError("the consistency proof is empty", field="proof")
    if size1 & (size1 - 1) == 0:  # step 2: size1 is a power of two
        path = [root1, *path]
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:  # step 4
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:  # step 6
        if sn == 0:
            raise ProofError("the consistency proof is too long", field="proof")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the consistency proof is too short", field="proof")
    if not hmac.compare_digest(fr, root1):
        raise ProofError("the consistency proof does not lead to root1", field="root1")
    if not hmac.compare_digest(sr, root2):
        raise ProofError("the consistency proof does not lead to root2", field="root2")


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def _mth(hashes: Sequence[bytes], lo: int, hi: int) -> bytes:
    if hi - lo == 1:
        return hashes[lo]
    k = _split(hi - lo)
    return node_hash(_mth(hashes, lo, lo + k), _mth(hashes, lo + k, hi))


def _path(m: int, hashes: Sequence[bytes], lo: int, hi: int, out: list[bytes]) -> None:
    """RFC 9162 PATH(m, D[lo:hi]), appended to ``out`` from the leaf up."""
    if hi - lo == 1:
        return
    k = _split(hi - lo)
    if m < k:
        _path(m, hashes, lo, lo + k, out)
        out.append(_mth(hashes, lo + k, hi))
    else:
        _path(m - k, hashes, lo + k, hi, out)
        out.append(_mth(hashes, lo, lo + k))


def _subproof(
    m: int, hashes: Sequence[bytes], lo: int, hi: int, known: bool, out: list[bytes]
) -> None:
    """RFC 9162 SUBPROOF(m, D[lo:hi], b), appended to ``out`` from the bottom up."""
    n = hi - lo
    if m == n:
        if not known:
            out.append(_mth(hashes, lo, hi))
        return
    k = _split(n)
    if m <= k:
        _subproof(m, hashes, lo, lo + k, known, out)
        out.append(_mth(hashes, lo + k, hi))
    else:
        _subproof(m - k, hashes, lo + k, hi, False, out)
        out.append(_mth(hashes, lo, lo + k))


def _check_size(field: str, value: object) -> None:
    if type(value) is not int or not 0 <= value <= MAX_SIZE:
        raise ProofError(f"{field} must be an integer from 0 to 2^64-1", field=field)


def _check_bytes(field: str, value: object) -> bytes:
    if not isinstance(value, bytes | bytearray):
        raise ProofError(f"{field} must be bytes", field=field)
    return bytes(value)


def _check_hash(field: str, value: object) -> bytes:
    data = _check_bytes(field, value)
    if len(data) != HASH_SIZE:
        raise ProofError(f"{field} must be {HASH_SIZE} bytes", field=field)
    return data


def _check_proof(proof: object) -> list[bytes]:
    if isinstance(proof, str | bytes | bytearray) or not isinstance(proof, Sequence):
        raise ProofError("the proof must be a sequence of hashes", field="proof")
    if len(proof) > 65:  # no tree of at most 2^64-1 leaves has a longer proof
        raise ProofError("the proof is too long", field="proof")
    return [_check_hash("proof", p) for p in proof]
