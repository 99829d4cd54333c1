"""RFC 9162 hashing and proofs: published vectors, a naive second implementation, properties.

Every proof is checked three ways: against the published reference tree of Certificate
Transparency (``vectors/merkle-reference.json``), against a naive recursive implementation
written here from the RFC's definitions on list slices (so a shared bug would have to be
written twice), and by mutation: every flipped bit of the leaf, the proof or a root, garbage
before or after, a removed or inserted node, a wrong root or leaf, and an impossible index
or size must fail with :class:`ProofError`. Upstream's probe files (when laid out, see
``conftest.py``) add their changed-index and changed-size cases.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alcabala.errors import Error
from alcabala.ledger import (
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)

# --- a naive second implementation, straight from RFC 9162 §2.1 -------------------------


def naive_mth(entries: Sequence[bytes]) -> bytes:
    if not entries:
        return hashlib.sha256().digest()
    if len(entries) == 1:
        return hashlib.sha256(b"\0" + entries[0]).digest()
    k = 1
    while k * 2 < len(entries):
        k *= 2
    return hashlib.sha256(b"\1" + naive_mth(entries[:k]) + naive_mth(entries[k:])).digest()


def naive_path(m: int, entries: Sequence[bytes]) -> list[bytes]:
    if len(entries) == 1:
        return []
    k = 1
    while k * 2 < len(entries):
        k *= 2
    if m < k:
        return [*naive_path(m, entries[:k]), naive_mth(entries[k:])]
    return [*naive_path(m - k, entries[k:]), naive_mth(entries[:k])]


def naive_subproof(m: int, entries: Sequence[bytes], known: bool) -> list[bytes]:
    if m == len(entries):
        return [] if known else [naive_mth(entries)]
    k = 1
    while k * 2 < len(entries):
        k *= 2
    if m <= k:
        return [*naive_subproof(m, entries[:k], known), naive_mth(entries[k:])]
    return [*naive_subproof(m - k, entries[k:], False), naive_mth(entries[:k])]


def flips(data: bytes) -> Iterator[bytes]:
    for i in range(len(data) * 8):
        spoiled = bytearray(data)
        spoiled[i // 8] ^= 1 << (i % 8)
        yield bytes(spoiled)


def rejects(call: Any, *args: Any) -> bool:
    try:
        call(*args)
    except ProofError:
        return True
    return False


GARBAGE = hashlib.sha256(b"garbage").digest()
ENTRIES = [
    bytes.fromhex(h)
    for h in json.loads((Path(__file__).parent / "vectors" / "merkle-reference.json").read_text())[
        "leaf_inputs"
    ]
]


# --- published vectors --------------------------------------------------------------------


def test_the_hasher_vectors(merkle_reference: Any) -> None:
    want = merkle_reference["hasher"]
    assert root_hash([]).hex() == want["empty_root"]
    assert leaf_hash(b"").hex() == want["leaf_hash_of_empty"]
    assert leaf_hash(b"L123456").hex() == want["leaf_hash_of_L123456"]
    assert node_hash(b"N123", b"N456").hex() == want["node_hash_of_N123_N456"]


def test_the_reference_tree(merkle_reference: Any) -> None:
    leaves = [leaf_hash(e) for e in ENTRIES]
    levels = merkle_reference["node_hashes_by_level"]
    assert [h.hex() for h in leaves] == levels[0]
    for level, row in enumerate(levels[1:], start=1):
        width = 1 << level
        for i, want in enumerate(row):
            assert root_hash(leaves[i * width : (i + 1) * width]).hex() == want
    for size, want in enumerate(merkle_reference["root_hashes_by_size"]):
        assert root_hash(leaves[:size]).hex() == want == naive_mth(ENTRIES[:size]).hex()
    assert want == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"


def test_the_reference_proofs(merkle_reference: Any) -> None:
    leaves = [leaf_hash(e) for e in ENTRIES]
    roots = [bytes.fromhex(h) for h in merkle_reference["root_hashes_by_size"]]
    for case in merkle_reference["inclusion_proofs"]:
        index, size, want = case["index"], case["size"], case["proof"]
        assert [p.hex() for p in inclusion_proof(index, size, leaves)] == want
        verify_inclusion(leaves[index], index, size, [bytes.fromhex(p) for p in want], roots[size])
    for case in merkle_reference["consistency_proofs"]:
        size1, size2, want = case["size1"], case["size2"], case["proof"]
        assert [p.hex() for p in consistency_proof(size1, size2, leaves)] == want
        proof = [bytes.fromhex(p) for p in want]
        verify_consistency(size1, size2, proof, roots[size1], roots[size2])


def test_the_published_probes(upstream: Path) -> None:
    """transparency-dev/merkle ``testdata/{inclusion,consistency}``: every probe agrees."""
    testdata = upstream / "merkle" / "testdata"
    files = sorted(
        f for kind in ("inclusion", "consistency") for f in (testdata / kind).rglob("*.json")
    )
    assert len(files) >= 196, "the probe files of merkle/testdata are missing"
    wrong = []
    for path in files:
        probe = json.loads(path.read_text())
        proof = [base64.b64decode(p) for p in probe["proof"] or []]
        d = base64.b64decode
        if "leafIdx" in probe:
            args = (d(probe["leafHash"]), probe["leafIdx"], probe["treeSize"], proof)
            failed = rejects(verify_inclusion, *args, d(probe["root"]))
        else:
            args2 = (probe["size1"], probe["size2"], proof, d(probe["root1"]), d(probe["root2"]))
            failed = rejects(verify_consistency, *args2)
        if failed != probe["wantErr"]:
            wrong.append(f"{path.relative_to(upstream)}: {probe['desc']}")
    assert not wrong


# --- every proof of small trees, against the naive implementation, and spoiled -----------


@pytest.mark.parametrize("size", range(1, 9))
def test_every_inclusion_proof_of_the_reference_tree(size: int) -> None:
    leaves = [leaf_hash(e) for e in ENTRIES[:size]]
    root = root_hash(leaves)
    for index in range(size):
        proof = inclusion_proof(index, size, leaves)
        assert proof == naive_path(index, ENTRIES[:size])
        verify_inclusion(leaves[index], index, size, proof, root)
        for spoiled in inclusion_mutations(leaves[index], index, size, proof, root):
            assert rejects(verify_inclusion, *spoiled), spoiled


def inclusion_mutations(
    leaf: bytes, index: int, size: int, proof: list[bytes], root: bytes
) -> Iterator[tuple[Any, ...]]:
    # A changed index or size is not always wrong (a tree of 7 and one of 8 can share a
    # proof's shape), so only the impossible ones are here; upstream's probes try the rest.
    yield leaf, size, size, proof, root
    yield leaf, index, index, proof, root
    yield GARBAGE, index, size, proof, root
    yield leaf, index, size, proof, GARBAGE
    yield leaf, index, size, proof, root_hash([])
    yield leaf, index, size, [GARBAGE, *proof], root
    yield leaf, index, size, [*proof, GARBAGE], root
    yield leaf, index, size, [*proof, root], root
    yield leaf, index, size, [root, *proof], root
    for i in range(len(proof)):
        yield leaf, index, size, proof[:i] + proof[i + 1 :], root
        yield leaf, index, size, [*proof[:i], GARBAGE, *proof[i:]], root
        for spoiled in flips(proof[i]):
            yield leaf, index, size, [*proof[:i], spoiled, *proof[i + 1 :]], root
    for spoiled in flips(leaf):
        yield spoiled, index, size, proof, root
    for spoiled in flips(root):
        yield leaf, index, size, proof, spoiled


@pytest.mark.parametrize("size2", range(1, 9))
def test_every_consistency_proof_of_the_reference_tree(size2: int) -> None:
    leaves = [leaf_hash(e) for e in ENTRIES[:size2]]
    root2 = root_hash(leaves)
    for size1 in range(1, size2 + 1):
        root1 = root_hash(leaves[:size1])
        proof = consistency_proof(size1, size2, leaves)
        assert proof == (naive_subproof(size1, ENTRIES[:size2], True) if size1 < size2 else [])
        verify_consistency(size1, size2, proof, root1, root2)
        for spoiled in consistency_mutations(size1, size2, proof, root1, root2):
            assert rejects(verify_consistency, *spoiled), spoiled


def consistency_mutations(
    size1: int, size2: int, proof: list[bytes], root1: bytes, root2: bytes
) -> Iterator[tuple[Any, ...]]:
    yield 0, size2, proof, root1, root2
    yield size2 + 1, size2, proof, root1, root2
    yield size1, size1 - 1, proof, root1, root2
    yield size1, size2, proof, root2 if root1 != root2 else GARBAGE, root1
    yield size1, size2, proof, GARBAGE, root2
    yield size1, size2, proof, root1, GARBAGE
    yield size1, size2, [GARBAGE, *proof], root1, root2
    yield size1, size2, [*proof, GARBAGE], root1, root2
    yield size1, size2, [root1, *proof], root1, root2
    for i in range(len(proof)):
        yield size1, size2, proof[:i] + proof[i + 1 :], root1, root2
        for spoiled in flips(proof[i]):
            yield size1, size2, [*proof[:i], spoiled, *proof[i + 1 :]], root1, root2
    for spoiled in flips(root1):
        yield size1, size2, proof, spoiled, root2
    for spoiled in flips(root2):
        yield size1, size2, proof, root1, spoiled


# --- the RFC's edge cases -----------------------------------------------------------------


def test_inclusion_edge_cases() -> None:
    one = leaf_hash(b"x")
    verify_inclusion(one, 0, 1, [], one)  # a tree of one leaf: the leaf is the root
    assert rejects(verify_inclusion, one, 0, 0, [], root_hash([]))  # size 0
    assert rejects(verify_inclusion, one, 1, 1, [], one)  # index == size
    assert rejects(verify_inclusion, one, 5, 2, [one], one)  # index > size
    assert rejects(verify_inclusion, b"", 0, 1, [], b"")  # a leaf hash is 32 bytes
    assert rejects(verify_inclusion, one, 0, 1, [b"short"], one)
    assert rejects(verify_inclusion, one, 0, 2**64, [], one)  # beyond uint64
    assert rejects(verify_inclusion, one, -1, 1, [], one)
    assert rejects(verify_inclusion, one, True, 2, [one], one)  # a bool is not an index
    assert rejects(verify_inclusion, one, 0, 1, None, one)
    assert rejects(verify_inclusion, one, 0, 1, one, one)  # bytes are not a list of hashes
    assert rejects(verify_inclusion, one, 0, 2**64 - 1, [GARBAGE] * 66, one)
    assert rejects(verify_inclusion, one, 2**64 - 2, 2**64 - 1, [GARBAGE] * 64, one)


def test_consistency_edge_cases() -> None:
    r = root_hash([leaf_hash(b"x")])
    verify_consistency(1, 1, [], r, r)
    assert rejects(verify_consistency, 1, 1, [r], r, r)  # equal sizes, non-empty proof
    assert rejects(verify_consistency, 1, 1, [], r, GARBAGE)  # equal sizes, other roots
    empty = root_hash([])
    assert rejects(verify_consistency, 0, 0, [], empty, empty)  # from the empty tree
    assert rejects(verify_consistency, 0, 1, [], empty, r)
    assert rejects(verify_consistency, 2, 1, [], r, r)  # size1 > size2
    assert rejects(verify_consistency, 1, 2, [], r, r)  # an empty proof for a growth
    assert rejects(verify_consistency, 1, 2**64, [r], r, r)
    assert rejects(verify_consistency, 1, 2, [b"\0" * 31], r, r)
    assert rejects(verify_consistency, "1", 2, [r], r, r)


def test_the_generators_refuse_impossible_proofs() -> None:
    leaves = [leaf_hash(e) for e in ENTRIES]
    assert rejects(inclusion_proof, 8, 8, leaves)
    assert rejects(inclusion_proof, 0, 9, leaves)
    assert rejects(inclusion_proof, 0, 0, leaves)
    assert rejects(consistency_proof, 0, 3, leaves)
    assert rejects(consistency_proof, 4, 3, leaves)
    assert rejects(consistency_proof, 3, 9, leaves)
    assert consistency_proof(8, 8, leaves) == []


def test_proof_error_is_the_projects_error() -> None:
    assert issubclass(ProofError, Error)
    assert ProofError.http_status == 422 and ProofError.code == "proof_invalid"


# --- properties -----------------------------------------------------------------------------


trees = st.lists(st.binary(max_size=8), min_size=1, max_size=70)


@settings(max_examples=150, deadline=None)
@given(entries=trees, data=st.data())
def test_random_inclusion_proofs_verify_and_any_flipped_bit_fails(
    entries: list[bytes], data: st.DataObject
) -> None:
    leaves = [leaf_hash(e) for e in entries]
    size = data.draw(st.integers(1, len(leaves)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    root = root_hash(leaves[:size])
    assert root == naive_mth(entries[:size])
    proof = inclusion_proof(index, size, leaves)
    verify_inclusion(leaves[index], index, size, proof, root)
    blob = b"".join([leaves[index], *proof, root])
    bit = data.draw(st.integers(0, len(blob) * 8 - 1), label="bit")
    spoiled = bytearray(blob)
    spoiled[bit // 8] ^= 1 << (bit % 8)
    parts = [bytes(spoiled[i : i + 32]) for i in range(0, len(spoiled), 32)]
    assert rejects(verify_inclusion, parts[0], index, size, parts[1:-1], parts[-1])


@settings(max_examples=150, deadline=None)
@given(entries=trees, data=st.data())
def test_random_consistency_proofs_verify_and_any_flipped_bit_fails(
    entries: list[bytes], data: st.DataObject
) -> None:
    leaves = [leaf_hash(e) for e in entries]
    size2 = data.draw(st.integers(1, len(leaves)), label="size2")
    size1 = data.draw(st.integers(1, size2), label="size1")
    root1, root2 = root_hash(leaves[:size1]), root_hash(leaves[:size2])
    proof = consistency_proof(size1, size2, leaves)
    verify_consistency(size1, size2, proof, root1, root2)
    blob = b"".join([root1, *proof, root2])
    bit = data.draw(st.integers(0, len(blob) * 8 - 1), label="bit")
    spoiled = bytearray(blob)
    spoiled[bit // 8] ^= 1 << (bit % 8)
    parts = [bytes(spoiled[i : i + 32]) for i in range(0, len(spoiled), 32)]
    assert rejects(verify_consistency, size1, size2, parts[1:-1], parts[0], parts[-1])


anything = st.one_of(
    st.binary(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.none(),
    st.text(max_size=4),
    st.floats(),
    st.lists(st.binary(min_size=31, max_size=33), max_size=5),
)
hashes = st.one_of(st.binary(min_size=32, max_size=32), anything)
sizes = st.one_of(st.integers(min_value=-3, max_value=2**64 + 3), anything)
proofs = st.one_of(st.lists(hashes, max_size=8), anything)


@settings(max_examples=400, deadline=None)
@given(leaf=hashes, index=sizes, size=sizes, proof=proofs, root=hashes)
def test_verify_inclusion_raises_nothing_but_proof_error(
    leaf: Any, index: Any, size: Any, proof: Any, root: Any
) -> None:
    with contextlib.suppress(ProofError):
        verify_inclusion(leaf, index, size, proof, root)


@settings(max_examples=400, deadline=None)
@given(size1=sizes, size2=sizes, proof=proofs, root1=hashes, root2=hashes)
def test_verify_consistency_raises_nothing_but_proof_error(
    size1: Any, size2: Any, proof: Any, root1: Any, root2: Any
) -> None:
    with contextlib.suppress(ProofError):
        verify_consistency(size1, size2, proof, root1, root2)
