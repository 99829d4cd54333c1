"""Password hashing (argon2id through argon2-cffi): its cost, and where it runs.

The cost is taken from ``Settings`` and injectable, so that tests hash with cheap parameters
while production keeps argon2's recommended ones; a hash records its own parameters, so a
password hashed at one cost still verifies after the settings change.

At that cost one verification takes about 0.15 s of CPU over four lanes. The server
therefore never hashes on the event loop nor in the shared threadpool: :class:`HashPool` runs
hashes in ``Settings.login_hash_workers`` dedicated threads (one by default), kept on that
many of the last CPUs the process may use and at a lower CPU priority (nice +10; argon2's
lane threads inherit both, on Linux). After each hash a thread rests as long as the hash
took (:data:`REST`) before the next one, so a flood of sign-ins gets at most half of that
CPU, and yields even that to the checks: the kernel gives a nice-0 thread about ten times
the share of a nice-10 one. (The rest comes after the answer: one sign-in alone is not
slowed; under a flood, each waits about twice as long in the queue.)

Every sign-in attempt, not only its hash, is admitted to the pool first
(:meth:`HashPool.admitted`), and at most ``QUEUE`` wait: beyond that the attempt is refused
at once as busy, before any database work. An attempt refused by the throttle holds a
hashing thread for :data:`REFUSAL_PAUSE` without computing anything, so refusals are gated
at the rate of real attempts and a flood of them cannot turn into a flood of database writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import AsyncIterator, Callable
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
#: How long a refused attempt holds a hashing thread (about one hash), in seconds.
REFUSAL_PAUSE = 0.15
#: How long a hashing thread rests after a hash, as a multiple of the time it took.
REST = 1.0


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


def _lower_priority(workers: int) -> None:
    """Run in each hashing thread as it starts: lower this thread's CPU priority and keep it
    on the last ``workers`` CPUs the process may use, when it may use more (Linux applies
    both to the one thread given its id, and argon2's lane threads inherit them; elsewhere
    this is skipped)."""
    tid = threading.get_native_id()
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, tid, NICE)
    with contextlib.suppress(AttributeError, OSError):
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) > workers:
            os.sched_setaffinity(tid, set(cpus[-workers:]))


def _timed(fn: Callable[..., T], *args: object) -> tuple[T, float]:
    start = time.perf_counter()
    return fn(*args), time.perf_counter() - start


class HashPool:
    """A few low-priority threads hashing passwords, with at most ``queue`` waiting."""

    def __init__(self, workers: int = 1, queue: int = QUEUE) -> None:
        self.workers = workers
        self._limit = workers + queue
        self._pending = 0
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(
            max_workers=workers,
            thread_name_prefix="alcabala-hash",
            initializer=_lower_priority,
            initargs=(workers,),
        )

    @classmethod
    def for_settings(cls, settings: Settings) -> HashPool:
        return cls(settings.login_hash_workers)

    @property
    def pending(self) -> int:
        """Attempts admitted and not finished (running or waiting)."""
        return self._pending

    @contextlib.asynccontextmanager
    async def admitted(self) -> AsyncIterator[None]:
        """Admit one sign-in attempt for its whole course, or raise :class:`HashPoolBusy`
        at once (before any work) when ``queue`` attempts are already waiting."""
        with self._lock:
            if self._pending >= self._limit:
                raise HashPoolBusy("Too many sign-ins at once; try again in a moment.")
            self._pending += 1
        try:
            yield
        finally:
            with self._lock:
                self._pending -= 1

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """``fn(*args)`` (a hash) in a hashing thread, awaited without blocking the event
        loop; the thread then rests (see the module docstring) before its next job."""
        result, took = await asyncio.wrap_future(self._executor.submit(_timed, fn, *args))
        if REST:
            self._executor.submit(time.sleep, took * REST)
        return result

    async def hold(self, seconds: float) -> None:
        """Take a hashing thread's turn for ``seconds`` without computing (a refusal)."""
        await asyncio.wrap_future(self._executor.submit(time.sleep, seconds))

    def close(self) -> None:
        """Stop the threads (waiting hashes are dropped); at server shutdown."""
        self._executor.shutdown(wait=False, cancel_futures=True)
