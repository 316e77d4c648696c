"""``bench vouches``: vouch messages through the real bot (GatewayBot + listeners + the vouch
service + the ledger) and the fake Discord, in one process.

1,000 vouchers and 100 providers in one guild. Each voucher posts its next vouch (a distinct
32x32 screenshot served by the fake's CDN, mentioning the next provider in turn, so no
cooldown applies) as soon as the last one is committed. Every vouch goes the whole way: the
MESSAGE_CREATE over the gateway, the screenshot fetched once from the CDN and hashed, the rules'
facts read, one operation committed (ledger row, vouch row, count), and the reaction put by
the outbox worker.

- ``vouches_per_s``: accepted vouches over the time from the first dispatch to the last
  reaction the fake received (every accepted vouch reacted to).
- ``committed_per_s``: vouches committed over the saturation window; ``reactions_per_s``:
  reactions over the whole run (first dispatch to last reaction); ``reactions_lag_s``: how
  long after the last commit the last reaction came.
- ``p50_ms``/``p99_ms``: dispatch to commit: from just before the fake sends MESSAGE_CREATE
  to the writer's commit of the vouch's operation (a writer listener).
- ``refused``: vouches refused; with random screenshots, only by a chance match of two proofs
  (``proof.MATCH_DISTANCE``), which grows with the guild's proofs.

The ledger runs as configured (``synchronous=FULL``, the journal). The fake skips its OpenAPI
validation here (the tests validate every request).
"""

from __future__ import annotations

import asyncio
import io
import random
import time
from pathlib import Path
from typing import Any

from PIL import Image

from vouchy.app import load_config
from vouchy.bench import percentile, rss_mb
from vouchy.store.operations import Receipt
from vouchy.testing.fake_discord import (
    Channel,
    FakeDiscord,
    Member,
    RecordedRequest,
    User,
    next_snowflake,
    payloads,
)
from vouchy.testing.fake_discord.models import iso, snowflake_time

VOUCHERS = 1000
PROVIDERS = 100
STEADY_RATE = 50  # vouches a second in the steady phase: below saturation, for latency
REACTION = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me"


def screenshots(count: int, seed: int = 11) -> list[bytes]:
    """``count`` distinct small PNGs (random pixels: their proofs differ in about 32 bits)."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        image = Image.frombytes("L", (32, 32), rng.randbytes(32 * 32))
        data = io.BytesIO()
        image.save(data, "PNG")
        out.append(data.getvalue())
    return out


class Driver:
    """Posts the vouchers' vouches and times each one from dispatch to commit."""

    def __init__(self, fake: FakeDiscord, channel_id: int, images: list[bytes]) -> None:
        self.fake = fake
        self.channel_id = channel_id
        self.images = images
        guild = fake.guild
        self.vouchers = [m for m in guild.members if m.user.username.startswith("voucher")]
        self.providers = [m for m in guild.members if m.user.username.startswith("provider")]
        # Payload pieces made once: the fake's own builders look members up by scanning.
        self._author = {
            m.id: (payloads.user(m.user), payloads.member(m, with_user=False))
            for m in self.vouchers
        }
        self._mention = {
            m.id: {**payloads.user(m.user), "member": payloads.member(m, with_user=False)}
            for m in self.providers
        }
        self.sent: dict[str, float] = {}
        self.committed: dict[str, float] = {}
        self.results: dict[str, str] = {}
        self._waiting: dict[str, asyncio.Future[None]] = {}
        self._next_image = 0
        self._given: dict[int, int] = {}
        self.reactions = 0
        self.last_reaction = 0.0

    def on_commit(self, receipts: list[Receipt]) -> None:
        """A writer listener: the moment each vouch's operation committed."""
        now = time.perf_counter()
        for receipt in receipts:
            waiter = self._waiting.pop(receipt.reference, None)
            if waiter is not None and not waiter.done():
                self.committed[receipt.reference] = now
                self.results[receipt.reference] = str(receipt.data.get("state", "?"))
                waiter.set_result(None)

    def on_reaction(self, _request: RecordedRequest) -> None:
        self.reactions += 1
        self.last_reaction = time.perf_counter()

    def message(self, voucher: Member, provider: Member) -> dict[str, Any]:
        data = self.images[self._next_image % len(self.images)]
        self._next_image += 1
        attachment = self.fake.attachment(data, "proof.png", width=32, height=32)
        message_id = next_snowflake()
        author, member = self._author[voucher.id]
        return {
            "type": 0,
            "id": str(message_id),
            "channel_id": str(self.channel_id),
            "guild_id": str(self.fake.guild.id),
            "author": author,
            "member": member,
            "content": f"<@{provider.id}> +rep, fast and legit",
            "timestamp": iso(snowflake_time(message_id)),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [self._mention[provider.id]],
            "mention_roles": [],
            "attachments": [attachment],
            "embeds": [],
            "components": [],
            "pinned": False,
            "flags": 0,
        }

    async def one(self, voucher: Member, provider: Member) -> str:
        payload = self.message(voucher, provider)
        reference = f"vouch:{payload['id']}"
        waiter = asyncio.get_running_loop().create_future()
        self._waiting[reference] = waiter
        self.sent[reference] = time.perf_counter()
        await self.fake.dispatch("MESSAGE_CREATE", payload)
        await asyncio.wait_for(waiter, 60)
        if len(self.fake.requests) > 1000:
            self.fake.requests.clear()
        return reference

    def provider_for(self, i: int) -> Member:
        """Voucher ``i``'s next provider: each in turn, so the cooldown never applies."""
        self._given[i] = k = self._given.get(i, 0) + 1
        return self.providers[(i + k) % len(self.providers)]

    async def saturate(self, seconds: float, vouchers: int = VOUCHERS) -> list[str]:
        """Every voucher (the first ``vouchers``) posts its next vouch as soon as the last one
        committed."""
        done: list[str] = []
        deadline = time.perf_counter() + seconds

        async def voucher_loop(i: int, voucher: Member) -> None:
            while time.perf_counter() < deadline:
                done.append(await self.one(voucher, self.provider_for(i)))

        who = self.vouchers[:vouchers]
        await asyncio.gather(*(voucher_loop(i, v) for i, v in enumerate(who)))
        return done

    async def steady(self, rate: float, seconds: float) -> list[str]:
        """``rate`` vouches a second, each on its own, whatever the commits do."""
        tasks: list[asyncio.Task[str]] = []
        start = time.perf_counter()
        for n in range(int(rate * seconds)):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            i = n % len(self.vouchers)
            voucher, provider = self.vouchers[i], self.provider_for(i)
            tasks.append(asyncio.create_task(self.one(voucher, provider)))
        return list(await asyncio.gather(*tasks))

    async def reacted(self, target: int, timeout: float = 120.0) -> None:  # noqa: ASYNC109
        """Wait until the fake has received ``target`` reactions in all."""
        deadline = time.perf_counter() + timeout
        while self.reactions < target:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{target - self.reactions} vouches were never reacted to")
            await asyncio.sleep(0.01)

    def latencies_ms(self, references: list[str]) -> list[float]:
        return sorted(
            (self.committed[r] - self.sent[r]) * 1000 for r in references if r in self.committed
        )


