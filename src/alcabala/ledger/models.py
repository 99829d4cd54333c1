"""The log's tables, and :func:`append`: an entry written in the caller's transaction.

What:

- ``log_entries``: one row per entry, appended *pending* (``idx`` NULL) by :func:`append`
  with the salt of its commitment and a reference to what it records (``ref_kind``,
  ``ref_id``); the integrator later gives it its dense index ``idx`` (unique). A partial
  index holds only the pending rows, so finding them stays cheap however long the log.
- ``log_tiles``: the C2SP tlog-tiles of the tree, one row per (level, index) with its
  ``width`` and ``hashes`` (``width`` × 32 bytes). A full tile (256 hashes) never changes
  again; the rightmost tile of each level is stored *partial* and rewritten as it grows,
  so it always matches the latest checkpoint. A partial tile ``.p/W`` of any width up to
  the stored one is its prefix (a tile's first hashes never change).
- ``log_checkpoints``: every signed checkpoint, by tree size, with its root and the signed
  note as served.

Why here: the entries must commit or roll back with the change they record, so
:func:`append` takes the caller's session and only inserts; everything else (indices,
tiles, checkpoints) is the integrator's, in transactions of its own. :func:`append` holds
its rows on the session and writes them all in one ``COPY``/``executemany`` at the next
flush or before the commit (session events registered here, like ``created_at``'s in
:mod:`alcabala.db.base`): an ORM object per entry costs several times the entry itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    and_,
    event,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from alcabala.db.base import NOW, Base, table_of, utcnow
from alcabala.db.bulk_insert import bound, store_tuples
from alcabala.ledger.entries import entry_for
from alcabala.ledger.tiles import TileReader

__all__ = [
    "LogCheckpoint",
    "LogEntry",
    "LogTile",
    "Ref",
    "append",
    "append_many",
    "latest_checkpoint",
    "log_size",
    "tile_reader",
]

_ID = BigInteger().with_variant(Integer, "sqlite")
_PENDING = text("idx IS NULL")
#: ``session.info`` key of the entries appended but not yet written.
_UNWRITTEN = "alcabala.ledger.unwritten"


class Ref(NamedTuple):
    """What an entry records: a kind of record (``vehicle``, ``check``...) and its id."""

    kind: str
    id: str | int


class LogEntry(Base):
    """One log entry: pending until the integrator gives it ``idx``."""

    __tablename__ = "log_entries"
    __table_args__ = (
        # Only the pending rows: finding them stays cheap however long the log grows.
        Index("ix_log_entries_pending", "id", sqlite_where=_PENDING, postgresql_where=_PENDING),
        Index("ix_log_entries_ref", "ref_kind", "ref_id"),
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    #: The dense index in the log; NULL while pending.
    idx: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    entry: Mapped[bytes] = mapped_column(LargeBinary)
    salt: Mapped[bytes] = mapped_column(LargeBinary)
    ref_kind: Mapped[str] = mapped_column(String(40))
    ref_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LogTile(Base):
    """One tile: ``width`` hashes of 32 bytes at ``level``, number ``idx`` (C2SP ``N``)."""

    __tablename__ = "log_tiles"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    width: Mapped[int] = mapped_column(Integer)
    hashes: Mapped[bytes] = mapped_column(LargeBinary)


class LogCheckpoint(Base):
    """A signed checkpoint of ``size`` entries: its ``root`` and the signed ``note``."""

    __tablename__ = "log_checkpoints"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[bytes] = mapped_column(LargeBinary)
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def append(
    session: Session,
    kind: str,
    agency: str | None,
    at: dt.datetime,
    record: Mapping[str, Any],
    ref: Ref | tuple[str, str | int],
) -> None:
    """Add the entry of ``record`` to the log, pending, in ``session``'s transaction.

    It becomes durable with the caller's commit and vanishes with its rollback; the
    integrator gives it an index and a checkpoint within a second or so. ``ref`` is what
    ``log verify`` will load to recompute the commitment (the record as stored).

    The row is held on the session and written with the others of the transaction in one
    ``COPY``/``executemany`` at its next flush or commit (:func:`flush_entries` writes them
    at once, to read them back before). Inside a SAVEPOINT it is added to the ORM session
    instead, so that rolling back the savepoint takes it away too.
    """
    row = _row(kind, agency, at, record, ref)
    if session.in_nested_transaction():
        session.add(LogEntry(**dict(zip(_COLUMNS, row, strict=False))))
        return
    if not session.in_transaction():
        session.connection()  # begin it now: its end (commit or rollback) settles the row
    session.info.setdefault(_UNWRITTEN, []).append(row)


def append_many(
    session: Session,
    items: Iterable[
        tuple[str, str | None, dt.datetime, Mapping[str, Any], Ref | tuple[str, str | int]]
    ],
) -> int:
    """:func:`append` for many entries at once (bulk paths), written at once: one ``COPY``
    or ``executemany`` on the session's connection, in its transaction. Returns the count."""
    rows = [_row(*item) for item in items]
    flush_entries(session)
    _write(session, rows)
    return len(rows)


