"""``bench discord``: slash commands through the real bot (GatewayBot + lightbulb + ledger) and
the fake Discord, in one process.

- Saturation: 200 members, each sending its next command (``/give`` 1 point to a random
  member, or ``/points``; half each) as soon as the previous one is answered.
  ``interactions_per_s`` counts answers the fake received; ``p50_ms``/``p99_ms`` are
  dispatch-to-callback: from just before the fake sends INTERACTION_CREATE to the moment the
  command's callback starts (a PRE_INVOKE hook, the last step before it).
- Steady: 200 commands a second for a while; ``p99_ms_at_200_per_s`` is dispatch-to-callback.
- ``fake_cpu_share``: a second, shorter saturation run with every event-loop callback timed
  (``asyncio.Handle._run`` wrapped with ``time.perf_counter``) and charged to the fake when
  it runs the fake's code: a task whose coroutine lives in ``fake_discord`` or in this
  benchmark's driver (building and dispatching payloads, waiting for answers), aiohttp's
  server side, or a socket transport whose protocol is aiohttp's server. The share is that
  time over the process's CPU time (``time.process_time``: every thread, the SQLite writer's
  included). The timing costs some throughput, so the headline figures come from the
  untimed runs.

The ledger runs as configured by default (``synchronous=FULL``, the journal when the
durability side provides one). The fake skips its OpenAPI validation here (the tests validate
every request) and echoes each public reply as MESSAGE_CREATE, as Discord does.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lightbulb

from vouchy.app import load_config
from vouchy.bench import percentile, rss_mb
from vouchy.testing.fake_discord import FakeDiscord, Member, User, next_snowflake, payloads

MEMBERS = 200
STEADY_RATE = 200


class Clock:
    """When each interaction was dispatched, and when its callback started."""

    def __init__(self) -> None:
        self.sent: dict[int, float] = {}
        self.started: dict[int, float] = {}

    def hook(self) -> lightbulb.ExecutionHook:
        started = self.started

        @lightbulb.hook(lightbulb.ExecutionSteps.PRE_INVOKE, name="bench_clock")
        def clock(_pipeline: lightbulb.ExecutionPipeline, ctx: lightbulb.Context) -> None:
            started[int(ctx.interaction.id)] = time.perf_counter()

        return clock

    def latencies_ms(self, ids: list[int]) -> list[float]:
        return sorted((self.started[i] - self.sent[i]) * 1000 for i in ids if i in self.started)


def _command_id(fake: FakeDiscord, name: str, guild_id: int) -> int:
    command = fake.registered_command(name, guild_id)
    if command is None:
        raise RuntimeError(f"the bot did not register /{name}")
    return int(command["id"])


class Driver:
    """Builds and dispatches the members' commands (this is the fake's side of the work)."""

    def __init__(self, fake: FakeDiscord, clock: Clock, seed: int = 7) -> None:
        self.fake = fake
        self.clock = clock
        self.rng = random.Random(seed)
        guild = fake.guild
        self.members = [m for m in guild.members if m.user.username.startswith("m")]
        self.give_id = _command_id(fake, "give", guild.id)
        self.points_id = _command_id(fake, "points", guild.id)
        self.answered = 0
        self.refused = 0

    def payload(self, member: Member) -> dict[str, Any]:
        guild = self.fake.guild
        if self.rng.random() < 0.5:
            other = self.rng.choice(self.members)
            while other is member:
                other = self.rng.choice(self.members)
            name, command_id = "give", self.give_id
            options = [payloads.opt_user("member", other), payloads.opt_int("amount", 1)]
        else:
            name, command_id, options = "points", self.points_id, []
        return payloads.slash_command_interaction(
            application_id=self.fake.application_id,
            guild=guild,
            invoker=member,
            name=name,
            options=options,
            command_id=command_id,
            command_guild_id=guild.id,
        )

    async def one(self, member: Member) -> int:
        payload = self.payload(member)
        interaction_id = int(payload["id"])
        self.clock.sent[interaction_id] = time.perf_counter()
        await self.fake.dispatch_interaction(payload)
        reply = await self.fake.interaction_reply(interaction_id, timeout=30)
        self.forget(interaction_id, payload["token"], reply)
        self.answered += 1
        if reply["ephemeral"]:
            self.refused += 1
        return interaction_id

    def forget(self, interaction_id: int, token: str, reply: dict[str, Any]) -> None:
        """Drop what the fake keeps of an answered interaction (its records, the reply
        message, the recorded requests), so that the fake's memory does not grow with the run
        and its garbage collections are not charged to the bot."""
        fake = self.fake
        fake.interactions.pop(interaction_id, None)
        fake._by_token.pop(token, None)
        if isinstance(reply.get("message"), dict):
            fake.messages.pop(int(reply["message"]["id"]), None)
        if len(fake.requests) > 1000:
            fake.requests.clear()

    async def saturate(self, seconds: float) -> tuple[list[int], float]:
        """Every member sends its next command as soon as the last one is answered."""
        done: list[int] = []
        deadline = time.perf_counter() + seconds

        async def member_loop(member: Member) -> None:
            while time.perf_counter() < deadline:
                done.append(await self.one(member))

        started = time.perf_counter()
        await asyncio.gather(*(member_loop(m) for m in self.members))
        return done, time.perf_counter() - started

    async def steady(self, rate: float, seconds: float) -> list[int]:
        """``rate`` commands a second, each on its own, whatever the answers do."""
        tasks: list[asyncio.Task[int]] = []
        interval = 1 / rate
        start = time.perf_counter()
        for i in range(int(rate * seconds)):
            delay = start + i * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            member = self.members[i % len(self.members)]
            tasks.append(asyncio.create_task(self.one(member)))
        return list(await asyncio.gather(*tasks))


# -- the fake's share of the CPU ------------------------------------------------------------

_FAKE_FILES: tuple[str, ...] = ("/fake_discord/", "/aiohttp/web", "/bench/discord.py")


def _owned_by_fake(callback: Callable[..., Any]) -> bool:
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, asyncio.Task):
        coro = owner.get_coro()
        code = getattr(coro, "cr_code", None) or getattr(coro, "gi_code", None)
        return code is not None and any(f in code.co_filename for f in _FAKE_FILES)
    protocol = getattr(owner, "_protocol", None)
    if protocol is not None:
        return type(protocol).__module__.startswith("aiohttp.web")
    module = type(owner).__module__ if owner is not None else getattr(callback, "__module__", "")
    return (module or "").startswith(("vouchy.testing.fake_discord", "aiohttp.web"))


class CpuSplit:
    """Times every event-loop callback and charges it to the fake or to the rest."""

    def __init__(self) -> None:
        self.fake_s = 0.0
        self.loop_s = 0.0
        self._original: Callable[..., Any] | None = None

    def __enter__(self) -> CpuSplit:
        original = self._original = asyncio.events.Handle._run
        split = self

        def timed_run(handle: asyncio.events.Handle) -> None:
            t0 = time.perf_counter()
            try:
                original(handle)
            finally:
                spent = time.perf_counter() - t0
                split.loop_s += spent
                if _owned_by_fake(handle._callback):  # type: ignore[attr-defined]
                    split.fake_s += spent

        asyncio.events.Handle._run = timed_run  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *_exc: object) -> None:
        asyncio.events.Handle._run = self._original  # type: ignore[method-assign,assignment]


# -- the run --------------------------------------------------------------------------------


async def run(quick: bool, workdir: Path) -> dict:
    from vouchy.app import Vouchy
    from vouchy.bot.bot import VouchyBot

    saturation_s, steady_s, timed_s = (5.0, 5.0, 3.0) if quick else (20.0, 15.0, 10.0)
    fake = FakeDiscord(validate=False)
    for i in range(MEMBERS):
        fake.guild.members.append(Member(User(next_snowflake(), f"m{i:03d}")))
    await fake.start()
    config = load_config(
        env={
            "VOUCHY_DATA_DIR": str(workdir / "data"),
            "VOUCHY_SNAPSHOTS_DIR": str(workdir / "snapshots"),
            "VOUCHY_POINTS_STARTING_BALANCE": "1000000",
            "VOUCHY_DISCORD_TOKEN": fake.token,
            "VOUCHY_DISCORD_REST_URL": fake.rest_url,
            "VOUCHY_DISCORD_GUILD_IDS": str(fake.guild.id),
        }
    )
    clock = Clock()
    app = await Vouchy(config).start()
    bot = VouchyBot(app, hooks=[clock.hook()], heartbeat=False)
    try:
        await bot.start()
        await fake.wait_for_ready()
        driver = Driver(fake, clock)
        await driver.saturate(1.0)  # warm-up: every account opened, every code path hot

        ledger_before = app.writer.last_ledger_id
        ids, elapsed = await driver.saturate(saturation_s)
        saturated = clock.latencies_ms(ids)
        ledger_rows = app.writer.last_ledger_id - ledger_before

        steady_ids = await driver.steady(STEADY_RATE, steady_s)
        steady = clock.latencies_ms(steady_ids)

        cpu0 = time.process_time()
        with CpuSplit() as split:
            timed_ids, timed_elapsed = await driver.saturate(timed_s)
        cpu = time.process_time() - cpu0
        audit = await app.audit()
    finally:
        await bot.stop("bench")
        await fake.close()
    return {
        "members": MEMBERS,
        "interactions_per_s": round(len(ids) / elapsed),
        "p50_ms": percentile(saturated, 50),
        "p99_ms": percentile(saturated, 99),
        "saturation_interactions": len(ids),
        "saturation_seconds": round(elapsed, 2),
        f"p50_ms_at_{STEADY_RATE}_per_s": percentile(steady, 50),
        f"p99_ms_at_{STEADY_RATE}_per_s": percentile(steady, 99),
        "steady_interactions": len(steady_ids),
        "fake_cpu_share": round(split.fake_s / cpu, 3) if cpu else None,
        "timed_run_interactions_per_s": round(len(timed_ids) / timed_elapsed),
        "timed_run_loop_busy_share": round(split.loop_s / timed_elapsed, 3),
        "refused": driver.refused,
        "ledger_rows_in_saturation": ledger_rows,
        "audit_clean": audit.clean,
        "synchronous": config.data.synchronous,
        "journal": getattr(app, "journal", None) is not None,
        "rss_mb": rss_mb(),
    }
