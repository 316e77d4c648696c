"""Starting and stopping the bot in-process: the heartbeat, a stop that answers what is in
flight and turns new commands away, redelivery after a restart, and loud start failures."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import lightbulb
import pytest
import structlog
from support.bot import REPO, description, make_config, started_bot

from vouchy.app import Vouchy
from vouchy.bot import bot as bot_module
from vouchy.bot.bot import NoToken, StartFailed, VouchyBot
from vouchy.bot.respond import command_path
from vouchy.ops.heartbeat import read_heartbeat
from vouchy.testing.fake_discord import (
    FakeDiscord,
    Member,
    Reply,
    User,
    next_snowflake,
    payloads,
)


async def test_the_heartbeat_file_says_the_bot_is_alive_while_it_runs(tmp_path: Path) -> None:
    async with started_bot(tmp_path) as h:
        await h.run("daily", h.member)
        deadline = time.monotonic() + 3
        beat = read_heartbeat(tmp_path)
        while (beat is None or beat.last_ledger_id < 2) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            beat = read_heartbeat(tmp_path)
        assert beat is not None
        assert beat.pid == os.getpid() and beat.writer_alive
        assert beat.last_ledger_id == h.app.writer.last_ledger_id == 2
        assert beat.version == "0.1.0" and 0 <= beat.age() < 3
        assert not list(tmp_path.glob(".heartbeat.json.*"))  # no temporary file left behind
    # A clean stop removes it: `health` then says "not running" rather than "stale".
    assert read_heartbeat(tmp_path) is None


async def test_stop_answers_the_command_in_flight_and_turns_new_ones_away(tmp_path: Path) -> None:
    entered = asyncio.Event()

    @lightbulb.hook(lightbulb.ExecutionSteps.PRE_INVOKE)
    async def slow_give(_pipeline: lightbulb.ExecutionPipeline, ctx: lightbulb.Context) -> None:
        if command_path(ctx.interaction) == "give":
            entered.set()
            await asyncio.sleep(0.3)

    async with started_bot(tmp_path, hooks=[slow_give]) as h:
        giver, taker = h.member, h.friend
        give = await h.fake.slash("give", user=giver, member=taker, amount=4)
        await entered.wait()
        stopping = asyncio.create_task(h.bot.stop("test"))
        await asyncio.sleep(0.05)
        late = await h.fake.slash("daily", user=giver)
        assert "Vouchy is restarting" in description(await h.fake.interaction_reply(late))
        await stopping
        reply = await h.fake.interaction_reply(give)
        assert "gave **4** points" in description(reply)
    conn = sqlite3.connect(tmp_path / "vouchy.db")
    kinds = [k for (k,) in conn.execute("SELECT kind FROM ledger ORDER BY id")]
    conn.close()
    assert kinds == ["start", "start", "transfer_out", "transfer_in"]  # no daily


async def test_a_redelivered_interaction_after_a_restart_credits_nothing_and_logs_no_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeDiscord()
    fake.guild.members.append(Member(User(next_snowflake(), "friend")))
    await fake.start()
    try:
        guild = fake.guild
        giver, taker = guild.member("member"), guild.member("friend")
        async with started_bot(tmp_path, fake=fake) as h:
            payload = payloads.slash_command_interaction(
                application_id=fake.application_id,
                guild=guild,
                invoker=giver,
                name="give",
                options=[payloads.opt_user("member", taker), payloads.opt_int("amount", 6)],
                command_guild_id=guild.id,
            )
            first = await fake.dispatch_interaction(payload)
            await fake.interaction_reply(first)
            before = await h.ledger_state(giver, taker)
        async with started_bot(tmp_path, fake=fake) as h:
            since = len(fake.requests)
            with structlog.testing.capture_logs() as logs:
                await fake.dispatch("INTERACTION_CREATE", payload)
                refused = await fake.wait_for_request(
                    "POST",
                    "/interactions/{interaction_id}/{interaction_token}/callback",
                    since=since,
                )
                await asyncio.sleep(0.1)
            assert refused.status == 400  # Discord: already acknowledged
            assert await h.ledger_state(giver, taker) == before
            assert [e["event"] for e in logs if e["event"].startswith("interaction_")] == [
                "interaction_already_answered"
            ]
            assert not [e for e in logs if e["log_level"] in ("error", "critical")]
    finally:
        await fake.close()
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert fake.violations == []


async def test_an_extension_that_fails_to_import_stops_the_start_loudly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    modules = [*bot_module.extension_modules(), "vouchy.features.nonexistent.discord"]
    monkeypatch.setattr(bot_module, "extension_modules", lambda: modules)
    config = make_config(tmp_path, discord_token="MTIz.x.y", discord_rest_url="http://127.0.0.1:9")
    app = await Vouchy(config).start()
    try:
        bot = VouchyBot(app, heartbeat=False)
        with pytest.raises(ModuleNotFoundError):
            await bot.start()
    finally:
        await app.close()


async def test_a_token_discord_refuses_stops_the_start_with_how_to_fix_it(tmp_path: Path) -> None:
    fake = FakeDiscord()
    fake.route(
        "GET", "/gateway/bot", lambda _r: Reply(401, {"message": "401: Unauthorized", "code": 0})
    )
    await fake.start()
    config = make_config(tmp_path, discord_token=fake.token, discord_rest_url=fake.rest_url)
    app = await Vouchy(config).start()
    try:
        bot = VouchyBot(app, heartbeat=False)
        with pytest.raises(StartFailed, match="refused the bot token .*Reset Token"):
            await bot.start()
        assert not bot.bot.is_alive
    finally:
        await app.close()
        await fake.close()


async def test_the_bot_refuses_to_start_without_a_token(tmp_path: Path) -> None:
    app = await Vouchy(make_config(tmp_path)).start()
    try:
        with pytest.raises(NoToken, match="Reset Token"):
            VouchyBot(app)
    finally:
        await app.close()


def test_run_without_a_token_exits_2_and_says_how_to_get_one(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOUCHY_")} | {
        "PYTHONPATH": str(REPO),
        "VOUCHY_DATA_DIR": str(tmp_path / "data"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "vouchy", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: no Discord bot token")
    assert "developer portal" in line and "Bot → Reset Token" in line
    assert "export VOUCHY_DISCORD_TOKEN=" in line
    assert not (tmp_path / "data").exists()  # nothing touched


def test_read_heartbeat_is_none_when_the_file_is_missing_or_unreadable(tmp_path: Path) -> None:
    assert read_heartbeat(tmp_path) is None
    (tmp_path / "heartbeat.json").write_text('{"pid": 1, "time": ')
    assert read_heartbeat(tmp_path) is None
    (tmp_path / "heartbeat.json").write_text('{"pid": "one"}')
    assert read_heartbeat(tmp_path) is None


async def test_privileged_intents_discord_refuses_stop_the_start_naming_them(
    tmp_path: Path,
) -> None:
    fake = FakeDiscord()
    fake.privileged_intents = 0  # the developer portal's switches left off
    await fake.start()
    config = make_config(tmp_path, discord_token=fake.token, discord_rest_url=fake.rest_url)
    app = await Vouchy(config).start()
    try:
        bot = VouchyBot(app, heartbeat=False)
        with pytest.raises(StartFailed, match="intents \\(4014\\).*Privileged Gateway Intents"):
            await bot.start()
        assert not bot.bot.is_alive
    finally:
        await app.close()
        await fake.close()
