"""The outbox table: written in the same transaction as the change it announces.

A row keeps its ``kind`` and ``params`` so the sender can render it in the recipient's
language at send time. ``subject`` and ``body`` hold the Spanish rendering made at enqueue
time, for readers of the table that predate the catalogue and as a fallback. ``attempts``
and ``last_error`` say how delivery went, so one undeliverable message is retried a bounded
number of times and never blocks the queue.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from alcabala.db.base import Base, utcnow


class Notification(Base):
    """A message waiting to be sent (``sent_at`` NULL) or sent."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    #: An address given directly (a certificate's buyer), when no person or agency is named.
    to_address: Mapped[str | None] = mapped_column(String(254))
    params: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    last_error: Mapped[str] = mapped_column(Text, default="", server_default="")
