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
from vouchy.features.giftcodes.rules import Policy, RedemptionState
from vouchy.features.giftcodes.runner import run_until_settled

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
    """The loop the actor runs; ``stop_after``: the process dies after that many answers, with
    requests in flight (only what ``on_step`` journaled survives)."""
    journal: list[rules.Step] = []
    stop = asyncio.Event()

    async def on_step(step: rules.Step) -> None:
        journal.append(step)
        answered = sum(1 for s in journal if s.events and s.events[0].kind != "attempt_started")
        if stop_after is not None and answered >= stop_after and rules.in_flight(step.state):
            raise Killed(step.state)

    try:
        return await asyncio.wait_for(
            run_until_settled(state, client, policy=POLICY, rng=rng, on_step=on_step, stop=stop),
            timeout=20,
        )
    except Killed as killed:
        return killed.state


class Killed(Exception):
    """The process dies: the last journaled state is all that survives."""

    def __init__(self, state: RedemptionState) -> None:
        super().__init__("killed")
        self.state = state


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


async def test_a_wrong_secret_stops_the_run_after_one_request_and_alerts() -> None:
    async with fake_publisher() as fake:
        async with GiftCodeClient(
            fake.base_url, SECRET, solver=FakeCaptchaSolver(fake), solve_in_thread=False
        ) as client:
            state = await registered(client)
        steps: list[rules.Step] = []

        async def on_step(step: rules.Step) -> None:
            steps.append(step)

        async with GiftCodeClient(
            fake.base_url, "wrong", solver=FakeCaptchaSolver(fake), solve_in_thread=False
        ) as client:
            before = fake.counters.requests
            final = await run_until_settled(state, client, policy=POLICY, on_step=on_step)
            sent = fake.counters.requests - before

    assert final.runner.status == "stopped" and final.runner.stop_reason == "sign_error"
    assert sent <= POLICY.max_concurrency  # what was already in flight, nothing after
    assert [e.kind for s in steps for e in s.events if e.alert] == ["runner_stopped"]
    assert not any(a.status == "failed" for a in final.attempts.values())


async def test_a_stop_request_lets_in_flight_answers_land_and_starts_nothing_more() -> None:
    async with fake_publisher() as fake:
        async with GiftCodeClient(
            fake.base_url, SECRET, solver=FakeCaptchaSolver(fake), solve_in_thread=False
        ) as client:
            state = await registered(client)
            stop = asyncio.Event()
            started = 0

            async def on_step(step: rules.Step) -> None:
                nonlocal started
                started += sum(1 for e in step.events if e.kind == "attempt_started")
                if started >= 3:
                    stop.set()

            final = await run_until_settled(
                state, client, policy=POLICY, on_step=on_step, stop=stop
            )
    assert started == 3
    assert rules.in_flight(final) == 0
    settled = [a for a in final.attempts.values() if a.tries]
    assert len(settled) == 3 and all(a.status != "redeeming" for a in settled)
