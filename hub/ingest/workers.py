"""Check the chunks of a big delivery in worker processes, handing the results back in order.

The loading process reads the file, streams COPY and keeps the one transaction; checking a
chunk (``ChunkValidator.check``: standardization, reasons, flags, the staged columns) needs no
database and no other chunk, so it runs in a pool of worker processes, one per core, while the
loading process comparing chunks with their predecessors (``resolve``) and COPY keep the
server busy. The workers also render the chunk's COPY text (``render``), so the loading process
only cuts out or patches the few rows ``resolve_rendered`` finds repeated, and streams bytes. Chunks travel as Arrow tables (cheap to pickle); results come back in file order.

Workers are forked (the contract, mapping and loaded standardizers come along for free) and
die with the loading process: a killed load leaves no worker behind.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from hub.ingest.readers import RawChunk
from hub.ingest.validate import CheckedChunk, ChunkValidator

_validator: ChunkValidator | None = None


def worker_count() -> int:
    """One worker per core the process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _die_with_parent() -> None:
    """Linux: ask the kernel to kill this worker when the loading process dies (even by
    SIGKILL), so that a killed load never leaves workers waiting for chunks."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: best effort
            pass


def _start(validator: ChunkValidator, parent: int) -> None:
    global _validator
    _die_with_parent()
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    _validator = validator


def _check(chunk: RawChunk) -> CheckedChunk:
    """Check the chunk and render its COPY text (``ChunkValidator.render``) where possible."""
    assert _validator is not None
    checked = _validator.check(chunk)
    _validator.render(chunk, checked)
    return checked


def checked_in_parallel(
    validator: ChunkValidator, chunks: Iterable[RawChunk], workers: int
) -> Iterator[tuple[RawChunk, CheckedChunk]]:
    """``(chunk, validator.check(chunk))`` for each chunk, in order, checked by ``workers``
    processes, with the COPY text rendered (``validator.render``) where possible. At most ``workers + 1`` chunks are in flight, which bounds memory."""
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - no fork on this platform
        context = multiprocessing.get_context()
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start,
        initargs=(validator, os.getpid()),
    ) as pool:
        pending: deque[tuple[RawChunk, Future]] = deque()
        for chunk in chunks:
            # The worker needs the rows and their numbers, not the original JSON objects.
            shipped = RawChunk(chunk.table, chunk.source_rows, [], None)
            pending.append((chunk, pool.submit(_check, shipped)))
            while len(pending) > workers or (pending and pending[0][1].done()):
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
