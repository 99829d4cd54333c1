"""Fill a database with the synthetic demo registry and demo users.

The registry goes in through the bulk importer, kind by kind, so the demo exercises the same
validation as real data; one transaction per kind. Then two weeks of stops are recorded
through the engine and the recorder. Everything is dated relative to the door's clock: run
on any day, the demo has permits valid today, warrants expiring next week and hits pending
now.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from alcabala.accounts.models import User
from alcabala.accounts.passwords import hasher_for
from alcabala.accounts.services import add_user
from alcabala.bulk.kinds import KINDS
from alcabala.bulk.services import import_rows
from alcabala.context import SYSTEM, Door
from alcabala.db.engine import read_session
from alcabala.demo.complaints import file_demo_complaints
from alcabala.demo.custody import seed_demo_custody
from alcabala.demo.generator import generate
from alcabala.demo.sightings import seed_demo_sightings
from alcabala.demo.stops import record_demo_stops
from alcabala.errors import ValidationError

DEMO_PASSWORD = "alcabala-demo"
DEMO_USERS = (
    ("oficial", "officer", "GNB"),
    ("registro", "registrar", "CICPC"),
    ("ganaderia", "livestock", "INSAI"),
    ("supervisor", "supervisor", "GNB"),
    ("auditor", "auditor", None),
    ("admin", "admin", None),
    ("tribunal", "court", "TSJ-GUA"),
    ("defensoria", "oversight", "DDP"),
    ("custodio", "custodian", "GNB"),
    ("camara", "camera", "GNB"),
)


@dataclass
class SeedReport:
    counts: dict[str, int]
    users: list[tuple[str, str, str]]  # username, role, API token


def is_empty(engine: Engine) -> bool:
    with read_session(engine) as s:
        return (s.scalar(select(func.count()).select_from(User)) or 0) == 0


def seed(
    door: Door,
    vehicles: int = 2000,
    seed: int = 7,
    progress: Callable[[str, int], None] | None = None,
    stops: int = 400,
) -> SeedReport:
    """Import the generated registry and create the demo users (password ``alcabala-demo``)."""
    data = generate(vehicles=vehicles, seed=seed, today=door.clock.now().date())
    counts: dict[str, int] = {}
    for kind in KINDS:
        rows = data.get(kind, [])
        if not rows:
            continue
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        buffer.seek(0)
        report = import_rows(door, kind, buffer, "csv")
        if not report.ok:
            first = report.errors[0]
            raise ValidationError(f"demo data for {kind} is invalid: {first}", field=kind)
        counts[kind] = report.stored
        if progress is not None:
            progress(kind, report.stored)
    users = []
    hasher = hasher_for(door.settings)
    with door.write(SYSTEM) as ctx:
        for username, role, agency in DEMO_USERS:
            user, token = add_user(ctx.session, username, role, agency, DEMO_PASSWORD, hasher)
            users.append((user.username, role, token))
    if stops:
        counts["checks"] = record_demo_stops(door, count=stops, seed=seed)
        if progress is not None:
            progress("checks", counts["checks"])
    counts["complaints"] = file_demo_complaints(door, seed=seed)
    if progress is not None:
        progress("complaints", counts["complaints"])
    counts["seizures"] = seed_demo_custody(door)
    if progress is not None:
        progress("seizures", counts["seizures"])
    counts["camera reads"] = seed_demo_sightings(door)
    if progress is not None:
        progress("camera reads", counts["camera reads"])
    return SeedReport(counts, users)
