"""The public rate limiter is bounded and evicts oldest-first (never everyone at once); the
password hash pool runs at low priority with a bounded queue."""

from __future__ import annotations

import asyncio
import os
import sys
import threading

import pytest

from alcabala.accounts.passwords import NICE, HashPool, HashPoolBusy
from alcabala.accounts.ratelimit import RateLimiter

from ..helpers import run_async


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_buckets_refill_at_the_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=2, clock=clock)
    assert [limiter.allow("a") for _ in range(3)] == [True, True, False]
    clock.now += 1.0  # one token a second
    assert [limiter.allow("a") for _ in range(2)] == [True, False]


def test_the_oldest_bucket_goes_first() -> None:
    limiter = RateLimiter(burst=1, max_clients=3, clock=Clock())
    for key in ("a", "b", "c"):
        limiter.allow(key)
    limiter.allow("a")  # a is used again: b is now the oldest
    limiter.allow("d")
    assert len(limiter) == 3 and "b" not in limiter
    assert all(k in limiter for k in ("a", "c", "d"))


def test_new_clients_never_free_the_throttled_ones() -> None:
    limiter = RateLimiter(burst=1, max_clients=1000, clock=Clock())
    assert limiter.allow("abuser") and not limiter.allow("abuser")
    for n in range(998):
        limiter.allow(f"client-{n}")
    assert len(limiter) == 999
    assert not limiter.allow("abuser")  # still refused: nothing was cleared
    for n in range(5000):  # far more clients than room: one eviction per newcomer
        limiter.allow(f"other-{n}")
        assert len(limiter) == 1000
    assert "abuser" not in limiter and "other-4999" in limiter


def _priority() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def _cpus() -> set[int]:
    return os.sched_getaffinity(threading.get_native_id())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
def test_hashes_run_at_low_priority_off_the_event_loop() -> None:
    pool = HashPool(workers=1)

    async def main() -> tuple[int, set[int], str]:
        niceness = await pool.run(_priority)
        cpus = await pool.run(_cpus)
        name = await pool.run(lambda: threading.current_thread().name)
        return niceness, cpus, name

    try:
        niceness, cpus, name = run_async(main())
    finally:
        pool.close()
    assert niceness == _priority() + NICE and name.startswith("alcabala-hash")
    mine = sorted(os.sched_getaffinity(0))
    assert cpus == ({mine[-1]} if len(mine) > 1 else set(mine))  # one CPU left to the rest


def test_the_queue_of_attempts_is_bounded() -> None:
    pool = HashPool(workers=1, queue=1)
    gate = threading.Event()

    async def attempt() -> bool:
        async with pool.admitted():
            return await pool.run(gate.wait, 10)

    async def main() -> list[object]:
        first = asyncio.ensure_future(attempt())
        second = asyncio.ensure_future(attempt())
        await asyncio.sleep(0.05)
        assert pool.pending == 2
        with pytest.raises(HashPoolBusy):
            await attempt()
        gate.set()
        return list(await asyncio.gather(first, second))

    try:
        assert run_async(main()) == [True, True]
        assert pool.pending == 0
    finally:
        pool.close()
