"""Receipts that prove: C2SP tlog-proof (c2sp.org/tlog-proof@v1) for a log entry.

What: a tlog proof is a text file that anyone can check offline against the log's
verifier key (and, optionally, witnesses' keys)::

    c2sp.org/tlog-proof@v1
    extra <base64 of what the holder needs to recompute the leaf>
    index <the entry's index>
    <base64 hash>            one per line: the RFC 9162 inclusion proof, from the leaf up
    …
                             (an empty line)
    <origin>                 the signed checkpoint note, verbatim, with its cosignatures
    <size>
    <base64 root>

    — <log key name> <signature>
    — <witness name> <cosignature>

:class:`TlogProof` is that format, and only that (:meth:`TlogProof.text`,
:func:`parse_proof`): the header line, at most one ``extra`` line (the spec's), ``index``
in decimal without leading zeros, up to 64 hashes of 32 bytes in canonical base64, an
empty line, then the note.

Our ``extra`` (:class:`ReceiptData`) carries what turns a receipt into its leaf: the
entry's 32-byte salt followed by the RFC 8785 canonical JSON array ``[type, agency,
time, record]`` — the entry's type, agency (or null) and time exactly as they are in the
entry, and the record the entry commits to. The verifier recomputes
``commitment = hex(SHA-256(salt ‖ JCS(record)))``, the entry ``JCS({"agency",
"commitment", "time", "type"})`` (:mod:`alcabala.ledger.entries`), its leaf hash, and
checks the inclusion proof against the signed root. The salt is raw bytes and the array
has no member names: the smallest self-contained encoding that stays deterministic (one
byte string per receipt, refused unless canonical), so a proof for a log of 10 million
entries (24 hashes) stays under 2 KiB.

Why these rules: the extra data is not authenticated by the log (the spec says so), so
it is only ever used to recompute the leaf, which the log's signature then vouches for.
Every part of the file is read in one canonical form only (base64, decimal, JSON), so
changing any byte of a proof either makes it unreadable or changes what is hashed or
signed: :func:`verify_receipt_proof` then refuses it. Every refusal is a
:class:`ProofError` with a sentence for the holder; nothing else escapes (hypothesis
tests feed the parser random and mutated input).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from alcabala.ledger import note
from alcabala.ledger.checkpoint import Checkpoint
from alcabala.ledger.cosignature import cosignatures
from alcabala.ledger.entries import (
    SALT_BYTES,
    EntryError,
    canonical,
    commitment_of,
    parse_entry,
)
from alcabala.ledger.errors import KeyFormatError, ProofError
from alcabala.ledger.keys import Verifier, b64decode, b64encode
from alcabala.ledger.merkle import HASH_SIZE, MAX_SIZE, leaf_hash, verify_inclusion

__all__ = [
    "HEADER",
    "MAX_PROOF_BYTES",
    "MAX_PROOF_HASHES",
    "Cosigner",
    "ProvenReceipt",
    "ReceiptData",
    "TlogProof",
    "build_receipt_proof",
    "parse_proof",
    "verify_receipt_proof",
]

HEADER = "c2sp.org/tlog-proof@v1"
#: The largest proof read (a receipt proof is under 2 KiB; 100 cosignatures fit in this).
MAX_PROOF_BYTES = 64 * 1024
#: An inclusion proof in a tree of at most 2^64 - 1 leaves has at most 64 hashes.
MAX_PROOF_HASHES = 64
_EXTRA = "extra "
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_INDEX = "index "


def _refuse(message: str, where: str = "proof") -> NoReturn:
    raise ProofError(message, field=where)


@dataclass(frozen=True)
class TlogProof:
    """A parsed tlog proof: the entry's ``index``, the inclusion ``proof`` (leaf up), the
    signed ``checkpoint`` note as included (cosignatures too) and the opaque ``extra``."""

    index: int
    proof: tuple[bytes, ...]
    checkpoint: str
    extra: bytes | None = None

    def __post_init__(self) -> None:
        if type(self.index) is not int or not 0 <= self.index <= MAX_SIZE:
            _refuse("an index is from 0 to 2^64-1", "index")
        if not isinstance(self.proof, tuple) or len(self.proof) > MAX_PROOF_HASHES:
            _refuse(f"an inclusion proof is a tuple of at most {MAX_PROOF_HASHES} hashes")
        if any(not isinstance(h, bytes) or len(h) != HASH_SIZE for h in self.proof):
            _refuse(f"each proof hash is {HASH_SIZE} bytes")
        if self.extra is not None and (not isinstance(self.extra, bytes) or not self.extra):
            _refuse("the extra data is non-empty bytes, or None", "extra")
        note.parse(self.checkpoint)  # the note's syntax (its signatures are checked later)

    def text(self) -> str:
        """The proof file (UTF-8 text; store it as ``.tlog-proof``)."""
        lines = [HEADER]
        if self.extra is not None:
            lines.append(_EXTRA + b64encode(self.extra))
        lines.append(f"{_INDEX}{self.index}")
        lines.extend(b64encode(h) for h in self.proof)
        return "\n".join(lines) + "\n\n" + self.checkpoint


def parse_proof(text: str | bytes) -> TlogProof:
    """Read a tlog proof (``str``, or UTF-8 ``bytes``), checking its syntax only."""
    if isinstance(text, bytes | bytearray):
        if len(text) > MAX_PROOF_BYTES:
            _refuse(f"a proof is at most {MAX_PROOF_BYTES} bytes")
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            _refuse("a proof is UTF-8 text")
    if not isinstance(text, str):
        _refuse("a proof is text")
    if len(text) > MAX_PROOF_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_PROOF_BYTES:
        _refuse(f"a proof is at most {MAX_PROOF_BYTES} bytes")
    head, blank, signed = text.partition("\n\n")
    lines = head.split("\n")
    if lines[0] != HEADER:
        _refuse(f"not a tlog proof: the first line must be {HEADER}")
    if not blank:
        _refuse("no empty line before the checkpoint")
    rest = lines[1:]
    extra = None
    if rest and rest[0].startswith(_EXTRA):
        extra = b64decode(rest.pop(0)[len(_EXTRA) :])
        if not extra:
            _refuse("the extra line is not canonical base64 of some bytes", "extra")
    if not rest or not rest[0].startswith(_INDEX):
        _refuse("the line after the header (and extra) must be 'index N'", "index")
    digits = rest.pop(0)[len(_INDEX) :]
    if not digits.isascii() or not digits.isdigit() or (digits[0] == "0" and len(digits) > 1):
        _refuse("the index is a decimal number without leading zeros", "index")
    if len(digits) > 20 or int(digits) > MAX_SIZE:
        _refuse("the index is at most 2^64-1", "index")
    if len(rest) > MAX_PROOF_HASHES:
        _refuse(f"an inclusion proof has at most {MAX_PROOF_HASHES} hashes")
    hashes = []
    for number, line in enumerate(rest, 1):
        node = b64decode(line)
        if node is None or len(node) != HASH_SIZE:
            _refuse(f"proof line {number} is not the base64 of a {HASH_SIZE}-byte hash")
        hashes.append(node)
    Checkpoint.parse(note.parse(signed)[0], extensions=True)
    return TlogProof(int(digits), tuple(hashes), signed, extra)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        _refuse("the receipt data repeats a member", "extra")
    return found


def _no_constant(name: str) -> NoReturn:
    _refuse(f"the receipt data holds {name}, which JSON cannot", "extra")


@dataclass(frozen=True)
class ReceiptData:
    """What our ``extra`` line carries: the entry's ``salt``, ``type``, ``agency`` and
    ``time`` (as in the entry), and the ``record`` it commits to."""

    salt: bytes
    type: str
    agency: str | None
    time: str
    record: Mapping[str, Any] = field(hash=False)

    def entry(self) -> bytes:
        """The log entry these recompute to (refused if it is not one ``entry_for`` writes)."""
        try:
            body = {
                "agency": self.agency,
                "commitment": commitment_of(self.salt, self.record),
                "time": self.time,
                "type": self.type,
            }
            entry = canonical(body, field="extra")
            parse_entry(entry)
        except EntryError as exc:
            _refuse(f"the receipt data does not make a log entry: {exc.message}", "extra")
        try:
            dt.datetime.strptime(self.time, _TIME_FORMAT)
        except ValueError:
            _refuse("the entry's time is not a real date and time", "extra")
        return entry

    def encode(self) -> bytes:
        """``salt ‖ JCS([type, agency, time, record])``: the extra line's bytes."""
        if not isinstance(self.salt, bytes) or len(self.salt) != SALT_BYTES:
            _refuse(f"a salt is {SALT_BYTES} bytes", "salt")
        return self.salt + canonical([self.type, self.agency, self.time, dict(self.record)])

    @classmethod
    def decode(cls, data: bytes) -> ReceiptData:
        """Read :meth:`encode`'s bytes back, refusing any other form of the same values."""
        if not isinstance(data, bytes) or len(data) <= SALT_BYTES:
            _refuse("the extra data is too short to hold a salt and a record", "extra")
        salt, raw = data[:SALT_BYTES], data[SALT_BYTES:]
        try:
            value = json.loads(
                raw.decode("utf-8"),
                object_pairs_hook=_no_duplicates,
                parse_constant=_no_constant,
            )
        except (UnicodeDecodeError, ValueError, RecursionError):
            _refuse("the receipt data is not JSON", "extra")
        if not isinstance(value, list) or len(value) != 4:
            _refuse("the receipt data is the array [type, agency, time, record]", "extra")
        kind, agency, time, record = value
        if not isinstance(kind, str) or not isinstance(time, str):
            _refuse("the receipt data's type and time are strings", "extra")
        if agency is not None and not isinstance(agency, str):
            _refuse("the receipt data's agency is a string or null", "extra")
        if not isinstance(record, dict):
            _refuse("the receipt data's record is a JSON object", "extra")
        try:
            again = canonical(value, field="extra")
        except (EntryError, RecursionError):
            _refuse("the receipt data cannot be canonical JSON", "extra")
        if again != raw:
            _refuse("the receipt data is not RFC 8785 canonical JSON", "extra")
        return cls(salt, kind, agency, time, record)


