"""A certificate's bytes: COSE_Sign1 as the COSE working group's example, every changed
byte refused, the largest certificate within a version 12 QR code at level M, and the QR
code read back by a QR decoder (zxing-cpp) to the very same text.

The COSE vector is ``eddsa-examples/eddsa-sig-02.json`` of github.com/cose-wg/Examples
(commit c125a99e), "EdDSA-sig-02: EdDSA - 448 - sign1": the published ``ToBeSign_hex`` and
output ``cbor``, copied as they are. It is an Ed448 example (the repository has no Ed25519
Sign1); the structure checked — tag 18, the four-element array, the Sig_structure — does
not depend on the curve, and cryptography verifies its signature.
"""

from __future__ import annotations

import datetime as dt
import io
import zlib

import base45
import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from alcabala.certificates import codec, cose
from alcabala.cli.main import app as cli
from alcabala.ledger.keys import Signer

TO_BE_SIGNED = bytes.fromhex(
    "846A5369676E61747572653143A101274054546869732069732074686520636F6E74656E742E"
)
OUTPUT = bytes.fromhex(
    "D28443A10127A10445336434343854546869732069732074686520636F6E74656E742E5872988240A3A2"
    "F189BD486DE14AA77F54686C576A09F2E7ED9BAE910DF9139C2AC3BE7C27B7E10A20FA17C9D57D3510A2"
    "CF1F634BC0345AB9BE00849842171D1E9E98B2674C0E38BFCF6C557A1692B01B71015A47AC9F7748840C"
    "AD1DA80CBB5B349309FEBB912672B377C8B2072AF1598B3700"
)
ED448_X = bytes.fromhex(
    "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd678"
    "3df1e50f6cd1fa1abeafe8256180"
)
SIGNER = Signer.generate("registro.example/alcabala")
KEYS = [SIGNER.verifier_key()]
AT = dt.datetime(2026, 3, 1, 15, 30, tzinfo=dt.UTC)


def claims(**changes: object) -> codec.Claims:
    base = codec.Claims(
        serial="C-7K2QX-M9D4B",
        vin="1HGCM82633A004352",
        plate="AB123CD",
        make="Honda",
        model="Accord",
        year=2003,
        colour="gris",
        stolen=False,
        retired=False,
        consistent=True,
        clone_alert=None,
        issued_at=AT,
        expires_at=AT + dt.timedelta(hours=72),
        log_leaf=bytes(range(16)),
    )
    return base.__class__(**{**base.__dict__, **changes})


WORST = claims(
    make="Ñ" * 40,
    model="Ü" * 40,
    colour="Ç" * 40,
    year=None,
    stolen=True,
    retired=True,
    clone_alert=True,
    log_leaf=b"\xff" * 16,
    expires_at=AT + dt.timedelta(days=365 * 900),  # the largest time the claims take
    inspection=codec.Inspected(AT, "Á" * 60, False),
)


def test_the_cose_structure_is_the_working_groups_example() -> None:
    message = cose.decode(OUTPUT)
    assert message.protected == {cose.ALG: cose.EDDSA}
    assert message.payload == b"This is the content."
    assert message.to_be_signed() == TO_BE_SIGNED
    Ed448PublicKey.from_public_bytes(ED448_X).verify(message.signature, TO_BE_SIGNED)
    # Our writer produces the same shape: tag 18 around [protected bstr, map, payload, sig].
    ours = cose.sign1({cose.ALG: cose.EDDSA}, b"This is the content.", lambda tbs: b"s" * 64)
    assert ours[:6] == OUTPUT[:6]  # D2 84 43 A10127
    assert cose.to_be_signed(b"\xa1\x01\x27", b"This is the content.") == TO_BE_SIGNED


def test_a_certificate_round_trips_and_is_compressed_only_when_shorter() -> None:
    for sample in (claims(), WORST):
        text = codec.encode(sample, SIGNER)
        assert codec.decode(text, KEYS) == codec.Claims(
            **{
                **sample.__dict__,
                "make": codec.cut(sample.make),
                "model": codec.cut(sample.model),
                "colour": codec.cut(sample.colour),
                "inspection": sample.inspection
                and codec.Inspected(
                    sample.inspection.at,
                    codec.cut(sample.inspection.place),
                    sample.inspection.ok,
                ),
            }
        )
        raw = base45.b45decode(text.removeprefix(codec.PREFIX))
        body = zlib.decompress(raw) if raw[0] == 0x78 else raw
        assert len(raw) <= len(body) and body[0] == 0xD2
    # Pasted with line breaks, indented, in lower case: still read.
    text = codec.encode(claims(), SIGNER)
    assert codec.decode("  " + text[:50].lower() + "\n" + text[50:] + "\r\n", KEYS).vin


def test_the_largest_certificate_fits_a_version_12_qr_code_at_level_m() -> None:
    text = codec.encode(WORST, SIGNER)
    assert len(text) <= codec.MAX_TEXT
    code = codec.qr_code(text)
    assert code.error == "M" and int(code.version) <= 12 and code.mode == "alphanumeric"
    typical = codec.qr_code(codec.encode(claims(), SIGNER))
    assert int(typical.version) <= int(code.version)


