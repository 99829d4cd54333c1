"""A per-client token bucket for the public pages.

A few lines of our own rather than a dependency: the public lookup needs one fixed limit per
client address, in memory, and nothing else (several API processes each keep their own).

The client address is what the server saw: ``request.client.host``, which names the proxy's
address unless ``alcabala serve`` trusts that proxy (``Settings.trusted_proxies``), so a
client cannot escape the limit by sending a different ``X-Forwarded-For`` each time.

Memory is bounded: at most ``max_clients`` buckets are kept, in least-recently-used order,
and a new client evicts the bucket used longest ago (by then, most likely, refilled anyway).
The table is never emptied wholesale, which would hand every throttled client a full burst
at once. Time comes from a monotonic clock (injectable for tests): it measures intervals,
not dates.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from fastapi import Request

from alcabala.errors import Error

MAX_CLIENTS = 100_000


def client_of(request: Request) -> str:
    """The client address a limit counts by (see the module docstring)."""
    return request.client.host if request.client else "unknown"


class RateLimited(Error):
    code = "rate_limited"
    http_status = 429


class RateLimiter:
    def __init__(
        self,
        per_minute: float = 30,
        burst: int = 10,
        max_clients: int = MAX_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
        message: str = "Too many lookups from your address; wait a minute and try again.",
    ) -> None:
        self.message = message
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_clients = max_clients
        self._clock = clock
        # key -> (tokens left, when they were counted); oldest use first.
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def hourly(cls, per_hour: int, message: str) -> RateLimiter:
        """A limit of ``per_hour`` a client (a burst of as many, refilled over the hour)."""
        return cls(per_minute=per_hour / 60, burst=per_hour, message=message)

    def __len__(self) -> int:
        return len(self._buckets)

    def __contains__(self, key: object) -> bool:
        return key in self._buckets

    def allow(self, key: str) -> bool:
        """Take one token from ``key``'s bucket; False when it is empty."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
            self._buckets.move_to_end(key)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
            return allowed

    def check(self, request: Request) -> None:
        if not self.allow(client_of(request)):
            raise RateLimited(self.message)
