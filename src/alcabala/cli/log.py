"""``alcabala log``: the tamper-evident log, from the command line.

``log key`` prints the log's verifier key — the line to give witnesses and anyone who
checks a receipt — from the signer key file that ``Settings`` names; ``--all`` adds the
keys it replaced (``<file>.old``), newest first, which still verify older checkpoints.

``log verify`` audits the stored log (:func:`alcabala.ledger.verify.verify_log`): every
tile and checkpoint root recomputed from the entries, every signature and every
checkpoint's consistency with the latest, and then every logged record's commitment
against the record as stored now (``--no-records`` skips that). It prints one line per
problem and exits 1, or a summary and exits 0; a progress bar (on stderr) follows long runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.progress import Progress
from sqlalchemy.orm import Session

from alcabala.checks.logged import REF_KIND, stored_check
from alcabala.cli.common import DATABASE_OPTION, err_console, settings_for
from alcabala.db.engine import make_engine, read_session
from alcabala.ledger.keystore import load_signer, verifier_keys
from alcabala.ledger.records import record_loader
from alcabala.ledger.verify import Loader, verify_commitments, verify_log
from alcabala.ledger.verify import Progress as ProgressCallback

#: A run over at least this many entries (and checkpoints) shows a progress bar.
LONG_RUN = 50_000


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
        settings = settings_for(None)
        keys = verifier_keys(settings) if every else [load_signer(settings).verifier_key()]
        for vkey in keys:
            typer.echo(vkey)

    @log.command("verify")
    def verify(
        database: str | None = DATABASE_OPTION,
        vkeys: list[str] = typer.Option(
            [],
            "--vkey",
            help="A verifier key of the log (repeatable); default: the key file's, old ones too.",
        ),
        records: bool = typer.Option(
            True,
            "--records/--no-records",
            help="Also recompute every logged record's commitment from the record as stored.",
        ),
    ) -> None:
        """Recompute every tile and checkpoint root from the stored entries, check every
        checkpoint, and every record against its latest entry; one line per problem, exit
        status 1 if there is any."""
        settings = settings_for(database)
        keys = vkeys or verifier_keys(settings)
        engine = make_engine(settings.database_url)
        try:
            with read_session(engine) as session, _progress() as progress:
                report = verify_log(session, keys, settings.log_origin, progress=progress)
                changed = (
                    verify_commitments(session, records_as_stored(session), progress=progress)
                    if records
                    else []
                )
        finally:
            engine.dispose()
        problems = [*report.problems, *changed]
        for problem in problems:
            typer.echo(str(problem))
        counts = f"{report.entries} entries, {report.tiles} tiles, {report.checkpoints} checkpoints"
        if problems:
            typer.echo(f"the log does not verify: {len(problems)} problems ({counts})")
            raise typer.Exit(1)
        typer.echo(f"the log verifies: {counts} of {settings.log_origin}")

    from alcabala.cli import log_monitor

    log_monitor.register(log)
    from alcabala.cli import log_proof

    log_proof.register(log)


def records_as_stored(session: Session) -> Loader:
    """Every logged record as stored now: table rows, and checks rebuilt as their receipts."""
    return record_loader(
        session, {REF_KIND: lambda _kind, check_id: stored_check(session, check_id)}
    )


@contextmanager
def _progress() -> Iterator[ProgressCallback]:
    """A ``progress(done, total)`` that draws a bar on stderr once the run is long."""
    bar: Progress | None = None
    task = None

    def advance(done: int, total: int) -> None:
        nonlocal bar, task
        if bar is None:
            if total < LONG_RUN:
                return
            bar = Progress(console=err_console, transient=True)
            bar.start()
            task = bar.add_task("verifying the log", total=total)
        assert task is not None
        bar.update(task, completed=done, total=total)

    try:
        yield advance
    finally:
        if bar is not None:
            bar.stop()
