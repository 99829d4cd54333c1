"""``alcabala log verify-proof``: check a receipt's proof offline, with nothing but keys.

``log verify-proof FILE --vkey VKEY [--witness VKEY …] [--quorum K]`` reads a receipt's
``.tlog-proof`` file (``-``: standard input), as ``GET /v1/receipts/{code}/proof`` gives
it, and verifies it with :func:`alcabala.ledger.proof.verify_receipt_proof`: the record
and salt recompute the log entry, the inclusion proof leads from it to the checkpoint's
root, the checkpoint is signed by a ``--vkey`` (repeatable: a rotated log's old keys)
named after its origin, and every cosignature by a ``--witness`` (repeatable, ``0x04``
keys) verifies, at least ``--quorum`` of them (default: all the witnesses given).

No database, no network, no key file: anyone holding the proof and the log's verifier key
can run it. It prints what the receipt proves — the receipt code, the road checkpoint, the
stop's time, the verdict, the entry's index, the tree size and the witnesses that
cosigned — and exits 0; or prints one line saying why not (on stderr) and exits 1. A
malformed key is a bad argument (status 2).
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from alcabala.ledger.errors import KeyFormatError, ProofError
from alcabala.ledger.keys import COSIGNATURE_V1, ED25519, Verifier, b64encode
from alcabala.ledger.proof import MAX_PROOF_BYTES, ProvenReceipt, verify_receipt_proof


def register(log: typer.Typer) -> None:
    @log.command("verify-proof")
    def verify_proof(
        file: str = typer.Argument(
            ..., metavar="FILE", help="The .tlog-proof file (- for standard input)."
        ),
        vkeys: list[str] = typer.Option(
            ..., "--vkey", help="The log's verifier key (repeatable: old keys too)."
        ),
        witnesses: list[str] = typer.Option(
            [], "--witness", help="A witness's cosignature verifier key (repeatable)."
        ),
        quorum: int | None = typer.Option(
            None,
            "--quorum",
            min=0,
            help="How many of the --witness keys must have cosigned (default: all).",
            show_default=False,
        ),
    ) -> None:
        """Verify a receipt's proof offline and say what it proves; exit status 1 if not."""
        logs = _keys(vkeys, ED25519, "--vkey")
        cosigners = _keys(witnesses, COSIGNATURE_V1, "--witness")
        if quorum is not None and quorum > len(cosigners):
            raise typer.BadParameter(
                f"at most the {len(cosigners)} --witness keys given", param_hint="--quorum"
            )
        try:
            data = _read(file)
            proven = verify_receipt_proof(data, logs, cosigners, quorum)
        except (OSError, ProofError) as exc:
            reason = exc.message if isinstance(exc, ProofError) else _os_reason(exc)
            typer.echo(f"FAILED: {file}: {reason}", err=True)
            raise typer.Exit(1) from None
        for line in describe(proven):
            typer.echo(line)


def describe(proven: ProvenReceipt) -> list[str]:
    """What a verified receipt proof proves, as the command prints it."""
    if proven.data.type.startswith("complaint."):
        return _complaint(proven) + _signatures(proven)
    record = proven.record
    verdict = proven.verdict or "?"
    irregular = record.get("irregularities")
    if isinstance(irregular, list) and irregular:
        verdict += " (" + ", ".join(str(i) for i in irregular) + ")"
    when = proven.logged_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    lines = [
        f"ok: receipt {proven.receipt or '?'} is entry {proven.index} of {proven.origin}",
        f"receipt:    {proven.receipt or '?'}",
        f"checkpoint: {proven.checkpoint_code or '?'}",
        f"time:       {when}",
        f"verdict:    {verdict}",
    ]
    return lines + _signatures(proven)


def _complaint(proven: ProvenReceipt) -> list[str]:
    record = proven.record
    code = record.get("code", "?")
    when = proven.logged_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    return [
        f"ok: complaint {code} is entry {proven.index} of {proven.origin}",
        f"complaint:  {code} (filed {when})",
        f"category:   {record.get('category', '?')}",
        f"about:      {record.get('subject_kind', '?')} (agency {proven.data.agency or '-'})",
        f"photos:     {len(record.get('photos') or [])} (SHA-256 in the record)",
    ]


def _signatures(proven: ProvenReceipt) -> list[str]:
    lines = [
        f"index:      {proven.index}",
        f"tree size:  {proven.size} (root {b64encode(proven.root)})",
        f"signed by:  {proven.log_key}",
    ]
    if proven.witnesses:
        names = ", ".join(
            f"{c.name} at {c.at.strftime('%Y-%m-%d %H:%M:%S UTC')}" for c in proven.cosigners
        )
        lines.append(
            f"witnesses:  {len(proven.cosigners)} of {proven.witnesses} cosigned"
            f" (needed {proven.quorum}){': ' + names if names else ''}"
        )
    else:
        lines.append("witnesses:  none checked (no --witness given)")
    return lines


def _read(file: str) -> bytes:
    if file == "-":
        return sys.stdin.buffer.read(MAX_PROOF_BYTES + 1)
    with Path(file).open("rb") as f:
        return f.read(MAX_PROOF_BYTES + 1)


def _os_reason(exc: OSError) -> str:
    return f"cannot read the file: {exc.strerror or exc}"


def _keys(values: list[str], sig_type: int, option: str) -> list[str]:
    keys = []
    for value in values:
        try:
            verifier = Verifier.parse(value.strip())
        except KeyFormatError as exc:
            raise typer.BadParameter(exc.message, param_hint=option) from None
        if verifier.sig_type != sig_type:
            kind = "a log's (0x01)" if sig_type == ED25519 else "a witness's (0x04)"
            raise typer.BadParameter(f"{verifier.name} is not {kind} key", param_hint=option)
        keys.append(verifier.key_string())
    return keys
