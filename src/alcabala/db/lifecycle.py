"""Named state machines for records, and the one function that moves a record along one.

Every transition checks the expected version (a stale form loses with a conflict instead of
overwriting), refuses moves the lifecycle does not allow, appends a history row with actor,
time and reason, and announces the change on the change sequence; all in the caller's
transaction, so a refused transition changes nothing. Time is the caller's (``at``, from its
injected clock), never read here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from alcabala.db.history import record_change
from alcabala.errors import ConflictError, TransitionError, ValidationError


class Stateful(Protocol):
    id: Any
    status: Any
    version: Any

    @property
    def number(self) -> Any: ...


@dataclass(frozen=True)
class Lifecycle:
    """The states of one kind of record and the moves allowed between them."""

    entity: str  # name on the change sequence, e.g. "stolen_report"
    label: str  # for people, e.g. "stolen-vehicle report"
    moves: dict[str, frozenset[str]]
    needs_reason: frozenset[str] = frozenset()

    def check(self, record: Stateful, current: str, target: str) -> None:
        if target not in self.moves.get(current, frozenset()):
            raise TransitionError(
                f"The {self.label} {record.number} is {current}; it cannot become {target}.",
                field="status",
            )


def transition(
    session: Session,
    record: Stateful,
    lifecycle: Lifecycle,
    target: str,
    *,
    history: type[Any],
    history_fk: str,
    actor_id: int | None,
    at: dt.datetime,
    reason: str = "",
    current: str | None = None,
    expected_version: int | None = None,
    updates: dict[str, Any] | None = None,
    log_history: bool = False,
    **history_fields: Any,
) -> Any:
    """Move ``record`` to ``target`` or raise, leaving it untouched.

    ``current`` overrides the stored status when time has already changed it (an active
    warrant past its expiry is expired, whatever the row still says). ``updates`` are other
    columns changed by the same move (one UPDATE, one version step). ``log_history``
    makes the log entry commit to the history row (reason included) rather than to the
    record, for records whose logged columns never change. Returns the history row.
    """
    if expected_version is not None and record.version != expected_version:
        raise ConflictError(
            f"The {lifecycle.label} {record.number} is at version {record.version}, not "
            f"{expected_version}: someone changed it meanwhile; reload and try again.",
            field="version",
        )
    reason = reason.strip()
    if target in lifecycle.needs_reason and not reason:
        raise ValidationError(f"A reason is required to make it {target}.", field="reason")
    from_state = record.status
    lifecycle.check(record, current or from_state, target)
    record.status = target
    for name, value in (updates or {}).items():
        setattr(record, name, value)
    row = history(
        **{history_fk: record.id},
        from_state=from_state,
        to_state=target,
        actor_id=actor_id,
        reason=reason,
        at=at,
        **history_fields,
    )
    session.add(row)
    session.flush()
    record_change(
        session, lifecycle.entity, record, at, target, logged=row if log_history else None
    )
    return row


def log_creation(
    session: Session,
    record: Stateful,
    lifecycle: Lifecycle,
    *,
    history: type[Any],
    history_fk: str,
    actor_id: int | None,
    at: dt.datetime,
    reason: str = "",
) -> None:
    """Write the first history row (from nothing to the record's initial state)."""
    session.flush()
    session.add(
        history(
            **{history_fk: record.id},
            from_state=None,
            to_state=record.status,
            actor_id=actor_id,
            reason=reason,
            at=at,
        )
    )
    record_change(session, lifecycle.entity, record, at, "created")
