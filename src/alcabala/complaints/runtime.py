"""What the complaint routes take from the running server: the client's address, the
filing rate limit and the log's signer (for the promise), all kept on the application.

The limit is a :class:`~alcabala.accounts.ratelimit.RateLimiter` of
``Settings.complaints_per_hour`` per address (each API process keeps its own). The signer
is read from the log's key file once, at the first filing; without a key file there is no
promise (entries wait, pending, for the integrator's key), but filing still works.
"""

from __future__ import annotations

from fastapi import Request

from alcabala.accounts.ratelimit import RateLimiter
from alcabala.config import Settings
from alcabala.context import Door
from alcabala.ledger.keys import Signer
from alcabala.ledger.keystore import key_path, load_signer

_NO_KEY = "no key"


def limiter_for(settings: Settings) -> RateLimiter:
    """The filing limit: a burst of ``complaints_per_hour``, refilled over the hour."""
    per_hour = settings.complaints_per_hour
    return RateLimiter(
        per_minute=per_hour / 60,
        burst=per_hour,
        message="Too many complaints from your address; wait a while and try again.",
    )


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def complaint_limit(request: Request) -> None:
    """Rate-limit a public complaint route per client address (429 when exceeded)."""
    limiter: RateLimiter = request.app.state.complaint_limit
    limiter.check(request)


def log_signer(request: Request) -> Signer | None:
    """The log's signer, loaded once; None when the log has no key."""
    state = request.app.state
    signer: Signer | str | None = getattr(state, "complaint_signer", None)
    if signer is None:
        door: Door = state.door
        path = key_path(door.settings)
        signer = load_signer(door.settings) if path.exists() else _NO_KEY
        state.complaint_signer = signer
    return signer if isinstance(signer, Signer) else None