@dataclass(frozen=True)
class Cosigner:
    """A known witness that cosigned the proof's checkpoint, and when (POSIX seconds)."""

    name: str
    vkey: str
    time: int

    @property
    def at(self) -> dt.datetime:
        """The cosignature's time, as an aware UTC datetime."""
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=self.time)


@dataclass(frozen=True)
class ProvenReceipt:
    """What a verified receipt proof proves: this ``data`` (its record) is entry ``index``
    of ``checkpoint``, signed by the log key ``log_key`` and cosigned by ``cosigners``."""

    data: ReceiptData
    entry: bytes
    leaf_hash: bytes
    index: int
    checkpoint: Checkpoint
    log_key: str
    cosigners: tuple[Cosigner, ...]
    #: How many of the known witnesses had to cosign (``len(cosigners)`` is at least this).
    quorum: int
    #: How many distinct witness keys the proof was checked against.
    witnesses: int

    @property
    def record(self) -> Mapping[str, Any]:
        return self.data.record

    def _text(self, key: str) -> str | None:
        value = self.data.record.get(key)
        return value if isinstance(value, str) else None

    @property
    def receipt(self) -> str | None:
        """The receipt code the record carries (a check's), if any."""
        return self._text("receipt")

    @property
    def verdict(self) -> str | None:
        return self._text("verdict")

    @property
    def checkpoint_code(self) -> str | None:
        """The road checkpoint of the stop (not to be confused with the log's checkpoint)."""
        return self._text("checkpoint")

    @property
    def logged_at(self) -> dt.datetime:
        """The entry's time (the stop's, to the second), aware UTC."""
        return dt.datetime.strptime(self.data.time, _TIME_FORMAT).replace(tzinfo=dt.UTC)

    @property
    def origin(self) -> str:
        return self.checkpoint.origin

    @property
    def size(self) -> int:
        return self.checkpoint.size

    @property
    def root(self) -> bytes:
        return self.checkpoint.root


