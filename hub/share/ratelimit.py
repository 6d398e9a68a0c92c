"""Per-department rate limits: a token bucket per department, in this process.

Each request takes one token; a bucket refills at ``per_second`` up to ``burst``. In-process is
enough for one ``hub serve`` process; with N workers each holds its own buckets, so the
effective limit is N× — documented in docs/share.md, and the reason the default is one worker.
"""

from __future__ import annotations

import threading
import time


class TokenBucket:
    def __init__(self, per_second: float, burst: int):
        self.per_second = per_second
        self.burst = burst
        self._tokens = float(burst)
        self._at = time.monotonic()
        self._lock = threading.Lock()

    def take(self) -> float:
        """0.0 if a token was taken, else the seconds until one will be there."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.per_second)
            self._at = now
            if self._tokens >= 1:
                self._tokens -= 1
                return 0.0
            return (1 - self._tokens) / self.per_second


class RateLimiter:
    """One bucket per department, created on first use with its declared or default limit."""

    def __init__(self, per_second: float, burst: int):
        self._default = (per_second, burst)
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def take(self, department: str, limit: tuple[float, int] | None = None) -> float:
        bucket = self._buckets.get(department)
        if bucket is None:
            with self._lock:
                bucket = self._buckets.setdefault(
                    department, TokenBucket(*(limit or self._default))
                )
        return bucket.take()
