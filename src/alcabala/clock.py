"""The one clock: every service, the engine, the sweeper, the demo and the console read
time from a :class:`Clock` they are given, never from the machine directly.

Production uses :class:`SystemClock`. Tests use :class:`FixedClock` (or travel with
``time-machine``), so no test depends on the day it runs.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current time, aware, in UTC, to the second."""


class SystemClock:
    """The machine's clock."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)


class FixedClock:
    """A clock that stands still until it is moved (tests, replays, the demo's "today")."""

    def __init__(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(dt.UTC).replace(microsecond=0)
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            return self._at

    def set(self, at: dt.datetime) -> None:
        with self._lock:
            self._at = at.astimezone(dt.UTC).replace(microsecond=0)

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        with self._lock:
            self._at += delta
            return self._at


SYSTEM_CLOCK = SystemClock()
