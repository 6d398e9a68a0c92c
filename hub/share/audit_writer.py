"""Group commit for the audit trail: one writer thread, one transaction per batch of requests.

Each audit row must be durable before its response leaves, and a commit costs an fsync (~4 ms
here). Committing each request alone would make that the floor of every lookup and cap the
service near 250 requests/s; here the requests that arrive while one commit is under way share
the next, so each still waits for its own row to be on disk but the fsyncs are shared.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading

from hub.share.audit import INSERT, AuditEntry, audit_row
from hub.share.database import Pool

log = logging.getLogger(__name__)

_MAX_BATCH = 500
_STOP = object()


class AuditWriter:
    def __init__(self, pool: Pool):
        self._pool = pool
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self._thread.start()

    async def write(
        self, entry: AuditEntry, status: int, error_code: str | None, duration_ms: float
    ) -> bool:
        """True once the row is committed; False if it could not be written."""
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        self._queue.put((audit_row(entry, status, error_code, duration_ms), loop, done))
        return await done

    def close(self) -> None:
        self._queue.put(_STOP)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            batch = [item]
            while len(batch) < _MAX_BATCH:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is _STOP:
                    self._queue.put(_STOP)
                    break
                batch.append(nxt)
            ok = self._commit([row for row, _, _ in batch])
            for _, loop, done in batch:
                loop.call_soon_threadsafe(_settle, done, ok)

    def _commit(self, rows: list[tuple]) -> bool:
        try:
            with self._pool.connection() as conn, conn.transaction():
                conn.cursor().executemany(INSERT, rows)
            return True
        except Exception:
            log.exception("audit rows could not be written")
            return False


def _settle(done: asyncio.Future, ok: bool) -> None:
    if not done.done():
        done.set_result(ok)
