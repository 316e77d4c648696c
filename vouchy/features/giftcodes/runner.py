"""The redemption loop that the gift-code actor runs: plan, journal the start, ask the publisher,
journal the answer's step, until nothing is left to try (or it is told to stop).

It holds no state of its own between calls: everything is in the ``RedemptionState`` it is given
and returns, and every change goes through ``on_step`` first, so the caller can write it through
the store before the request leaves (a start) or before it is acted on (an answer). It needs no
aiohttp: the publisher is anything with ``lookup`` and ``redeem`` (``provider.GiftCodeClient``).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol

from vouchy.core.logs import get_logger
from vouchy.features.giftcodes import rules
from vouchy.features.giftcodes.rules import Action, Policy, RedemptionState, Step

log = get_logger("vouchy.giftcodes")

OnStep = Callable[[Step], Awaitable[None]]


class Publisher(Protocol):
    async def lookup(self, fid: int) -> rules.Answer: ...

    async def redeem(self, fid: int, code: str, *, kid: int | None = None) -> rules.Answer: ...


def wall_ms() -> int:
    return int(time.time() * 1000)


async def _nothing(_step: Step) -> None:
    return None


async def run_until_settled(
    state: RedemptionState,
    publisher: Publisher,
    *,
    policy: Policy = rules.DEFAULT_POLICY,
    rng: random.Random | None = None,
    on_step: OnStep = _nothing,
    now_ms: Callable[[], int] = wall_ms,
    stop: asyncio.Event | None = None,
    health_every: int = 100,
) -> RedemptionState:
    """Redeem until every attempt is done or failed, the runner is stopped (signing error), or
    ``stop`` is set; in-flight requests are always waited for and their answers applied."""
    # Invariant: a request leaves only after on_step() returned for the step that started it.
    rng = rng or random.Random()
    running: dict[asyncio.Task[rules.Answer], Action] = {}

    async def ask(action: Action) -> rules.Answer:
        if action.kind == "refresh":
            return await publisher.lookup(action.fid)
        return await publisher.redeem(action.fid, action.code, kid=action.kid)

    try:
        return await _loop(state, ask, running, policy, rng, on_step, now_ms, stop, health_every)
    finally:
        # Leaving early (an error, a cancellation): no request outlives the loop.
        for task in running:
            task.cancel()


async def _loop(
    state: RedemptionState,
    ask: Callable[[Action], Coroutine[Any, Any, rules.Answer]],
    running: dict[asyncio.Task[rules.Answer], Action],
    policy: Policy,
    rng: random.Random,
    on_step: OnStep,
    now_ms: Callable[[], int],
    stop: asyncio.Event | None,
    health_every: int,
) -> RedemptionState:
    answers = 0
    while True:
        stopping = stop is not None and stop.is_set()
        plan = rules.Plan() if stopping else rules.next_actions(state, now_ms(), policy)
        for action in plan.actions:
            step = rules.start(state, action, now_ms(), policy)
            await on_step(step)
            state = step.state
            running[asyncio.create_task(ask(action))] = action
        if plan.actions:
            continue
        if not running and (stopping or plan.wake_ms is None):
            return state
        timeout = None if plan.wake_ms is None else max(0.0, (plan.wake_ms - now_ms()) / 1000)
        if not running:
            await _sleep(timeout, stop)
            continue
        done, _ = await asyncio.wait(running, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            action = running.pop(task)
            step = rules.apply(state, action, task.result(), now_ms(), rng, policy)
            await on_step(step)
            state = step.state
            answers += 1
            _log_events(step)
            if health_every and answers % health_every == 0:
                _health(state, answers)


async def _sleep(seconds: float | None, stop: asyncio.Event | None) -> None:
    if stop is None:
        await asyncio.sleep(seconds or 0)
        return
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass


def _log_events(step: Step) -> None:
    for event in step.events:
        if event.kind == "runner_backoff":
            log.warning("giftcode_backoff", reason=event.reason, until_ms=event.until_ms)
        elif event.kind == "runner_stopped":
            log.error("giftcode_redemption_stopped", reason=event.reason)
        elif event.kind == "code_stopped":
            log.info("giftcode_code_stopped", code=event.code, reason=event.reason)
        elif event.kind == "attempt_failed" and event.reason == "gave_up":
            log.warning("giftcode_gave_up", code=event.code, fid=event.fid)


def _health(state: RedemptionState, answers: int) -> None:
    counts = {status: 0 for status in rules.ATTEMPT_STATUSES}
    for attempt in state.attempts.values():
        counts[attempt.status] += 1
    log.info(
        "giftcode_health",
        answers=answers,
        runner=state.runner.status,
        consecutive_errors=state.runner.consecutive_errors,
        **counts,
    )
