"""tlog-cosignature v1 (Ed25519): the published examples, and a second implementation.

No published Ed25519 cosignature comes with its public key, so the signature itself is
cross-checked here by rebuilding the signed message and the key ID from the spec's text
with ``cryptography`` directly. What is published — the spec's example line and signed
message, transparency-dev/formats' vkeys and timestamped signature — is tested as is.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from alcabala.ledger import KeyFormatError, ProofError
from alcabala.ledger.checkpoint import Checkpoint, open_checkpoint
from alcabala.ledger.cosignature import (
    cosign,
    cosignatures,
    timestamp,
    verify_cosignature,
    witness_verifier_key,
)
from alcabala.ledger.keys import cosigned_message
from alcabala.ledger.note import Signature, Signer, Verifier, parse, verify

BODY = Checkpoint("alcabala.example/log", 20852163, bytes(range(32))).body()
LOG = Signer.generate("alcabala.example/log")
W1, W2 = Signer.generate("w1.example"), Signer.generate("w2.example")


def test_the_spec_example(notes: Any) -> None:
    example = notes["c2sp_cosignature_example"]
    text, lines = parse(example["signed_note"])
    witness = next(sig for sig in lines if sig.name == example["cosigner"])
    assert timestamp(witness) == example["timestamp"]
    assert (
        cosigned_message(text.encode(), example["timestamp"]).decode()
        == (example["signed_message"])
    )


def test_the_formats_vectors(notes: Any) -> None:
    vectors = notes["formats_cosignature_v1"]
    for vkey, sig_type in vectors["verifier_keys"].items():
        assert Verifier.parse(vkey).sig_type == sig_type
    stamped = base64.b64decode(vectors["signature_with_timestamp"]["base64"])
    signature = Signature("w", stamped[:4], stamped[4:])
    assert timestamp(signature) == vectors["signature_with_timestamp"]["timestamp"]
    plain = base64.b64decode(vectors["signature_without_timestamp"])
    with pytest.raises(ProofError):
        timestamp(Signature("w", plain[:4], plain[4:]))


def test_a_cosignature_is_what_the_spec_says_byte_for_byte() -> None:
    line = cosign(BODY, W1, 1679315147)
    assert line.startswith("— w1.example ") and line.endswith("\n")
    raw = base64.b64decode(line.split(" ")[2])
    assert len(raw) == 4 + 8 + 64
    public = W1.public_key
    assert raw[:4] == hashlib.sha256(b"w1.example\n\x04" + public).digest()[:4]
    assert raw[4:12] == (1679315147).to_bytes(8, "big")
    message = b"cosignature/v1\ntime 1679315147\n" + BODY.encode()
    Ed25519PublicKey.from_public_bytes(public).verify(raw[12:], message)  # raises if wrong
    vkey = witness_verifier_key(W1)
    encoded = base64.b64encode(bytes([4]) + public).decode()
    assert vkey == f"w1.example+{raw[:4].hex()}+{encoded}"
    assert verify_cosignature(BODY, line, vkey) == 1679315147


def test_a_cosigned_checkpoint() -> None:
    signed = Checkpoint.parse(BODY).sign([LOG]) + cosign(BODY, W1, 10) + cosign(BODY, W2, 11)
    assert open_checkpoint(signed, [LOG.verifier_key()]).size == 20852163
    witnesses = [witness_verifier_key(W1), witness_verifier_key(W2)]
    assert cosignatures(signed, witnesses) == {witnesses[0]: 10, witnesses[1]: 11}
    assert cosignatures(signed, [witness_verifier_key(Signer.generate("w3.example"))]) == {}
    assert verify(signed, witnesses) == BODY  # a 0x04 vkey verifies as a note key too
    with pytest.raises(ProofError):  # ...but the witness's 0x01 key is another key ID
        verify(Checkpoint.parse(BODY).sign([LOG]) + cosign(BODY, W1, 10), [W1.verifier_key()])
    with pytest.raises(ProofError):  # and a plain signature by the witness is no cosignature
        verify(Checkpoint.parse(BODY).sign([W1]), [witness_verifier_key(W1)])
    with pytest.raises(ProofError, match="future"):
        cosignatures(signed, witnesses, not_after=10)


def test_spoiled_cosignatures_are_refused() -> None:
    line = cosign(BODY, W1, 1000)
    vkey = witness_verifier_key(W1)
    raw = base64.b64decode(line.split(" ")[2])
    for spoiled_raw in (
        raw[:4] + (1001).to_bytes(8, "big") + raw[12:],  # another time, same signature
        raw[:4] + (2**63).to_bytes(8, "big") + raw[12:],
        raw[:-1] + bytes([raw[-1] ^ 1]),
        raw[:4] + raw[12:],  # no timestamp
    ):
        spoiled = f"— w1.example {base64.b64encode(spoiled_raw).decode()}\n"
        with pytest.raises(ProofError):
            verify_cosignature(BODY, spoiled, vkey)
    with pytest.raises(ProofError):
        verify_cosignature(Checkpoint("alcabala.example/log", 1, bytes(32)).body(), line, vkey)
    with pytest.raises(ProofError, match="not a cosignature"):
        verify_cosignature(BODY, line, witness_verifier_key(W2))
    with pytest.raises(KeyFormatError):
        verify_cosignature(BODY, line, W1.verifier_key())  # a 0x01 key is not a witness key
    with pytest.raises(ProofError):
        verify_cosignature(BODY, line + line, vkey)
    signed = Checkpoint.parse(BODY).sign([LOG]) + line.replace(line.split(" ")[2][:8], "AAAAAAAA")
    assert cosignatures(signed, [vkey]) == {}  # the key ID no longer matches: ignored


def test_extension_lines_are_cosigned() -> None:
    body = BODY + "an extension\n"
    line = cosign(body, W1, 5)
    assert verify_cosignature(body, line, witness_verifier_key(W1)) == 5
    with pytest.raises(ProofError):
        verify_cosignature(BODY + "an extensioN\n", line, witness_verifier_key(W1))


def test_cosign_refuses_bad_input() -> None:
    for time in (-1, 2**63, 1.5, True):
        with pytest.raises(ProofError):
            cosign(BODY, W1, time)  # type: ignore[arg-type]
    with pytest.raises(ProofError):
        cosign("not a checkpoint\n", W1, 1)
    with pytest.raises(ProofError):
        cosign(BODY, "PRIVATE+KEY+w1", 1)  # type: ignore[arg-type]
    with pytest.raises(KeyFormatError):
        cosignatures(BODY, witness_verifier_key(W1))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=150), st.text(max_size=60))
def test_random_input_raises_nothing_but_proof_error(line: str, body: str) -> None:
    vkey = witness_verifier_key(W1)
    for candidate_body in (body, BODY):
        for candidate in (line, f"— w1.example {line}\n"):
            with contextlib.suppress(ProofError):
                verify_cosignature(candidate_body, candidate, vkey)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**63 - 1), st.integers(0, 2**64 - 1))
def test_cosignatures_round_trip(time: int, size: int) -> None:
    body = Checkpoint("o.example", size, bytes(32)).body()
    assert verify_cosignature(body, cosign(body, W2, time), witness_verifier_key(W2)) == time


def test_timestamps_beyond_the_limit_are_refused() -> None:
    too_late = (2**63).to_bytes(8, "big") + bytes(64)
    with pytest.raises(ProofError, match="2\\^63"):
        timestamp(Signature("w", bytes(4), too_late))
    assert timestamp(Signature("w", bytes(4), (2**63 - 1).to_bytes(8, "big") + bytes(64))) == (
        2**63 - 1
    )
