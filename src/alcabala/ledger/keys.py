"""Ed25519 keys for signed notes, in the C2SP / golang.org/x/mod string formats.

What: a *verifier key* (vkey) is ``name+hex(keyID)+base64(type ‖ pubkey)`` and a *signer
key* is ``PRIVATE+KEY+name+hex(keyID)+base64(0x01 ‖ seed)``, with
``keyID = SHA-256(name ‖ 0x0A ‖ type ‖ pubkey)[:4]`` (c2sp.org/signed-note). Two signature
types are supported, and no others: ``0x01`` plain Ed25519 note signatures (a log's
checkpoint) and ``0x04`` Ed25519 cosignatures v1 (c2sp.org/tlog-cosignature, a witness).

Why: these strings are how keys travel — in ``Settings``, in files, on the command line,
between us and witnesses written in Go — so parsing is strict and every refusal is a
:class:`KeyFormatError` (a :class:`ProofError`). A signer key always carries type ``0x01``,
as Go writes it; a witness derives its ``0x04`` verifier from the same seed. The seed
never appears in a ``repr``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from alcabala.ledger.errors import KeyFormatError

#: Signature type of Ed25519 note signatures (c2sp.org/signed-note).
ED25519 = 0x01
#: Signature type of timestamped Ed25519 checkpoint cosignatures (c2sp.org/tlog-cosignature).
COSIGNATURE_V1 = 0x04
TYPES = frozenset({ED25519, COSIGNATURE_V1})
#: A cosignature's timestamp MUST NOT exceed 2^63 - 1 (c2sp.org/tlog-cosignature).
MAX_TIMESTAMP = 2**63 - 1

_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_HEX_ID = re.compile(r"[0-9a-f]{8}")


def b64decode(text: str) -> bytes | None:
    """Standard padded base64 (RFC 4648 §4) in canonical form, or ``None`` if it is not."""
    if not _BASE64.fullmatch(text) or len(text) % 4:
        return None
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if base64.b64encode(data).decode("ascii") == text else None


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def valid_name(name: str) -> bool:
    """A key name: non-empty, no Unicode space, no ``+``, no control character."""
    return (
        bool(name)
        and "+" not in name
        and not any(c.isspace() or ord(c) < 0x20 or 0xD800 <= ord(c) < 0xE000 for c in name)
    )


def cosigned_message(body: bytes, timestamp: int) -> bytes:
    """What a ``0x04`` key signs: ``cosignature/v1``, ``time <t>``, then the checkpoint body."""
    return b"cosignature/v1\ntime %d\n" % timestamp + body


def key_id(name: str, sig_type: int, public_key: bytes) -> bytes:
    """``SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]``."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + public_key).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    """One public key as a note verifier: its name, key ID, signature type and key."""

    name: str
    key_id: bytes
    sig_type: int
    public_key: bytes

    @classmethod
    def parse(cls, vkey: str) -> Verifier:
        """Parse ``name+hex(keyID)+base64(type ‖ pubkey)``; refuse anything else."""
        if not isinstance(vkey, str):
            raise KeyFormatError("a verifier key must be a string", field="vkey")
        parts = vkey.split("+", 2)
        if len(parts) != 3:
            raise KeyFormatError("a verifier key is name+keyid+key", field="vkey")
        name, hex_id, key64 = parts
        raw = b64decode(key64)
        if not valid_name(name) or not _HEX_ID.fullmatch(hex_id) or not raw:
            raise KeyFormatError("malformed verifier key", field="vkey")
        sig_type, public_key = raw[0], raw[1:]
        if sig_type not in TYPES:
            raise KeyFormatError(f"unknown signature type {sig_type:#04x}", field="vkey")
        if len(public_key) != 32:
            raise KeyFormatError("an Ed25519 public key is 32 bytes", field="vkey")
        if bytes.fromhex(hex_id) != key_id(name, sig_type, public_key):
            raise KeyFormatError("the key ID does not match the key", field="vkey")
        return cls(name, bytes.fromhex(hex_id), sig_type, public_key)

    def key_string(self) -> str:
        """This key as a vkey string."""
        raw = bytes([self.sig_type]) + self.public_key
        return f"{self.name}+{self.key_id.hex()}+{b64encode(raw)}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``message``."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True

    def verify_note(self, text: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (after the key ID) signs the note ``text`` for this type.

        ``0x01`` signs the text itself; ``0x04`` signs :func:`cosigned_message` and carries
        the 8-byte big-endian timestamp before the 64-byte signature.
        """
        if self.sig_type == COSIGNATURE_V1:
            if len(signature) != 8 + 64:
                return False
            timestamp = int.from_bytes(signature[:8], "big")
            if timestamp > MAX_TIMESTAMP:
                return False
            return self.verify(cosigned_message(text, timestamp), signature[8:])
        return len(signature) == 64 and self.verify(text, signature)


