"""Filing a complaint, with no login: the only code that creates one.

What: :func:`file_complaint` resolves what the complaint is about (a stop by its receipt
gives the checkpoint and the officer's agency; a checkpoint gives its agency), refuses the
same text from the same client within an hour, stores the complaint and its photos, and
appends its log entry (``complaint.created``, under the code of the agency complained
about) in one transaction. It returns the complaint code and the secret — the secret is
stored only as its SHA-256 and shown this once — and, when the log has a key, the log's
signed promise to include the entry (:mod:`.promise`).

Why a keyed hash for duplicates: the client's address must not be stored (a complainant
may fear being traced), but the same complaint sent twice by a double tap or a retry on a
bad network must not count twice. ``dedupe_key`` is HMAC-SHA256 under the server's secret
of the address and the normalized text: it matches a repeat and reveals neither.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from alcabala.accounts.models import Agency
from alcabala.checkpoints.models import Checkpoint
from alcabala.checks.models import Check
from alcabala.checks.receipts import new_receipt, normalize_prefixed, normalize_receipt
from alcabala.complaints.models import (
    Complaint,
    ComplaintFile,
    ComplaintStatus,
    SubjectKind,
)
from alcabala.complaints.promise import sign_promise
from alcabala.complaints.schemas import ComplaintIn
from alcabala.context import Ctx
from alcabala.db.history import record_change
from alcabala.errors import ConflictError, ValidationError
from alcabala.ledger.keys import Signer
from alcabala.ledger.merkle import leaf_hash
from alcabala.ledger.models import LogEntry, flush_entries

ENTITY = "complaint"
#: A repeat of the same text from the same client within this long is refused.
DUPLICATE_WINDOW = dt.timedelta(hours=1)
PREFIX = "D-"


class DuplicateComplaint(ConflictError):
    code = "duplicate_complaint"


@dataclass(frozen=True)
class Filed:
    """What the complainant gets at once."""

    complaint: Complaint
    secret: str
    promise: str | None


def new_code() -> str:
    """A fresh code such as ``D-7K2QX-M9D4B``: ``D-`` and a stop receipt's 50 random bits in
    Crockford's base32 (:func:`~alcabala.checks.receipts.new_receipt`)."""
    return PREFIX + new_receipt()


def normalize_code(code: str) -> str | None:
    """The canonical form of a typed complaint code, or None if it cannot be one."""
    return normalize_prefixed(code, PREFIX)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(complaint: Complaint, secret: str) -> bool:
    return hmac.compare_digest(complaint.secret_hash, hash_secret(secret.strip()))


def dedupe_key(server_secret: str, client: str, text: str) -> str:
    """HMAC of the client address and the text, case and spacing folded."""
    folded = " ".join(text.casefold().split())
    message = f"{client}\x00{folded}".encode()
    return hmac.new(server_secret.encode(), message, hashlib.sha256).hexdigest()


def _subject(ctx: Ctx, data: ComplaintIn) -> tuple[str | None, int | None, int | None]:
    """(receipt, checkpoint id, agency id) of what the complaint is about."""
    s = ctx.session
    checkpoint_id = agency_id = None
    if data.checkpoint:
        checkpoint = s.scalar(select(Checkpoint).where(Checkpoint.code == data.checkpoint))
        if checkpoint is None:
            raise ValidationError("No checkpoint has this code.", field="checkpoint")
        checkpoint_id, agency_id = checkpoint.id, checkpoint.agency_id
    if data.agency:
        agency = s.scalar(select(Agency.id).where(Agency.code == data.agency))
        if agency is None:
            raise ValidationError("No agency has this code.", field="agency")
        agency_id = agency
    kind = data.subject_kind
    if kind == SubjectKind.STOP:
        receipt = normalize_receipt(data.receipt)
        found = (
            s.execute(
                select(Check.checkpoint_id, Check.agency_id).where(Check.receipt == receipt)
            ).first()
            if receipt
            else None
        )
        if receipt is None or found is None:
            raise ValidationError(
                "No stop has this receipt code; check it, or complain about the checkpoint.",
                field="receipt",
            )
        return receipt, found.checkpoint_id, found.agency_id
    if kind == SubjectKind.CHECKPOINT and checkpoint_id is None:
        raise ValidationError("Say which checkpoint.", field="checkpoint")
    if kind == SubjectKind.AGENCY and not data.agency:
        raise ValidationError("Say which agency.", field="agency")
    if kind == SubjectKind.OFFICER and not data.officer:
        raise ValidationError("Describe the officer: name or badge number.", field="officer")
    return None, checkpoint_id, agency_id


def file_complaint(ctx: Ctx, data: ComplaintIn, client: str, signer: Signer | None = None) -> Filed:
    """File ``data`` from ``client`` (its address, only ever hashed); see the module."""
    s = ctx.session
    now = ctx.now()
    key = dedupe_key(ctx.settings.secret_key, client, data.description)
    repeat = s.scalar(
        select(Complaint.id).where(
            Complaint.dedupe_key == key, Complaint.filed_at > now - DUPLICATE_WINDOW
        )
    )
    if repeat is not None:
        raise DuplicateComplaint(
            "You filed this same complaint less than an hour ago; its code is on the "
            "receipt you got then.",
            field="description",
        )
    receipt, checkpoint_id, agency_id = _subject(ctx, data)
    photos = [(p.content_type, p.raw()) for p in data.photos]
    secret = secrets.token_urlsafe(16)
    complaint = Complaint(
        code=new_code(),
        secret_hash=hash_secret(secret),
        category=data.category.value,
        subject_kind=data.subject_kind.value,
        receipt=receipt,
        checkpoint_id=checkpoint_id,
        agency_id=agency_id,
        officer=data.officer,
        description=data.description,
        photos=[hashlib.sha256(raw).hexdigest() for _, raw in photos],
        contact=data.contact,
        language=data.language,
        filed_at=now,
        overdue_at=now + dt.timedelta(days=ctx.settings.complaint_overdue_days),
        dedupe_key=key,
        status=ComplaintStatus.RECEIVED.value,
    )
    s.add(complaint)
    s.flush()
    for (content_type, raw), digest in zip(photos, complaint.photos, strict=True):
        s.add(
            ComplaintFile(
                complaint_id=complaint.id,
                sha256=digest,
                content_type=content_type,
                size=len(raw),
                data=raw,
            )
        )
    record_change(s, ENTITY, complaint, now, "created")
    promise = None
    if signer is not None:
        flush_entries(s)
        entry = s.scalar(
            select(LogEntry.entry).where(
                LogEntry.ref_kind == Complaint.__tablename__,
                LogEntry.ref_id == str(complaint.id),
            )
        )
        assert entry is not None
        promise = sign_promise(signer, complaint.code, leaf_hash(bytes(entry)), now)
    return Filed(complaint, secret, promise)
