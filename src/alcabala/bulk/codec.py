"""What each registry provides to bulk import and export: a :class:`Codec`.

A codec names its fields, yields its records as rows in a stable order (by natural key, so an
export does not depend on database ids), and turns rows into stored records: ``prepare``
loads the lookups it needs once, ``convert`` validates one row into a payload or raises
:class:`RowProblems`, ``store`` writes a batch of payloads.

A codec whose ``convert`` splits in two says so with ``parallel = True``: :meth:`Codec.check`
is the part that needs nothing but the row (its schema and identifiers), so it can run in a
worker process (:mod:`alcabala.bulk.pool`), and :meth:`Codec.resolve` the part that needs the
registry (duplicates, lookups: the domain rules called with the facts), run in the importing
process in line order. ``convert(row)`` is always ``resolve(check(row))``.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from typing import Any, ClassVar

import pydantic
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from alcabala.context import Ctx
from alcabala.errors import Error, NotFoundError, ValidationError
from alcabala.ledger.records import log_changes


class RowProblems(Exception):
    """Everything wrong with one row: ``(field, reason, code)`` triples; the code is the one
    the API would answer with for the same input (``invalid``, ``duplicate``...)."""

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {r}" for f, r, _ in problems))
        self.problems = problems


def problems_of(exc: pydantic.ValidationError | Error) -> RowProblems:
    """The row problems of a schema or rule failure, one per field."""
    if isinstance(exc, Error):
        return RowProblems([(exc.field or "row", exc.message, exc.code)])
    problems = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "row"
        message = str(err["msg"]).removeprefix("Value error, ")
        problems.append((field, message, ValidationError.code))
    return RowProblems(problems)


def parse(model: type[pydantic.BaseModel], row: dict[str, Any]) -> Any:
    """``model`` validated from ``row``, or the row's problems."""
    try:
        return model.model_validate(row)
    except (pydantic.ValidationError, Error) as exc:
        raise problems_of(exc) from exc


class Codec(abc.ABC):
    """Base of every registry's bulk codec."""

    kind: ClassVar[str]
    fields: ClassVar[tuple[str, ...]]
    #: The table counted for progress bars (the main table of the kind).
    model: ClassVar[type[Any]]
    #: Stateful records get a history row and a change-sequence entry each.
    imported_reason: ClassVar[str] = "imported"
    #: ``check`` is context-free and its result picklable: rows may be checked in a pool.
    parallel: ClassVar[bool] = False
    #: A large import into this table may drop its secondary indexes and build them again
    #: at the end (SQLite; see :mod:`alcabala.bulk.copy`).
    rebuild_indexes: ClassVar[bool] = False
    #: The change-sequence entity of the kind's records: each one imported is logged as
    #: ``<entity>.created`` (:mod:`alcabala.ledger.records`); None for reference data.
    entity: ClassVar[str | None] = None
    #: The natural key of :attr:`model`'s rows, to find stored payloads again when they are
    #: dicts or tuples (ORM payloads carry their ids after the flush).
    key: ClassVar[tuple[str, ...]] = ()
    #: The columns of a tuple payload, in order (the ``RowWriter`` codecs).
    columns: ClassVar[tuple[str, ...]] = ()

    @abc.abstractmethod
    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        """Every record of the kind as a row of :attr:`fields`, in natural-key order."""

    def count(self, session: Session) -> int:
        return session.scalar(select(func.count()).select_from(self.model)) or 0

    def begin(self, ctx: Ctx) -> None:
        """Start an import in ``ctx`` (its time stamps what is stored), then :meth:`prepare`."""
        self.ctx = ctx
        self.prepare(ctx.session)

    def prepare(self, session: Session) -> None:  # noqa: B027 (an optional hook)
        """Load what ``convert`` needs (lookups, existing keys) once per import."""

    def store_logged(self, session: Session, payloads: list[Any]) -> None:
        """:meth:`store` the batch, then append each new record to the log, in the same
        transaction (the import is all-or-nothing, its log entries with it)."""
        self.store(session, payloads)
        if self.entity is not None and payloads:
            table = self.model.__table__
            log_changes(session, self.entity, table, self.stored_ids(session, payloads),
                        self.ctx.now(), "created")  # fmt: skip

    def stored_ids(self, session: Session, payloads: list[Any]) -> list[Any]:
        """The ids of the rows just stored from ``payloads``, in payload order."""
        first = payloads[0]
        if not isinstance(first, dict | tuple):
            session.flush()
            return [p.id for p in payloads]
        if isinstance(first, dict):
            keys = [tuple(p[k] for k in self.key) for p in payloads]
        else:
            at = [self.columns.index(k) for k in self.key]
            keys = [tuple(p[i] for i in at) for p in payloads]
        table = self.model.__table__
        cols = [table.c[k] for k in self.key]
        found: dict[tuple[Any, ...], Any] = {}
        for start in range(0, len(keys), 5_000):
            chunk = keys[start : start + 5_000]
            where = (
                cols[0].in_([k[0] for k in chunk]) if len(cols) == 1 else tuple_(*cols).in_(chunk)
            )
            for row in session.execute(select(table.c.id, *cols).where(where)):
                found[tuple(row[1:])] = row[0]
        return [found[k] for k in keys]

    @abc.abstractmethod
    def convert(self, row: dict[str, Any]) -> Any:
        """One validated row as a payload for :meth:`store`, or :class:`RowProblems`."""

    def check(self, row: dict[str, Any]) -> Any:
        """The part of :meth:`convert` that needs only the row (no ``ctx``, no lookups), or
        :class:`RowProblems`; by default nothing (the row itself)."""
        return row

    def resolve(self, checked: Any) -> Any:
        """The rest of :meth:`convert`, on what :meth:`check` returned: by default all of it."""
        return self.convert(checked)

    @abc.abstractmethod
    def store(self, session: Session, payloads: list[Any]) -> None:
        """Write a batch of payloads in the caller's transaction."""


def lookup_error(field: str, what: str, value: str, hint: str = "") -> RowProblems:
    message = f"no {what} {value!r}" + (f"; {hint}" if hint else "")
    return RowProblems([(field, message, NotFoundError.code)])


def store_stateful(
    ctx: Ctx,
    records: list[Any],
    *,
    history: type[Any],
    history_fk: str,
    entity: str,
    reason: str,
) -> None:
    """Insert stateful records with their first history row (the importing actor, now) and
    change-sequence entry."""
    from alcabala.db.history import Change

    session, now = ctx.session, ctx.now()
    session.add_all(records)
    session.flush()
    session.add_all(
        history(
            **{history_fk: r.id},
            from_state=None,
            to_state=r.status,
            reason=reason,
            actor_id=ctx.actor_id,
            at=now,
        )
        for r in records
    )
    session.add_all(Change(entity=entity, entity_id=r.id, at=now) for r in records)
    session.flush()
