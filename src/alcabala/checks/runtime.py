"""What one server process holds in memory, and the one path of a check.

:class:`Runtime` owns the process's :class:`~alcabala.context.Door`, the hotlist (an
in-memory index refreshed from the store's change sequence), the recorder (the writer
thread), the checkpoint cache, the periodic sweep and the outbox sender. The API and the
console both check stops through :meth:`Runtime.check`; ``alcabala check`` builds a
:class:`Runtime` too, primed with only the records that can match its one stop.

Several processes can serve behind a load balancer on one PostgreSQL: each refreshes its
own hotlist; sweeps and sends are safe to run in every process at once. The refresh loop
waits at most ``REFRESH_SECONDS`` between two refreshes, and on PostgreSQL a change
notification (:class:`~alcabala.db.notify.ChangeListener`, ``LISTEN alcabala_changes``)
wakes it at once: a burst of notifications while it waits or refreshes gives one more
refresh, ``DEBOUNCE_SECONDS`` later, not one per notification. Without notifications
(SQLite, ``ALCABALA_CHANGE_NOTIFY=off``, the listener reconnecting) polling alone bounds
how stale a process can be. The same refresh drops the cached tokens of every user whose
tokens were revoked, whose password changed or who was deactivated (a
``changes(entity="user")`` row), so a revocation holds in every process within
``REFRESH_SECONDS`` (at once, with notifications); and the recorder refuses a check by an
inactive officer or a revoked token at once, whatever any cache says.

Before a stop is judged, :meth:`Runtime.check` admits it: its ``at`` must lie between
``Settings.offline_window_days`` before the door's clock and ``CLOCK_SKEW`` after it (422
``at_too_old`` / ``at_in_future`` naming ``at``, or ``stops.N.at`` in a batch), its
checkpoint must exist, and a ``check_id`` repeated in one batch must come with the same
stop (409 ``check_id_conflict``). One bad stop refuses the whole batch, before anything is
judged or recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from fastapi.concurrency import run_in_threadpool

from alcabala.accounts.deps import TokenCache
from alcabala.accounts.ratelimit import RateLimiter
from alcabala.checkpoints.services import get_checkpoint
from alcabala.checks.hotlist import HotlistLoader
from alcabala.checks.pending import CHECK_ID_TAKEN, CheckIdConflictError, canonical
from alcabala.checks.recorder import Recorder
from alcabala.checks.schemas import StopIn, VerdictOut
from alcabala.checks.services import engine_stop, pending_check
from alcabala.checks.sweep import sweep
from alcabala.config import Settings
from alcabala.context import SYSTEM, Actor, Door
from alcabala.db.engine import read_session
from alcabala.db.notify import ChangeListener
from alcabala.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError

log = logging.getLogger("alcabala.runtime")
REFRESH_SECONDS = 1.0
SWEEP_EVERY = 60  # refresh intervals between two sweeps
#: After a notification, how long the loop lets the rest of a burst arrive before refreshing.
DEBOUNCE_SECONDS = 0.01
#: How long shutdown waits for a refresh in progress before cancelling the loop.
STOP_SECONDS = 5.0
#: How far ahead of the server's clock a device's clock may run.
CLOCK_SKEW = dt.timedelta(minutes=5)


def stop_window(settings: Settings, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The earliest and the latest ``at`` a stop may have when the server's clock says
    ``now``."""
    return now - dt.timedelta(days=settings.offline_window_days), now + CLOCK_SKEW


def admit_time(at: dt.datetime, now: dt.datetime, settings: Settings, field: str = "at") -> None:
    """Refuse (422 naming ``field``) a stop time outside :func:`stop_window`."""
    earliest, latest = stop_window(settings, now)
    shown = at.isoformat().replace("+00:00", "Z")
    if at > latest:
        raise ValidationError(
            f"The stop's time {shown} is ahead of the server's clock by more than "
            f"{CLOCK_SKEW.seconds // 60} minutes: check the device's clock.",
            field=field,
            code="at_in_future",
        )
    if at < earliest:
        raise ValidationError(
            f"The stop's time {shown} is more than {(now - earliest).days} days ago, "
            "beyond the offline window: such a stop is no longer accepted.",
            field=field,
            code="at_too_old",
        )


