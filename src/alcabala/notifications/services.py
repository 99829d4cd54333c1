"""Enqueue notifications in the caller's transaction; send them later through a notifier.

The outbox pattern: a recovery and the message to the owner commit together or not at all,
and a notifier that is down delays messages without losing them.

* :func:`enqueue` checks the kind and params against the catalogue, stores them with the
  Spanish rendering (in ``subject``/``body``, for old readers) and returns the row.
* :func:`send_pending` claims up to ``limit`` queued messages, renders each in its
  recipient's language as of now, hands it to a notifier and marks it sent. One message
  failing does not stop the others; it records ``last_error``, counts an attempt, and after
  :data:`MAX_ATTEMPTS` it is no longer tried (it stays visible through :func:`abandoned`).
  A notifier that is unavailable stops the batch without counting attempts.

Claiming is safe with several senders at once: on PostgreSQL the batch is locked with
``FOR UPDATE SKIP LOCKED``, so a second sender skips rows the first holds; SQLite write
transactions are serialized (``BEGIN IMMEDIATE``). Delivery is at least once: if the
transaction fails after the notifier accepted a message, it is sent again next run, with the
same Message-ID.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from alcabala.accounts.models import Agency
from alcabala.notifications import messages
from alcabala.notifications.models import Notification
from alcabala.notifications.notifiers import (
    DeliveryError,
    LogNotifier,
    Notifier,
    NotifierUnavailable,
    OutgoingMessage,
    SmtpNotifier,
    notifier_for,
)
from alcabala.persons.models import Person

__all__ = [
    "MAX_ATTEMPTS",
    "DeliveryError",
    "LogNotifier",
    "Notifier",
    "NotifierUnavailable",
    "OutgoingMessage",
    "SmtpNotifier",
    "abandoned",
    "enqueue",
    "notifier_for",
    "pending",
    "send_pending",
]

log = logging.getLogger("alcabala.notifications")

#: Attempts after which a message that keeps failing is left alone.
MAX_ATTEMPTS = 10
#: The longest ``last_error`` kept (a server may answer at length).
ERROR_MAX = 500


def enqueue(
    session: Session,
    kind: str,
    params: dict[str, str],
    *,
    person_id: int | None = None,
    agency_id: int | None = None,
    to_address: str | None = None,
    now: dt.datetime,
) -> Notification:
    """Queue a ``kind`` message with ``params`` for a person, an agency or an address given
    directly (``to_address``: a certificate's buyer), in ``session``'s transaction (it is
    sent only if that commits). Raises
    :class:`~alcabala.notifications.messages.MessageError` for an unknown kind or params
    that do not fit its templates."""
    spanish = messages.render(kind, params, messages.DEFAULT_LANGUAGE)
    notification = Notification(
        kind=kind,
        params=dict(params),
        person_id=person_id,
        agency_id=agency_id,
        to_address=to_address,
        subject=spanish.subject,
        body=spanish.body,
        created_at=now,
        attempts=0,
        last_error="",
    )
    session.add(notification)
    return notification


def pending(session: Session, limit: int | None = None) -> list[Notification]:
    """Messages still to send (unsent, fewer than :data:`MAX_ATTEMPTS` attempts), oldest
    first."""
    query = _pending_query()
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def abandoned(session: Session) -> list[Notification]:
    """Messages no longer tried: unsent after :data:`MAX_ATTEMPTS` attempts (see
    ``last_error`` for why). Resetting ``attempts`` to 0 queues one again."""
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.sent_at.is_(None), Notification.attempts >= MAX_ATTEMPTS)
            .order_by(Notification.id)
        )
    )


def send_pending(session: Session, notifier: Notifier, now: dt.datetime, limit: int = 100) -> int:
    """Send up to ``limit`` queued messages through ``notifier``; return how many were sent.

    Each is rendered in its recipient's language and address as of now. A failing message
    gets ``last_error`` and one more attempt and the others go on; an unavailable notifier
    ends the batch and leaves the rest as they were. Sent ones get ``sent_at = now``."""
    claimed = list(session.scalars(_pending_query().limit(limit).with_for_update(skip_locked=True)))
    # Every database read happens before the first message leaves, so a database error
    # rolls back a batch of which nothing was sent.
    outgoing = [(n, _compose(session, n, now)) for n in claimed]
    sent = 0
    try:
        for notification, message in outgoing:
            try:
                notifier.send(message)
            except NotifierUnavailable as exc:
                notification.last_error = _error_text(exc)
                log.warning(
                    "outbox: notifier unavailable, %d left queued: %s", len(claimed) - sent, exc
                )
                break
            except Exception as exc:  # any failure of this message; the others go on
                notification.attempts += 1
                notification.last_error = _error_text(exc)
                log.warning(
                    "outbox: notification #%d to %s not sent (attempt %d of %d): %s",
                    notification.id,
                    message.recipient,
                    notification.attempts,
                    MAX_ATTEMPTS,
                    notification.last_error,
                )
                continue
            notification.attempts += 1
            notification.last_error = ""
            notification.sent_at = now
            sent += 1
    finally:
        _close_quietly(notifier)
    return sent


def _pending_query() -> Select[Notification]:
    return (
        select(Notification)
        .where(Notification.sent_at.is_(None), Notification.attempts < MAX_ATTEMPTS)
        .order_by(Notification.id)
    )


def _compose(session: Session, notification: Notification, now: dt.datetime) -> OutgoingMessage:
    """``notification`` rendered for its recipient: the person if it names one, else the
    agency. Their language and address are read now, not when the message was queued; an
    address given directly is used as given, in Spanish."""
    recipient: Person | Agency | None = None
    if notification.person_id is not None:
        recipient = session.get(Person, notification.person_id)
    elif notification.agency_id is not None:
        recipient = session.get(Agency, notification.agency_id)
    language = recipient.language if recipient is not None else None
    try:
        rendered = messages.render(notification.kind, notification.params or {}, language)
    except messages.MessageError as exc:
        # A row queued before the catalogue knew its kind (or before params were stored):
        # send the text stored with it rather than nothing.
        log.warning("outbox: notification #%d sent as stored: %s", notification.id, exc)
        rendered = messages.Rendered(
            messages.DEFAULT_LANGUAGE, notification.subject, notification.body
        )
    return OutgoingMessage(
        notification_id=notification.id,
        kind=notification.kind,
        person_id=notification.person_id,
        agency_id=notification.agency_id,
        to_address=notification.to_address
        or ((recipient.email or None) if recipient is not None else None),
        language=rendered.language,
        subject=rendered.subject,
        body=rendered.body,
        sent_at=now,
    )


def _error_text(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:ERROR_MAX]


def _close_quietly(notifier: Notifier) -> None:
    """Close the notifier's batch; a failure to close must not undo the ``sent_at`` marks
    of messages already delivered."""
    try:
        notifier.close()
    except Exception:
        log.exception("outbox: closing the notifier failed")
