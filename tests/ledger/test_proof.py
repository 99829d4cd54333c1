"""Receipt proofs (c2sp.org/tlog-proof@v1): the format, a vector of ours, the size bound,
every refusal, and hypothesis feeding the parser and verifier random and mutated proofs.

The vector is fixed bytes (keys from fixed seeds, a fixed salt; Ed25519 signs
deterministically) and is cross-checked by recomputing the extra data, the entry and the
leaf with ``json``/``hashlib`` alone, as a verifier written from the docs would.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import math
import secrets
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alcabala.checks.logged import check_record
from alcabala.ledger import ProofError, merkle
from alcabala.ledger.checkpoint import Checkpoint
from alcabala.ledger.cosignature import cosign, witness_verifier_key
from alcabala.ledger.entries import entry_for
from alcabala.ledger.keys import Signer
from alcabala.ledger.merkle import node_hash
from alcabala.ledger.proof import (
    HEADER,
    MAX_PROOF_BYTES,
    ReceiptData,
    TlogProof,
    build_receipt_proof,
    parse_proof,
    verify_receipt_proof,
)

LOG = Signer("registro.example/log", bytes(range(32)))
WITNESS = Signer("testigo.example", bytes(range(32, 64)))
OTHER_WITNESS = Signer("otro-testigo.example", bytes(range(64, 96)))
VKEY = LOG.verifier_key()
WKEY = witness_verifier_key(WITNESS)
W2KEY = witness_verifier_key(OTHER_WITNESS)
SALT = bytes(range(100, 132))
RECORD = {
    "receipt": "7K2QX-M9D4B",
    "verdict": "clear",
    "checkpoint": "GUA-ALDAO",
    "at": "2026-05-01T12:03:04.000000Z",
}
COSIGNED_AT = 1_777_777_777

# Entry 3 of a log of 5 (see ``_small_log``), cosigned by WITNESS: bytes fixed forever.
VECTOR = """c2sp.org/tlog-proof@v1
extra ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoNbImNoZWNrIiwiR05CIiwiMjAyNi0wNS0wMVQxMjowMzowM1oiLHsiYXQiOiIyMDI2LTA1LTAxVDEyOjAzOjA0LjAwMDAwMFoiLCJjaGVja3BvaW50IjoiR1VBLUFMREFPIiwibiI6MywicmVjZWlwdCI6IjdLMlFYLU05RDRCIiwidmVyZGljdCI6ImNsZWFyIn1d
index 3
HAhbyHN2opf9Ue7kjd/1VLuGnyuaVevkmaUzkg7OEE0=
T/cJk+5PTDJfhsokpgne7Gn0qAz3pFdehW/UDZL2Kmc=
bXLrfXFv8h2klvKZzFyVp4nOMQ9eYPHJbY+lciakL5Q=

registro.example/log
5
rtstwX5uBCaMUpZsRukLOn79qFrCUtY7+Vw8h3o3+30=

