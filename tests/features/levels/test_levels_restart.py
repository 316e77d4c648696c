"""XP across a restart and a lost database: the cooldown holds, a voice session the bot left
open is closed at its last stored step (no minute invented), and every XP row, log row,
reward, notice and side effect comes back from the journal when ``vouchy.db`` is lost."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from features.levels.levels_support import (
    handled,
    levels_fake,
    member_row,
    now_ms,
    say,
    service,
)
from support.bot import started_bot
from support.durability import config_for

from vouchy.app import Vouchy
from vouchy.features.levels import service as service_module
from vouchy.store.durability.files import sqlite_files
from vouchy.testing.fake_discord import payloads


async def test_the_message_cooldown_holds_across_a_restart(tmp_path: Path) -> None:
    fake = levels_fake()
    await fake.start()
    alice = fake.guild.member("alice")
    t = now_ms()
    try:
        async with started_bot(tmp_path, fake=fake) as h:
            await say(h.fake, h.app, alice, at_ms=t)
            first = member_row(h.app, h.guild_id, alice.id)
            assert first is not None and first["messages"] == 1
        async with started_bot(tmp_path, fake=fake) as h:  # nothing in memory
            await say(h.fake, h.app, alice, at_ms=t + 10_000)
            assert member_row(h.app, h.guild_id, alice.id) == first
            await say(h.fake, h.app, alice, at_ms=t + 60_000)
            after = member_row(h.app, h.guild_id, alice.id)
            assert after is not None and after["messages"] == 2 and after["xp"] > first["xp"]
    finally:
        await fake.close()


async def test_a_voice_session_open_when_the_bot_stops_is_closed_at_its_last_stored_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = {"now": now_ms()}
    monkeypatch.setattr(service_module, "now_ms", lambda: clock["now"])
    t0 = clock["now"]
    fake = levels_fake()
    await fake.start()
    guild = fake.guild
    carol, dave, voice = guild.member("carol"), guild.member("dave"), guild.channel("Voice")

    def at(minutes: float) -> None:
        clock["now"] = t0 + int(minutes * 60_000)

    try:
        async with started_bot(tmp_path, fake=fake) as h:
            svc = service(h.app)
            for member in (carol, dave):
                before = svc.events["voice"]
                await fake.set_voice_channel(member.id, voice.id)
                await handled(h.app, "voice", before)
            at(3)
            assert await svc.voice_tick() == 2  # three minutes credited so far
            at(4.5)  # the bot stops; the minute and a half since the tick is not known
        row = member_row(h.app, h.guild_id, carol.id)
        assert row is not None and (row["xp"], row["voice_channel_id"]) == (30, voice.id)

        at(10)  # six minutes later the bot starts; both are still in voice
        async with started_bot(tmp_path, fake=fake) as h:
            svc = service(h.app)
            await handled(h.app, "guild", 0)
            for member in (carol, dave):
                row = member_row(h.app, h.guild_id, member.id)
                assert row is not None and row["xp"] == 30
                assert (row["voice_run"], row["voice_since"]) == (svc.run_id, t0 + 10 * 60_000)
            at(12)
            for member in (carol, dave):
                before = svc.events["voice"]
                await fake.set_voice_channel(member.id, None)
                await handled(h.app, "voice", before)
            for member in (carol, dave):
                row = member_row(h.app, h.guild_id, member.id)
                assert row is not None
                assert (row["xp"], row["voice_seconds"]) == (50, 5 * 60)  # 3 + 2, not 3 + 9
            assert (await h.app.audit(h.guild_id)).clean
    finally:
        await fake.close()


TABLES = {
    "levels_members": "SELECT * FROM levels_members ORDER BY guild_id, user_id",
    "levels_xp_log": "SELECT * FROM levels_xp_log ORDER BY guild_id, reference",
    "levels_rewards": "SELECT * FROM levels_rewards ORDER BY guild_id, user_id, reward_key",
    "levels_notices": "SELECT * FROM levels_notices ORDER BY guild_id, problem, role_id",
    "settings": "SELECT * FROM settings ORDER BY guild_id, feature, key",
    "ledger": "SELECT * FROM ledger ORDER BY id",
    "outbox": "SELECT id, guild_id, reference, kind, payload FROM outbox ORDER BY id",
}


def dump(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(db)
    try:
        return {name: [tuple(r) for r in conn.execute(sql)] for name, sql in TABLES.items()}
    finally:
        conn.close()


async def test_every_xp_change_comes_back_from_the_journal_when_the_database_is_lost(
    tmp_path: Path,
) -> None:
    fake = levels_fake()
    await fake.start()
    guild = fake.guild
    alice, bob, erin = guild.member("alice"), guild.member("bob"), guild.member("erin")
    level1, above = guild.role("Level 1"), guild.role("Above the bot")
    live, image = tmp_path / "live", tmp_path / "image"
    try:
        async with started_bot(live, fake=fake) as h:
            await h.run("config levels role-reward", h.admin, level=1, role=level1)
            await h.run("config levels role-reward", h.admin, level=2, role=above)
            await h.run("config levels point-reward", h.admin, level=1, points=250)
            await h.run("config levels item-reward", h.admin, level=2, item="crown")
            message = await say(fake, h.app, alice)
            before = service(h.app).events["reaction"]
            await fake.dispatch(
                "MESSAGE_REACTION_ADD",
                payloads.reaction_add(
                    guild, bob, channel_id=guild.text_channel.id, message_id=message
                ),
            )
            await handled(h.app, "reaction", before)
            await h.run("admin xp add", h.admin, member=erin, amount=90)
            await say(fake, h.app, erin)  # level 1: a role, 250 points, an announcement
            await h.run("admin xp set", h.admin, member=bob, xp=300)  # level 2: a notice
            await service(h.app).idle()
            assert await h.bot.outbox.drain(10.0)
            want = dump(h.app.config.db_path)
            assert want["levels_rewards"] and want["levels_notices"] and want["outbox"]
            # The files as a crash would leave them: the database, its WAL and the journal.
            image.mkdir()
            for path in sqlite_files(h.app.config.db_path)[:2]:
                if path.exists():
                    shutil.copy(path, image / path.name)
            shutil.copytree(h.app.config.journal_dir, image / "journal")
            shutil.copy(h.app.config.data_dir / "vouchy.id", image / "vouchy.id")
    finally:
        await fake.close()
    lost = tmp_path / "lost"
    shutil.copytree(image, lost / "data")
    for name in ("vouchy.db", "vouchy.db-wal", "vouchy.db-shm"):
        (lost / "data" / name).unlink(missing_ok=True)
    async with Vouchy(config_for(lost)) as app:
        assert app.recovery is not None and app.recovery.action != "ok"
        assert (await app.audit()).clean
    assert dump(lost / "data" / "vouchy.db") == want