def flush_entries(session: Session) -> None:
    """Write the entries :func:`append` holds on ``session`` (it happens by itself at the
    session's next flush and before its commit)."""
    _write(session, session.info.pop(_UNWRITTEN, None) or [])


#: The columns of a written entry, in the order of :func:`_row`'s tuples and the stamp.
_COLUMNS = ("entry", "salt", "ref_kind", "ref_id", "created_at")


def _row(
    kind: str,
    agency: str | None,
    at: dt.datetime,
    record: Mapping[str, Any],
    ref: Ref | tuple[str, str | int],
) -> tuple[bytes, bytes, str, str]:
    """An entry's values as stored (bytes and text need no conversion), but its stamp."""
    entry, salt = entry_for(kind, agency, at, record)
    ref_kind, ref_id = ref
    return entry, salt, ref_kind, str(ref_id)


def _write(session: Session, rows: list[tuple[bytes, bytes, str, str]]) -> None:
    """Store ``rows`` in one ``COPY``/``executemany``, all stamped ``created_at`` with one
    time of the session's clock (when they were written), converted once."""
    if not rows:
        return
    conn = session.connection()
    table = table_of(LogEntry)
    now = session.info.get(NOW)
    stamp = bound(conn, table, "created_at", now() if now is not None else utcnow())
    store_tuples(conn, table, _COLUMNS, [(*row, stamp) for row in rows])


@event.listens_for(Session, "before_flush")
def _write_before_flush(session: Session, _context: object, _instances: object) -> None:
    flush_entries(session)


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    flush_entries(session)


@event.listens_for(Session, "after_transaction_end")
def _forget_on_end(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ends without its commit (a rollback) takes its entries away."""
    if transaction.parent is None:
        session.info.pop(_UNWRITTEN, None)


def latest_checkpoint(session: Session) -> LogCheckpoint | None:
    """The newest checkpoint (the largest), or None before the first."""
    return session.scalars(
        select(LogCheckpoint).order_by(LogCheckpoint.size.desc()).limit(1)
    ).first()


def log_size(session: Session) -> int:
    """The size of the newest checkpoint (0 before the first)."""
    size = session.scalar(select(func.max(LogCheckpoint.size)))
    return int(size or 0)


def tile_reader(session: Session, prefetch: Iterable[tuple[int, int]] = ()) -> TileReader:
    """Stored tiles by (level, index), for :mod:`alcabala.ledger.tiles` (b"" if absent),
    each read once per reader; the ``prefetch`` ones in one query up front (a proof's
    tiles are known in advance: :func:`~alcabala.ledger.tiles.proof_tiles`)."""
    cache: dict[tuple[int, int], bytes] = {}
    wanted = sorted(set(prefetch))
    if wanted:
        # One ``level = L AND idx IN (...)`` per level: both databases answer it from the
        # primary key, where SQLite scans the whole table for a row-value ``IN``.
        levels: dict[int, list[int]] = {}
        for level, index in wanted:
            levels.setdefault(level, []).append(index)
        rows = session.execute(
            select(LogTile.level, LogTile.idx, LogTile.hashes).where(
                or_(*(and_(LogTile.level == lv, LogTile.idx.in_(ix)) for lv, ix in levels.items()))
            )
        )
        cache.update(((level, index), hashes) for level, index, hashes in rows)

    def read(level: int, index: int) -> bytes:
        found = cache.get((level, index))
        if found is None:
            found = cache[level, index] = (
                session.scalar(
                    select(LogTile.hashes).where(LogTile.level == level, LogTile.idx == index)
                )
                or b""
            )
        return found

    return read
