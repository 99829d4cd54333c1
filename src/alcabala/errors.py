"""One error hierarchy for the whole system.

Every failure a user can cause is an :class:`Error` with a machine-readable ``code``, a
sentence for people and, where it concerns one input, the ``field``. The API turns these into
4xx JSON bodies and the CLI into one readable line, so no caller ever sees a traceback.
"""

from __future__ import annotations

from typing import Any


class Error(Exception):
    """Base class of every error alcabala raises on purpose."""

    code: str = "error"
    http_status: int = 400
    #: True when what the transaction did before the error must stand (the unit of work
    #: commits, then re-raises): e.g. a hit closed because its record left force.
    keeps_changes: bool = False

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        keeps_changes: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code
        if keeps_changes is not None:
            self.keeps_changes = keeps_changes

    def diagnostics(self) -> str:
        """One line for a person: the field (if any) and what is wrong with it."""
        return f"{self.field}: {self.message}" if self.field else self.message

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


class ValidationError(Error):
    """Input that does not satisfy a rule (a bad VIN, a missing reason...)."""

    code = "invalid"
    http_status = 422


class NotFoundError(Error):
    code = "not_found"
    http_status = 404


class ConflictError(Error):
    """The record changed under us, or already exists: retry with fresh data."""

    code = "conflict"
    http_status = 409


class RecordInactiveError(ConflictError):
    """The record a hit matched is no longer in force: the hit cannot be confirmed."""

    code = "record_inactive"
    keeps_changes = True


class TransitionError(Error):
    """A lifecycle transition that the record's current state does not allow."""

    code = "illegal_transition"
    http_status = 409


class AuthError(Error):
    code = "unauthorized"
    http_status = 401


class ForbiddenError(Error):
    code = "forbidden"
    http_status = 403
