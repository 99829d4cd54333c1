"""Demo complaints, so that oversight's pages, the dashboard and the open statistics have
content: filed over the last six weeks through the real filing service, some taken under
review and closed by the demo's oversight user (``defensoria``), two left overdue.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from sqlalchemy import select

from alcabala.accounts.models import User
from alcabala.checkpoints.models import Checkpoint
from alcabala.checks.models import Check
from alcabala.clock import FixedClock
from alcabala.complaints import filing, services
from alcabala.complaints.schemas import ComplaintIn, MoveIn
from alcabala.context import SYSTEM, Actor, Door
from alcabala.db.engine import read_session

STORIES = (
    ("bribe", "Me pidieron dinero para dejarme seguir sin revisar los papeles."),
    ("extortion", "Dijeron que si no pagaba retenían el camión hasta el lunes."),
    ("seizure_without_receipt", "Se quedaron con dos cajas de la carga y no dieron recibo."),
    ("mistreatment", "Nos hicieron bajar a todos del autobús bajo la lluvia y nos insultaron."),
    ("unjustified_detention", "Retuvieron a mi hermano tres horas sin decir por qué."),
    ("other", "La alcabala estaba sin identificación y con las luces apagadas de noche."),
)
UNDER_REVIEW = "Se pidió informe al comando de la alcabala."
RESOLVED = "El comando identificó y sancionó al funcionario."


def file_demo_complaints(door: Door, count: int = 14, seed: int = 7, days: int = 42) -> int:
    """File ``count`` complaints spread over the last ``days`` days; returns how many."""
    rng = random.Random(seed)
    with read_session(door.engine) as s:
        user = s.scalar(select(User).where(User.username == "defensoria"))
        checkpoints = list(s.scalars(select(Checkpoint.code)))
        receipts = list(s.scalars(select(Check.receipt).limit(200)))
    if user is None or not checkpoints:
        return 0
    overseer = Actor(user.id, user.username, user.role, user.agency_id, "cli")
    now = door.clock.now()
    filed = 0
    for i in range(count):
        category, story = STORIES[i % len(STORIES)]
        at = now - dt.timedelta(days=days * (i + 0.5) / count, minutes=rng.randrange(600))
        about: dict[str, object] = {
            "subject_kind": "checkpoint",
            "checkpoint": rng.choice(checkpoints),
        }
        if receipts and i % 3 == 0:
            about = {"subject_kind": "stop", "receipt": rng.choice(receipts)}
        data = ComplaintIn.model_validate(
            {"category": category, "description": f"{story} ({i + 1})", **about}
        )
        with door.write(SYSTEM) as ctx:
            then = dataclasses.replace(ctx, clock=FixedClock(at))
            code = filing.file_complaint(then, data, f"demo-{i}").complaint.code
        filed += 1
        old = now - at >= dt.timedelta(days=door.settings.complaint_overdue_days)
        if (old and i % 2 == 0) or (not old and i % 4 != 0):
            continue  # left as filed: the old ones among them are overdue
        with door.write(overseer) as ctx:
            services.move(ctx, code, MoveIn(to="under_review", reason=UNDER_REVIEW))
            if old or i % 8 == 0:
                services.move(ctx, code, MoveIn(to="resolved", reason=RESOLVED))
    return filed
