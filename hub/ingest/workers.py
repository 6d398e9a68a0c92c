"""Check the chunks of a big delivery in worker processes, handing the results back in order.

The loading process keeps the one transaction and streams COPY; checking a chunk
(``ChunkValidator.check``: standardization, reasons, flags, the staged columns) needs no
database and no other chunk, so it runs in a pool of worker processes, one per core, while the
loading process compares chunks with their predecessors (``resolve``) and COPY keeps the server
busy. The workers also render the chunk's COPY text (``render``), so the loading process only
cuts out or patches the few rows ``resolve_rendered`` finds repeated, and streams bytes.

A CSV file planned in segments (``hub.ingest.segments``) is decoded and parsed by the workers
too (``segments_in_parallel``): they read the file's bytes shared at fork and hand the COPY text
back in shared memory. Other files are read by the loading process and their chunks travel to
the workers as Arrow tables (``checked_in_parallel``). Results come back in file order.

Workers are forked (the contract, mapping and loaded standardizers come along for free) and
die with the loading process: a killed load leaves no worker behind.
"""

from __future__ import annotations

import ctypes
import mmap
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from hub.ingest.readers import RawChunk, broken_row
from hub.ingest.segments import CsvPlan, ParsedSegment, parse_segment
from hub.ingest.validate import CheckedChunk, ChunkValidator

_validator: ChunkValidator | None = None
_plan: CsvPlan | None = None
_slots: list[mmap.mmap] | None = None
# Shared memory for a segment's COPY text: this many times its bytes in the file (the staged
# columns repeat each raw value beside its standard form); a bigger text goes through the pipe.
SLOT_FACTOR = 6
# Segments in flight beyond one per worker, so that a worker always has the next one queued.
SEGMENTS_AHEAD = 1


def worker_count() -> int:
    """One worker per core the process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def die_with_parent() -> None:
    """Linux: ask the kernel to kill this worker when the loading process dies (even by
    SIGKILL), so that a killed load never leaves workers waiting for chunks."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: best effort
            pass


def _start(
    validator: ChunkValidator,
    parent: int,
    plan: CsvPlan | None = None,
    slots: list[mmap.mmap] | None = None,
) -> None:
    global _validator, _plan, _slots
    die_with_parent()
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    _validator = validator
    _plan = plan
    _slots = slots


def _check(chunk: RawChunk) -> CheckedChunk:
    """Check the chunk and render its COPY text (``ChunkValidator.render``) where possible."""
    assert _validator is not None
    checked = _validator.check(chunk)
    _validator.render(chunk, checked)
    return checked


def _parse_and_check(index: int, slot: int) -> ParsedSegment:
    """Decode, parse and check segment ``index`` of the plan, and render its COPY text into
    shared memory ``slot`` (where it fits: else it travels back with the result)."""
    assert _validator is not None and _plan is not None
    parsed = parse_segment(_plan, _plan.segments[index], broken_row)
    chunk = RawChunk(parsed.table, parsed.source_rows)
    checked = parsed.checked = _check(chunk)
    parsed.table = None  # not sent back: the loading process rereads the few it quarantines
    text = checked.copy_text
    if text is not None and _slots and len(text) <= len(_slots[slot]):
        _slots[slot][: len(text)] = text
        parsed.slot, parsed.slot_bytes = slot, len(text)
        checked.copy_text = b""
    return parsed


def _pool(
    validator: ChunkValidator,
    workers: int,
    plan: CsvPlan | None,
    slots: list[mmap.mmap] | None = None,
) -> ProcessPoolExecutor:
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - no fork on this platform
        context = multiprocessing.get_context()
    # Forked, the workers share the plan's bytes with the loading process: nothing is copied.
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start,
        initargs=(validator, os.getpid(), plan, slots),
    )


def segments_in_parallel(
    validator: ChunkValidator, plan: CsvPlan, workers: int
) -> Iterator[ParsedSegment]:
    """Each segment of ``plan`` decoded, parsed and checked by ``workers`` processes
    (``_parse_and_check``), in order; at most ``workers + SEGMENTS_AHEAD`` in flight.

    The COPY text of a segment comes back in shared memory (``ParsedSegment.copy_text``), not
    through a pipe: a slot per segment in flight, one for the segment being resolved and one
    for the segment being copied, which the caller finishes before asking for the segment
    after next. The slots are anonymous memory: they vanish with the processes."""
    biggest = max(segment.end - segment.start for segment in plan.segments)
    ahead = workers + SEGMENTS_AHEAD
    slots = [mmap.mmap(-1, SLOT_FACTOR * biggest + (64 << 10)) for _ in range(ahead + 2)]
    with _pool(validator, workers, plan, slots) as pool:
        pending: deque[Future] = deque()
        for segment in plan.segments:
            slot = segment.index % len(slots)
            pending.append(pool.submit(_parse_and_check, segment.index, slot))
            while len(pending) > ahead or (pending and pending[0].done()):
                yield _with_copy_text(pending.popleft().result(), slots)
        while pending:
            yield _with_copy_text(pending.popleft().result(), slots)


def _with_copy_text(parsed: ParsedSegment, slots: list[mmap.mmap]) -> ParsedSegment:
    if parsed.slot is not None:
        parsed.checked.copy_text = memoryview(slots[parsed.slot])[: parsed.slot_bytes]
    return parsed


def checked_in_parallel(
    validator: ChunkValidator, chunks: Iterable[RawChunk], workers: int
) -> Iterator[tuple[RawChunk, CheckedChunk]]:
    """``(chunk, validator.check(chunk))`` for each chunk, in order, checked by ``workers``
    processes, with the COPY text rendered (``validator.render``) where possible. At most
    ``workers + 1`` chunks are in flight, which bounds memory."""
    with _pool(validator, workers, None) as pool:
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
