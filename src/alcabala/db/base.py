"""The one declarative base, its naming conventions and the column types every domain shares.

Constraint names are fixed by convention so that Alembic migrations are the same on SQLite
(batch mode) and PostgreSQL. Times are stored as naive UTC and always come back aware, because
SQLite has no time-zone type and a mix of naive and aware datetimes is a classic source of bugs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, ClassVar, cast

from sqlalchemy import DateTime, Integer, MetaData, String, Table, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC, to the second (what records and exports carry)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored as naive UTC and returned as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; alcabala stores aware UTC times only")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of every alcabala table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime(), str: String()}


class Versioned:
    """Optimistic concurrency: every UPDATE checks and bumps ``version``.

    A writer that read an older version gets a conflict instead of silently overwriting
    another writer's change (SQLAlchemy raises ``StaleDataError``; the unit of work turns it
    into :class:`alcabala.errors.ConflictError`).
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


def table_of(model: type[Base]) -> Table:
    """The Core table of a model, for plain ``executemany`` inserts on bulk paths (no ORM
    bookkeeping, no RETURNING of generated keys)."""
    return cast(Table, model.__table__)


#: ``session.info`` key of the injected clock's ``now`` (set by the unit of work's opener).
NOW = "alcabala.now"


@event.listens_for(Session, "before_flush")
def _stamp_created_at(session: Session, _context: object, _instances: object) -> None:
    """New rows get ``created_at`` from the injected clock of their session, so a record's
    birth follows the same clock as its history (the column default is a last resort)."""
    now: Callable[[], dt.datetime] | None = session.info.get(NOW)
    if now is None:
        return
    stamp = now()
    for obj in session.new:
        if hasattr(obj, "created_at") and getattr(obj, "created_at", None) is None:
            obj.created_at = stamp
