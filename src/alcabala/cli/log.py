"""``alcabala log``: the tamper-evident log, from the command line.

``log key`` prints the log's verifier key — the line to give witnesses and anyone who
checks a receipt — from the signer key file that ``Settings`` names; ``--all`` adds the
keys it replaced (``<file>.old``), newest first, which still verify older checkpoints.
``log verify``, ``log verify-proof`` and ``log monitor`` (issue 11) are not built yet.
"""

from __future__ import annotations

import typer

from alcabala.config import Settings
from alcabala.ledger.keystore import load_signer, verifier_keys


def register(app: typer.Typer) -> None:
    log = typer.Typer(help="The tamper-evident log.", no_args_is_help=True)
    app.add_typer(log, name="log")

    @log.command("key")
    def key(
        every: bool = typer.Option(
            False, "--all", help="Also the verifier keys it replaced, newest first."
        ),
    ) -> None:
        """Print the log's verifier key (name+keyid+key), one per line."""
        settings = Settings.from_env()
        keys = verifier_keys(settings) if every else [load_signer(settings).verifier_key()]
        for vkey in keys:
            typer.echo(vkey)
