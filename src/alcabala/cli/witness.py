"""``alcabala witness serve``: run a C2SP tlog-witness (c2sp.org/tlog-witness) with uvicorn.

The witness cosigns checkpoints of the logs given with ``--log VKEY`` (repeatable; a log's
origin is its key's name, and several keys of one name are all trusted, as across a
rotation) with its own key, read from ``--key FILE`` (a signer key, mode 0600: make one
with ``alcabala keys generate --witness --name NAME --out FILE``). It keeps, per log, the
latest checkpoint it cosigned in ``--state DIR`` (default ``<data_dir>/witness``), which
it locks. At start it prints its cosignature verifier key on the first line of stdout —
the value of ``ALCABALA_WITNESSES`` entries — then where it listens. The rules are in
:mod:`alcabala.ledger.witness`, the HTTP in :mod:`alcabala.ledger.witness_app`.
"""

from __future__ import annotations

from pathlib import Path

import typer

from alcabala.cli.common import settings_for


def register(app: typer.Typer) -> None:
    witness = typer.Typer(help="Run a transparency-log witness.", no_args_is_help=True)
    app.add_typer(witness, name="witness")

    @witness.command("serve")
    def serve(
        port: int = typer.Option(..., "--port", min=1, max=65535, help="TCP port to listen on."),
        key: Path = typer.Option(..., "--key", help="The witness's signer key file (0600)."),
        log: list[str] = typer.Option(
            ..., "--log", help="A trusted log's verifier key (repeatable)."
        ),
        state: Path | None = typer.Option(
            None,
            "--state",
            help="Directory of the witness's state (default: <data_dir>/witness).",
            show_default=False,
        ),
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    ) -> None:
        """Serve POST /add-checkpoint: cosign the logs' consistent checkpoints."""
        import uvicorn

        from alcabala.ledger.keystore import read_signer
        from alcabala.ledger.witness import Witness
        from alcabala.ledger.witness_app import create_witness_app

        directory = state or settings_for(None).data_dir / "witness"
        with Witness(read_signer(key), log, directory) as server:
            typer.echo(server.verifier_key)
            origins = ", ".join(sorted(server.logs))
            typer.echo(
                f"witness {server.key.name} of {origins} on http://{host}:{port}/add-checkpoint"
                f" (state in {directory})"
            )
            uvicorn.run(create_witness_app(server), host=host, port=port, log_level="info")
