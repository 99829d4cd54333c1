"""The detector: reads new checks and camera sightings as they arrive and raises alerts.

What: :meth:`Detector.run_once` takes, in one transaction, the checks and camera
sightings recorded since its cursor (:class:`~alcabala.sightings.models.DetectorState`),
feeds each to the impossible-travel window (:mod:`.travel`), asks the registry about the
batch (:mod:`.rules`) and looks for wanted vehicles passing checkpoints unstopped
(:mod:`.passed`); every finding becomes an alert (:func:`.alerts.raise_alert`). The
server runs it every second (:class:`DetectionWorker`, which also purges camera
sightings past their retention every hour); ``alcabala sightings detect`` runs it by hand.

Why a lease: the travel window lives in memory, so one process at a time detects. The
process holding the lease renews it on every run; another takes over only once it lapsed,
and first refills its window from the database (the last ``travel_window_minutes``).
Why an overlap: on PostgreSQL a transaction may commit a lower id after a higher one was
read, so the last :data:`OVERLAP` ids are read again and skipped if already judged; a
finding judged twice after a takeover joins its alert instead of raising another.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import uuid
from collections import deque
from collections.abc import Iterable

from sqlalchemy import select

from alcabala.checkpoints.models import Checkpoint
from alcabala.checks.models import Check
from alcabala.context import SYSTEM, Ctx, Door
from alcabala.identifiers.plates import fold
from alcabala.sightings import passed
from alcabala.sightings.alerts import Observed, raise_alert
from alcabala.sightings.ingest import purge
from alcabala.sightings.models import AlertKind, DetectorState, Sighting
from alcabala.sightings.rules import Finding, Sight, registry_findings
from alcabala.sightings.travel import Pair, Seen, TravelWindow, speed_limit

log = logging.getLogger("alcabala.sightings")
OVERLAP = 500
BATCH = 5000
LEASE = dt.timedelta(seconds=30)
PURGE_EVERY = 3600.0  # seconds between two purges of camera sightings past retention
NAME = "main"


def _epoch(at: dt.datetime) -> float:
    return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).timestamp()


class Detector:
    """One process's detector: its travel window and what it judged recently."""

    def __init__(self, door: Door, holder: str | None = None) -> None:
        s = door.settings
        self.door = door
        self.holder = holder or f"{os.uname().nodename}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.window = TravelWindow(s.travel_window_minutes * 60.0, float(s.camera_skew_seconds))
        self._places: dict[int, tuple[float, float, float, int | None, str]] = {}
        self._judged: set[tuple[str, int]] = set()
        self._order: deque[tuple[str, int]] = deque()
        self._warm = False

    def _place(
        self, ctx: Ctx, checkpoint_id: int | None
    ) -> tuple[float, float, float, int | None, str] | None:
        if checkpoint_id is None:
            return None
        if checkpoint_id not in self._places:
            cp = ctx.session.get(Checkpoint, checkpoint_id)
            if cp is None:
                return None
            self._places[checkpoint_id] = (
                cp.lat,
                cp.lon,
                speed_limit(cp.road),
                cp.agency_id,
                cp.code,
            )
        return self._places[checkpoint_id]

    def _sight_of_check(self, ctx: Ctx, c: Check) -> Sight:
        place = self._place(ctx, c.checkpoint_id)
        seen = Observed.of_check(c)
        engine = (c.inputs or {}).get("engine_number")
        return Sight(seen, engine=engine, agency_id=place[3] if place else None)

    def _sight_of_camera(self, ctx: Ctx, r: Sighting) -> Sight:
        place = self._place(ctx, r.checkpoint_id)
        seen = Observed.of_camera(r, *(place[:2] if place else (None, None)))
        return Sight(seen, make=r.make, colour=r.colour, agency_id=place[3] if place else None)

    def _travel(self, ctx: Ctx, sight: Sight) -> list[Pair]:
        o = sight.seen
        if not o.plate or o.lat is None or o.lon is None:
            return []
        place = self._place(ctx, o.checkpoint_id)
        limit = place[2] if place else speed_limit(None)
        return self.window.add(
            Seen(
                fold(o.plate),
                o.plate,
                _epoch(o.at),
                o.lat,
                o.lon,
                limit,
                o.source,
                o.source_id,
                o.checkpoint_id,
            )
        )

    def _state(self, ctx: Ctx) -> DetectorState:
        query = select(DetectorState).where(DetectorState.name == NAME).with_for_update()
        state = ctx.session.scalar(query)
        if state is None:
            state = DetectorState(name=NAME, last_check=0, last_sighting=0, holder="")
            ctx.session.add(state)
            ctx.session.flush()
        return state

    def _fetch(self, ctx: Ctx, state: DetectorState) -> list[Sight]:
        s = ctx.session
        checks = s.scalars(
            select(Check)
            .where(Check.id > state.last_check - OVERLAP)
            .order_by(Check.id)
            .limit(BATCH)
        )
        cams = s.scalars(
            select(Sighting)
            .where(Sighting.id > state.last_sighting - OVERLAP)
            .order_by(Sighting.id)
            .limit(BATCH)
        )
        found = [self._sight_of_check(ctx, c) for c in checks]
        found += [self._sight_of_camera(ctx, r) for r in cams]
        fresh = [x for x in found if (x.seen.source, x.seen.source_id) not in self._judged]
        fresh.sort(key=lambda x: x.seen.at)
        return fresh

    def _remember(self, sights: Iterable[Sight]) -> None:
        for x in sights:
            key = (x.seen.source, x.seen.source_id)
            self._judged.add(key)
            self._order.append(key)
        while len(self._order) > 20 * OVERLAP + 2 * BATCH:
            self._judged.discard(self._order.popleft())

    def _warm_up(self, ctx: Ctx, state: DetectorState) -> None:
        """Refill the window with what was judged in the last ``window`` (no alerts)."""
        since = ctx.now() - dt.timedelta(seconds=self.window.window)
        s = ctx.session
        old = [
            self._sight_of_check(ctx, c)
            for c in s.scalars(select(Check).where(Check.at >= since, Check.id <= state.last_check))
        ]
        old += [
            self._sight_of_camera(ctx, r)
            for r in s.scalars(
                select(Sighting).where(Sighting.at >= since, Sighting.id <= state.last_sighting)
            )
        ]
        for x in sorted(old, key=lambda x: x.seen.at):
            self._travel(ctx, x)
        self._remember(old)
        self._warm = True

    def run_once(self) -> int:
        """Judge what arrived since the last run; how many sightings it judged."""
        with self.door.write(SYSTEM.via("system")) as ctx:
            state = self._state(ctx)
            now = ctx.now()
            if (
                state.holder not in ("", self.holder)
                and state.lease_until
                and state.lease_until > now
            ):
                return 0  # another process detects
            if state.holder != self.holder:
                self._warm = False
            state.holder, state.lease_until = self.holder, now + LEASE
            if not self._warm:
                self._warm_up(ctx, state)
            batch = self._fetch(ctx, state)
            findings = [f for x in batch for f in self._travel_findings(ctx, x)]
            findings += registry_findings(ctx.session, batch)
            findings += passed.unstopped(ctx, [x for x in batch if x.seen.source == "camera"])
            findings += passed.unanswered(ctx)
            for f in findings:
                raise_alert(
                    ctx,
                    f.kind,
                    agency_id=f.agency_id,
                    subject_kind=f.subject_kind,
                    subject=f.subject,
                    facts=f.facts,
                    seen=f.seen,
                    checkpoint_id=f.seen[-1].checkpoint_id if f.seen else None,
                    record=f.record,
                )
            for x in batch:
                if x.seen.source == "check":
                    state.last_check = max(state.last_check, x.seen.source_id)
                else:
                    state.last_sighting = max(state.last_sighting, x.seen.source_id)
            self._remember(batch)
            return len(batch)

    def _travel_findings(self, ctx: Ctx, sight: Sight) -> list[Finding]:
        found = []
        for pair in self._travel(ctx, sight):
            a, b = pair.earlier, pair.later
            pa, pb = self._place(ctx, a.place), self._place(ctx, b.place)
            facts = {
                "km": round(pair.km, 1),
                "kmh": round(pair.kmh),
                "minutes": round(abs(b.at - a.at) / 60, 1),
                "from": pa[4] if pa else None,
                "to": pb[4] if pb else None,
                "plates": sorted({a.plate, b.plate}),
            }
            seen = [_observed(a), _observed(b)]
            found.append(
                Finding(
                    AlertKind.IMPOSSIBLE_TRAVEL,
                    "vehicle",
                    a.plate,  # the earlier read: a later misread joins its alert
                    pb[3] if pb else sight.agency_id,
                    facts,
                    seen,
                )
            )
        return found


def _observed(seen: Seen) -> Observed:
    at = dt.datetime.fromtimestamp(seen.at, dt.UTC)
    return Observed(
        seen.source, seen.source_id, at, seen.plate, None, seen.place, seen.lat, seen.lon
    )


class DetectionWorker:
    """Runs :meth:`Detector.run_once` every ``interval`` seconds in a thread (the server)."""

    def __init__(self, door: Door, interval: float = 1.0) -> None:
        self.detector = Detector(door)
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="alcabala-detector", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _loop(self) -> None:
        runs_per_purge = max(1, int(PURGE_EVERY / self.interval))
        runs = 0
        while not self._stop.wait(self.interval):
            try:
                while self.detector.run_once() >= BATCH and not self._stop.is_set():
                    pass
                runs += 1
                if runs % runs_per_purge == 0:
                    with self.detector.door.write(SYSTEM) as ctx:
                        purged = purge(ctx)
                    log.info("purged %d camera sightings past their retention", purged)
            except Exception:  # a failed run must not stop the next ones
                log.exception("sighting detection failed")
