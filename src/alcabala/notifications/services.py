"""Enqueue notifications in the caller's transaction; send them later through a notifier.

The outbox pattern: a recovery and the message to the owner commit together or not at all,
and a notifier that is down delays messages without losing them.
"""

from __future__ import annotations

import logging
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala.db.base import utcnow
from alcabala.notifications.models import Notification

log = logging.getLogger("alcabala.notifications")


class Notifier(Protocol):
    def send(self, notification: Notification) -> None:
        """Deliver one message or raise; an exception leaves it queued."""


class LogNotifier:
    """Writes each message to the log (the console in a terminal): enough until SMS/e-mail."""

    def __init__(self) -> None:
        self.sent: list[Notification] = []

    def send(self, notification: Notification) -> None:
        log.info(
            "notification %s to person=%s agency=%s: %s",
            notification.kind,
            notification.person_id,
            notification.agency_id,
            notification.subject,
        )
        self.sent.append(notification)


def enqueue(
    session: Session,
    kind: str,
    subject: str,
    body: str,
    *,
    person_id: int | None = None,
    agency_id: int | None = None,
) -> Notification:
    notification = Notification(
        kind=kind, subject=subject, body=body, person_id=person_id, agency_id=agency_id
    )
    session.add(notification)
    return notification


def pending(session: Session) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification).where(Notification.sent_at.is_(None)).order_by(Notification.id)
        )
    )


def send_pending(session: Session, notifier: Notifier) -> int:
    """Send every queued message; a failure stops the run and keeps the rest queued."""
    count = 0
    for notification in pending(session):
        notifier.send(notification)
        notification.sent_at = utcnow()
        count += 1
    return count