— registro.example/log QQCGHYPXIk1zQ8Zw8KNEU3z26s5WLFtvZuJ8t1T5C9EbFSYGL0tAnHgnYcIa5c6Fm/h/w/IgdnblWRs+kkmrTxXqmg4=
— testigo.example Q7NfIgAAAABp9rxxm6sPYzgO79wSxra2/P+m5hyemyS1voUEsEyjnshcyUbeGoPiCECVRQYC6FCcmzmcQNgdyVFOLFjOzxmZPHKaCA==
"""  # noqa: E501


def _small_log(
    size: int = 5, signers: tuple[Signer, ...] = (LOG,), witnesses: tuple[Signer, ...] = (WITNESS,)
) -> tuple[list[tuple[ReceiptData, bytes]], list[bytes], str]:
    """``size`` receipt entries (fixed salt), their leaves and the cosigned checkpoint note."""
    entries = []
    for n in range(size):
        data = ReceiptData(
            SALT, "check", "GNB", f"2026-05-01T12:03:{n % 60:02d}Z", {**RECORD, "n": n}
        )
        entries.append((data, data.entry()))
    leaves = [merkle.leaf_hash(entry) for _, entry in entries]
    body = Checkpoint(signers[0].name, size, merkle.root_hash(leaves))
    note = body.sign(signers) + "".join(cosign(body.body(), w, COSIGNED_AT) for w in witnesses)
    return entries, leaves, note


def _proof_of(index: int, size: int = 5, **log: Any) -> str:
    entries, leaves, note = _small_log(size, **log)
    data, entry = entries[index]
    return build_receipt_proof(
        entry=entry,
        salt=data.salt,
        record=data.record,
        index=index,
        proof=merkle.inclusion_proof(index, size, leaves),
        checkpoint=note,
    )


# -- the format and the vector -------------------------------------------------------------


def test_the_vector_is_what_we_build() -> None:
    assert _proof_of(3) == VECTOR


def test_the_vector_recomputed_from_the_docs_alone() -> None:
    """A verifier written from docs/ledger.md with json and hashlib gets the same leaf and
    the signed root, and our verifier agrees."""
    lines = VECTOR.split("\n")
    assert lines[0] == "c2sp.org/tlog-proof@v1" and lines[2] == "index 3"
    extra = base64.b64decode(lines[1].removeprefix("extra "))
    salt, array = extra[:32], json.loads(extra[32:])
    assert salt == SALT and array[:3] == ["check", "GNB", "2026-05-01T12:03:03Z"]
    jcs = json.dumps(array[3], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert (
        extra[32:]
        == json.dumps(array, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )
    commitment = hashlib.sha256(salt + jcs.encode()).hexdigest()
    entry = (
        f'{{"agency":"GNB","commitment":"{commitment}","time":"2026-05-01T12:03:03Z",'
        f'"type":"check"}}'
    ).encode()
    node = hashlib.sha256(b"\x00" + entry).digest()
    # index 3 of 5: the proof is leaf 2, then MTH(0..2), then MTH(4..5), from the leaf up
    h = [base64.b64decode(x) for x in lines[3:6]]

    def up(left: bytes, right: bytes) -> bytes:
        return hashlib.sha256(b"\x01" + left + right).digest()

    root = up(up(h[1], up(h[0], node)), h[2])
    assert base64.b64encode(root).decode() == lines[9]
    proven = verify_receipt_proof(VECTOR, [VKEY], [WKEY])
    assert proven.entry == entry and proven.leaf_hash == node
    assert (proven.receipt, proven.verdict, proven.checkpoint_code) == (
        "7K2QX-M9D4B",
        "clear",
        "GUA-ALDAO",
    )
    assert proven.logged_at == dt.datetime(2026, 5, 1, 12, 3, 3, tzinfo=dt.UTC)
    assert (proven.index, proven.size, proven.origin) == (3, 5, "registro.example/log")
    assert [(c.name, c.time) for c in proven.cosigners] == [("testigo.example", COSIGNED_AT)]
    assert proven.log_key == VKEY and proven.quorum == 1 and proven.witnesses == 1


def test_parse_and_text_round_trip() -> None:
    parsed = parse_proof(VECTOR)
    assert parsed.index == 3 and len(parsed.proof) == 3 and parsed.extra is not None
    assert VECTOR.endswith(parsed.checkpoint) and parsed.checkpoint.startswith("registro.example")
    assert parsed.text() == VECTOR
    assert parse_proof(VECTOR.encode()) == parsed
    bare = TlogProof(0, (), parsed.checkpoint)  # no extra line: the spec allows it
    assert bare.text() == f"{HEADER}\nindex 0\n\n{parsed.checkpoint}"
    assert parse_proof(bare.text()) == bare


def test_every_index_of_small_logs_verifies() -> None:
    for size in (1, 2, 3, 7, 8, 9, 33):
        for index in range(size):
            proven = verify_receipt_proof(_proof_of(index, size), [VKEY], [WKEY])
            assert proven.index == index and proven.size == size
            assert len(parse_proof(_proof_of(index, size)).proof) <= math.ceil(math.log2(size))


def test_a_real_check_record_from_entry_for() -> None:
    """The entry ``models.append`` stores (``entry_for``, random salt) proves its record."""
    at = dt.datetime(2026, 5, 1, 12, 3, 4, 123456, tzinfo=dt.UTC)
    record = _realistic_record(at)
    entry, salt = entry_for("check", "GNB", at, record)
    others = [entry_for("check", "GNB", at, {"n": n})[0] for n in range(6)]
    leaves = [merkle.leaf_hash(e) for e in [*others[:4], entry, *others[4:]]]
    body = Checkpoint(LOG.name, len(leaves), merkle.root_hash(leaves))
    text = build_receipt_proof(
        entry=entry,
        salt=salt,
        record=record,
        index=4,
        proof=merkle.inclusion_proof(4, len(leaves), leaves),
        checkpoint=body.sign([LOG]),
    )
    proven = verify_receipt_proof(text, [VKEY])
    assert dict(proven.record) == record and proven.data.time == "2026-05-01T12:03:04Z"
    assert proven.cosigners == () and proven.witnesses == 0
    assert len(text.encode()) < 1500


# -- the size bound ------------------------------------------------------------------------


def _realistic_record(at: dt.datetime) -> dict[str, Any]:
    return check_record(
        receipt="7K2QX-M9D4B",
        check_id="3f1c2b9e-8a1d-4c6e-9b2f-0d5e6a7b8c9d",
        checkpoint="GUA-ALDAO",
        at=at,
        plate="AB123CD",
        plate_country="VE",
        vin="1M8GDM9AXKP042788",
        verdict="irregular",
        irregularities=[{"code": "plate_vin_mismatch"}],
        offline=False,
        national_ids=["V12345678", "V7654321"],
    )


def _fold(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes:
    """The root ``path`` leads ``leaf`` to (RFC 9162 §2.1.3.2): a synthetic tree's root."""
    fn, sn, node = index, size - 1, leaf
    for p in path:
        if fn & 1 or fn == sn:
            node = node_hash(p, node)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            node = node_hash(node, p)
        fn, sn = fn >> 1, sn >> 1
    return node


