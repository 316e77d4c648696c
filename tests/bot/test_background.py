"""A service's background work (``features.base.Background``): started with the bot, and
stopped by ``Vouchy.close()`` before the owners drain, so what it writes while stopping is
still committed."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.bot import make_config, started_bot

from vouchy.app import Vouchy
from vouchy.bot.bot import VouchyBot
from vouchy.features.base import Background
from vouchy.store.operations import SYSTEM_USER, Op, Put
from vouchy.testing.fake_discord import FakeDiscord

GUILD = 111_111_111_111_111_111


class Worker:
    """Records what happened to it; writes one row while stopping."""

    def __init__(self, app: Vouchy) -> None:
        self.app = app
        self.calls: list[str] = []

    async def start_background(self) -> None:
        self.calls.append("start")

    async def stop_background(self) -> None:
        self.calls.append("stop")
        op = Op(
            guild_id=GUILD,
            user_id=SYSTEM_USER,
            reference="background-stop",
            name="test.background",
            changes=(Put(table="cooldowns", key=(GUILD, SYSTEM_USER, "bg"), values={"at": 1}),),
        )
        await self.app.actors.guild(GUILD).submit(op)


async def test_background_work_starts_with_the_bot_and_stops_before_the_writer_closes(
    tmp_path: Path,
) -> None:
    async with started_bot(tmp_path) as h:
        worker = Worker(h.app)
        assert isinstance(worker, Background)
        h.app.services["test-worker"] = worker
        await h.app.start_background()  # the bot started the others already; this one joins
        await h.app.start_background()  # twice is once
        assert worker.calls == ["start"]
    assert worker.calls == ["start", "stop"]
    async with Vouchy(h.app.config) as app:
        row = await app.reader.row(
            "SELECT at FROM cooldowns WHERE guild_id = ? AND user_id = ? AND name = ?",
            (GUILD, SYSTEM_USER, "bg"),
        )
    assert row is not None and row["at"] == 1


async def test_a_background_service_that_fails_to_stop_does_not_stop_the_others(
    tmp_path: Path,
) -> None:
    class Broken(Worker):
        async def stop_background(self) -> None:
            self.calls.append("stop")
            raise RuntimeError("broken")

    async with started_bot(tmp_path) as h:
        good, bad = Worker(h.app), Broken(h.app)
        h.app.services["good"] = good
        h.app.services["bad"] = bad
        await h.app.start_background()
    assert good.calls == ["start", "stop"] and bad.calls == ["start", "stop"]


async def test_background_work_that_fails_to_start_stops_the_bot_start_and_closes_the_gateway(
    tmp_path: Path,
) -> None:
    class Refuses(Worker):
        async def start_background(self) -> None:
            raise RuntimeError("cannot start")

    async with FakeDiscord() as fake:
        config = make_config(
            tmp_path,
            discord_token=fake.token,
            discord_rest_url=fake.rest_url,
            discord_guild_ids=str(fake.guild.id),
        )
        app = await Vouchy(config).start()
        app.services["refuses"] = Refuses(app)
        bot = VouchyBot(app)
        try:
            with pytest.raises(RuntimeError, match="cannot start"):
                await bot.start()
            assert not bot.bot.is_alive
        finally:
            await app.close()