@dataclass(frozen=True)
class Signer:
    """An Ed25519 private key with its name: signs notes (and, as a witness, cosigns)."""

    name: str
    seed: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not valid_name(self.name):
            raise KeyFormatError("a key name is non-empty, without spaces or +", field="skey")
        if not isinstance(self.seed, bytes) or len(self.seed) != 32:
            raise KeyFormatError("an Ed25519 seed is 32 bytes", field="skey")

    @classmethod
    def generate(cls, name: str) -> Signer:
        """A new random key named ``name`` (the log's origin, or a witness's name)."""
        return cls(name, Ed25519PrivateKey.generate().private_bytes_raw())

    @classmethod
    def parse(cls, skey: str) -> Signer:
        """Parse ``PRIVATE+KEY+name+hex(keyID)+base64(0x01 ‖ seed)`` (Go's x/mod format)."""
        if not isinstance(skey, str):
            raise KeyFormatError("a signer key must be a string", field="skey")
        parts = skey.split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise KeyFormatError("a signer key is PRIVATE+KEY+name+keyid+key", field="skey")
        name, hex_id, key64 = parts[2:]
        raw = b64decode(key64)
        if not valid_name(name) or not _HEX_ID.fullmatch(hex_id) or not raw:
            raise KeyFormatError("malformed signer key", field="skey")
        if raw[0] != ED25519 or len(raw) != 33:
            raise KeyFormatError("a signer key holds 0x01 and a 32-byte seed", field="skey")
        signer = cls(name, raw[1:])
        if signer.key_id() != bytes.fromhex(hex_id):
            raise KeyFormatError("the key ID does not match the key", field="skey")
        return signer

    @property
    def public_key(self) -> bytes:
        private = Ed25519PrivateKey.from_private_bytes(self.seed)
        return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def key_id(self, sig_type: int = ED25519) -> bytes:
        return key_id(self.name, sig_type, self.public_key)

    def key_string(self) -> str:
        """This key as a ``PRIVATE+KEY+…`` string: keep it secret (mode 0600)."""
        raw = bytes([ED25519]) + self.seed
        return f"PRIVATE+KEY+{self.name}+{self.key_id().hex()}+{b64encode(raw)}"

    def verifier(self, sig_type: int = ED25519) -> Verifier:
        """The public half, for plain note signatures or (``0x04``) cosignatures."""
        if sig_type not in TYPES:
            raise KeyFormatError(f"unknown signature type {sig_type:#04x}", field="sig_type")
        return Verifier(self.name, self.key_id(sig_type), sig_type, self.public_key)

    def verifier_key(self, sig_type: int = ED25519) -> str:
        """The vkey string to publish."""
        return self.verifier(sig_type).key_string()

    def sign(self, message: bytes) -> bytes:
        """The raw 64-byte Ed25519 signature of ``message`` (RFC 8032, deterministic)."""
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)