def test_a_receipt_in_a_log_of_ten_million_is_under_2_kib() -> None:
    """24 hashes (⌈log2 10,000,000⌉), an irregular stop with a VIN and a plate, a realistic
    origin and one witness: the whole file stays within 2 KiB."""
    size, index = 10_000_000, 4_000_000
    assert math.ceil(math.log2(size)) == 24
    origin = "registro.alcabala.gob.ve/log"
    log, witness = Signer(origin, bytes(32)), Signer("testigo.ucv.ve", bytes(range(32)))
    at = dt.datetime(2026, 5, 1, 12, 3, 4, 123456, tzinfo=dt.UTC)
    record = _realistic_record(at)
    entry, salt = entry_for("check", "GNB", at, record)
    path = [secrets.token_bytes(32) for _ in range(24)]
    root = _fold(merkle.leaf_hash(entry), index, size, path)
    body = Checkpoint(origin, size, root)
    note = body.sign([log]) + cosign(body.body(), witness, COSIGNED_AT)
    text = build_receipt_proof(
        entry=entry, salt=salt, record=record, index=index, proof=path, checkpoint=note
    )
    assert len(parse_proof(text).proof) == 24
    assert len(text.encode("utf-8")) <= 2048, len(text.encode("utf-8"))
    proven = verify_receipt_proof(text, [log.verifier_key()], [witness_verifier_key(witness)])
    assert proven.size == size and proven.index == index and proven.receipt == "7K2QX-M9D4B"


# -- refusals ------------------------------------------------------------------------------