@pytest.mark.parametrize("sample", [claims(), WORST], ids=["typical", "largest"])
def test_the_qr_code_decodes_back_to_the_same_text(sample: codec.Claims) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    text = codec.encode(sample, SIGNER)
    png = io.BytesIO()
    codec.qr_code(text).save(png, kind="png", scale=4, border=4)
    png.seek(0)
    image = Image.open(png)
    found = zxingcpp.read_barcodes(image)
    assert [r.text for r in found] == [text]
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode
    assert codec.decode(found[0].text, KEYS) == codec.decode(text, KEYS)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_changed_byte_is_rejected_or_changes_nothing(data: st.DataObject) -> None:
    """A changed byte is refused, or says exactly what the signed certificate says: the
    last byte of a deflate stream has padding bits that inflate ignores (found by CI:
    the largest certificate, byte 198, bit 1), so such a change cannot alter a claim."""
    sample = data.draw(st.sampled_from([claims(), WORST]))
    text = codec.encode(sample, SIGNER)
    raw = bytearray(base45.b45decode(text.removeprefix(codec.PREFIX)))
    index = data.draw(st.integers(0, len(raw) - 1))
    raw[index] ^= data.draw(st.integers(1, 255))
    tampered = codec.PREFIX + base45.b45encode(bytes(raw)).decode()
    try:
        decoded = codec.decode(tampered, KEYS)
    except codec.CertificateError:
        return
    assert decoded == codec.decode(text, KEYS)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=600))
def test_garbage_is_a_certificate_error_never_a_crash(text: str) -> None:
    with pytest.raises(codec.CertificateError):
        codec.decode(text, KEYS)


@given(st.binary(max_size=400))
def test_any_bytes_behind_the_prefix_are_refused(raw: bytes) -> None:
    with pytest.raises(codec.CertificateError):
        codec.decode(codec.PREFIX + base45.b45encode(raw).decode(), KEYS)


def test_a_signature_by_another_key_or_algorithm_is_refused() -> None:
    other = Signer.generate("registro.example/alcabala")
    with pytest.raises(codec.CertificateError) as caught:
        codec.decode(codec.encode(claims(), other), KEYS)
    assert caught.value.field == "key"
    # The same key id with a claim of another algorithm (ES256, -7) is refused too.
    payload = cbor2.dumps({1: "x"})
    forged = cose.sign1({cose.ALG: -7, cose.KID: SIGNER.key_id()}, payload, SIGNER.sign)
    with pytest.raises(codec.CertificateError, match="Ed25519"):
        codec.decode(codec.PREFIX + base45.b45encode(forged).decode(), KEYS)
    with pytest.raises(codec.CertificateError) as bad_key:
        codec.decode(codec.encode(claims(), SIGNER), ["not a key"])
    assert bad_key.value.field == "key"


def test_signed_claims_of_the_wrong_shape_are_refused() -> None:
    protected = {cose.ALG: cose.EDDSA, cose.KID: SIGNER.key_id()}
    good = {k: v for k, v in codec._map(claims()).items()}
    for broken in ({**good, 2: 17}, {**good, 11: b"short"}, {**good, 9: -1}, [1, 2]):
        raw = cose.sign1(protected, cbor2.dumps(broken), SIGNER.sign)
        with pytest.raises(codec.CertificateError):
            codec.decode(codec.PREFIX + base45.b45encode(raw).decode(), KEYS)


def test_cut_keeps_text_within_its_bytes() -> None:
    assert codec.cut("Toyota") == "Toyota"
    assert codec.cut("  Land   Cruiser ") == "Land Cruiser"
    long = codec.cut("Ñ" * 30)
    assert len(long.encode()) <= codec.TEXT_MAX and long.endswith("…")


def test_the_cli_judges_expiry_by_the_clock() -> None:
    runner = CliRunner()
    after = (AT + dt.timedelta(hours=73)).isoformat()  # the expiry is judged at --at
    before = (AT + dt.timedelta(hours=71)).isoformat()
    text = codec.encode(claims(), SIGNER)
    r = runner.invoke(cli, ["cert", "verify", text, "--key", KEYS[0], "--at", after])
    assert r.exit_code == 1 and "EXPIRED" in r.output and "expired at" in r.output
    ok = runner.invoke(cli, ["cert", "verify", text, "--key", KEYS[0], "--at", before])
    assert ok.exit_code == 0 and "nothing registered against buying" in ok.output
    stolen = codec.encode(claims(stolen=True), SIGNER)
    warned = runner.invoke(cli, ["cert", "verify", stolen, "--key", KEYS[0], "--at", before])
    assert "DO NOT BUY" in warned.output and "stolen:       YES" in warned.output
    bad_at = runner.invoke(cli, ["cert", "verify", text, "--key", KEYS[0], "--at", "soon"])
    assert bad_at.exit_code == 2 and "--at" in bad_at.output
    missing = runner.invoke(cli, ["cert", "verify", "/nonexistent/cert.txt", "--key", KEYS[0]])
    assert missing.exit_code == 1 and "FAILED" in missing.output
