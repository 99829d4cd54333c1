"""``alcabala log monitor``: follow a remote log and check it never forks or goes back.

``log monitor --url URL`` reads the log's C2SP tlog-tiles API at ``URL`` (its
``/log/checkpoint`` and ``/log/tile/…``), verifies each checkpoint's signature with
``--vkey`` (repeatable; default: the verifier keys of the local key file, old ones too),
and checks it is consistent with the last checkpoint it stored, computing the proof from
the tiles itself (:mod:`alcabala.ledger.monitor`). The checkpoints seen are kept in
``--state FILE`` (default ``<data_dir>/monitor/<host_path>.json``). With ``--witness
VKEY`` (repeatable) it also says which of those witnesses cosigned each checkpoint, and
fails on a cosignature of theirs that does not verify.

``--once`` checks once; otherwise it checks every ``--interval`` seconds (default 10)
until Ctrl-C. Exit status: 0 all held; 1 the log failed a check (a bad signature, a fork,
a rollback — one line on stderr naming it; both notes are kept in ``evidence/`` beside
the state file) or the state file does not verify; 2 bad arguments; 3 with ``--once``,
the log could not be read (while polling, that is reported and retried).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import typer

from alcabala.cli.common import settings_for
from alcabala.ledger.errors import KeyFormatError
from alcabala.ledger.keys import COSIGNATURE_V1, ED25519, Verifier
from alcabala.ledger.keystore import verifier_keys
from alcabala.ledger.monitor import (
    Checked,
    LogUnreachable,
    MonitorFailure,
    MonitorState,
    StateFileError,
    TileClient,
    check_log,
    load_state,
    save_state,
)

#: Exit status when ``--once`` could not read the log.
UNREACHABLE = 3


def register(log: typer.Typer) -> None:
    @log.command("monitor")
    def monitor(
        url: str = typer.Option(
            ..., "--url", help="The log's base URL, http(s)://host or http(s)://host/path."
        ),
        vkeys: list[str] = typer.Option(
            [], "--vkey", help="A verifier key of the log (repeatable); default: the key file's."
        ),
        witnesses: list[str] = typer.Option(
            [], "--witness", help="A witness's cosignature verifier key (repeatable)."
        ),
        state: Path | None = typer.Option(
            None,
            "--state",
            help="The state file (default: <data_dir>/monitor/<host_path>.json).",
            show_default=False,
        ),
        once: bool = typer.Option(False, "--once", help="Check once and exit."),
        interval: float = typer.Option(
            10.0, "--interval", min=0.05, help="Seconds between checks."
        ),
    ) -> None:
        """Check the log's checkpoints: signed by its key, each consistent with the last."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            raise typer.BadParameter(
                f"not an http(s) URL without query: {url!r}", param_hint="--url"
            )
        logs = _keys(vkeys, ED25519, "--vkey")
        cosigners = _keys(witnesses, COSIGNATURE_V1, "--witness")
        settings = settings_for(None)
        if not logs:
            logs = verifier_keys(settings)
        path = state or settings.data_dir / "monitor" / f"{_slug(parts.netloc + parts.path)}.json"
        try:
            seen = load_state(path, logs)
        except StateFileError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(1) from None
        client = TileClient(url)
        try:
            _follow(client, seen, path, logs, cosigners, once, interval)
        except KeyboardInterrupt:
            typer.echo("stopped", err=True)
        finally:
            client.close()


def _follow(
    client: TileClient,
    seen: MonitorState,
    path: Path,
    logs: list[str],
    cosigners: list[str],
    once: bool,
    interval: float,
) -> None:
    down = False
    while True:
        try:
            checked = check_log(client, seen, logs, cosigners, path.parent / "evidence")
        except LogUnreachable as exc:
            if once:
                typer.echo(f"error: the log cannot be read: {exc.message}", err=True)
                raise typer.Exit(UNREACHABLE) from None
            if not down:
                typer.echo(f"the log cannot be read ({exc.message}); retrying", err=True)
            down = True
        except MonitorFailure as exc:
            where = path.parent / "evidence"
            typer.echo(f"FAILED: {client.url}: {exc.message} (evidence in {where})", err=True)
            raise typer.Exit(1) from None
        else:
            down = False
            if checked.new:
                save_state(path, seen)
            if checked.new or once:
                typer.echo(_line(checked, cosigners))
        if once:
            return
        time.sleep(interval)


def _line(checked: Checked, cosigners: list[str]) -> str:
    c = checked.checkpoint
    if checked.previous is None:
        how = "the first checkpoint seen"
    elif checked.new:
        how = f"consistent with size {checked.previous}"
    elif c.size == checked.previous:
        how = "unchanged"
    else:
        how = f"an older checkpoint (the latest seen has {checked.previous})"
    line = f"ok: {c.origin} at size {c.size}: {how}"
    if cosigners:
        names = ", ".join(checked.cosigned_by) or "none"
        line += f"; cosigned by {len(checked.cosigned_by)} of {len(cosigners)} ({names})"
    return line


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


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_.") or "log"
