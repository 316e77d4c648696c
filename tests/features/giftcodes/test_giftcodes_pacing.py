"""The pacer never lets a second hold more starts than its rate (fake clock), nor more requests
in flight than its concurrency."""

from __future__ import annotations

import asyncio
import random

import pytest

from vouchy.core.errors import ConfigError
from vouchy.features.giftcodes.pacing import Pacer


class FakeClock:
    """Time moves only when someone sleeps; a sleep may end up to ``early`` seconds early, as
    real timers sometimes do."""

    def __init__(self, early: float = 0.0, seed: int = 0) -> None:
        self.now = 1000.0
        self.early = early
        self.rng = random.Random(seed)
        self.sleeps = 0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        cut = self.rng.uniform(0, self.early) if self.early else 0.0
        self.now += seconds - cut if seconds > 2 * cut else seconds
        await asyncio.sleep(0)


def max_in_any_window(times: list[float], window: float = 1.0) -> int:
    """The most starts within any half-open window of ``window`` seconds."""
    times = sorted(times)
    best, left = 0, 0
    for right, t in enumerate(times):
        while t - times[left] >= window:
            left += 1
        best = max(best, right - left + 1)
    return best


async def test_no_second_ever_holds_more_starts_than_the_rate() -> None:
    clock = FakeClock()
    pacer = Pacer(5, max_concurrency=10, clock=clock, sleep=clock.sleep)
    starts = [await pacer.wait_turn() for _ in range(60)]
    assert max_in_any_window(starts) == 5
    assert starts[-1] - starts[0] == pytest.approx(59 / 5)


async def test_timers_that_fire_early_never_break_the_rate() -> None:
    clock = FakeClock(early=0.05, seed=3)
    pacer = Pacer(3, max_concurrency=10, clock=clock, sleep=clock.sleep)
    starts = [await pacer.wait_turn() for _ in range(90)]
    assert max_in_any_window(starts) <= 3
    assert all(b - a >= 1 / 3 - 1e-9 for a, b in zip(starts, starts[1:], strict=False))


async def test_concurrent_callers_share_the_rate() -> None:
    clock = FakeClock()
    pacer = Pacer(4, max_concurrency=3, clock=clock, sleep=clock.sleep)
    starts: list[float] = []

    async def caller() -> None:
        for _ in range(10):
            starts.append(await pacer.wait_turn())

    await asyncio.gather(*(caller() for _ in range(5)))
    assert len(starts) == 50
    assert max_in_any_window(starts) <= 4


async def test_a_fractional_rate_spaces_starts_further_apart() -> None:
    clock = FakeClock()
    pacer = Pacer(0.5, clock=clock, sleep=clock.sleep)
    starts = [await pacer.wait_turn() for _ in range(4)]
    assert [round(b - a, 6) for a, b in zip(starts, starts[1:], strict=False)] == [2.0, 2.0, 2.0]


async def test_jitter_only_ever_adds_waiting() -> None:
    clock = FakeClock()
    pacer = Pacer(2, jitter_s=0.3, rng=random.Random(5), clock=clock, sleep=clock.sleep)
    starts = [await pacer.wait_turn() for _ in range(20)]
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert all(0.5 - 1e-9 <= g <= 0.8 + 1e-9 for g in gaps)
    assert len({round(g, 6) for g in gaps}) > 1


async def test_a_hold_stops_every_start_until_it_ends() -> None:
    clock = FakeClock()
    pacer = Pacer(10, clock=clock, sleep=clock.sleep)
    first = await pacer.wait_turn()
    pacer.hold(30)
    second = await pacer.wait_turn()
    assert second - first >= 30


async def test_never_more_in_flight_than_the_concurrency() -> None:
    clock = FakeClock()
    pacer = Pacer(1000, max_concurrency=2, clock=clock, sleep=clock.sleep)
    in_flight = peak = 0

    async def request() -> None:
        nonlocal in_flight, peak
        async with pacer.slot():
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.001)
            in_flight -= 1

    await asyncio.gather(*(request() for _ in range(12)))
    assert peak == 2 and pacer.started == 12


def test_an_impossible_rate_is_a_config_error() -> None:
    for rate in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ConfigError):
            Pacer(rate)
    with pytest.raises(ConfigError):
        Pacer(1, max_concurrency=0)
