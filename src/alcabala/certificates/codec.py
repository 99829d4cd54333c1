"""A certificate's bytes: CBOR claims in a COSE_Sign1 (Ed25519), zlib where it helps, Base45.

What: :func:`encode` turns :class:`Claims` into the text a QR code carries, ``AC1:`` and
Base45 of the COSE_Sign1 message (RFC 9052, tag 18), or of its zlib compression when that
is shorter; :func:`decode` reverses it and checks the signature against the verifier keys
given, with no network. The protected header holds the algorithm (EdDSA) and, as ``kid``,
the 4-byte key ID of the log's key (the one in its verifier key string), so that a
verifier holding several keys (the current one, and those it replaced) picks the right one.

Why this shape: it is the EU digital COVID certificate's (COSE_Sign1, zlib, Base45, a QR
code), which phones verify offline by the hundred million, with the log's own key and
note-style verifier keys instead of a separate PKI. Base45 uses exactly the QR
alphanumeric alphabet, so a QR code holds it at 5.5 bits a character. The claims use short
keys and cap free text (:data:`TEXT_MAX`) so that a certificate fits a version 12 QR code
at error-correction level M (at most :data:`MAX_TEXT` characters).

The claims are a CBOR map with small integer keys (one byte each, as CWT claims are):

==  ===================================================================================
1   the certificate's serial, ``C-`` and ten Crockford base32 characters
2   the VIN; 3 the plate; 4, 5, 6, 7 make, model, year (or null), colour
8   flags: 1 reported stolen (an active report) at issue; 2 retired (scrapped,
    dismantled, exported); 4 serial numbers consistent (the engine number is registered
    to this VIN and to no other vehicle, and an inspection, if any, saw this VIN and
    engine); 8 an open clone alert; 16 clone alerts were looked for (the registry keeps
    sightings)
9   issued at, 10 expires at (Unix seconds)
11  the first 16 bytes of the RFC 9162 leaf hash of the log entry recording the issue
12  the physical inspection, if any: {1: when (Unix seconds), 2: the place, 3: whether
    the VIN and engine seen matched the registry}; its photos' hashes are in the
    inspection's own log entry
==  ===================================================================================

Free text (make, model, colour, place) is cut to :data:`TEXT_MAX` bytes of UTF-8.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import base45
import cbor2
import segno
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from alcabala.certificates import cose
from alcabala.ledger.errors import KeyFormatError, ProofError
from alcabala.ledger.keys import ED25519, Signer, Verifier

__all__ = [
    "MAX_TEXT",
    "PREFIX",
    "QR_MAX_VERSION",
    "TEXT_MAX",
    "CertificateError",
    "Claims",
    "Inspected",
    "decode",
    "encode",
    "qr_code",
]

PREFIX = "AC1:"
VERSION = 1
#: The most characters a version 12 QR code holds at level M in alphanumeric mode.
MAX_TEXT = 419
#: The most UTF-8 bytes of make, model, colour or place a certificate carries (longer is
#: cut, with …).
TEXT_MAX = 20
_ZLIB_FIRST = 0x78  # a zlib stream's first byte; a tagged COSE_Sign1 starts with 0xD2


class CertificateError(ProofError):
    """A certificate that cannot be read, or whose signature does not hold."""

    code = "certificate_invalid"


@dataclass(frozen=True)
class Inspected:
    """A physical inspection, as the certificate carries it."""

    at: dt.datetime
    place: str
    ok: bool


@dataclass(frozen=True)
class Claims:
    """What a certificate says."""

    serial: str
    vin: str
    plate: str
    make: str
    model: str
    year: int | None
    colour: str
    stolen: bool
    retired: bool
    consistent: bool
    clone_alert: bool | None
    issued_at: dt.datetime
    expires_at: dt.datetime
    log_leaf: bytes  # the first 16 bytes of the entry's leaf hash
    inspection: Inspected | None = None

    @property
    def sound(self) -> bool:
        """Whether nothing speaks against buying: not stolen, not retired, serials
        consistent, no clone alert."""
        return not self.stolen and not self.retired and self.consistent and not self.clone_alert


def cut(text: str, limit: int = TEXT_MAX) -> str:
    """``text`` in at most ``limit`` bytes of UTF-8, an ellipsis marking a cut."""
    text = " ".join(text.split())
    if len(text.encode()) <= limit:
        return text
    while len((text + "…").encode()) > limit:
        text = text[:-1]
    return text.rstrip() + "…"


def _seconds(at: dt.datetime) -> int:
    return int(at.astimezone(dt.UTC).timestamp())


def _time(value: Any, name: str) -> dt.datetime:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**40:
        raise CertificateError(f"the certificate's {name} is not a time", field=name)
    return dt.datetime.fromtimestamp(value, dt.UTC)


_STOLEN, _RETIRED, _CONSISTENT, _CLONE, _CLONES_LOOKED = 1, 2, 4, 8, 16


def _map(claims: Claims) -> dict[int, Any]:
    flags = (
        (_STOLEN if claims.stolen else 0)
        | (_RETIRED if claims.retired else 0)
        | (_CONSISTENT if claims.consistent else 0)
        | (_CLONE if claims.clone_alert else 0)
        | (_CLONES_LOOKED if claims.clone_alert is not None else 0)
    )
    body: dict[int, Any] = {
        1: claims.serial,
        2: claims.vin,
        3: claims.plate,
        4: cut(claims.make),
        5: cut(claims.model),
        6: claims.year,
        7: cut(claims.colour),
        8: flags,
        9: _seconds(claims.issued_at),
        10: _seconds(claims.expires_at),
        11: claims.log_leaf[:16],
    }
    if claims.inspection is not None:
        i = claims.inspection
        body[12] = {1: _seconds(i.at), 2: cut(i.place), 3: i.ok}
    return body


_NAMES = {1: "serial", 2: "vin", 3: "plate", 4: "make", 5: "model", 6: "year", 7: "colour"}


def _of(value: Any, kind: type, name: str) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise CertificateError(f"the certificate's {name} is missing or malformed", field=name)
    return value


def _claims(body: Any) -> Claims:
    if not isinstance(body, Mapping):
        raise CertificateError("the certificate's claims are not a map", field="certificate")
    year = body.get(6)
    if year is not None:
        _of(year, int, "year")
    flags = _of(body.get(8), int, "flags")
    inspection = None
    if 12 in body:
        i = _of(body[12], Mapping, "inspection")
        inspection = Inspected(
            _time(i.get(1), "inspection.at"),
            _of(i.get(2), str, "inspection.place"),
            _of(i.get(3), bool, "inspection.ok"),
        )
    text = {k: _of(body.get(k), str, name) for k, name in _NAMES.items() if k != 6}
    leaf = _of(body.get(11), bytes, "log_entry")
    if len(leaf) != 16:
        raise CertificateError("the certificate's log entry is not 16 bytes", field="log_entry")
    return Claims(
        serial=text[1],
        vin=text[2],
        plate=text[3],
        make=text[4],
        model=text[5],
        year=year,
        colour=text[7],
        stolen=bool(flags & _STOLEN),
        retired=bool(flags & _RETIRED),
        consistent=bool(flags & _CONSISTENT),
        clone_alert=bool(flags & _CLONE) if flags & _CLONES_LOOKED else None,
        issued_at=_time(body.get(9), "issued_at"),
        expires_at=_time(body.get(10), "expires_at"),
        log_leaf=leaf,
        inspection=inspection,
    )


def encode(claims: Claims, signer: Signer) -> str:
    """The certificate text of ``claims``, signed by ``signer`` (the log's key)."""
    protected = {cose.ALG: cose.EDDSA, cose.KID: signer.key_id()}
    raw = cose.sign1(protected, cbor2.dumps(_map(claims)), signer.sign)
    packed = zlib.compress(raw, 9)
    encoded: bytes = base45.b45encode(min(raw, packed, key=len))
    return PREFIX + encoded.decode("ascii")


def _verifiers(vkeys: list[str]) -> dict[bytes, Verifier]:
    found = {}
    for vkey in vkeys:
        try:
            verifier = Verifier.parse(vkey)
        except KeyFormatError as exc:
            raise CertificateError(f"a verifier key is malformed: {exc}", field="key") from None
        if verifier.sig_type == ED25519:  # a witness's cosignature key signs no certificate
            found[verifier.key_id] = verifier
    return found


def decode(text: str, vkeys: list[str]) -> Claims:
    """The claims of certificate ``text`` once one of ``vkeys`` verified its signature;
    :class:`CertificateError` naming what is wrong otherwise. Expiry is not judged here
    (the caller knows the time)."""
    # A paste or a scanner may break the line or indent it; Base45 itself has spaces.
    text = text.replace("\r", "").replace("\n", "").replace("\t", "").lstrip()
    if not text.upper().startswith(PREFIX):
        raise CertificateError(f"a certificate starts with {PREFIX}", field="certificate")
    try:
        raw = base45.b45decode(text[len(PREFIX) :].upper())
    except ValueError:
        raise CertificateError("the certificate is not Base45", field="certificate") from None
    if raw[:1] == bytes([_ZLIB_FIRST]):
        try:
            raw = zlib.decompress(raw)
        except zlib.error:
            raise CertificateError(
                "the certificate's compression is broken", field="certificate"
            ) from None
    try:
        message = cose.decode(raw)
    except cose.CoseError:
        raise CertificateError(
            "the certificate is not a COSE_Sign1 message", field="certificate"
        ) from None
    if message.protected.get(cose.ALG) != cose.EDDSA:
        raise CertificateError("the certificate is not signed with Ed25519", field="certificate")
    kid = message.protected.get(cose.KID)
    verifier = _verifiers(vkeys).get(kid) if isinstance(kid, bytes) else None
    if verifier is None:
        raise CertificateError("the certificate is signed by none of the keys given", field="key")
    try:
        key = Ed25519PublicKey.from_public_bytes(verifier.public_key)
        key.verify(message.signature, message.to_be_signed())
    except (InvalidSignature, ValueError):
        raise CertificateError(
            "the certificate's signature does not hold", field="certificate"
        ) from None
    try:
        body = cbor2.loads(message.payload)
    except (cbor2.CBORDecodeError, ValueError):
        raise CertificateError(
            "the certificate's claims are not CBOR", field="certificate"
        ) from None
    return _claims(body)


#: The largest QR code a certificate may need (version 12 at level M: 65 modules a side,
#: which a phone camera reads off paper or a screen at arm's length).
QR_MAX_VERSION = 12


def qr_code(text: str) -> segno.QRCode:
    """``text`` as a QR code at error-correction level M, in alphanumeric mode (Base45 is
    the QR alphanumeric alphabet); :class:`CertificateError` if it would exceed
    :data:`QR_MAX_VERSION`, which :func:`encode`'s limits prevent."""
    code = segno.make(text, error="m", mode="alphanumeric", boost_error=False)
    if int(code.version) > QR_MAX_VERSION:
        raise CertificateError(f"the certificate needs a QR code of version {code.version}")
    return code
