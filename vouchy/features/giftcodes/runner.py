"""The redemption loop that the gift-code actor runs: plan, store the start, ask the publisher,
store the answer, until nothing is left to try (or, for the actor, forever, until stopped).

``Redeemer`` holds the state (``rules.RedemptionState``) and changes it only inside a *turn*
(the gift-code owner's, so that commands changing the same rows wait their turn), and only
after ``commit`` returned for the steps that lead to the new state: a start is stored before
its request leaves, an answer before anything acts on it. Answers whose step could not be
stored are kept and applied again on the next turn; nothing is sent meanwhile. It needs no
aiohttp: the publisher is anything with ``lookup`` and ``redeem`` (``provider.GiftCodeClient``).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, Protocol, TypeVar

from vouchy.core.errors import VouchyError
from vouchy.core.logs import get_logger
from vouchy.features.giftcodes import rules
from vouchy.features.giftcodes.rules import Action, Answer, Policy, RedemptionState, Step

log = get_logger("vouchy.giftcodes")

T = TypeVar("T")
OnStep = Callable[[Step], Awaitable[None]]
# Store these steps, which lead from the current state to ``after``; raise if not stored.
Commit = Callable[[Sequence[Step], RedemptionState], Awaitable[None]]
# Run a job in the owner's turn (one at a time, in order).
Turn = Callable[[Callable[[], Awaitable[Any]]], Awaitable[Any]]

MAX_COMMIT_PAUSE_S = 30.0


class Publisher(Protocol):
    async def lookup(self, fid: int) -> rules.Answer: ...

    async def redeem(self, fid: int, code: str, *, kid: int | None = None) -> rules.Answer: ...


def wall_ms() -> int:
    return int(time.time() * 1000)


async def _nothing(_step: Step) -> None:
    return None


class Redeemer:
    """The state of every (code, player) and the loop that moves it."""

    def __init__(
        self,
        state: RedemptionState,
        publisher: Publisher,
        *,
        commit: Commit,
        policy: Policy = rules.DEFAULT_POLICY,
        rng: random.Random | None = None,
        now_ms: Callable[[], int] = wall_ms,
        turn: Turn | None = None,
        health_every: int = 0,
    ) -> None:
        self.state = state
        self.publisher = publisher
        self.policy = policy
        self.rng = rng or random.Random()
        self.now_ms = now_ms
        self.health_every = health_every
        self.answers = 0  # answers applied since this Redeemer was made
        self.commit_failures = 0
        self._commit = commit
        self._lock = asyncio.Lock()
        self._turn: Turn = turn or self._locked
        self._wake = asyncio.Event()

    async def _locked(self, job: Callable[[], Awaitable[T]]) -> T:
        async with self._lock:
            return await job()

    async def in_turn(self, job: Callable[[], Awaitable[T]]) -> T:
        """Run ``job`` in the owner's turn: it may read ``self.state``, store a change, then
        set ``self.state``; no other turn runs meanwhile."""
        result: T = await self._turn(job)
        return result

    def wake(self) -> None:
        """Plan again now (a code or a player was added, the stop was asked for)."""
        self._wake.set()

    async def run(
        self, *, stop: asyncio.Event | None = None, forever: bool = False
    ) -> RedemptionState:
        """Redeem until every attempt is done or failed, or the runner is stopped (signing
        error), or (``forever``) until ``stop`` is set; requests in flight are always waited for
        and their answers stored."""
        # Invariant: a request leaves only after commit() returned for the step that started it.
        running: dict[asyncio.Task[Answer], Action] = {}
        answered: list[tuple[Action, Answer]] = []
        try:
            while True:
                stopping = stop is not None and stop.is_set()
                self._wake.clear()
                for task in [t for t in running if t.done()]:
                    answered.append((running.pop(task), task.result()))
                try:
                    sent, wake_ms = await self.in_turn(partial(self._advance, answered, stopping))
                except VouchyError as e:  # not stored: nothing was sent, the answers are kept
                    self.commit_failures += 1
                    pause = min(MAX_COMMIT_PAUSE_S, 0.25 * 2 ** min(self.commit_failures, 8))
                    log.error("giftcode_store_failed", error=repr(e), retry_in_s=pause)
                    await self._sleep(pause, stop if not stopping else None)
                    continue
                self.commit_failures = 0
                answered = []
                for action in sent:
                    running[asyncio.create_task(self._ask(action))] = action
                if sent:
                    continue
                if not running and (stopping or (wake_ms is None and not forever)):
                    return self.state
                timeout = None if wake_ms is None else max(0.0, (wake_ms - self.now_ms()) / 1000)
                await self._wait(running, timeout, None if stopping else stop)
        finally:
            # Leaving early (an error, a cancellation): no request outlives the loop.
            for task in running:
                task.cancel()

    async def _advance(
        self, answered: list[tuple[Action, Answer]], stopping: bool
    ) -> tuple[list[Action], int | None]:
        """One turn: apply the answers, start what the plan allows, store it all as one."""
        state = self.state
        now = self.now_ms()
        steps: list[Step] = []
        for action, answer in answered:
            step = rules.apply(state, action, answer, now, self.rng, self.policy)
            steps.append(step)
            state = step.state
        sent: list[Action] = []
        wake: int | None = None
        if not stopping:
            plan = rules.next_actions(state, now, self.policy)
            for action in plan.actions:
                step = rules.start(state, action, now, self.policy)
                steps.append(step)
                state = step.state
                sent.append(action)
            wake = plan.wake_ms
        if steps:
            await self._commit(steps, state)
        self.state = state
        for step in steps:
            _log_events(step)
        if answered:
            before = self.answers
            self.answers += len(answered)
            if (
                self.health_every
                and before // self.health_every != self.answers // self.health_every
            ):
                health(state, answers=self.answers)
        return sent, wake

    async def _ask(self, action: Action) -> Answer:
        try:
            if action.kind == "refresh":
                return await self.publisher.lookup(action.fid)
            return await self.publisher.redeem(action.fid, action.code, kid=action.kid)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # the adapter promises answers; a bug here is a network error
            log.error("giftcode_publisher_crashed", error=repr(e), code=action.code, fid=action.fid)
            return rules.transport_answer("network", msg=type(e).__name__)

    async def _wait(
        self,
        running: dict[asyncio.Task[Answer], Action],
        wait_s: float | None,
        stop: asyncio.Event | None,
    ) -> None:
        waiters: set[asyncio.Future[Any]] = set(running)
        woken = asyncio.ensure_future(self._wake.wait())
        waiters.add(woken)
        stopped = None
        if stop is not None:
            stopped = asyncio.ensure_future(stop.wait())
            waiters.add(stopped)
        try:
            await asyncio.wait(waiters, timeout=wait_s, return_when=asyncio.FIRST_COMPLETED)
        finally:
            woken.cancel()
            if stopped is not None:
                stopped.cancel()

    async def _sleep(self, seconds: float, stop: asyncio.Event | None) -> None:
        if stop is None:
            await asyncio.sleep(seconds)
            return
        try:
            await asyncio.wait_for(stop.wait(), seconds)
        except TimeoutError:
            pass


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
    ``stop`` is set; ``on_step`` is told every step, in order, before anything acts on it."""

    async def commit(steps: Sequence[Step], _after: RedemptionState) -> None:
        for step in steps:
            await on_step(step)

    redeemer = Redeemer(
        state,
        publisher,
        commit=commit,
        policy=policy,
        rng=rng,
        now_ms=now_ms,
        health_every=health_every,
    )
    return await redeemer.run(stop=stop)


