"""C2SP signed notes and their keys: the golang.org/x/mod and C2SP vectors, and every MUST.

The x/mod vectors are byte-exact: Ed25519 is deterministic, so signing the published text
with the published private key must give the published note. The spec's rules are then
tested one by one, and hypothesis feeds the parsers random and mangled input, which must
only ever raise :class:`ProofError`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alcabala.ledger import KeyFormatError, ProofError
from alcabala.ledger.note import (
    MAX_SIGNATURES,
    Signer,
    Verifier,
    open_note,
    sign,
    signature_line,
    verify,
)


@pytest.fixture(scope="module")
def xmod(notes: Any) -> Any:
    return notes["x_mod_sumdb_note"]


def test_the_x_mod_keys_and_signature(xmod: Any) -> None:
    signer = Signer.parse(xmod["signer_key"])
    assert signer.name == "PeterNeumann"
    assert signer.key_string() == xmod["signer_key"]
    assert signer.verifier_key() == xmod["verifier_key"]
    assert Verifier.parse(xmod["verifier_key"]).key_string() == xmod["verifier_key"]
    assert sign(xmod["text"], [signer]) == xmod["signed_note"]
    assert verify(xmod["signed_note"], [xmod["verifier_key"]]) == xmod["text"]


def test_the_x_mod_open_cases(xmod: Any) -> None:
    text, peter_vkey, enoch_vkey = xmod["text"], xmod["verifier_key"], xmod["other_verifier_key"]
    peter_line = xmod["signed_note"].removeprefix(text + "\n")
    enoch_line = xmod["other_signature_line"]
    both = text + "\n" + peter_line + enoch_line
    one = open_note(both, [peter_vkey])  # Enoch's key is unknown: ignored
    assert one.text == text and len(one.verified) == 1 and len(one.unverified) == 1
    assert len(open_note(both, [peter_vkey, enoch_vkey]).verified) == 2
    with pytest.raises(ProofError, match="no signature from a known key"):
        verify(both, [])
    bad_peter = peter_line[:60] + "ABCD" + peter_line[60:]
    with pytest.raises(ProofError, match="invalid signature"):
        verify(text + "\n" + bad_peter, [peter_vkey])
    bad_enoch = enoch_line[:60] + "ABCD" + enoch_line[60:]
    doubled = text + "\n" + peter_line * 2 + enoch_line * 2 + bad_enoch
    assert verify(doubled, [peter_vkey]) == text  # a bad line of an unknown key is ignored
    with pytest.raises(ProofError):
        verify(text + "\n" + peter_line * 101, [peter_vkey])
    bad_messages = [
        text,
        text + "\n",
        text + "\n" + peter_line[:-1],
        "\x01" + text + "\n" + peter_line,
        "\udcff" + text + "\n" + peter_line,  # what a lone 0xff byte decodes to
        text + "\n" + "— Bad Name " + peter_line.split(" ")[-1].strip(),
        text + "\n" + peter_line + "Unexpected line.\n",
    ]
    for message in bad_messages:
        with pytest.raises(ProofError):
            verify(message, [peter_vkey])


def test_mangled_x_mod_keys_are_refused(xmod: Any) -> None:
    for key, parse in ((xmod["verifier_key"], Verifier.parse), (xmod["signer_key"], Signer.parse)):
        for i in range(len(key)):
            for j in range(i + 1, len(key) + 1):
                if (i, j) != (0, len(key)):
                    with pytest.raises(KeyFormatError):
                        parse(key[i:j])
        for i in range(len(key)):
            with pytest.raises(KeyFormatError):
                parse(key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :])
    wrong_length = "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
    unknown_algorithm = "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    for key in (wrong_length, unknown_algorithm):
        with pytest.raises(KeyFormatError):
            Verifier.parse(key)


def test_the_c2sp_example(notes: Any) -> None:
    example = notes["c2sp_signed_note_example"]
    assert verify(example["signed_note"], [example["verifier_key"]]) == (
        "This is an example message.\n"
    )


def test_the_key_id_and_key_strings() -> None:
    signer = Signer.generate("example.com/log")
    public = signer.public_key
    want = hashlib.sha256(b"example.com/log\n\x01" + public).digest()[:4]
    assert signer.key_id() == want
    encoded = base64.b64encode(bytes([1]) + public).decode()
    vkey = f"example.com/log+{want.hex()}+{encoded}"
    assert signer.verifier_key() == vkey
    assert Signer.parse(signer.key_string()) == signer
    assert signer.key_string().startswith("PRIVATE+KEY+example.com/log+" + want.hex() + "+")
    assert base64.b64encode(signer.seed).decode() not in repr(signer)
    for name in ("", "a b", "a+b", "a\u00a0b", "a\nb"):
        with pytest.raises(KeyFormatError):
            Signer(name, signer.seed)


def test_unknown_keys_are_ignored_even_sharing_a_name_or_an_id() -> None:
    log, impostor = Signer.generate("example.com/log"), Signer.generate("example.com/log")
    body = "hello\n"
    signed = sign(body, [impostor, log])  # same name, other key (so other ID): ignored
    assert verify(signed, [log.verifier_key()]) == body
    same_id = signature_line("other.example", log.key_id(), impostor.sign(body.encode()))
    assert verify(sign(body, [log]) + same_id, [log.verifier_key()]) == body
    with pytest.raises(ProofError):  # only unknown signatures: refused
        verify(sign(body, [impostor]) + same_id, [log.verifier_key()])


def test_a_bad_signature_from_a_known_key_rejects_the_note() -> None:
    a, b = Signer.generate("a.example"), Signer.generate("b.example")
    body = "hello\n"
    forged = signature_line(b.name, b.key_id(), b.sign(b"another text\n"))
    with pytest.raises(ProofError, match="invalid signature"):
        verify(sign(body, [a]) + forged, [a.verifier_key(), b.verifier_key()])
    assert verify(sign(body, [a]) + forged, [a.verifier_key()]) == body


def test_at_least_sixteen_signatures_and_at_most_the_limit() -> None:
    signers = [Signer.generate(f"w{i}.example") for i in range(20)]
    body = "many\n"
    signed = sign(body, signers)
    assert verify(signed, [signers[-1].verifier_key()]) == body
    assert len(open_note(signed, [s.verifier_key() for s in signers]).verified) == 20
    first, *_, last = signed.removeprefix(body + "\n").splitlines(keepends=True)
    at_limit = body + "\n" + first * (MAX_SIGNATURES - 1) + last
    assert verify(at_limit, [signers[-1].verifier_key()]) == body
    with pytest.raises(ProofError, match="over"):
        verify(at_limit + last, [signers[-1].verifier_key()])


def test_texts_with_blank_lines_and_malformed_signature_lines() -> None:
    signer = Signer.generate("log.example")
    vkeys = [signer.verifier_key()]
    for body in ("a\n\nb\n", "\n", "a\n\n\n", "ünïcödé — text\n"):
        assert verify(sign(body, [signer]), vkeys) == body
    good = sign("x\n", [signer])
    line = good.removeprefix("x\n\n")
    name, encoded = line[2:-1].split(" ")
    for bad_line in (
        f"- {name} {encoded}\n",  # hyphen, not em dash
        f"– {name} {encoded}\n",  # en dash
        f"—{name} {encoded}\n",
        f"— {name}  {encoded}\n",
        f"— {name} {encoded} \n",
        f"—  {encoded}\n",
        f"— {name} {encoded.rstrip('=')}\n",
        f"— {name} AAAAAA==\n",  # four bytes: a key ID and no signature
        f"— {name}\n",
        "\n",
    ):
        with pytest.raises(ProofError):
            verify("x\n\n" + bad_line, vkeys)


def test_sign_refuses_what_could_not_be_verified() -> None:
    signer = Signer.generate("log.example")
    for body in ("no newline", "tab\there\n", "", "\ud800\n"):
        with pytest.raises(ProofError):
            sign(body, [signer])
    with pytest.raises(ProofError):
        sign("x\n", [])
    with pytest.raises(ProofError):
        sign("x\n", ["PRIVATE+KEY+..."])  # type: ignore[list-item]


def test_verifier_lists_are_checked() -> None:
    a = Signer.generate("a.example")
    signed = sign("x\n", [a])
    with pytest.raises(KeyFormatError):
        verify(signed, a.verifier_key())  # one string, not a list
    with pytest.raises(KeyFormatError):
        verify(signed, ["not a key"])
    assert verify(signed, [a.verifier_key(), a.verifier_key()]) == "x\n"
    twin = Verifier(a.name, a.key_id(), 1, bytes(32))
    with pytest.raises(KeyFormatError, match="share"):
        open_note(signed, [a.verifier(), twin])


# --- properties -----------------------------------------------------------------------------

SIGNER = Signer.generate("prop.example/log")
VKEY = SIGNER.verifier_key()
SIGNED = sign("prop.example/log\n42\nAAAA\n", [SIGNER])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_random_notes_raise_nothing_but_proof_error(text: str) -> None:
    for candidate in (text, text + "\n\n— prop.example/log AAAAAAAA\n"):
        with contextlib.suppress(ProofError):
            verify(candidate, [VKEY])


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, len(SIGNED) - 1),
    st.sampled_from(["delete", "insert", "replace"]),
    st.characters(),
)
def test_any_single_character_change_is_refused(at: int, how: str, char: str) -> None:
    if how == "delete":
        mangled = SIGNED[:at] + SIGNED[at + 1 :]
    elif how == "insert":
        mangled = SIGNED[:at] + char + SIGNED[at:]
    else:
        mangled = SIGNED[:at] + char + SIGNED[at + 1 :]
    if mangled == SIGNED:
        return
    with pytest.raises(ProofError):
        verify(mangled, [VKEY])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=120), st.none(), st.integers(), st.binary(max_size=50)))
def test_random_key_strings_raise_nothing_but_key_format_error(key: Any) -> None:
    for parse in (Verifier.parse, Signer.parse):
        for candidate in (key, f"{key}+{key}+{key}", f"PRIVATE+KEY+{key}+00000000+{key}"):
            with contextlib.suppress(KeyFormatError):
                parse(candidate)


def test_odd_arguments_are_refused_as_proof_errors() -> None:
    signer = Signer.generate("a.example")
    with pytest.raises(KeyFormatError):
        Signer("a.example", signer.seed[:31])
    with pytest.raises(KeyFormatError):
        signer.verifier(0x02)  # ECDSA is not supported
    with pytest.raises(ProofError):
        signature_line("a b", signer.key_id(), b"sig")
    with pytest.raises(ProofError):
        signature_line("a", b"abc", b"sig")
    with pytest.raises(ProofError):
        verify(123, [signer.verifier_key()])  # type: ignore[arg-type]
    with pytest.raises(KeyFormatError):
        Verifier.parse(None)  # type: ignore[arg-type]
