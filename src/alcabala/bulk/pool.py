"""Checking import rows in chunks: in this process, or in a pool of worker processes.

What: the rows of an import are cut into chunks (:data:`CHUNK_ROWS` rows each, so that
pickling a chunk costs little next to checking it) and each chunk goes through its codec's
:meth:`~alcabala.bulk.codec.Codec.check`, the part of a row's validation that needs
nothing but the row: the schema, the identifier checks, normalization. What comes back is,
for each row in order, the checked value or a :class:`Refused` with the row's problems;
the importing process zips it with the chunk's line numbers, so every error keeps its line.
The registry rules that need facts (duplicates, lookups) run afterwards in the importing
process, in line order (:meth:`~alcabala.bulk.codec.Codec.resolve`).

Why a pool: checking is most of an import's CPU time and is the same pure function for
every row, so it spreads over cores. The design is safe for ``spawn`` and ``forkserver``
(the default here): the worker entry point :func:`check_chunk` is a module-level function
and the task carries all it needs, the codec's kind and the rows; a worker builds its own
codec from the kind and keeps nothing of the parent's. ``jobs=1`` checks in-process, with
the same function and no pool. As with any ``multiprocessing`` program, a script that
imports with ``jobs`` > 1 must guard its entry point with ``if __name__ == "__main__":``
(the fork server imports the main module once, so that workers start in milliseconds).
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from alcabala.bulk.codec import Codec, RowProblems, problems_of
from alcabala.bulk.kinds import codec_for
from alcabala.errors import Error

CHUNK_ROWS = 10_000
#: A pool starts once this many chunks are known to come: starting workers takes about
#: half a second, worth it only for a file of several chunks.
POOL_MIN_CHUNKS = 4
START_METHOD = "forkserver"  # safe with threads (Rich's refresher); spawn where missing


@dataclass(frozen=True, slots=True)
class Refused:
    """A row that failed its check: ``(field, reason, code)`` problems, as RowProblems."""

    problems: list[tuple[str, str, str]]


def check_rows(codec: Codec, rows: list[dict[str, Any]]) -> list[Any]:
    """Each row checked by ``codec``, in order: its checked value or a :class:`Refused`."""
    out: list[Any] = []
    append, check = out.append, codec.check
    for row in rows:
        try:
            append(check(row))
        except RowProblems as exc:
            append(Refused(exc.problems))
        except Error as exc:
            append(Refused(problems_of(exc).problems))
    return out


_WORKER_CODECS: dict[str, Codec] = {}


def check_chunk(kind: str, rows: list[dict[str, Any]]) -> list[Any]:
    """The pool's task: :func:`check_rows` with the worker's own codec for ``kind``."""
    codec = _WORKER_CODECS.get(kind)
    if codec is None:
        codec = _WORKER_CODECS[kind] = codec_for(kind)
    return check_rows(codec, rows)


def _warm_up(kind: str) -> None:
    """Make a new worker import and build its codec while the importer prepares."""
    check_chunk(kind, [])


def _context(method: str | None) -> multiprocessing.context.BaseContext:
    method = method or START_METHOD
    if method not in multiprocessing.get_all_start_methods():
        method = "spawn"
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        # The fork server imports the codecs once; each worker forks from it ready to go.
        ctx.set_forkserver_preload(["__main__", __name__])
    return ctx


class Checker:
    """Checks chunks of rows for one import, in-process or, with ``jobs`` > 1 and a codec
    that can (``parallel``), in a pool of that many workers, started as soon as the import
    is known to span :data:`POOL_MIN_CHUNKS` chunks. Use as a context manager, so that the
    pool is shut down."""

    def __init__(self, codec: Codec, jobs: int = 1, start_method: str | None = None) -> None:
        self.codec, self.jobs, self.start_method = codec, max(1, jobs), start_method
        self.pooled = self.jobs > 1 and codec.parallel
        self._pool: Executor | None = None
        self.chunks = 0  # submitted so far
        self.workers = 0  # worker processes started (0: all checked in-process)

    @property
    def window(self) -> int:
        """How many chunks may be in flight: enough to keep every worker busy."""
        return self.jobs + 1 if self._pool is not None else 1

    def start(self, chunks_hint: int | None = None) -> None:
        """Start the workers now if the import will span enough chunks (they then warm up
        while the importer prepares)."""
        if not self.pooled or self._pool is not None:
            return
        if (chunks_hint if chunks_hint is not None else self.chunks) < POOL_MIN_CHUNKS:
            return
        pool = ProcessPoolExecutor(self.jobs, mp_context=_context(self.start_method))
        self._pool, self.workers = pool, self.jobs
        for _ in range(self.jobs):
            pool.submit(_warm_up, self.codec.kind)

    def submit(self, rows: list[dict[str, Any]]) -> Future[list[Any]]:
        """The checked chunk, as a future: computed at once in-process, else by a worker."""
        self.chunks += 1
        self.start()
        if self._pool is not None:
            return self._pool.submit(check_chunk, self.codec.kind, rows)
        done: Future[list[Any]] = Future()
        try:
            done.set_result(check_rows(self.codec, rows))
        except BaseException as exc:
            done.set_exception(exc)
        return done

    def close(self, cancel: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=cancel)
            self._pool = None

    def __enter__(self) -> Checker:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: Any) -> None:
        self.close(cancel=exc_type is not None)