def _log_events(step: Step) -> None:
    for event in step.events:
        if event.kind == "runner_backoff":
            log.warning("giftcode_backoff", reason=event.reason, until_ms=event.until_ms)
        elif event.kind == "runner_stopped":
            log.error("giftcode_redemption_stopped", reason=event.reason)
        elif event.kind == "runner_resumed":
            log.info("giftcode_redemption_resumed", reason=event.reason)
        elif event.kind == "code_stopped":
            log.info("giftcode_code_stopped", code=event.code, reason=event.reason)
        elif event.kind == "attempt_failed" and event.reason == "gave_up":
            log.warning("giftcode_gave_up", code=event.code, fid=event.fid)


def counts(state: RedemptionState) -> dict[str, int]:
    """Attempts by status (every status named, zeros included)."""
    found = dict.fromkeys(rules.ATTEMPT_STATUSES, 0)
    for attempt in state.attempts.values():
        found[attempt.status] += 1
    return found


def health(state: RedemptionState, **fields: Any) -> None:
    """The ``giftcode_health`` line: the runner, the codes, the attempts by status."""
    log.info(
        "giftcode_health",
        runner=state.runner.status,
        consecutive_errors=state.runner.consecutive_errors,
        codes=len(state.codes),
        players=len(state.players),
        **counts(state),
        **fields,
    )