def _refused(text: Any, match: str, *args: Any, **kwargs: Any) -> None:
    args = args or ([VKEY], [WKEY])
    with pytest.raises(ProofError, match=match):
        verify_receipt_proof(text, *args, **kwargs)


def _with_extra(extra: bytes) -> str:
    parsed = parse_proof(VECTOR)
    return TlogProof(parsed.index, parsed.proof, parsed.checkpoint, extra).text()


def test_a_changed_record_is_refused() -> None:
    data = ReceiptData.decode(parse_proof(VECTOR).extra or b"")
    changed = ReceiptData(data.salt, data.type, data.agency, data.time, {**data.record, "n": 4})
    _refused(_with_extra(changed.encode()), "not in the log's signed tree")
    other_salt = ReceiptData(bytes(32), data.type, data.agency, data.time, data.record)
    _refused(_with_extra(other_salt.encode()), "not in the log's signed tree")
    later = ReceiptData(data.salt, data.type, data.agency, "2026-05-01T12:03:04Z", data.record)
    _refused(_with_extra(later.encode()), "not in the log's signed tree")


def test_malformed_extra_data_is_refused() -> None:
    salt = SALT
    cases = {
        b"short": "too short",
        salt: "too short",
        salt + b"\xff": "not JSON",
        salt + b'{"a":1}': r"the array \[type, agency, time, record\]",
        salt + b'["check","GNB","2026-05-01T12:03:03Z"]': "the array",
        salt + b'["check", "GNB","2026-05-01T12:03:03Z",{}]': "not RFC 8785 canonical",
        salt + b'["check","GNB","2026-05-01T12:03:03Z",{"a":1,"a":1}]': "repeats a member",
        salt + b'["check","GNB","2026-05-01T12:03:03Z",{"a":NaN}]': "JSON cannot",
        salt + b'["check","GNB","2026-05-01T12:03:03Z",[]]': "record is a JSON object",
        salt + b'[1,"GNB","2026-05-01T12:03:03Z",{}]': "type and time are strings",
        salt + b'["check",7,"2026-05-01T12:03:03Z",{}]': "agency is a string or null",
        salt + b'["Check","GNB","2026-05-01T12:03:03Z",{}]': "does not make a log entry",
        salt + b'["check","GNB","2026-13-01T12:03:03Z",{}]': "not a real date",
        salt + b'["check","GNB","yesterday",{}]': "does not make a log entry",
        salt + b"[" * 20_000: "not JSON",
    }
    for extra, match in cases.items():
        _refused(_with_extra(extra), match)


def test_the_signature_and_origin_are_checked() -> None:
    impostor = Signer("registro.example/log", bytes(range(1, 33)))
    _refused(VECTOR, "the log's signature does not verify", [impostor.verifier_key()], [])
    _refused(VECTOR, "no signature from a known key", [WITNESS.verifier_key()], [])
    _refused(VECTOR, "not 'otro.example/log'", [VKEY], [], origin="otro.example/log")
    misnamed = Signer("otro.example/log", bytes(range(32)))
    # signed by a key that is not named after the checkpoint's origin
    odd = Checkpoint("registro.example/log", 5, parse_checkpoint_root(VECTOR))
    entries, leaves, _ = _small_log()
    text = build_receipt_proof(
        entry=entries[3][1],
        salt=SALT,
        record=entries[3][0].record,
        index=3,
        proof=merkle.inclusion_proof(3, 5, leaves),
        checkpoint=odd.sign([misnamed]),
    )
    _refused(text, "none of its signing keys is named after", [misnamed.verifier_key()], [])


def parse_checkpoint_root(text: str) -> bytes:
    return Checkpoint.parse(text.split("\n\n")[1] + "\n").root


