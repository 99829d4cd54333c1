"""The periodic sweep: record what time decided, in one transaction, as the system.

Expired warrants and transit permits get their ``expired`` transition, and pending hits
their ``timed_out`` or ``record_inactive`` one. The engine already treats such records by
their effective status; the sweep makes the history say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from alcabala.checks.hits import sweep_hits
from alcabala.context import Ctx
from alcabala.livestock.services import expire_permits
from alcabala.persons.services import expire_warrants


@dataclass(frozen=True)
class Swept:
    warrants: int
    permits: int
    hits: int


def sweep(ctx: Ctx) -> Swept:
    """Expire what is past and close the hits time or their records decided."""
    return Swept(expire_warrants(ctx), expire_permits(ctx), sweep_hits(ctx))
