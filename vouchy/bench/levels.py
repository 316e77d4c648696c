"""``bench events``: XP from MESSAGE_CREATE through the real bot (GatewayBot + the levels
listener + owners + writer) and the fake Discord, in one process; and one rank card.

- ``message_events_per_s``: a bot just started (no member's row in memory); 5,000 members
  post ``messages`` messages (quick: 30,000) as fast as the fake can send them, each member
  as active as a chat server's members are (a Zipf law: a few post a lot, most a little);
  the messages' own times cover ``span_minutes`` of chat (the cooldown is decided by a
  message's time), so some fall outside their author's 60 s cooldown and earn XP, and most
  fall inside and must cost no write (the messages a member posts before their owner's turn
  are decided together, in one job and at most one write). Counted from the first event
  sent to the moment the last one is handled and every XP it earned is committed.
- ``xp_commit_p99_ms`` (and p50): from the moment a member's owner submits an XP change to
  the writer's answer after COMMIT, while messages arrive at a steady ``rate`` a second
  (1,000: a very busy server), after the flood (the members' rows are then in memory, as in
  a bot that has run a while). ``xp_commit_p99_ms_in_flood``: the same during the flood,
  where the event loop is saturated by design.
- ``rank_card_ms``: the median of rendering one 900x250 card with a 256x256 PNG avatar,
  PNG bytes included (its p90 and p99 beside it), after one warm-up render.
- ``message_events_per_s_warm``: the same flood again once every member's row is in memory
  (as in a bot that has run a while): a message inside its author's cooldown then costs a
  lookup and no job. Outside ``--quick`` this run has every event-loop callback timed
  (``vouchy.bench.discord.CpuSplit``): ``fake_cpu_share`` is the share of the process's CPU
  spent by the fake and this driver, which a real bot does not pay.

The store runs as configured (``synchronous=FULL``, the journal); the fake skips its OpenAPI
validation (the tests validate every request).
"""

from __future__ import annotations

import asyncio
import io
import itertools
import random
import statistics
import time
from pathlib import Path
from typing import Any

from PIL import Image

from vouchy.app import load_config
from vouchy.bench import percentile, rss_mb
from vouchy.testing.fake_discord import FakeDiscord, Member, User, next_snowflake, payloads
from vouchy.testing.fake_discord.models import iso, snowflake_time

MEMBERS = 5_000
DISCORD_EPOCH_MS = 1_420_070_400_000


class Chat:
    """Messages from the guild's members: authors drawn by activity, times spread evenly over
    ``span_minutes`` ending now, each a MESSAGE_CREATE payload made from its author's."""

    def __init__(self, fake: FakeDiscord, members: list[Member], seed: int = 5) -> None:
        self.rng = random.Random(seed)
        self.members = members
        self.weights = list(itertools.accumulate(1 / (k + 1) ** 1.1 for k in range(len(members))))
        channel = fake.guild.text_channel.id
        self.templates = [
            payloads.message_create(fake.guild, m, "gg, see you tonight", channel_id=channel)
            for m in members
        ]
        self._counter = itertools.count()

    def one(self, at_ms: int) -> dict[str, Any]:
        """A message sent at ``at_ms`` by a member drawn by activity."""
        author = self.rng.choices(range(len(self.members)), cum_weights=self.weights)[0]
        message_id = ((at_ms - DISCORD_EPOCH_MS) << 22) | (next(self._counter) & 0x3FFFFF)
        return {
            **self.templates[author],
            "id": str(message_id),
            "timestamp": iso(snowflake_time(message_id)),
        }

    def messages(
        self, count: int, span_minutes: float, *, ahead: bool = False
    ) -> list[dict[str, Any]]:
        """``count`` messages over the ``span_minutes`` that end now (``ahead``: begin now)."""
        now = int(time.time() * 1000)
        span_ms = int(span_minutes * 60_000)
        start = now if ahead else now - span_ms
        end = start + span_ms
        step = (end - start) / count
        authors = self.rng.choices(range(len(self.members)), cum_weights=self.weights, k=count)
        out = []
        for i, author in enumerate(authors):
            at = start + int(i * step)
            message_id = ((at - DISCORD_EPOCH_MS) << 22) | (next(self._counter) & 0x3FFFFF)
            out.append(
                {
                    **self.templates[author],
                    "id": str(message_id),
                    "timestamp": iso(snowflake_time(message_id)),
                }
            )
        return out


async def flood(fake: FakeDiscord, app: Any, messages: list[dict[str, Any]]) -> float:
    """Send every message, then wait until each is handled and its XP committed."""
    from vouchy.features.levels.service import LevelsService

    levels = app.service(LevelsService)
    target = levels.events["message"] + len(messages)
    started = time.perf_counter()
    await asyncio.create_task(send_all(fake, messages))  # a task of its own: the fake's work
    await handled_all(levels, target)
    return time.perf_counter() - started


async def send_all(fake: FakeDiscord, messages: list[dict[str, Any]]) -> None:
    for data in messages:
        await fake.dispatch("MESSAGE_CREATE", data)


async def handled_all(levels: Any, target: int) -> None:
    """Wait until the listener has seen ``target`` messages in all and every XP change they
    made is committed."""
    deadline = time.monotonic() + 600
    while levels.events["message"] < target:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{target - levels.events['message']} events never handled")
        await asyncio.sleep(0.001)
    await levels.idle()


