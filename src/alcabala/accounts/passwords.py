"""Password hashing (argon2id through argon2-cffi), with its cost taken from ``Settings``.

The cost is injectable so that tests hash with cheap parameters while production keeps
argon2's recommended ones; a hash records its own parameters, so a password hashed at one
cost still verifies after the settings change.
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher

from alcabala.config import Settings


@lru_cache(maxsize=8)
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hasher_for(settings: Settings) -> PasswordHasher:
    """The password hasher configured by ``settings`` (one per distinct cost, reused)."""
    return _hasher(
        settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
    )


DEFAULT_HASHER = hasher_for(Settings())
