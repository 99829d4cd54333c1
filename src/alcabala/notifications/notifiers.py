"""How a rendered message leaves the system: the log notifier (the default) or SMTP.

A notifier gets an :class:`OutgoingMessage` (already rendered in the recipient's language,
with the recipient's address if they have one) and delivers it or raises:

* :class:`DeliveryError` (or any other exception): this message failed. The sender records
  the error and counts an attempt; after a bounded number of attempts it stops trying.
* :class:`NotifierUnavailable`: the channel itself is down (the SMTP server cannot be
  reached). Nothing is wrong with the message, so no attempt is counted and the sender
  stops the batch; everything stays queued for the next run.

:func:`notifier_for` picks the notifier named by ``Settings.notifier``. A notifier may keep
a connection open across one batch; the sender calls :meth:`Notifier.close` after each.
Notifiers are used by one sender thread at a time and are not safe to share across threads.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from alcabala.config import Settings

log = logging.getLogger("alcabala.notifications")

#: Seconds to wait for the SMTP server before giving up on this run.
SMTP_TIMEOUT_SECONDS = 10.0


class DeliveryError(Exception):
    """This message could not be delivered (no address, recipient refused...)."""


class NotifierUnavailable(Exception):
    """The channel is down; no message can be delivered now. Nothing is lost: try later."""


@dataclass(frozen=True)
class OutgoingMessage:
    """One notification rendered for its recipient."""

    notification_id: int
    kind: str
    person_id: int | None
    agency_id: int | None
    #: The recipient's e-mail address, None when they have none on file.
    to_address: str | None
    #: The catalogue language the message was rendered in ("es" or "en").
    language: str
    subject: str
    body: str
    #: When the message is sent (the sender's clock), for the Date header.
    sent_at: dt.datetime

    @property
    def recipient(self) -> str:
        """Who it is for, without personal data (for logs): ``person 3``, ``agency 2``."""
        if self.person_id is not None:
            return f"person {self.person_id}"
        if self.agency_id is not None:
            return f"agency {self.agency_id}"
        return "nobody"


class Notifier(Protocol):
    def send(self, message: OutgoingMessage) -> None:
        """Deliver one message or raise; an exception leaves it queued."""

    def close(self) -> None:
        """End the batch: release any connection opened by :meth:`send`."""


class LogNotifier:
    """Writes each message to the log (the console in a terminal): the default until a
    channel is configured. Keeps the last ``keep`` messages in ``sent`` for tests and the
    demo; it never needs an address. Logs who it is for, not their address."""

    def __init__(self, keep: int = 1000) -> None:
        self.keep = keep
        self.sent: list[OutgoingMessage] = []

    def send(self, message: OutgoingMessage) -> None:
        log.info(
            "notification %s #%d to %s [%s]: %s",
            message.kind,
            message.notification_id,
            message.recipient,
            message.language,
            message.subject,
        )
        self.sent.append(message)
        if len(self.sent) > self.keep:
            del self.sent[: len(self.sent) - self.keep]

    def close(self) -> None:
        pass


class SmtpNotifier:
    """Sends e-mail through the SMTP server named in the settings (host, port, sender),
    with STARTTLS and login when configured. One connection serves a whole batch."""

    def __init__(self, settings: Settings, timeout: float = SMTP_TIMEOUT_SECONDS) -> None:
        self.settings = settings
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: OutgoingMessage) -> None:
        if not message.to_address:
            raise DeliveryError("no e-mail address")
        mail = self.compose(message)
        smtp = self._connection()
        try:
            smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"recipient refused: {_reasons(exc)}") from exc
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise DeliveryError(f"refused by the server: {exc.smtp_code} {_text(exc)}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            # The connection broke while sending this one: count it against the message (it
            # may be what breaks the server) and reconnect for the next.
            self._drop()
            raise DeliveryError(f"connection lost while sending: {exc}") from exc

    def compose(self, message: OutgoingMessage) -> EmailMessage:
        """The e-mail for ``message``. Its Message-ID is fixed per notification, so a
        message sent twice (a crash between sending and recording it) can be recognised."""
        assert message.to_address is not None
        domain = self.settings.smtp_sender.rpartition("@")[2] or "localhost"
        mail = EmailMessage()
        mail["From"] = self.settings.smtp_sender
        mail["To"] = message.to_address
        mail["Subject"] = message.subject
        mail["Date"] = email.utils.format_datetime(message.sent_at)
        mail["Message-ID"] = f"<notification-{message.notification_id}@{domain}>"
        mail.set_content(message.body)
        mail["Content-Language"] = message.language  # after set_content, which clears Content-*
        return mail

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        s = self.settings
        smtp = smtplib.SMTP(timeout=self.timeout)
        try:
            smtp.connect(s.smtp_host, s.smtp_port)
            smtp.ehlo()
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password)
        except (smtplib.SMTPException, OSError) as exc:
            smtp.close()
            raise NotifierUnavailable(
                f"cannot use SMTP server {s.smtp_host}:{s.smtp_port}: {exc}"
            ) from exc
        self._smtp = smtp
        return smtp

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()


def notifier_for(settings: Settings) -> Notifier:
    """The notifier ``settings.notifier`` names: ``log`` (default) or ``smtp``."""
    if settings.notifier == "smtp":
        return SmtpNotifier(settings)
    return LogNotifier()


def _text(exc: smtplib.SMTPResponseException) -> str:
    raw = exc.smtp_error
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _reasons(exc: smtplib.SMTPRecipientsRefused) -> str:
    return "; ".join(
        f"{address}: {code} {reason.decode('utf-8', 'replace')}"
        for address, (code, reason) in exc.recipients.items()
    )
