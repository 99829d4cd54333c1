"""``alcabala keys``: generate the log's signer key, or a witness's.

``keys generate`` writes a new Ed25519 key as Go x/mod's ``PRIVATE+KEY+…`` string, mode
0600, and prints its verifier key on stdout (one line, nothing else, for scripts); what
it did goes to stderr. The log's key is named after its origin (``--origin``, default
``ALCABALA_LOG_ORIGIN``) and written where ``Settings`` says (``ALCABALA_LOG_KEY_FILE``,
default ``<data_dir>/log_key``). An existing key is never overwritten without ``--force``,
and with it the replaced key's verifier key is kept in ``<file>.old``: checkpoints it
signed stay verifiable (see :mod:`alcabala.ledger.keystore`). ``--witness`` makes a
witness's key instead, to a file of its own (``--out``), and prints its cosignature
(``0x04``) verifier key, the one logs and clients configure.
"""

from __future__ import annotations

from pathlib import Path

import typer

from alcabala.cli.common import settings_for
from alcabala.errors import ValidationError
from alcabala.ledger.keys import COSIGNATURE_V1, ED25519, Signer
from alcabala.ledger.keystore import key_path, old_keys_path, write_signer


def register(app: typer.Typer) -> None:
    keys = typer.Typer(help="Generate the log's and witnesses' signing keys.", no_args_is_help=True)
    app.add_typer(keys, name="keys")

    @keys.command("generate")
    def generate(
        origin: str | None = typer.Option(
            None,
            "--origin",
            "--name",
            help="The key's name: the log's origin (default: ALCABALA_LOG_ORIGIN), or the "
            "witness's name with --witness.",
            show_default=False,
        ),
        witness: bool = typer.Option(
            False, "--witness", help="A witness's key (needs --name and --out)."
        ),
        out: Path | None = typer.Option(
            None,
            "--out",
            help="The key file (default: ALCABALA_LOG_KEY_FILE, else <data_dir>/log_key).",
            show_default=False,
        ),
        force: bool = typer.Option(
            False, "--force", help="Replace an existing key; its verifier key stays valid."
        ),
    ) -> None:
        """Write a new private key (mode 0600) and print its verifier key."""
        settings = settings_for(None)
        if witness and (origin is None or out is None):
            raise ValidationError("--witness needs --name NAME and --out FILE.", field="witness")
        name = origin or settings.log_origin
        path = out or key_path(settings)
        had_key = path.exists()
        vkey = write_signer(
            path,
            Signer.generate(name),
            force=force,
            sig_type=COSIGNATURE_V1 if witness else ED25519,
        )
        kind = "witness key" if witness else "log key"
        typer.echo(f"wrote the {kind} of {name} to {path} (mode 0600)", err=True)
        if had_key:
            typer.echo(f"the replaced verifier key is kept in {old_keys_path(path)}", err=True)
        if not witness and out is None and name != settings.log_origin:
            typer.echo(
                f"note: ALCABALA_LOG_ORIGIN is {settings.log_origin!r}: set it to {name!r} "
                "for the log to use this key",
                err=True,
            )
        typer.echo(vkey)
