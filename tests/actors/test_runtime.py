"""The actor runtime: FIFO per actor, failures answer their caller only, idle eviction, drain."""

from __future__ import annotations

import asyncio

import pytest

from vouchy.actors.runtime import Actor, Router
from vouchy.core.errors import Busy


def router() -> Router[Actor]:
    return Router(lambda key, r: Actor(key, r), idle_seconds=10)


async def test_jobs_told_to_one_actor_run_one_at_a_time_in_order():
    actors = router()
    seen: list[tuple[str, int]] = []

    def job(i: int):
        async def run():
            seen.append(("start", i))
            await asyncio.sleep(0.001 * (5 - i % 5))
            seen.append(("end", i))
            return i

        return run

    results = await asyncio.gather(*(actors.get("a").tell(job(i)) for i in range(10)))
    assert results == list(range(10))
    assert seen == [(what, i) for i in range(10) for what in ("start", "end")]


async def test_an_exception_answers_its_caller_and_the_actor_lives_on():
    actors = router()

    async def boom():
        raise ValueError("no")

    async def fine():
        return "ok"

    actor = actors.get("a")
    first, second = actor.tell(boom), actor.tell(fine)
    with pytest.raises(ValueError):
        await first
    assert await second == "ok"
    assert await actor.tell(fine) == "ok"


async def test_idle_actors_are_evicted_and_busy_ones_are_kept():
    actors = router()
    gate = asyncio.Event()

    async def wait():
        await gate.wait()

    busy = actors.get("busy").tell(wait)
    await actors.get("idle").tell(lambda: asyncio.sleep(0))
    assert actors.evict_idle(now=10**9) == 1
    assert actors.peek("idle") is None and actors.peek("busy") is not None
    gate.set()
    await busy


async def test_an_actor_marked_keep_is_never_evicted_while_idle():
    actors = router()
    kept = actors.get("kept")
    kept.keep = True
    await kept.tell(lambda: asyncio.sleep(0))
    await actors.get("idle").tell(lambda: asyncio.sleep(0))
    assert actors.evict_idle(now=10**9) == 1
    assert actors.peek("kept") is kept and actors.peek("idle") is None


async def test_close_waits_for_every_mailbox_then_refuses_new_jobs():
    actors = router()
    done: list[int] = []

    def job(i: int):
        async def run():
            await asyncio.sleep(0.002)
            done.append(i)

        return run

    for i in range(20):
        actors.get(i % 3).tell(job(i))
    await actors.close()
    assert sorted(done) == list(range(20))
    with pytest.raises(Busy):
        actors.get(0).tell(job(99))
