"""Per-key rate limits (GCRA, the generic cell rate algorithm) and the headers that tell them.

A limit is a bucket of ``burst`` requests that refills one request every ``period_s / rate``
seconds. GCRA keeps a single number per key (the theoretical arrival time, TAT) instead of a
token count and a timestamp, and needs no timer: a key idle long enough is indistinguishable
from a new one and is forgotten. A refused request consumes nothing.

Headers (every answer to a key, not only 429s):

- ``X-RateLimit-Limit``: the bucket's size (``burst``): requests that may be sent at once.
- ``X-RateLimit-Remaining``: requests that may be sent right now.
- ``X-RateLimit-Reset``: whole seconds until the bucket is full again (a delay, not a date,
  as in the IETF RateLimit header draft: it needs no clock agreement with the client).
- ``Retry-After`` (429 only): whole seconds, at least 1, after which the same request passes.

Seconds are rounded up, so a client that waits what it is told is never refused for waiting
a fraction too little. State lives in memory, per process: a restart forgets it, which can
only let a burst through early, never refuse a request wrongly.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import msgspec

from vouchy.core.errors import VouchyError
from vouchy.web import texts as _texts  # noqa: F401  (registers the web.* texts)

Clock = Callable[[], float]
_EPSILON = 1e-9  # float noise: 0.30000000000000004 s is 0.3 s, not 1 s after rounding up


def _whole_seconds(seconds: float) -> int:
    return max(0, math.ceil(seconds - _EPSILON))


class Decision(msgspec.Struct, frozen=True, kw_only=True):
    """One request's outcome under a limit."""

    allowed: bool
    limit: int
    remaining: int
    reset_s: float  # until the bucket is full again
    retry_after_s: float  # until this request would pass; 0 when allowed

    def headers(self) -> dict[str, str]:
        """``X-RateLimit-*``, plus ``Retry-After`` when refused."""
        out = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(_whole_seconds(self.reset_s)),
        }
        if not self.allowed:
            out["Retry-After"] = str(max(1, _whole_seconds(self.retry_after_s)))
        return out


class RateLimited(VouchyError):
    """Too many requests with one key (HTTP 429); ``decision`` holds the headers."""

    code = "rate_limited"

    def __init__(self, decision: Decision) -> None:
        seconds = max(1, _whole_seconds(decision.retry_after_s))
        super().__init__("web.rate_limited", seconds=seconds)
        self.decision = decision


class RateLimiter:
    """``rate`` requests per ``period_s`` seconds per key, with bursts of up to ``burst``
    (default ``rate``). ``clock`` is monotonic seconds (a fake one in tests)."""

    def __init__(
        self,
        rate: int,
        period_s: float = 1.0,
        *,
        burst: int | None = None,
        clock: Clock = time.monotonic,
        max_tracked: int = 100_000,
    ) -> None:
        if rate < 1 or period_s <= 0 or (burst is not None and burst < 1):
            raise ValueError("a rate limit needs rate >= 1, period_s > 0 and burst >= 1")
        self.limit = burst if burst is not None else rate
        self.interval = period_s / rate  # seconds for one request to refill
        self._capacity = self.interval * self.limit  # how far ahead the TAT may run
        self._clock = clock
        self._tat: dict[str, float] = {}
        self._max_tracked = max_tracked

    def check(self, key: str, cost: int = 1) -> Decision:
        """Count a request of ``cost`` (>= 1) against ``key`` if the bucket allows it."""
        # Invariant: over any window of w seconds a key passes at most limit + w / interval.
        now = self._clock()
        tat = max(self._tat.get(key, now), now)
        new_tat = tat + self.interval * cost
        allow_at = new_tat - self._capacity
        if now + _EPSILON < allow_at:
            remaining = int((self._capacity - (tat - now)) / self.interval + _EPSILON)
            return Decision(
                allowed=False,
                limit=self.limit,
                remaining=max(0, remaining),
                reset_s=tat - now,
                retry_after_s=allow_at - now,
            )
        self._tat[key] = new_tat
        if len(self._tat) > self._max_tracked:
            self._forget_idle(now)
        remaining = int((self._capacity - (new_tat - now)) / self.interval + _EPSILON)
        return Decision(
            allowed=True,
            limit=self.limit,
            remaining=max(0, remaining),
            reset_s=new_tat - now,
            retry_after_s=0.0,
        )

    def forget(self, key: str) -> None:
        """Drop a key's state (a revoked key)."""
        self._tat.pop(key, None)

    def tracked(self) -> int:
        return len(self._tat)

    def _forget_idle(self, now: float) -> None:
        # A key whose TAT is past is exactly a key never seen: dropping it changes nothing.
        for key in [k for k, tat in self._tat.items() if tat <= now]:
            del self._tat[key]
