"""What one API process holds in memory: the database engine, the hotlist, the recorder.

The API is stateless apart from this: several processes can serve behind a load balancer
on one PostgreSQL, each refreshing its hotlist from the store's change sequence.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

from alcabala.api.deps import TokenCache
from alcabala.api.ratelimit import RateLimiter
from alcabala.checkpoints.services import get_checkpoint
from alcabala.checks.hotlist import HotlistLoader
from alcabala.checks.recorder import Recorder
from alcabala.checks.schemas import StopIn, VerdictOut
from alcabala.checks.services import engine_stop, pending_check
from alcabala.config import Settings
from alcabala.db.base import utcnow
from alcabala.db.engine import read_session, unit_of_work

log = logging.getLogger("alcabala.api")
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
    engine: Engine
    settings: Settings
    tokens: TokenCache = field(default_factory=TokenCache)
    public_limit: RateLimiter = field(default_factory=RateLimiter)
    hotlist: HotlistLoader = field(init=False)
    recorder: Recorder = field(init=False)
    _checkpoints: dict[str, CheckpointRef] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _task: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.hotlist = HotlistLoader(self.engine)
        self.recorder = Recorder(self.engine)

    def cached_checkpoint(self, code: str) -> CheckpointRef | None:
        """The checkpoint if already in memory (the hot path never waits on the database)."""
        return self._checkpoints.get(code)

    def checkpoint(self, code: str) -> CheckpointRef:
        """A checkpoint by code, from memory after the first lookup."""
        key = code.strip().upper()
        with self._lock:
            found = self._checkpoints.get(key)
        if found is None:
            with read_session(self.engine) as session:
                c = get_checkpoint(session, key)
                found = CheckpointRef(c.id, c.code, c.name, c.lat, c.lon)
            with self._lock:
                self._checkpoints[key] = found
        return found

    async def check(self, stops: Sequence[StopIn], officer_id: int) -> list[VerdictOut]:
        """Judge every stop in memory, then hand them all to the recorder at once; the
        answer comes when they are durable. The one path of a check, for API and console."""
        now = utcnow()
        judge = self.hotlist.engine.check
        pendings = []
        for stop in stops:
            checkpoint = self.cached_checkpoint(stop.checkpoint)
            if checkpoint is None:
                checkpoint = await run_in_threadpool(self.checkpoint, stop.checkpoint)
            verdict = judge(engine_stop(stop), stop.at or now)
            pendings.append(pending_check(stop, verdict, checkpoint, officer_id, now))
        return await asyncio.wrap_future(self.recorder.submit(pendings))

    async def start(self) -> None:
        await run_in_threadpool(self.hotlist.load)
        self.recorder.start()
        self._task = asyncio.create_task(self._refresh_forever())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await run_in_threadpool(self.recorder.stop)
        self.engine.dispose()

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
        """Record what time decided (expired warrants and permits, timed-out hits). Several
        processes may sweep at once; the loser of a race simply finds nothing left to do."""
        from alcabala.checks.services import sweep_hits
        from alcabala.errors import ConflictError
        from alcabala.livestock.services import expire_permits
        from alcabala.persons.services import expire_warrants

        try:
            with unit_of_work(self.engine) as session:
                expire_warrants(session)
                expire_permits(session)
                sweep_hits(session)
        except ConflictError:
            log.info("sweep skipped: another process is sweeping")