async def run(quick: bool, workdir: Path) -> dict[str, Any]:
    from vouchy.app import Vouchy
    from vouchy.bot.bot import VouchyBot
    from vouchy.features.vouches.service import VouchesService

    seconds, steady_s = (1.0, 2.0) if quick else (10.0, 10.0)
    fake = FakeDiscord(validate=False)
    channel = Channel(next_snowflake(), "vouches", position=2)
    fake.guild.channels.append(channel)
    for i in range(VOUCHERS):
        fake.guild.members.append(Member(User(next_snowflake(), f"voucher{i:04d}")))
    for i in range(PROVIDERS):
        fake.guild.members.append(Member(User(next_snowflake(), f"provider{i:03d}")))
    images = screenshots(VOUCHERS * (4 if quick else 8))
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
    driver = Driver(fake, channel.id, images)
    fake.route("PUT", REACTION, driver.on_reaction)

    def accepted_of(references: list[str]) -> int:
        return sum(driver.results.get(r) == "accepted" for r in references)

    try:
        await bot.start()
        await fake.wait_for_ready()
        await app.update_settings(
            fake.guild.id,
            "vouches",
            {"channels": [channel.id], "min_account_age_days": 0, "max_per_day": 1000},
            updated_by=fake.guild.owner_id,
            reference="bench-settings",
        )
        app.writer.listeners.append(driver.on_commit)
        # Warm-up, with a tenth of the vouchers: the hash worker, the proofs, the hot paths.
        warm = await driver.saturate(0.5, VOUCHERS // 10)
        await driver.reacted(accepted_of(warm))
        before = driver.reactions
        started = time.perf_counter()
        references = await driver.saturate(seconds)
        committed_in = time.perf_counter() - started
        accepted = accepted_of(references)
        await driver.reacted(before + accepted)
        reacted = driver.reactions - before
        elapsed = max(driver.last_reaction, started + committed_in) - started
        saturated = driver.latencies_ms(references)
        before = driver.reactions
        steady = await driver.steady(STEADY_RATE, steady_s)
        await driver.reacted(before + accepted_of(steady))
        at_rate = driver.latencies_ms(steady)
        audit = await app.audit()
        service = app.service(VouchesService)
        proofs = len(await service._proofs(fake.guild.id))
    finally:
        await bot.stop("bench")
        await fake.close()
    return {
        "vouchers": VOUCHERS,
        "providers": PROVIDERS,
        "vouches_per_s": round(accepted / elapsed),
        "p50_ms": percentile(saturated, 50),
        "p99_ms": percentile(saturated, 99),
        "committed_per_s": round(len(references) / committed_in),
        "reactions_per_s": round(reacted / elapsed),
        # How far the reactions (the outbox) trail the commits: 0 when they keep up.
        "reactions_lag_s": round(max(0.0, elapsed - committed_in), 2),
        f"p50_ms_at_{STEADY_RATE}_per_s": percentile(at_rate, 50),
        f"p99_ms_at_{STEADY_RATE}_per_s": percentile(at_rate, 99),
        "vouches": len(references),
        "accepted": accepted,
        "refused": len(references) - accepted,
        "reacted": reacted,
        "seconds_to_last_reaction": round(elapsed, 2),
        "proofs_in_guild": proofs,
        "audit_clean": audit.clean,
        "synchronous": config.data.synchronous,
        "journal": app.journal is not None,
        "rss_mb": rss_mb(),
    }
