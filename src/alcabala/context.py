"""The one door's context: who acts, in which transaction, with which settings and clock.

Every service function that changes state, or reads a record naming a person or a vehicle,
takes a :class:`Ctx` first. It carries the open transaction, the :class:`Actor` (user, role,
agency, client, checkpoint), the process's :class:`~alcabala.config.Settings` and its
:class:`~alcabala.clock.Clock`. So a service can check the rules and the actor's authority,
write history, change-sequence and audit rows, and stamp them all with one time, without
reaching for globals. The interfaces (API, console, CLI, bulk import) build a :class:`Door`
once per process and open a ``Ctx`` per request.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from alcabala.clock import SYSTEM_CLOCK, Clock
from alcabala.config import Settings
from alcabala.db.base import NOW
from alcabala.db.engine import read_session, unit_of_work

CLIENTS = ("api", "web", "cli", "import", "system")


@dataclass(frozen=True)
class Actor:
    """Who acts, detached from any session (safe to cache and to pass between threads)."""

    id: int | None  # the user; None is the system itself (sweeps, automatic expiry)
    username: str
    role: str
    agency_id: int | None
    client: str = "api"  # which door they came through: api, web, cli, import or system
    checkpoint_id: int | None = None

    def via(self, client: str, checkpoint_id: int | None = None) -> Actor:
        """The same actor coming through ``client`` (and standing at ``checkpoint_id``)."""
        return dataclasses.replace(self, client=client, checkpoint_id=checkpoint_id)

    @property
    def is_system(self) -> bool:
        return self.id is None


SYSTEM = Actor(None, "system", "system", None, "system")


@dataclass(frozen=True)
class Ctx:
    """One service call's world: the transaction, the actor, the settings and the clock."""

    session: Session
    actor: Actor
    settings: Settings
    clock: Clock

    def now(self) -> dt.datetime:
        return self.clock.now()

    @property
    def actor_id(self) -> int | None:
        return self.actor.id


@dataclass(frozen=True)
class Door:
    """What a process opens transactions with: its engine, settings and clock, and the
    hooks run after each committed change (the server's hotlist refresh)."""

    engine: Engine
    settings: Settings
    clock: Clock = SYSTEM_CLOCK
    after_write: list[Callable[[], None]] = field(default_factory=list)
    #: A streaming replica (``Settings.read_database_url``) for :meth:`report`; None: the
    #: primary.
    replica: Engine | None = None

    @contextmanager
    def write(self, actor: Actor) -> Iterator[Ctx]:
        """A state change by ``actor``: committed on success, rolled back on error; the
        after-write hooks run once it is committed."""
        with unit_of_work(self.engine) as session:
            session.info[NOW] = self.clock.now
            yield Ctx(session, actor, self.settings, self.clock)
        for hook in self.after_write:
            hook()

    @contextmanager
    def lookup(self, actor: Actor) -> Iterator[Ctx]:
        """An audited read by ``actor``: a write transaction (the audit row is a write),
        committed before the answer leaves, so an answered lookup is a recorded one."""
        with unit_of_work(self.engine) as session:
            session.info[NOW] = self.clock.now
            yield Ctx(session, actor, self.settings, self.clock)

    @contextmanager
    def read(self, actor: Actor) -> Iterator[Ctx]:
        """A read-only transaction, for reads that name nobody (lists of checkpoints...)."""
        with read_session(self.engine) as session:
            yield Ctx(session, actor, self.settings, self.clock)

    @contextmanager
    def report(self, actor: Actor) -> Iterator[Ctx]:
        """A read-only transaction on the replica when there is one: for aggregate reads
        that name nobody and may lag the primary by the replica's delay (the dashboard's
        counts). Sign-in, sessions and audited lookups must see the primary: they use
        :meth:`read` and :meth:`lookup`."""
        with read_session(self.replica or self.engine) as session:
            yield Ctx(session, actor, self.settings, self.clock)
