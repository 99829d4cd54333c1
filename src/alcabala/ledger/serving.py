"""The log's signer as a running server keeps it: read from the key file once, on the
first request that needs it (a complaint's promise, a certificate's signature).

Without a key file there is no signer: complaints are still filed (their entries wait,
pending, for the integrator's key) but no promise is given, and certificates cannot be
issued at all (:func:`need_signer`).
"""

from __future__ import annotations

from fastapi import Request

from alcabala.context import Door
from alcabala.errors import Error
from alcabala.ledger.keys import Signer
from alcabala.ledger.keystore import key_path, load_signer

_NO_KEY = "no key"


class NoLogKey(Error):
    """The server has no log key, so it cannot sign."""

    code = "no_log_key"
    http_status = 503


def log_signer(request: Request) -> Signer | None:
    """The log's signer, loaded once; None when the log has no key."""
    state = request.app.state
    signer: Signer | str | None = getattr(state, "log_signer", None)
    if signer is None:
        door: Door = state.door
        path = key_path(door.settings)
        signer = load_signer(door.settings) if path.exists() else _NO_KEY
        state.log_signer = signer
    return signer if isinstance(signer, Signer) else None


def need_signer(request: Request) -> Signer:
    """The log's signer, or a 503 saying the log has no key yet."""
    signer = log_signer(request)
    if signer is None:
        raise NoLogKey(
            "This server has no log key yet, so it cannot sign; an administrator runs "
            "`alcabala keys generate`."
        )
    return signer
