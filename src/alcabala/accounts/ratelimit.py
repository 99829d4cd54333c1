"""A per-client token bucket for the public pages.

A few lines of our own rather than a dependency: the public lookup needs one fixed limit per
client address, in memory, and nothing else (several API processes each keep their own).
"""

from __future__ import annotations

import threading
import time

from fastapi import Request

from alcabala.errors import Error


class RateLimited(Error):
    code = "rate_limited"
    http_status = 429


class RateLimiter:
    def __init__(self, per_minute: int = 30, burst: int = 10) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return False
            if len(self._buckets) > 100_000:
                self._buckets.clear()
            self._buckets[key] = (tokens - 1.0, now)
            return True

    def check(self, request: Request) -> None:
        client = request.client.host if request.client else "unknown"
        if not self.allow(client):
            raise RateLimited("Too many lookups from your address; wait a minute and try again.")
