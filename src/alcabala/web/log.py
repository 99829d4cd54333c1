"""The public page of the log, ``/registro``: its latest checkpoint, and a proof checker.

What (no login): the latest signed checkpoint — the log's origin, its size, when it was
signed, its root (base64) and the log's verifier key — and the configured witnesses
(``Settings.witnesses``), each with the time it cosigned that checkpoint or "not yet", and
whether the quorum is met (:func:`alcabala.ledger.witnessing.witness_status`,
:func:`~alcabala.ledger.witnessing.is_witnessed`). A form takes a pasted receipt proof
(the ``.tlog-proof`` file of ``GET /v1/receipts/{code}/proof``) and verifies it on the
server with :func:`alcabala.ledger.proof.verify_receipt_proof`, the log's verifier keys
(:func:`alcabala.ledger.keystore.verifier_keys`, old ones too) and the witnesses' keys,
then shows what it proves: the receipt, the road checkpoint, the stop's time, the verdict,
the entry's index, the tree size and who cosigned — or why it does not verify.

Why nothing else: the page reads no record. What it shows of a proof is what the pasted
text itself holds (and not all of it: never the plate, the VIN or the lookups). The
proof is checked with ``quorum=0`` so that a proof fetched before the witnesses answered
still verifies as the log's, and the page says whether the witnesses' quorum is met.
Pasting goes through a browser's textarea, which sends CRLF line ends and may lose the
final newline: those are restored before verifying (a signature covers LF text), nothing
else is changed. Posting is rate-limited per address like the other public forms.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from alcabala.accounts.deps import DoorDep, public_limit
from alcabala.config import Settings
from alcabala.context import SYSTEM, Door
from alcabala.errors import Error
from alcabala.ledger.checkpoint import open_checkpoint
from alcabala.ledger.errors import ProofError
from alcabala.ledger.keys import b64encode
from alcabala.ledger.keystore import verifier_keys
from alcabala.ledger.models import latest_checkpoint
from alcabala.ledger.proof import MAX_PROOF_BYTES, ProvenReceipt, verify_receipt_proof
from alcabala.ledger.witness_client import witness_policy
from alcabala.ledger.witnessing import is_witnessed, witness_status
from alcabala.web import csrf
from alcabala.web.complaint_texts import label_of
from alcabala.web.forms import ERROR_HEADER
from alcabala.web.i18n import N_
from alcabala.web.public import VERDICT_TEXT
from alcabala.web.render import render, translator

router = APIRouter(dependencies=[Depends(csrf.protect)])
Form = Annotated[FormData, Depends(csrf.form_data)]
PUBLIC = SYSTEM.via("web")
PATH = "/registro"
TEMPLATE = "public/log.html"
NO_KEY = N_("This server has no log key, so it cannot check proofs.")


def utc(value: dt.datetime | None) -> str:
    """``2026-05-01 12:03:04 UTC`` (a naive time, as SQLite returns it, is UTC already)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _log_keys(settings: Settings) -> list[str] | None:
    try:
        return verifier_keys(settings)
    except Error:  # no key file, or a bad one: the page says so instead of failing
        return None


def _latest(door: Door, settings: Settings) -> dict[str, Any] | None:
    """What the page shows of the latest checkpoint (None before the first)."""
    with door.read(PUBLIC) as ctx:
        latest = latest_checkpoint(ctx.session)
        if latest is None:
            return None
        size, root, note, at = latest.size, bytes(latest.root), latest.note, latest.created_at
    keys = _log_keys(settings)
    signed = False
    if keys:
        try:
            open_checkpoint(note, keys, origin=settings.log_origin)
            signed = True
        except ProofError:
            signed = False
    witnesses = witness_status(note, settings)
    return {
        "origin": settings.log_origin,
        "size": size,
        "root": b64encode(root),
        "at": utc(at),
        "vkey": keys[0] if keys else "",
        "signed": signed,
        "witnesses": [(w.name, utc(w.cosigned_at)) for w in witnesses],
        "quorum": witness_policy(settings).quorum,
        "witnessed": is_witnessed(note, settings),
    }


def _pasted(raw: str) -> str:
    """The pasted proof as the file was: LF line ends, one final newline."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    return text + "\n" if text else ""


def _proven(request: Request, proven: ProvenReceipt) -> dict[str, Any]:
    t = translator(request)
    verdict = proven.verdict or ""
    shown = {
        "complaint": False,
        "receipt": proven.receipt or "",
        "checkpoint": proven.checkpoint_code or "",
        "verdict": t.gettext(VERDICT_TEXT[verdict]) if verdict in VERDICT_TEXT else verdict,
    }
    if proven.data.type.startswith("complaint."):  # a complaint's receipt: code and category
        category = str(proven.record.get("category", ""))
        shown = {
            "complaint": True,
            "receipt": str(proven.record.get("code", "")),
            "checkpoint": "",
            "verdict": label_of(t)("category", category),
        }
    return {
        **shown,
        "at": utc(proven.logged_at),
        "index": proven.index,
        "size": proven.size,
        "origin": proven.origin,
        "cosigners": [(c.name, utc(c.at)) for c in proven.cosigners],
        "witnesses": proven.witnesses,
    }


@router.get(PATH, summary="The log's latest checkpoint and a receipt proof checker")
def log_page(request: Request, door: DoorDep) -> Response:
    settings = door.settings
    return render(request, TEMPLATE, latest=_latest(door, settings), proof="", checked=None)


@router.post(PATH, summary="Verify a pasted receipt proof")
def verify_proof(request: Request, door: DoorDep, form: Form) -> Response:
    t = translator(request)
    public_limit(request)
    raw = form.get("proof")
    pasted = raw if isinstance(raw, str) else ""
    settings = door.settings
    latest = _latest(door, settings)
    keys = _log_keys(settings)
    checked: dict[str, Any]
    status, headers = 200, None
    if len(pasted) > MAX_PROOF_BYTES:
        pasted = ""
    if not pasted.strip():
        checked = {"ok": False, "reason": t.gettext("Paste the proof file's text.")}
        status, headers = 422, {ERROR_HEADER: "invalid"}
    elif keys is None:
        checked = {"ok": False, "reason": t.gettext(NO_KEY)}
        status, headers = 503, {ERROR_HEADER: "no_log_key"}
    else:
        witnesses = [vkey for _url, vkey in settings.witnesses]
        try:
            proven = verify_receipt_proof(
                _pasted(pasted), keys, witnesses, 0, origin=settings.log_origin
            )
        except ProofError as exc:
            checked = {"ok": False, "reason": exc.message}
            status, headers = 422, {ERROR_HEADER: exc.code}
        else:
            quorum = witness_policy(settings).quorum
            checked = {
                "ok": True,
                **_proven(request, proven),
                "quorum": quorum,
                "witnessed": bool(witnesses) and len(proven.cosigners) >= quorum,
            }
    return render(request, TEMPLATE, status, headers, latest=latest, proof=pasted, checked=checked)