async def steady(fake: FakeDiscord, app: Any, chat: Chat, rate: int, seconds: float) -> int:
    """``rate`` messages a second, sent as they happen (in tens of milliseconds' worth)."""
    from vouchy.features.levels.service import LevelsService

    levels = app.service(LevelsService)
    start, sent = levels.events["message"], 0
    begun = time.perf_counter()
    while (elapsed := time.perf_counter() - begun) < seconds:
        due = int(elapsed * rate) - sent
        for _ in range(max(0, due)):
            await fake.dispatch("MESSAGE_CREATE", chat.one(int(time.time() * 1000)))
            sent += 1
        await asyncio.sleep(0.01)
    await handled_all(levels, start + sent)
    return sent


def rank_card_ms(runs: int) -> dict[str, float]:
    from vouchy.features.levels.card import card_facts, render_card
    from vouchy.features.levels.rules import Counters

    out = io.BytesIO()
    Image.radial_gradient("L").resize((256, 256)).convert("RGB").save(out, "PNG")
    avatar = out.getvalue()
    facts = card_facts(
        display_name="Élodie la Best",
        xp=1_234_567,
        rank=42,
        counters=Counters(messages=32_100, voice_seconds=300 * 3600, reactions_received=4_500),
    )
    render_card(facts, avatar, "fr")  # fonts and masks load once
    samples = []
    for _ in range(runs):
        begun = time.perf_counter()
        render_card(facts, avatar, "fr")
        samples.append((time.perf_counter() - begun) * 1000)
    ordered = sorted(samples)
    return {
        "rank_card_ms": round(statistics.median(samples), 2),
        "rank_card_p90_ms": percentile(ordered, 90),
        "rank_card_p99_ms": percentile(ordered, 99),
    }


async def run(quick: bool, workdir: Path) -> dict[str, Any]:
    from vouchy.app import Vouchy
    from vouchy.bench import discord as discord_bench
    from vouchy.bench.discord import CpuSplit
    from vouchy.bot.bot import VouchyBot
    from vouchy.features.levels.service import LevelsService

    count, span, card_runs = (30_000, 5.0, 100) if quick else (120_000, 20.0, 400)
    rate, steady_s = 1_000, (5.0 if quick else 15.0)
    fake = FakeDiscord(validate=False)
    members = [Member(User(next_snowflake(), f"m{i:04d}")) for i in range(MEMBERS)]
    fake.guild.members.extend(members)
    await fake.start()
    config = load_config(
        env={
            "VOUCHY_DATA_DIR": str(workdir / "data"),
            "VOUCHY_SNAPSHOTS_DIR": str(workdir / "snapshots"),
            "VOUCHY_DISCORD_TOKEN": fake.token,
            "VOUCHY_DISCORD_REST_URL": fake.rest_url,
            "VOUCHY_DISCORD_GUILD_IDS": str(fake.guild.id),
        }
    )
    app = await Vouchy(config).start()
    bot = VouchyBot(app, heartbeat=False)
    try:
        await bot.start()
        await fake.wait_for_ready()
        levels = app.service(LevelsService)
        chat = Chat(fake, members)
        messages = chat.messages(count, span)
        dropped0, batches0 = levels.messages_dropped, app.writer.batches
        credits0, earned0 = levels.credits, levels.messages_earned
        elapsed = await flood(fake, app, messages)
        flooded = sorted(levels.commit_ms)
        credited = levels.credits - credits0
        dropped = levels.messages_dropped - dropped0
        batches = app.writer.batches - batches0
        result: dict[str, Any] = {
            "members": MEMBERS,
            "messages": count,
            "span_minutes": span,
            "message_events_per_s": round(count / elapsed),
            "seconds": round(elapsed, 2),
            "messages_earning_xp": levels.messages_earned - earned0,
            "xp_share": round((levels.messages_earned - earned0) / count, 3),
            "xp_writes": credited,
            "dropped_in_cooldown_without_a_job": dropped,
            "writer_batches": batches,
            "xp_commit_p99_ms_in_flood": percentile(flooded, 99),
        }
        levels.commit_ms.clear()
        dropped0, earned0 = levels.messages_dropped, levels.messages_earned
        sent = await steady(fake, app, chat, rate, steady_s)
        commits = sorted(levels.commit_ms)
        result.update(
            {
                "steady_rate_per_s": rate,
                "steady_messages": sent,
                "steady_messages_earning_xp": levels.messages_earned - earned0,
                "steady_dropped_in_cooldown_without_a_job": levels.messages_dropped - dropped0,
                "xp_commit_p50_ms": percentile(commits, 50),
                "xp_commit_p99_ms": percentile(commits, 99),
            }
        )
        # The same again with the members' rows in memory (a bot that has run a while).
        more = chat.messages(count, span, ahead=True)
        dropped0 = levels.messages_dropped
        if quick:
            warm = await flood(fake, app, more)
        else:
            # This driver is the fake's side of the work too (``CpuSplit`` knows only
            # bench/discord.py's driver).
            owned = discord_bench._FAKE_FILES
            discord_bench._FAKE_FILES = (*owned, "/bench/levels.py")
            cpu0 = time.process_time()
            try:
                with CpuSplit() as split:
                    warm = await flood(fake, app, more)
            finally:
                discord_bench._FAKE_FILES = owned
            cpu = time.process_time() - cpu0
            result["fake_cpu_share"] = round(split.fake_s / cpu, 3) if cpu else None
        result["message_events_per_s_warm"] = round(len(more) / warm)
        result["warm_dropped_in_cooldown_without_a_job"] = levels.messages_dropped - dropped0
        report = await app.audit()
        result["audit_clean"] = report.clean
    finally:
        await bot.stop("bench")
        await fake.close()
    result.update(rank_card_ms(card_runs))
    result["synchronous"] = config.data.synchronous
    result["rss_mb"] = rss_mb()
    return result
