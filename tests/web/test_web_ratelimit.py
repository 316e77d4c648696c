"""Per-key rate limits (GCRA) on a fake clock, and the headers a refused client reads."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vouchy.web.ratelimit import Decision, RateLimited, RateLimiter


class FakeClock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def limiter(rate: int = 10, period_s: float = 1.0, burst: int | None = None) -> tuple:
    clock = FakeClock()
    return RateLimiter(rate, period_s, burst=burst, clock=clock), clock


def test_a_full_burst_passes_and_the_next_request_is_refused() -> None:
    limits, _ = limiter(rate=10, burst=5)
    answers = [limits.check("k") for _ in range(6)]
    assert [a.allowed for a in answers] == [True] * 5 + [False]
    assert [a.remaining for a in answers] == [4, 3, 2, 1, 0, 0]


def test_the_refusal_says_when_to_retry_and_waiting_that_long_is_enough() -> None:
    limits, clock = limiter(rate=2, period_s=1.0, burst=2)
    limits.check("k")
    limits.check("k")
    refused = limits.check("k")
    assert not refused.allowed
    assert refused.retry_after_s == pytest.approx(0.5)
    assert refused.headers()["Retry-After"] == "1"  # whole seconds, rounded up
    clock.advance(refused.retry_after_s)
    assert limits.check("k").allowed


def test_a_request_just_before_its_time_is_still_refused() -> None:
    limits, clock = limiter(rate=1, period_s=10.0, burst=1)
    limits.check("k")
    clock.advance(9.9)
    assert not limits.check("k").allowed
    clock.advance(0.1)
    assert limits.check("k").allowed


def test_a_refused_request_consumes_nothing() -> None:
    limits, clock = limiter(rate=1, period_s=1.0, burst=1)
    limits.check("k")
    for _ in range(50):
        assert not limits.check("k").allowed
    clock.advance(1.0)
    assert limits.check("k").allowed


def test_keys_have_their_own_buckets() -> None:
    limits, _ = limiter(rate=1, burst=1)
    assert limits.check("shop").allowed
    assert not limits.check("shop").allowed
    assert limits.check("dashboard").allowed


def test_the_bucket_refills_one_request_per_interval() -> None:
    limits, clock = limiter(rate=4, period_s=1.0, burst=4)
    for _ in range(4):
        limits.check("k")
    clock.advance(0.5)  # two intervals of 0.25 s
    answer = limits.check("k")
    assert answer.allowed and answer.remaining == 1


def test_reset_is_the_time_until_the_bucket_is_full_again() -> None:
    limits, _ = limiter(rate=10, period_s=60.0, burst=10)  # one request per 6 s
    for _ in range(3):
        answer = limits.check("k")
    assert answer.reset_s == pytest.approx(18.0)
    assert answer.headers() == {
        "X-RateLimit-Limit": "10",
        "X-RateLimit-Remaining": "7",
        "X-RateLimit-Reset": "18",
    }


def test_an_allowed_answer_has_no_retry_after_and_a_refused_one_has_at_least_one_second() -> None:
    limits, _ = limiter(rate=1000, burst=1)
    assert "Retry-After" not in limits.check("k").headers()
    refused = limits.check("k")
    assert refused.retry_after_s == pytest.approx(0.001)
    assert refused.headers()["Retry-After"] == "1"


def test_a_costly_request_needs_that_many_tokens() -> None:
    limits, _ = limiter(rate=10, burst=5)
    assert limits.check("k", cost=3).remaining == 2
    refused = limits.check("k", cost=3)
    assert not refused.allowed and refused.remaining == 2


def test_idle_keys_are_forgotten_when_too_many_are_tracked() -> None:
    clock = FakeClock()
    limits = RateLimiter(10, burst=10, clock=clock, max_tracked=3)
    for key in "abc":
        limits.check(key)
    clock.advance(10.0)
    limits.check("d")
    assert limits.tracked() == 1


def test_forgetting_a_key_gives_it_a_full_bucket() -> None:
    limits, _ = limiter(rate=1, burst=1)
    limits.check("k")
    limits.forget("k")
    assert limits.check("k").allowed


def test_rate_limited_carries_the_decision_and_says_how_long_to_wait() -> None:
    refused = Decision(allowed=False, limit=5, remaining=0, reset_s=12.0, retry_after_s=2.2)
    error = RateLimited(refused)
    assert error.code == "rate_limited"
    assert error.message == "Too many requests with this key. Try again in 3 s."
    assert error.text("fr") == "Trop de requêtes avec cette clé. Réessaie dans 3 s."


def test_bad_limits_are_refused_at_construction() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0)
    with pytest.raises(ValueError):
        RateLimiter(1, burst=0)


@settings(max_examples=200, deadline=None)
@given(
    rate=st.integers(1, 20),
    burst=st.integers(1, 20),
    gaps=st.lists(st.floats(0, 0.5, allow_nan=False), min_size=1, max_size=200),
)
def test_no_window_lets_more_through_than_the_burst_plus_the_refill(
    rate: int, burst: int, gaps: list[float]
) -> None:
    clock = FakeClock(0.0)
    limits = RateLimiter(rate, 1.0, burst=burst, clock=clock)
    passed: list[float] = []
    for gap in gaps:
        clock.advance(gap)
        if limits.check("k").allowed:
            passed.append(clock.now)
    interval = 1.0 / rate
    for i, start in enumerate(passed):
        for j in range(i, len(passed)):
            window = passed[j] - start
            assert j - i + 1 <= burst + window / interval + 1e-6
