"""Group commit for the audit trail: writer threads, one statement per group of rows.

Each audit row must be committed (and durable: the commit waits for its WAL flush, ~1–4 ms
here, far more when other work loads the disk) before its response leaves. Committing each
request alone would make that flush the floor of every lookup and cap the service near 250
requests/s; here the rows of the requests that arrive while one commit is under way share the
next, so each still waits for its own row to be on disk but the flushes are shared.

Two lanes, each a thread with its own connection: rows naming many identifiers (a batch check's
10,000) go to the *bulk* lane, all others to the *lookup* lane. Inserting a 10,000-identifier
row (its GIN index entries, its TOAST) takes 30–50 ms; in a shared group commit every lookup
that arrived meanwhile would wait for it. A group is one multi-row ``INSERT`` in autocommit, so
its commit costs one round trip. On shutdown :meth:`AuditWriter.close` commits what is still
queued before returning (uvicorn first lets the requests in flight finish, and each of those
waits for its own row); a row offered after that is refused (the caller answers 503, never
unlogged).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time

import psycopg

from hub.share.audit import COLUMNS, AuditEntry, audit_row
from hub.share.database import usable

log = logging.getLogger(__name__)

_MAX_GROUP = 500
"""Most rows in one INSERT (11 parameters each: well under PostgreSQL's 65,535)."""

BULK_IDENTIFIERS = 100
"""Rows naming more identifiers than this are written by the bulk lane."""

SLOW_COMMIT_S = 0.1
"""A group commit taking longer than this is logged (a warning naming the rows and the time)."""

_STOP = object()


def _insert(n: int) -> str:
    row = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    return f"insert into audit.request_log ({', '.join(COLUMNS)}) values " + ", ".join([row] * n)


class _Lane:
    """One writer thread and its connection: rows queued meanwhile are committed together."""

    def __init__(self, conninfo: str, name: str):
        self._conninfo = conninfo
        self._conn: psycopg.Connection | None = None
        self._queue: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def offer(self, row: tuple, loop: asyncio.AbstractEventLoop) -> asyncio.Future | None:
        """Queue a row; the future says whether it was committed (None: the lane is closed)."""
        done = loop.create_future()
        with self._lock:
            if self._closed:
                return None
            self._queue.put((row, loop, done))
        return done

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._queue.put(_STOP)
        self._thread.join()
        if self._conn is not None:
            self._conn.close()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            group = [self._queue.get()]
            while len(group) < _MAX_GROUP:
                try:
                    group.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if group[-1] is _STOP:  # nothing is queued after it (see offer/close)
                group.pop()
                stopping = True
            if group:
                ok = self._commit([row for row, _, _ in group])
                for _, loop, done in group:
                    loop.call_soon_threadsafe(_settle, done, ok)

    def _commit(self, rows: list[tuple]) -> bool:
        params = [value for row in rows for value in row]
        try:
            if not usable(self._conn):
                if self._conn is not None:
                    self._conn.close()
                self._conn = psycopg.connect(self._conninfo, autocommit=True)
            started = time.perf_counter()
            self._conn.execute(_insert(len(rows)), params)
            took = time.perf_counter() - started
            if took >= SLOW_COMMIT_S:
                # Almost always the WAL flush waiting on a disk that other work keeps busy.
                log.warning("audit commit of %d rows took %.0f ms", len(rows), took * 1000)
            return True
        except Exception:
            log.exception("audit rows could not be written")
            # Not retried (the rows may be in); the next group opens a fresh connection.
            if self._conn is not None and self._conn.broken:
                self._conn.close()
            return False


def _settle(done: asyncio.Future, ok: bool) -> None:
    if not done.done():
        done.set_result(ok)


class AuditWriter:
    """Commits audit rows in groups: a lookup lane and a bulk lane (batch checks)."""

    def __init__(self, conninfo: str):
        self._lookup = _Lane(conninfo, "audit-writer")
        self._bulk = _Lane(conninfo, "audit-writer-bulk")

    async def write(
        self, entry: AuditEntry, status: int, error_code: str | None, duration_ms: float
    ) -> bool:
        """True once the row is committed; False if it could not be written."""
        lane = self._bulk if len(entry.identifiers) > BULK_IDENTIFIERS else self._lookup
        # The row is queued before waiting: a caller that goes away still leaves its row.
        done = lane.offer(
            audit_row(entry, status, error_code, duration_ms), asyncio.get_running_loop()
        )
        return done is not None and await asyncio.shield(done)

    def close(self) -> None:
        """Commit every row still queued, then close the connections."""
        self._lookup.close()
        self._bulk.close()
