"""What one server process holds in memory, and the one path of a check.

:class:`Runtime` owns the process's :class:`~alcabala.context.Door`, the hotlist (an
in-memory index refreshed from the store's change sequence), the recorder (the writer
thread), the checkpoint cache, the periodic sweep and the outbox sender. The API and the
console both check stops through :meth:`Runtime.check`; ``alcabala check`` builds a
:class:`Runtime` too, primed with only the records that can match its one stop.

Several processes can serve behind a load balancer on one PostgreSQL: each refreshes its
own hotlist; sweeps and sends are safe to run in every process at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from fastapi.concurrency import run_in_threadpool

from alcabala.accounts.deps import TokenCache
from alcabala.accounts.ratelimit import RateLimiter
from alcabala.checkpoints.services import get_checkpoint
from alcabala.checks.hotlist import HotlistLoader
from alcabala.checks.recorder import Recorder
from alcabala.checks.schemas import StopIn, VerdictOut
from alcabala.checks.services import engine_stop, pending_check
from alcabala.checks.sweep import sweep
from alcabala.context import SYSTEM, Actor, Door
from alcabala.db.engine import read_session
from alcabala.errors import ConflictError, ForbiddenError

log = logging.getLogger("alcabala.runtime")
REFRESH_SECONDS = 1.0
SWEEP_EVERY = 60  # refresh ticks between two sweeps


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

    def __post_init__(self) -> None:
        self.hotlist = HotlistLoader(self.door.engine, self.door.clock)
        self.recorder = Recorder(self.door.engine)
        self.door.after_write.append(self.after_write)

    def after_write(self) -> None:
        """Apply the changes just committed to this process's hotlist, so that the very next
        check here sees them (other processes catch up on their own refresh cycle)."""
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

    async def check(self, stops: Sequence[StopIn], actor: Actor) -> list[VerdictOut]:
        """Judge every stop in memory, then hand them all to the recorder at once; the
        answer comes when they are durable. The one path of a check, for every door."""
        if actor.id is None:
            raise ForbiddenError("A check is made by a signed-in officer, not by the system.")
        now = self.door.clock.now()
        judge = self.hotlist.engine.check
        pendings = []
        for stop in stops:
            checkpoint = self.cached_checkpoint(stop.checkpoint)
            if checkpoint is None:
                checkpoint = await run_in_threadpool(self.checkpoint, stop.checkpoint)
            verdict = judge(engine_stop(stop), stop.at or now)
            pendings.append(pending_check(stop, verdict, checkpoint, actor, now))
        return await asyncio.wrap_future(self.recorder.submit(pendings))

    async def start(self) -> None:
        await run_in_threadpool(self.hotlist.load)
        self.recorder.start()
        for start, _ in self.services:
            start()
        self._task = asyncio.create_task(self._refresh_forever())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for _, stop in reversed(self.services):
            await run_in_threadpool(stop)
        await run_in_threadpool(self.recorder.stop)
        self.door.engine.dispose()

    async def _refresh_forever(self) -> None:
        ticks = 0
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            ticks += 1
            try:
                if ticks % SWEEP_EVERY == 0:
                    await run_in_threadpool(self.sweep)
                await run_in_threadpool(self.hotlist.refresh)
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