def test_witness_quorum_and_bad_cosignatures() -> None:
    both = _proof_of(3, witnesses=(WITNESS, OTHER_WITNESS))
    assert len(verify_receipt_proof(both, [VKEY], [WKEY, W2KEY]).cosigners) == 2
    one = _proof_of(3)
    _refused(one, "only 1 of the 2 witness cosignatures", [VKEY], [WKEY, W2KEY])
    assert verify_receipt_proof(one, [VKEY], [WKEY, W2KEY], 1).quorum == 1
    none = verify_receipt_proof(one, [VKEY], [W2KEY], 0)
    assert none.cosigners == () and none.witnesses == 1
    _refused(one, "a quorum is from 0 to the 1", [VKEY], [WKEY], 2)
    _refused(one, "a quorum is from 0", [VKEY], [WKEY], -1)
    _refused(one, "not one string", [VKEY], WKEY)
    _refused(one, "not a cosignature v1 key", [VKEY], [VKEY])
    forged = one.replace("Q7NfIgAAAABp9rxx", "Q7NfIgAAAABp9rxy")
    _refused(forged, "invalid cosignature by testigo.example", [VKEY], [WKEY])
    # unknown witnesses' lines are ignored, as signed-note asks
    assert verify_receipt_proof(forged, [VKEY]).cosigners == ()


def test_syntax_refusals() -> None:
    lines = VECTOR.split("\n")
    cases = {
        "": "the first line must be",
        VECTOR.replace("@v1", "@v2", 1): "the first line must be",
        VECTOR.replace("\n\n", "\n", 1): "the line after the header|no empty line|not the base64",
        "\n".join([lines[0], *lines[2:]]): "no extra line",
        "\n".join([lines[0], lines[1], *lines[3:]]): "'index N'",
        VECTOR.replace("index 3", "index 03"): "without leading zeros",
        VECTOR.replace("index 3", "index +3"): "without leading zeros",
        VECTOR.replace("index 3", "index 18446744073709551616"): "at most 2\\^64-1",
        VECTOR.replace("index 3", "index 5"): "not below the tree size",
        VECTOR.replace("index 3", "index 2"): "not in the log's signed tree",
        VECTOR.replace(lines[3] + "\n", ""): "too short",
        VECTOR.replace(lines[3], lines[3] + "\n" + lines[3]): "too long|does not lead",
        VECTOR.replace(lines[3], lines[3][:-1]): "proof line 1 is not the base64",
        VECTOR.replace(lines[1], lines[1] + "="): "not canonical base64",
        VECTOR.replace("extra ", "extra  "): "not canonical base64",
        VECTOR.replace("\n", "\r\n"): "first line must be",
        VECTOR[:-1]: "malformed note",
        VECTOR + "\n": "malformed note",
        HEADER + "\n" + "x" * MAX_PROOF_BYTES: "at most",
    }
    for text, match in cases.items():
        _refused(text, match)
    _refused(b"\xff" + VECTOR.encode(), "UTF-8")
    _refused(b"x" * (MAX_PROOF_BYTES + 1), "at most")
    _refused(42, "a proof is text")
    lots = "\n".join([*lines[:3], *([lines[3]] * 65), *lines[6:]])
    _refused(lots, "at most 64 hashes")
    parsed = parse_proof(VECTOR)
    body = Checkpoint.parse(parsed.checkpoint.split("\n\n")[0] + "\n")
    extended = Checkpoint(body.origin, body.size, body.root, ("extension",)).sign([LOG])
    signed_extension = TlogProof(parsed.index, parsed.proof, extended, parsed.extra).text()
    _refused(signed_extension, "not one of ours", [VKEY], [])