def build_receipt_proof(
    *,
    entry: bytes,
    salt: bytes,
    record: Mapping[str, Any],
    index: int,
    proof: Sequence[bytes],
    checkpoint: str,
) -> str:
    """The tlog proof of the stored ``entry`` (with its ``salt`` and the ``record`` it
    commits to) at ``index``, under the signed ``checkpoint`` note (cosignatures kept).

    Refused (:class:`ProofError`) unless it would verify: the record must still commit to
    the entry and the proof lead to the checkpoint's root. The log's signature is not
    checked here (the caller has no verifier key to trust; the holder has).
    """
    try:
        stored = parse_entry(entry)
    except EntryError as exc:
        _refuse(f"the stored entry is not well formed: {exc.message}", "entry")
    data = ReceiptData(salt, stored.type, stored.agency, stored.time, dict(record))
    if data.entry() != entry:
        _refuse("the record as stored no longer commits to its log entry", "record")
    tlog = TlogProof(index, tuple(bytes(h) for h in proof), checkpoint, data.encode())
    body = Checkpoint.parse(note.parse(checkpoint)[0])
    verify_inclusion(leaf_hash(entry), index, body.size, list(tlog.proof), body.root)
    return tlog.text()


def verify_receipt_proof(
    text: str | bytes,
    log_vkeys: Iterable[str | Verifier],
    witness_vkeys: Iterable[str | Verifier] = (),
    quorum: int | None = None,
    *,
    origin: str | None = None,
) -> ProvenReceipt:
    """Verify a receipt proof offline, following c2sp.org/tlog-proof's steps:

    1. the leaf: the ``extra`` data recomputes the commitment, the entry and its hash;
    2. the checkpoint is signed by one of ``log_vkeys`` whose name is its origin (and,
       with ``origin``, is of that log);
    3. every cosignature by one of ``witness_vkeys`` verifies, and at least ``quorum`` of
       them are there (None: all of them; 0: none needed, the cosigners are still said);
    4. the inclusion proof binds the leaf to the signed root.

    Returns what it proves, or raises :class:`ProofError` saying why not.
    """
    proof = parse_proof(text)
    if proof.extra is None:
        _refuse("the proof has no extra line: it is not a receipt proof", "extra")
    data = ReceiptData.decode(proof.extra)
    entry = data.entry()
    leaf = leaf_hash(entry)
    try:
        opened = note.open_note(proof.checkpoint, log_vkeys)
    except KeyFormatError:
        raise
    except ProofError as exc:
        _refuse(f"the log's signature does not verify: {exc.message}", "checkpoint")
    try:
        checkpoint = Checkpoint.parse(opened.text)
    except ProofError as exc:
        _refuse(f"the log's checkpoint is not one of ours: {exc.message}", "checkpoint")
    signers = [v for v, _ in opened.verified if v.name == checkpoint.origin]
    if not signers:
        _refuse(
            f"the checkpoint is of {checkpoint.origin!r}, which none of its signing keys "
            "is named after",
            "checkpoint",
        )
    if origin is not None and checkpoint.origin != origin:
        _refuse(f"the checkpoint is of {checkpoint.origin!r}, not {origin!r}", "checkpoint")
    if isinstance(witness_vkeys, str):
        _refuse("pass a list of witness keys, not one string", "witness_vkeys")
    parsed = (w if isinstance(w, Verifier) else Verifier.parse(w) for w in witness_vkeys)
    known = list({v.key_string(): v for v in parsed}.values())
    needed = len(known) if quorum is None else quorum
    if type(needed) is not int or not 0 <= needed <= len(known):
        _refuse(f"a quorum is from 0 to the {len(known)} witnesses given", "quorum")
    found = cosignatures(proof.checkpoint, known) if known else {}
    cosigners = tuple(
        Cosigner(v.name, v.key_string(), found[v.key_string()])
        for v in known
        if v.key_string() in found
    )
    if len(cosigners) < needed:
        _refuse(
            f"only {len(cosigners)} of the {needed} witness cosignatures required are on "
            "the checkpoint",
            "quorum",
        )
    try:
        verify_inclusion(leaf, proof.index, checkpoint.size, list(proof.proof), checkpoint.root)
    except ProofError as exc:
        _refuse(
            "the receipt is not in the log's signed tree (the record, the salt, the index "
            f"or the proof was changed): {exc.message}"
        )
    return ProvenReceipt(
        data=data,
        entry=entry,
        leaf_hash=leaf,
        index=proof.index,
        checkpoint=checkpoint,
        log_key=signers[0].key_string(),
        cosigners=cosigners,
        quorum=needed,
        witnesses=len(known),
    )
