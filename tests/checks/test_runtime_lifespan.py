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
