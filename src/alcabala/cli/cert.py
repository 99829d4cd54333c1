"""``alcabala cert verify``: check a pre-purchase certificate offline, with only keys.

``cert verify FILE|TEXT --key VKEY`` takes the certificate's text (``AC1:…``, what its QR
code holds), or a file holding it (``-``: standard input), and verifies its signature
against the log's verifier key (``--key``, repeatable: a rotated log's old keys too; ``alcabala
log key --all`` prints them). No database and no network: a buyer, a notary or a bank can
run it. It prints what the certificate says and exits 0 when the signature holds and it
has not expired by this machine's clock; otherwise it says why in one line and exits 1.
What happened after issue (a stolen report) only the online check can tell:
``POST /v1/certificates/verify`` or the ``/verificar`` page.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import typer

from alcabala.certificates.codec import MAX_TEXT, CertificateError, Claims, decode
from alcabala.clock import SYSTEM_CLOCK, Clock, FixedClock


def register(app: typer.Typer) -> None:
    cert = typer.Typer(help="Pre-purchase certificates.", no_args_is_help=True)
    app.add_typer(cert, name="cert")

    @cert.command("verify")
    def verify(
        source: str = typer.Argument(
            ..., metavar="FILE|TEXT", help="The certificate (AC1:…), or a file with it (-: stdin)."
        ),
        keys: list[str] = typer.Option(
            ..., "--key", help="The log's verifier key (repeatable: old keys too)."
        ),
        at: str = typer.Option(
            "", "--at", help="Judge expiry at this ISO time (e.g. the sale's) instead of now."
        ),
    ) -> None:
        """Verify a certificate offline and print what it says; exit status 1 if not valid."""
        try:
            text = _read(source)
            claims = decode(text, keys)
        except (OSError, CertificateError) as exc:
            reason = exc.message if isinstance(exc, CertificateError) else str(exc)
            typer.echo(f"FAILED: {reason}", err=True)
            raise typer.Exit(1) from None
        lines, expired = describe(claims, _clock(at))
        for line in lines:
            typer.echo(line)
        if expired:
            typer.echo(f"FAILED: the certificate expired at {_when(claims.expires_at)}", err=True)
            raise typer.Exit(1)


def _clock(at: str) -> Clock:
    if not at:
        return SYSTEM_CLOCK
    try:
        when = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(
            "an ISO time such as 2026-12-01T10:00Z", param_hint="--at"
        ) from None
    return FixedClock(when if when.tzinfo else when.replace(tzinfo=dt.UTC))


def _read(source: str) -> str:
    if source == "-":
        return sys.stdin.read(MAX_TEXT * 4)
    if source.upper().startswith("AC1:"):
        return source
    return Path(source).read_text(encoding="ascii", errors="replace")[: MAX_TEXT * 4]


def _when(at: object) -> str:
    return f"{at:%Y-%m-%d %H:%M UTC}"


def describe(claims: Claims, clock: Clock) -> tuple[list[str], bool]:
    """The lines the command prints, and whether the certificate has expired."""
    expired = claims.expires_at <= clock.now()

    def yes(flag: bool | None) -> str:
        return "unknown (not looked for)" if flag is None else ("YES" if flag else "no")

    year = claims.year if claims.year is not None else "?"
    lines = [
        f"ok: certificate {claims.serial}, signature valid" + (" (EXPIRED)" if expired else ""),
        f"vehicle:      {claims.vin}, plate {claims.plate}",
        f"registered:   {claims.make} {claims.model} {year}, {claims.colour}".rstrip(", "),
        f"stolen:       {yes(claims.stolen)} (an active report at issue)",
        f"retired:      {yes(claims.retired)}",
        f"consistent:   {'yes' if claims.consistent else 'NO'} (engine and VIN serial numbers)",
        f"clone alert:  {yes(claims.clone_alert)}",
        f"issued:       {_when(claims.issued_at)}",
        f"expires:      {_when(claims.expires_at)}",
        f"log entry:    leaf hash {claims.log_leaf.hex()}…",
    ]
    if claims.inspection is not None:
        i = claims.inspection
        lines.append(
            f"inspection:   {_when(i.at)} at {i.place}: "
            + ("numbers as registered" if i.ok else "OTHER NUMBERS SEEN")
        )
    lines.append(
        "verdict:      "
        + ("nothing registered against buying" if claims.sound else "DO NOT BUY without advice")
    )
    lines.append("note: a report filed after issue shows only online (/verificar).")
    return lines, expired