def test_building_refuses_what_would_not_verify() -> None:
    entries, leaves, note = _small_log()
    data, entry = entries[3]
    proof = merkle.inclusion_proof(3, 5, leaves)
    good: dict[str, Any] = {
        "entry": entry, "salt": SALT, "record": data.record, "index": 3, "proof": proof
    }  # fmt: skip
    changes: list[tuple[dict[str, Any], str]] = [
        ({"record": {**data.record, "n": 9}}, "no longer commits"),
        ({"salt": bytes(32)}, "no longer commits"),
        ({"entry": b"{}"}, "not well formed"),
        ({"index": 2}, "does not lead to the root"),
        ({"proof": proof[:-1]}, "too short"),
    ]
    for change, match in changes:
        with pytest.raises(ProofError, match=match):
            build_receipt_proof(**{**good, **change}, checkpoint=note)


# -- property tests ------------------------------------------------------------------------

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _must_refuse(text: Any) -> None:
    """Refused by a verifier that requires the witness which cosigned the vector."""
    try:
        verify_receipt_proof(text, [VKEY], [WKEY])
    except ProofError:
        return
    raise AssertionError(f"accepted: {text!r}")


def _no_other_exception(text: Any) -> None:
    for attempt in (parse_proof, lambda t: verify_receipt_proof(t, [VKEY], [WKEY])):
        with contextlib.suppress(ProofError):
            attempt(text)


@FUZZ
@given(st.text(max_size=3000))
def test_random_text_is_only_ever_a_proof_error(text: str) -> None:
    _no_other_exception(text)
    _no_other_exception(HEADER + "\n" + text)
    _no_other_exception(HEADER + "\nindex 0\n\n" + text)


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_are_only_ever_a_proof_error(data: bytes) -> None:
    _no_other_exception(data)
    _no_other_exception(VECTOR.encode()[:200] + data)


@FUZZ
@given(st.integers(0, len(VECTOR.encode()) - 1), st.integers(1, 255))
def test_any_flipped_byte_fails_verification(position: int, mask: int) -> None:
    raw = bytearray(VECTOR.encode())
    raw[position] ^= mask
    _must_refuse(bytes(raw))
    with contextlib.suppress(UnicodeDecodeError):
        _must_refuse(bytes(raw).decode("utf-8"))


def test_every_single_byte_flip_fails_verification() -> None:
    """Exhaustively, for one mask per kind of damage: a low bit, a high bit, all bits."""
    raw = VECTOR.encode()
    for position in range(len(raw)):
        for mask in (0x01, 0x20, 0x80, 0xFF):
            changed = bytearray(raw)
            changed[position] ^= mask
            _must_refuse(bytes(changed))


@FUZZ
@given(st.data())
def test_mutated_lines_fail_or_prove_the_same(data: st.DataObject) -> None:
    """Dropping, repeating, swapping, replacing or inserting lines: a ProofError, or — when
    only the signature lines were reordered, repeated or dropped, which a signed note
    allows — a proof of exactly the same entry under the same signed root."""
    lines = VECTOR.split("\n")
    i = data.draw(st.integers(0, len(lines) - 2), label="line")
    how = data.draw(st.sampled_from(["drop", "repeat", "swap", "replace", "insert"]))
    mutated = list(lines)
    if how == "drop":
        del mutated[i]
    elif how == "repeat":
        mutated.insert(i, lines[i])
    elif how == "swap":
        j = data.draw(st.integers(0, len(lines) - 2).filter(lambda j: lines[j] != lines[i]))
        mutated[i], mutated[j] = mutated[j], mutated[i]
    elif how == "replace":
        mutated[i] = data.draw(st.text(max_size=120).filter(lambda s: s != lines[i]))
    else:
        mutated.insert(i, data.draw(st.text(max_size=120)))
    text = "\n".join(mutated)
    original = verify_receipt_proof(VECTOR, [VKEY], [WKEY], 0)
    try:
        proven = verify_receipt_proof(text, [VKEY], [WKEY], 0)
    except ProofError:
        return
    same = (proven.entry, proven.index, proven.checkpoint, proven.log_key)
    assert same == (original.entry, original.index, original.checkpoint, original.log_key)
    assert text.split("\n\n")[:2] == VECTOR.split("\n\n")[:2], "only signatures may differ"