@dataclass(frozen=True)
class CheckpointRef:
    """A checkpoint as the hot path needs it, detached from any database session."""

    id: int
    code: str
    name: str
    lat: float | None
    lon: float | None


@dataclass
class Runtime:
    door: Door
    tokens: TokenCache = field(default_factory=TokenCache)
    public_limit: RateLimiter = field(default_factory=RateLimiter)
    #: Background work started with the server (e.g. the outbox sender): start and stop.
    services: list[tuple[Callable[[], None], Callable[[], None]]] = field(default_factory=list)
    hotlist: HotlistLoader = field(init=False)
    recorder: Recorder = field(init=False)
    _checkpoints: dict[str, CheckpointRef] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _task: asyncio.Task[None] | None = None
    _listener: ChangeListener | None = None
    #: Set by a notification, cleared when the refresh it asks for starts.
    _notified: threading.Event = field(default_factory=threading.Event)
    _wake: asyncio.Event | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _stopping: bool = False

    def __post_init__(self) -> None:
        self.hotlist = HotlistLoader(self.door.engine, self.door.clock)
        self.recorder = Recorder(self.door.engine)
        self.hotlist.listeners.setdefault("user", []).append(self.tokens.drop_users)
        self.door.after_write.append(self.after_write)

    def after_write(self) -> None:
        """Apply the changes just committed to this process's hotlist, so that the very next
        check here sees them (other processes are woken by the commit's notification)."""
        self.hotlist.refresh()

    def cached_checkpoint(self, code: str) -> CheckpointRef | None:
        """The checkpoint if already in memory (the hot path never waits on the database)."""
        return self._checkpoints.get(code)

    def checkpoint(self, code: str) -> CheckpointRef:
        """A checkpoint by code, from memory after the first lookup."""
        key = code.strip().upper()
        with self._lock:
            found = self._checkpoints.get(key)
        if found is None:
            with read_session(self.door.engine) as session:
                c = get_checkpoint(session, key)
                found = CheckpointRef(c.id, c.code, c.name, c.lat, c.lon)
            with self._lock:
                self._checkpoints[key] = found
        return found

    async def check(
        self,
        stops: Sequence[StopIn],
        actor: Actor,
        *,
        batch: bool = False,
        token_hash: str | None = None,
    ) -> list[VerdictOut]:
        """Admit every stop (:meth:`admit`), judge them in memory, then hand them all to
        the recorder at once; the answer comes when they are durable. The one path of a
        check, for every door. ``batch``: errors name ``stops.N.<field>``; ``token_hash``:
        the digest of the API token the request came with (re-checked when recording)."""
        if actor.id is None:
            raise ForbiddenError("A check is made by a signed-in officer, not by the system.")
        now = self.door.clock.now()
        checkpoints = await self.admit(stops, now, batch)
        judge = self.hotlist.engine.check
        pendings = []
        for i, (stop, checkpoint) in enumerate(zip(stops, checkpoints, strict=True)):
            verdict = judge(engine_stop(stop), stop.at or now)
            pendings.append(
                pending_check(
                    stop,
                    verdict,
                    checkpoint,
                    actor,
                    now,
                    token_hash=token_hash,
                    check_id_field=f"stops.{i}.check_id" if batch else "check_id",
                )
            )
        return await asyncio.wrap_future(self.recorder.submit(pendings))

    def check_blocking(self, stops: Sequence[StopIn], actor: Actor) -> list[VerdictOut]:
        """:meth:`check` for callers with no event loop of their own (``alcabala check``):
        it runs on a private loop in a worker thread, so it works even where a loop is
        already running in the caller's thread."""
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, self.check(stops, actor)).result()

    async def admit(
        self, stops: Sequence[StopIn], now: dt.datetime, batch: bool = False
    ) -> list[CheckpointRef]:
        """Refuse the stops, whole, at the first that cannot be judged: a time outside
        :func:`stop_window` (422), an unknown checkpoint (404), a ``check_id`` that an
        earlier stop of the same request used for another stop (409). Returns each stop's
        checkpoint."""
        settings = self.door.settings
        first: dict[uuid.UUID, StopIn] = {}
        checkpoints = []
        for i, stop in enumerate(stops):
            where = f"stops.{i}." if batch else ""
            if stop.at is not None:
                admit_time(stop.at, now, settings, where + "at")
            checkpoint = self.cached_checkpoint(stop.checkpoint)
            if checkpoint is None:
                try:
                    checkpoint = await run_in_threadpool(self.checkpoint, stop.checkpoint)
                except NotFoundError as exc:
                    exc.field = where + (exc.field or "checkpoint")
                    raise
            checkpoints.append(checkpoint)
            earlier = first.setdefault(stop.check_id, stop)
            if earlier is not stop and canonical(earlier.model_dump(mode="json")) != canonical(
                stop.model_dump(mode="json")
            ):
                raise CheckIdConflictError(CHECK_ID_TAKEN, field=where + "check_id")
        return checkpoints

    async def start(self) -> None:
        if self._task is not None:  # a second lifespan on one app would leak the first's
            raise RuntimeError("this runtime is already running")
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._stopping = False
        settings = self.door.settings
        if settings.change_notify and self.door.engine.dialect.name == "postgresql":
            self._listener = ChangeListener(self.door.engine.url, self.notified)
            self._listener.start()  # before the load: nothing committed meanwhile is missed
        await run_in_threadpool(self.hotlist.load)
        self.recorder.start()
        for start, _ in self.services:
            start()
        self._task = asyncio.create_task(self._refresh_forever())

    def notified(self) -> None:
        """A change was committed somewhere (called from the listener's thread): wake the
        refresh loop, once however many notifications arrive before it runs."""
        if self._notified.is_set() or self._loop is None or self._wake is None:
            return
        self._notified.set()
        with contextlib.suppress(RuntimeError):  # the loop is closing
            self._loop.call_soon_threadsafe(self._wake.set)

    async def stop(self) -> None:
        """Stop the refresh loop and the services, then close the engine.

        The loop is asked to stop by a flag and a wake-up, and cancelled only if it has not
        finished within ``STOP_SECONDS``: on Python 3.11 a cancellation that arrives as
        ``asyncio.wait_for`` completes is lost, so cancelling alone can leave the loop
        running and shutdown waiting for it forever."""
        if self._task is not None:
            task, self._task = self._task, None
            self._stopping = True
            if self._wake is not None:
                self._wake.set()
            while not task.done():
                done, _ = await asyncio.wait({task}, timeout=STOP_SECONDS)
                if not done:
                    task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                task.result()
        if self._listener is not None:
            await run_in_threadpool(self._listener.stop)
            self._listener = None
        for _, stop in reversed(self.services):
            await run_in_threadpool(stop)
        await run_in_threadpool(self.recorder.stop)
        self.door.engine.dispose()

    async def _refresh_forever(self) -> None:
        """Refresh the hotlist when notified, and at least every ``REFRESH_SECONDS``; sweep
        every ``SWEEP_EVERY`` intervals."""
        assert self._wake is not None
        wake, clock = self._wake, asyncio.get_running_loop().time
        next_sweep = clock() + SWEEP_EVERY * REFRESH_SECONDS
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), REFRESH_SECONDS)
            if self._stopping:
                return
            if wake.is_set():
                await asyncio.sleep(DEBOUNCE_SECONDS)  # let the rest of a burst arrive
            wake.clear()
            self._notified.clear()  # a notification from now on asks for another refresh
            try:
                await run_in_threadpool(self.hotlist.refresh)
                if clock() >= next_sweep:
                    next_sweep = clock() + SWEEP_EVERY * REFRESH_SECONDS
                    await run_in_threadpool(self.sweep)
            except Exception:  # a failed refresh must not stop the next ones
                log.exception("hotlist refresh failed")

    def sweep(self) -> None:
        """Record what time decided. Several processes may sweep at once; the loser of a
        race simply finds nothing left to do."""
        try:
            with self.door.write(SYSTEM) as ctx:
                sweep(ctx)
        except ConflictError:
            log.info("sweep skipped: another process is sweeping")
