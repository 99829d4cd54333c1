"""``alcabala check`` and ``alcabala audit``: a stop from the terminal, and who looked whom up.

``check`` works against a running server (``--url`` and ``--token``) or, without ``--url``,
directly on the database through the server's own check path
(:meth:`alcabala.checks.runtime.Runtime.check`), its hotlist primed with only the records
that can match this one stop. It acts as ``--officer``, who must be an active officer or
supervisor.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import typer
from rich.table import Table

from alcabala.cli.common import DATABASE_OPTION, actor_named, console, door_for, safe
from alcabala.errors import NotFoundError, ValidationError

EXIT_BY_VERDICT = {"clear": 0, "irregular": 3, "hit": 4}


def _local_check(database: str | None, body: dict[str, Any], officer: str) -> dict[str, Any]:
    from alcabala.checks.runtime import Runtime
    from alcabala.checks.schemas import StopIn
    from alcabala.checks.services import engine_stop
    from alcabala.context import SYSTEM
    from alcabala.schemas import validate

    stop = validate(StopIn, body)
    with door_for(database) as door:
        with door.read(SYSTEM.via("cli")) as ctx:
            actor = actor_named(ctx.session, officer, "officer", "supervisor")
        runtime = Runtime(door)
        runtime.hotlist.load_matching(engine_stop(stop))
        (result,) = runtime.check_blocking([stop], actor)
        return result.model_dump(mode="json")


def _remote_check(url: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    import httpx

    try:
        response = httpx.post(
            url.rstrip("/") + "/v1/checks",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=15,
        )
    except httpx.HTTPError as exc:
        raise ValidationError(f"cannot reach {url}: {exc}", field="url") from exc
    data: dict[str, Any] = response.json()
    if response.status_code >= 400:
        err = data.get("error", {})
        raise ValidationError(err.get("message", response.text), field=err.get("field"))
    return data


def _print(result: dict[str, Any]) -> None:
    colour = {"clear": "green", "irregular": "yellow", "hit": "bold red"}[result["verdict"]]
    receipt = safe(result["receipt"])
    console.print(f"[{colour}]{result['verdict'].upper()}[/]  receipt [bold]{receipt}[/]")
    if result["hits"]:
        table = Table("hit", "certainty", "matched on", "record", "confirm by")
        for h in result["hits"]:
            record = h["record"]
            table.add_row(
                f"[red]{safe(h['category'])}[/]",
                safe(h["certainty"]),
                safe(h["matched_on"]),
                safe(f"{record.get('number', '')} ({record.get('agency', '')})"),
                safe(h["confirmation"]["deadline"]),
            )
        console.print(table)
    for irregularity in result["irregularities"]:
        console.print(
            f"[yellow]! {safe(irregularity['code'])}[/]: {safe(irregularity['detail'])}",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check_cmd(
        plate: str | None = typer.Option(None, "--plate", help="Plate as read."),
        plate_country: str = typer.Option(
            "VE", "--plate-country", help="ISO country of the plate."
        ),
        vin: str | None = typer.Option(None, "--vin", help="VIN as read."),
        engine_number: str | None = typer.Option(None, "--engine", help="Engine number."),
        year: int | None = typer.Option(None, "--year", help="Model year the driver declares."),
        person: list[str] = typer.Option([], "--person", help="National ID aboard (repeatable)."),
        checkpoint: str = typer.Option(..., "--checkpoint", help="Checkpoint code."),
        reason: str = typer.Option("routine", "--reason", help="Why the stop was made."),
        as_json: bool = typer.Option(False, "--json", help="Print the verdict as JSON."),
        url: str | None = typer.Option(None, "--url", help="Server URL (default: local database)."),
        token: str | None = typer.Option(
            None, "--token", envvar="ALCABALA_TOKEN", help="API token."
        ),
        officer: str | None = typer.Option(None, "--officer", help="Username (local mode)."),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Check a stop: prints the verdict (red hits, amber irregularities) and the receipt.

        Exit status: 0 clear, 3 irregular, 4 hit, 1 error."""
        body: dict[str, Any] = {
            "check_id": str(uuid.uuid4()),
            "checkpoint": checkpoint,
            "plate": plate,
            "plate_country": plate_country,
            "vin": vin,
            "engine_number": engine_number,
            "declared_year": year,
            "people": [{"national_id": p} for p in person],
            "reason": reason,
        }
        if url:
            if not token:
                raise ValidationError(
                    "--token (or ALCABALA_TOKEN) is required with --url.", field="token"
                )
            result = _remote_check(url, token, body)
        else:
            if not officer:
                raise ValidationError("--officer is required without --url.", field="officer")
            result = _local_check(database, body, officer)
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False))
        else:
            _print(result)
        raise typer.Exit(EXIT_BY_VERDICT[result["verdict"]])

    @app.command("audit")
    def audit_cmd(
        person: str | None = typer.Option(None, "--person", help="National ID."),
        country: str = typer.Option("VE", "--country", help="Country of the national ID."),
        vehicle: str | None = typer.Option(None, "--vehicle", help="VIN or plate."),
        actor: str | None = typer.Option(
            None, "--actor", help="Username reading the trail (audited; default: the system)."
        ),
        reason: str = typer.Option("oversight", "--reason", help="Why the trail is read."),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Who looked up a person or a vehicle, where, when and why (this read is audited)."""
        from alcabala.accounts.audit import audit_trail
        from alcabala.cli.common import writing
        from alcabala.schemas import normalize_national_id
        from alcabala.vehicles.lookups import audit_subjects

        if (person is None) == (vehicle is None):
            raise ValidationError("Give exactly one of --person or --vehicle.", field="person")
        with writing(database, actor) as ctx:
            if person is not None:
                subjects = [normalize_national_id(person, country, "person")]
                rows = audit_trail(ctx, "person", subjects, reason)
            else:
                assert vehicle is not None
                rows = audit_trail(ctx, "vehicle", audit_subjects(ctx.session, vehicle), reason)
        if not rows:
            raise NotFoundError(
                "Nobody has looked this up.", field="person" if person else "vehicle"
            )
        table = Table("when", "who", "role", "action", "subject", "checkpoint", "why")
        for r in rows:
            table.add_row(
                f"{r.at:%Y-%m-%d %H:%M}",
                safe(r.username or "(public)"),
                safe(r.role or ""),
                safe(r.action),
                safe(r.subject),
                safe(r.checkpoint or ""),
                safe(r.reason),
            )
        console.print(table)
