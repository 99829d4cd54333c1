"""Password hashing (argon2id through argon2-cffi): its cost, and where it runs.

The cost is taken from ``Settings`` and injectable, so that tests hash with cheap parameters
while production keeps argon2's recommended ones; a hash records its own parameters, so a
password hashed at one cost still verifies after the settings change.

At that cost one verification takes about 0.15 s of two or more cores. The server therefore
never hashes on the event loop nor in the shared threadpool: :class:`HashPool` runs hashes in
``Settings.login_hash_workers`` dedicated threads (one by default) whose CPU priority is
lowered (nice +10 on Linux; argon2's own lane threads inherit it), with a bounded queue in
front. A flood of sign-ins then waits in that queue, or is told the server is busy, while
checks keep the CPU: the kernel gives a nice-0 thread about ten times the share of a
nice-10 one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import TypeVar

from argon2 import PasswordHasher

from alcabala.config import Settings
from alcabala.errors import Error

T = TypeVar("T")
#: How much lower the hashing threads' CPU priority is (the nice value added).
NICE = 10
#: Attempts that may wait for a hashing thread; more are refused at once.
QUEUE = 64


@lru_cache(maxsize=8)
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hasher_for(settings: Settings) -> PasswordHasher:
    """The password hasher configured by ``settings`` (one per distinct cost, reused)."""
    return _hasher(
        settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
    )


DEFAULT_HASHER = hasher_for(Settings())


class HashPoolBusy(Error):
    """Too many sign-ins are waiting for a hashing thread (try again in a moment)."""

    code = "busy"
    http_status = 429


def _lower_priority() -> None:
    """Run in each hashing thread as it starts: lower this thread's CPU priority (Linux
    applies ``setpriority`` to a single thread given its id; elsewhere it is skipped)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)


class HashPool:
    """A few low-priority threads hashing passwords, with at most ``queue`` waiting."""

    def __init__(self, workers: int = 1, queue: int = QUEUE) -> None:
        self.workers = workers
        self._limit = workers + queue
        self._pending = 0
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="alcabala-hash", initializer=_lower_priority
        )

    @classmethod
    def for_settings(cls, settings: Settings) -> HashPool:
        return cls(settings.login_hash_workers)

    @property
    def pending(self) -> int:
        """Hashes running or waiting."""
        return self._pending

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """``fn(*args)`` in a hashing thread, awaited without blocking the event loop;
        :class:`HashPoolBusy` at once if the queue is full."""
        with self._lock:
            if self._pending >= self._limit:
                raise HashPoolBusy("Too many sign-ins at once; try again in a moment.")
            self._pending += 1
        try:
            return await asyncio.wrap_future(self._executor.submit(fn, *args))
        finally:
            with self._lock:
                self._pending -= 1

    def close(self) -> None:
        """Stop the threads (waiting hashes are dropped); at server shutdown."""
        self._executor.shutdown(wait=False, cancel_futures=True)
