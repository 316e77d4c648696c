"""The pacer in front of the publisher: no window of one second ever sees more request starts
than the configured rate, starts are at least ``1/rate`` apart (plus optional jitter), at most
``max_concurrency`` requests are in flight, and a host-wide Retry-After holds every start.

The clock and the sleep are parameters, so tests drive it with a fake clock; in production they
are ``time.monotonic`` and ``asyncio.sleep``. Waiters are served in arrival order.
"""

from __future__ import annotations

import asyncio
import collections
import math
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from vouchy.core.errors import ConfigError

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class Pacer:
    """Starts at most ``per_window`` requests in any ``window_s`` (one second by default)."""

    def __init__(
        self,
        rate_per_s: float,
        *,
        max_concurrency: int = 2,
        window_s: float = 1.0,
        jitter_s: float = 0.0,
        rng: random.Random | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if not (math.isfinite(rate_per_s) and rate_per_s > 0):
            raise ConfigError("giftcodes.config_policy", setting="rate", value=str(rate_per_s))
        if max_concurrency < 1:
            raise ConfigError(
                "giftcodes.config_policy", setting="max_concurrency", value=str(max_concurrency)
            )
        if not (window_s > 0 and jitter_s >= 0):
            raise ConfigError("giftcodes.config_policy", setting="window", value=str(window_s))
        self.rate = rate_per_s
        self.window_s = window_s
        # A fractional rate (0.5/s) still allows one start per window, spaced by the gap.
        self.per_window = max(1, math.floor(rate_per_s * window_s + 1e-9))
        self.gap_s = 1.0 / rate_per_s
        self.jitter_s = jitter_s
        self._rng = rng or random.Random()
        self._clock = clock
        self._sleep = sleep
        self._recent: collections.deque[float] = collections.deque(maxlen=self.per_window)
        self._next_at = -math.inf
        self._hold_until = -math.inf
        self._turn = asyncio.Lock()
        self._slots = asyncio.Semaphore(max_concurrency)
        self.started = 0

    def hold(self, seconds: float) -> None:
        """Start nothing for ``seconds`` (a Retry-After that speaks for the whole host)."""
        if seconds > 0:
            self._hold_until = max(self._hold_until, self._clock() + seconds)

    def ready_at(self) -> float:
        """The earliest time the next start is allowed (clock units)."""
        window_free = (
            self._recent[0] + self.window_s if len(self._recent) >= self.per_window else -math.inf
        )
        return max(self._next_at, self._hold_until, window_free)

    def _allowed(self, now: float) -> bool:
        # Compared by difference, as anyone measuring the starts afterwards would.
        full = len(self._recent) >= self.per_window
        return (
            now >= self._hold_until
            and now >= self._next_at
            and not (full and now - self._recent[0] < self.window_s)
        )

    async def wait_turn(self) -> float:
        """Wait until a start is allowed, record it, and return its time."""
        # Invariant: among any per_window + 1 consecutive starts, the first and the last are at
        # least window_s apart, so no window of window_s holds more than per_window starts.
        async with self._turn:
            while True:
                now = self._clock()
                if self._allowed(now):
                    break
                # Re-check after sleeping: a timer may fire a little early.
                await self._sleep(max(self.ready_at() - now, 1e-6))
            self._recent.append(now)
            extra = self._rng.uniform(0.0, self.jitter_s) if self.jitter_s else 0.0
            self._next_at = now + self.gap_s + extra
            self.started += 1
            return now

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[float]:
        """Hold one of ``max_concurrency`` slots for the request, started at a paced time."""
        async with self._slots:
            yield await self.wait_turn()
