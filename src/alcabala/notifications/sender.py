"""The outbox sender: a daemon thread in the serve process that delivers queued messages.

Every ``settings.outbox_interval_seconds`` it runs :meth:`OutboxSender.run_once`: one unit
of work that claims a batch, sends it through the configured notifier and marks what was
sent. A full batch is followed at once by the next, so a backlog drains without waiting for
the interval. Any exception (the database busy or down, a notifier bug) is logged and the
next tick tries again: the thread never dies of an error. :meth:`OutboxSender.stop` wakes it
from its wait at once (a :class:`threading.Event`), so shutting the server down is prompt.

Several processes may run a sender on the same database; :func:`send_pending` claims rows so
that no message is sent by two of them.

The server runtime owns the sender::

    sender = OutboxSender(engine, settings, clock)
    sender.start()   # on startup
    ...
    sender.stop()    # on shutdown
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType

from sqlalchemy import Engine

from alcabala.clock import Clock
from alcabala.config import Settings
from alcabala.db.engine import unit_of_work
from alcabala.notifications.notifiers import Notifier, notifier_for
from alcabala.notifications.services import send_pending

log = logging.getLogger("alcabala.notifications")

#: Messages claimed and sent per unit of work.
BATCH_SIZE = 100


class OutboxSender:
    """Sends the outbox of ``engine``'s database through ``notifier`` (by default the one
    ``settings.notifier`` names), stamping messages with ``clock``'s time."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        clock: Clock,
        notifier: Notifier | None = None,
        *,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self.notifier = notifier if notifier is not None else notifier_for(settings)
        self.batch_size = batch_size
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # One batch at a time per sender, whether from the thread or a direct call.
        self._lock = threading.Lock()

    def run_once(self) -> int:
        """Send one batch in one unit of work; return how many messages were sent."""
        with self._lock, unit_of_work(self.engine) as session:
            return send_pending(session, self.notifier, self.clock.now(), self.batch_size)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start sending on a daemon thread: a first batch now, then one every interval.
        Does nothing if already running."""
        if self.running:
            return
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, args=(self._stop,), name="alcabala-outbox", daemon=True
        )
        self._thread.start()
        log.info(
            "outbox sender started (%s notifier, every %ss)",
            self.settings.notifier,
            self.settings.outbox_interval_seconds,
        )

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread: wake it from its wait and wait up to ``timeout`` seconds for a
        batch in progress to finish (a daemon thread never keeps the process alive)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is None:
            return
        thread.join(timeout)
        if thread.is_alive():
            log.warning("outbox sender still finishing a batch after %ss", timeout)
        else:
            log.info("outbox sender stopped")

    def __enter__(self) -> OutboxSender:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _loop(self, stop: threading.Event) -> None:
        interval = max(self.settings.outbox_interval_seconds, 0.01)
        while not stop.is_set():
            if self._tick() < self.batch_size:
                stop.wait(interval)

    def _tick(self) -> int:
        try:
            return self.run_once()
        except Exception:
            log.exception("outbox sender: a run failed; trying again next interval")
            return 0
