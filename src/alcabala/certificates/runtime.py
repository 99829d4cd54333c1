"""What the certificate routes take from the running server: the request rate limit (one
per process, kept on the application) and the keys a certificate is verified with.

The limit is ``Settings.certificates_per_hour`` per client address: a certificate is a
signed statement and a lookup of a VIN, so it is cheap to ask for but not free to farm.
The keys are the log's verifier key and those it replaced (``log_key.old``), so that a
certificate signed before a key rotation still verifies until it expires.
"""

from __future__ import annotations

from fastapi import Request

from alcabala.accounts.ratelimit import RateLimiter
from alcabala.config import Settings
from alcabala.context import Door
from alcabala.ledger.keystore import key_path, verifier_keys


def limiter_for(settings: Settings) -> RateLimiter:
    """A burst of ``certificates_per_hour``, refilled over the hour."""
    return RateLimiter.hourly(
        settings.certificates_per_hour,
        "Too many certificates asked for from your address; wait a while and try again.",
    )


def certificate_limit(request: Request) -> None:
    """Rate-limit a certificate request per client address (429 when exceeded)."""
    limiter: RateLimiter = request.app.state.certificate_limit
    limiter.check(request)


def keys_of(request: Request) -> list[str]:
    """The log's verifier keys, newest first (none when the log has no key yet)."""
    door: Door = request.app.state.door
    if not key_path(door.settings).exists():
        return []
    return verifier_keys(door.settings)
