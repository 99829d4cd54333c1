"""Imports every domain's tables so that ``Base.metadata`` is complete (Alembic, tests)."""

from __future__ import annotations

from alcabala.accounts import models as accounts
from alcabala.certificates import models as certificates
from alcabala.checkpoints import models as checkpoints
from alcabala.checks import models as checks
from alcabala.complaints import models as complaints
from alcabala.custody import models as custody
from alcabala.db import history
from alcabala.db.base import Base
from alcabala.ledger import models as ledger
from alcabala.livestock import models as livestock
from alcabala.notifications import models as notifications
from alcabala.persons import models as persons
from alcabala.sightings import models as sightings
from alcabala.vehicles import models as vehicles

__all__ = [
    "Base",
    "accounts",
    "certificates",
    "checkpoints",
    "checks",
    "complaints",
    "custody",
    "history",
    "ledger",
    "livestock",
    "notifications",
    "persons",
    "sightings",
    "vehicles",
]
