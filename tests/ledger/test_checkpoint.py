"""tlog-checkpoint bodies: transparency-dev/tessera's test log, the C2SP example, strictness.

Tessera's ``testdata/log`` is a real log of 15 entries with its key pair published: each of
its 16 checkpoints must verify, carry the root we compute from the entries, and be
reproduced byte for byte when we sign its body with the published private key.
"""

from __future__ import annotations

import base64
import contextlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alcabala.ledger import ProofError, leaf_hash, root_hash
from alcabala.ledger.checkpoint import Checkpoint, open_checkpoint
from alcabala.ledger.note import Signer

ROOT = bytes(range(32))


@pytest.fixture(scope="module")
def tessera(notes: Any) -> Any:
    return notes["tessera_testdata_log"]


def test_the_tessera_log(tessera: Any) -> None:
    signer = Signer.parse(tessera["signer_key"])
    assert signer.verifier_key() == tessera["verifier_key"]
    leaves = [leaf_hash(word.encode()) for word in tessera["leaves"]]
    assert len(tessera["checkpoints"]) == 16
    for size, signed in tessera["checkpoints"].items():
        checkpoint = open_checkpoint(signed, [tessera["verifier_key"]], origin=tessera["origin"])
        assert checkpoint.size == int(size)
        assert checkpoint.root == root_hash(leaves[: int(size)])
        assert checkpoint.sign([signer]) == signed


def test_the_tessera_tiles_and_entries(upstream: Path, tessera: Any) -> None:
    """The upstream files themselves: the level-0 tile and the entry bundle of 15."""
    log = upstream / "tessera" / "testdata" / "log"
    leaves = [leaf_hash(word.encode()) for word in tessera["leaves"]]
    assert (log / "tile" / "0" / "000.p" / "15").read_bytes() == b"".join(leaves)
    bundle, entries = (log / "tile" / "entries" / "000.p" / "15").read_bytes(), []
    while bundle:  # c2sp.org/tlog-tiles: u16 big-endian length, then the entry
        length = int.from_bytes(bundle[:2], "big")
        entries.append(bundle[2 : 2 + length].decode())
        bundle = bundle[2 + length :]
    assert entries == tessera["leaves"]
    for size, signed in tessera["checkpoints"].items():
        assert (log / f"checkpoint.{size}").read_text() == signed
    assert (log / "checkpoint").read_text() == tessera["checkpoints"]["15"]


def test_the_c2sp_example_body(notes: Any) -> None:
    body = notes["c2sp_checkpoint_example"]["signed_note"].split("\n\n")[0] + "\n"
    checkpoint = Checkpoint.parse(body)
    assert checkpoint.origin == "example.com/behind-the-sofa"
    assert checkpoint.size == 20852163
    assert checkpoint.root == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert checkpoint.body() == body


def test_our_body_has_exactly_three_lines() -> None:
    checkpoint = Checkpoint("alcabala.example/log", 7, ROOT)
    root64 = base64.b64encode(ROOT).decode()
    assert checkpoint.body() == f"alcabala.example/log\n7\n{root64}\n"
    assert Checkpoint.parse(checkpoint.body()) == checkpoint
    empty = Checkpoint("o", 0, root_hash([]))
    assert empty.body() == "o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"


def test_extension_lines_are_refused_unless_asked_for() -> None:
    body = Checkpoint("o", 1, ROOT).body() + "ext one\nx\n"
    with pytest.raises(ProofError, match="extension"):
        Checkpoint.parse(body)
    foreign = Checkpoint.parse(body, extensions=True)
    assert foreign.extensions == ("ext one", "x")
    assert foreign.body() == body
    with pytest.raises(ProofError):
        Checkpoint.parse(Checkpoint("o", 1, ROOT).body() + "\n", extensions=True)


@pytest.mark.parametrize(
    "size",
    ["01", "00", "+1", " 1", "1 ", "1_0", "١", "-1", "", "0x1", "18446744073709551616"],
)
def test_sizes_are_strict_decimal(size: str) -> None:
    root64 = base64.b64encode(ROOT).decode()
    with pytest.raises(ProofError):
        Checkpoint.parse(f"o\n{size}\n{root64}\n")


def test_malformed_bodies_are_refused() -> None:
    root64 = base64.b64encode(ROOT).decode()
    for body in (
        f"o\n1\n{root64}",  # no final newline
        f"\n1\n{root64}\n",  # empty origin
        "o\n1\n",
        f"o\n1\n{root64[:-1]}\n",
        f"o\n1\n{base64.b64encode(ROOT[:31]).decode()}\n",  # 31 bytes
        f"o\n1\n{root64.rstrip('=')}\n",
        f"o\r\n1\n{root64}\n",  # a control character
        f"o\n18446744073709551615\n{root64}\n\n",
    ):
        with pytest.raises(ProofError):
            Checkpoint.parse(body)
    assert Checkpoint.parse(f"o\n18446744073709551615\n{root64}\n").size == 2**64 - 1
    for args in (("", 1, ROOT), ("o", -1, ROOT), ("o", 1, ROOT[:31]), ("a\nb", 1, ROOT)):
        with pytest.raises(ProofError):
            Checkpoint(*args)


def test_open_checkpoint_checks_the_origin_and_the_key(tessera: Any) -> None:
    signed = tessera["checkpoints"]["3"]
    with pytest.raises(ProofError, match="not"):
        open_checkpoint(signed, [tessera["verifier_key"]], origin="alcabala.example/log")
    with pytest.raises(ProofError):
        open_checkpoint(signed, [Signer.generate("example.com/log/testdata").verifier_key()])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_random_bodies_raise_nothing_but_proof_error(body: str) -> None:
    for extensions in (False, True):
        with contextlib.suppress(ProofError):
            Checkpoint.parse(body, extensions=extensions)


@settings(max_examples=200, deadline=None)
@given(
    st.text(st.characters(min_codepoint=0x20, exclude_categories=["Cs"]), min_size=1),
    st.integers(0, 2**64 - 1),
    st.binary(min_size=32, max_size=32),
)
def test_bodies_round_trip(origin: str, size: int, root: bytes) -> None:
    checkpoint = Checkpoint(origin, size, root)
    assert Checkpoint.parse(checkpoint.body()) == checkpoint
