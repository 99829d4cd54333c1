"""What the complaint routes take from the running server: the filing rate limit, kept
on the application (the log's signer, for the promise, is :mod:`alcabala.ledger.serving`'s).

The limit is a :class:`~alcabala.accounts.ratelimit.RateLimiter` of
``Settings.complaints_per_hour`` per address (each API process keeps its own).
"""

from __future__ import annotations

from fastapi import Request

from alcabala.accounts.ratelimit import RateLimiter
from alcabala.config import Settings


def limiter_for(settings: Settings) -> RateLimiter:
    """The filing limit: a burst of ``complaints_per_hour``, refilled over the hour."""
    return RateLimiter.hourly(
        settings.complaints_per_hour,
        "Too many complaints from your address; wait a while and try again.",
    )


def complaint_limit(request: Request) -> None:
    """Rate-limit a public complaint route per client address (429 when exceeded)."""
    limiter: RateLimiter = request.app.state.complaint_limit
    limiter.check(request)
