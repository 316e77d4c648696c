"""The pieces together, as the gift-code actor will use them: the state machine plans, the client
asks the fake publisher, the answers move the state. Every (code, player) ends done or failed,
each is redeemed at most once, a dead code costs one request, and a run cut in the middle
resumes without redeeming anything twice."""

from __future__ import annotations

import asyncio
import random
import time

from vouchy.features.giftcodes import rules
from vouchy.features.giftcodes.fake_provider import (
    FakeCaptchaSolver,
    FakeCode,
    FakePlayer,
    FakeProvider,
)
from vouchy.features.giftcodes.pacing import Pacer
from vouchy.features.giftcodes.provider import GiftCodeClient
from vouchy.features.giftcodes.rules import Action, Policy, RedemptionState

SECRET = "e2e-secret"
FIDS = list(range(1, 13))
POLICY = Policy(
    requests_per_second=200,
    player_gap_ms=0,
    retry_base_ms=40,
    retry_max_ms=400,
    runner_backoff_ms=100,
    runner_backoff_max_ms=200,
)


def now_ms() -> int:
    return int(time.time() * 1000)


def fake_publisher() -> FakeProvider:
    players = [FakePlayer(fid=f, nickname=f"p{f}", kid=245, vip=5 if f <= 3 else 0) for f in FIDS]
    codes = [
        FakeCode(code="GOOD"),
        FakeCode(code="OLD", state="expired"),
        FakeCode(code="VIPONLY", min_vip=3),
        FakeCode(code="FEW", claim_limit=5),
    ]
    return FakeProvider(secret=SECRET, players=players, codes=codes, slow_s=0.5)


async def registered(client: GiftCodeClient) -> RedemptionState:
    state = RedemptionState()
    for fid in FIDS:
        found = await client.lookup(fid)
        assert found.player is not None
        state = rules.save_player(state, found.player, now_ms()).state
    for code in ("GOOD", "OLD", "VIPONLY", "FEW"):
        state = rules.enqueue(state, code, FIDS, now_ms(), policy=POLICY).state
    return state


async def drive(
    state: RedemptionState,
    client: GiftCodeClient,
    rng: random.Random,
    *,
    stop_after: int | None = None,
) -> RedemptionState:
    """A minimal actor loop: plan, start (journaled first, in the real actor), ask, apply."""
    running: dict[asyncio.Task[rules.Answer], Action] = {}
    answers = 0

    async def ask(action: Action) -> rules.Answer:
        if action.kind == "refresh":
            return await client.lookup(action.fid)
        return await client.redeem(action.fid, action.code, kid=action.kid)

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        plan = rules.next_actions(state, now_ms(), POLICY)
        for action in plan.actions:
            state = rules.start(state, action, now_ms(), POLICY).state
            running[asyncio.create_task(ask(action))] = action
        if stop_after is not None and answers >= stop_after and running:
            await asyncio.sleep(0.003)  # let the request leave, then the process dies
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            return state
        if not running and not plan.actions and plan.wake_ms is None:
            return state
        if plan.actions:
            continue
        timeout = None if plan.wake_ms is None else max(0.0, (plan.wake_ms - now_ms()) / 1000)
        if not running:
            await asyncio.sleep(timeout or 0)
            continue
        done, _ = await asyncio.wait(running, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            action = running.pop(task)
            state = rules.apply(state, action, task.result(), now_ms(), rng, POLICY).state
            answers += 1
    raise AssertionError("the run did not settle")


def statuses(state: RedemptionState, code: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for a in state.attempts.values():
        if a.code == code:
            label = f"{a.status}:{a.reason}"
            out[label] = out.get(label, 0) + 1
    return out


async def test_a_run_with_every_kind_of_trouble_settles_every_code_and_player() -> None:
    async with fake_publisher() as fake:
        client = GiftCodeClient(
            fake.base_url,
            SECRET,
            solver=FakeCaptchaSolver(fake, confidences=[0.1, 0.2]),
            timeout_s=0.25,
            pacer=Pacer(200, max_concurrency=2),
            solve_in_thread=False,
        )
        async with client:
            state = await registered(client)
            fake.inject("timeout", fid=4, code="GOOD")  # took effect, answer lost
            fake.inject("html", path=None)
            fake.inject("garbage")
            fake.inject("http_500", times=2)
            fake.inject("timeout_retry")
            fake.inject("captcha_error")
            fake.inject("http_429", retry_after_s=1)
            state = await drive(state, client, random.Random(7))

    assert all(a.status in ("done", "failed") for a in state.attempts.values())
    good = statuses(state, "GOOD")
    assert good.get("done:success", 0) + good.get("done:received", 0) == 12
    assert good.get("done:received", 0) == 1  # fid 4: the timed-out request went through
    assert statuses(state, "OLD") == {"failed:expired": 12}
    # The expired code was only ever tried on its canary.
    assert len({fid for code, fid in fake.counters.pair_requests if code == "OLD"}) == 1
    assert statuses(state, "VIPONLY") == {"done:success": 3, "failed:vip_required": 9}
    assert statuses(state, "FEW") == {"done:success": 5, "failed:claim_limit": 7}
    assert state.codes["FEW"].status == "open" and state.codes["FEW"].claim_limit_hits == 7
    # Each (code, player) redeemed at most once, and few requests wasted on faults.
    assert max(fake.counters.successes.values()) == 1
    assert fake.counters.wasted_redeem_requests() <= 8
    assert state.runner.status == "running"


async def test_a_run_cut_in_the_middle_resumes_and_redeems_nothing_twice() -> None:
    async with fake_publisher() as fake:
        async with GiftCodeClient(
            fake.base_url, SECRET, solver=FakeCaptchaSolver(fake), solve_in_thread=False
        ) as client:
            state = await registered(client)
            cut = await drive(state, client, random.Random(1), stop_after=9)
        in_flight = [a for a in cut.attempts.values() if a.status == "redeeming"]
        assert in_flight, "the cut must leave requests in flight"
        # Only what the journal held survives: the state as of the cut. Restart:
        resumed = rules.resume(cut, now_ms()).state
        async with GiftCodeClient(
            fake.base_url, SECRET, solver=FakeCaptchaSolver(fake), solve_in_thread=False
        ) as client:
            final = await drive(resumed, client, random.Random(2))

    assert all(a.status in ("done", "failed") for a in final.attempts.values())
    assert max(fake.counters.successes.values()) == 1
    done = {(a.code, a.fid) for a in final.attempts.values() if a.status == "done"}
    assert done == set(fake.counters.successes)  # every success the publisher saw is recorded
