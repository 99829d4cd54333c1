"""A runtime runs once at a time: a second start while running is refused (it would leak
the first start's refresh task and change listener), and a stopped runtime starts again."""

from __future__ import annotations

import pytest

from alcabala.checks.runtime import Runtime
from alcabala.context import Door

from ..helpers import run_async


def test_a_running_runtime_refuses_a_second_start_and_restarts_after_stop(door: Door) -> None:
    async def scenario() -> None:
        runtime = Runtime(door)
        await runtime.start()
        try:
            with pytest.raises(RuntimeError, match="already running"):
                await runtime.start()
        finally:
            await runtime.stop()
        await runtime.start()  # stopped: may run again
        await runtime.stop()

    run_async(scenario())


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
def test_stop_returns_when_a_change_wakes_the_loop_just_before(door: Door, turns: int) -> None:
    """A change notified just before shutdown must not make shutdown hang. (Cancelling the
    refresh loop's task alone lost the cancellation on Python 3.11 when it came within a
    few event-loop turns of the wake-up, inside ``asyncio.wait_for``: the loop ran on and
    the server's shutdown waited for it forever.)"""
    import asyncio

    async def scenario() -> None:
        runtime = Runtime(door)
        await runtime.start()
        await asyncio.sleep(0.05)  # the loop is waiting for a change
        assert runtime._wake is not None
        runtime._wake.set()  # as the change listener does
        for _ in range(turns):
            await asyncio.sleep(0)
        stopping = asyncio.ensure_future(runtime.stop())
        done, _ = await asyncio.wait({stopping}, timeout=8)  # well within the refresh timeout
        if not done:  # let the test end, then fail it
            while not stopping.done():
                stopping.cancel()
                await asyncio.wait({stopping}, timeout=1)
        assert done, "shutdown hung: the refresh loop ran on"
        assert runtime._task is None

    run_async(scenario())
