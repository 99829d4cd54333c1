"""Settings read from the environment, with defaults that just work on one machine."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///alcabala.db"


@dataclass(frozen=True)
class Settings:
    database_url: str
    # Days an active stolen report or warrant stays valid before its agency must re-validate it,
    # then the period of every later re-validation.
    first_validation_days: int = 90
    revalidation_days: int = 365

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("ALCABALA_DATABASE_URL", DEFAULT_DATABASE_URL),
            first_validation_days=int(os.environ.get("ALCABALA_FIRST_VALIDATION_DAYS", "90")),
            revalidation_days=int(os.environ.get("ALCABALA_REVALIDATION_DAYS", "365")),
        )
