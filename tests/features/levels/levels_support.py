"""What the levels tests share: a guild laid out for XP (channels, an AFK channel, reward
roles below the bot's, one above it), messages and ids at chosen times, and waiting until
the bot has handled an event (its background jobs included)."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vouchy.app import Vouchy
from vouchy.features.levels.service import LevelsService
from vouchy.testing.fake_discord import (
    Channel,
    FakeDiscord,
    Member,
    Role,
    User,
    next_snowflake,
    payloads,
)
from vouchy.testing.fake_discord.models import GUILD_TEXT, GUILD_VOICE

DISCORD_EPOCH_MS = 1_420_070_400_000
PEOPLE = (
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
    "gina",
    "hugo",
    "ines",
    "jules",
    "kim",
    "lea",
    "max",
    "noe",
    "oscar",
    "paul",
    "quinn",
    "rose",
)
_counter = itertools.count(1)


def snowflake_at(ms: int) -> int:
    """A fresh id whose time is ``ms`` (a message sent then)."""
    return ((ms - DISCORD_EPOCH_MS) << 22) | (next(_counter) & 0x3FFFFF)


def now_ms() -> int:
    return int(time.time() * 1000)


def levels_fake() -> FakeDiscord:
    """The default guild plus members, channels ("memes", "quiet", "AFK" as the AFK channel,
    "Lounge" voice), the bot's role raised to 10, reward roles below it and one above."""
    fake = FakeDiscord()
    guild = fake.guild
    for name in PEOPLE:
        guild.members.append(Member(User(next_snowflake(), name)))
    guild.members.append(Member(User(next_snowflake(), "otherbot", bot=True)))
    guild.role(fake.bot_user.username).position = 10
    for position, name in enumerate(("Level 1", "Level 2", "Level 3", "Booster", "Quiet"), 1):
        guild.roles.append(Role(next_snowflake(), name, position=position))
    guild.roles.append(Role(next_snowflake(), "Above the bot", position=11))
    guild.channels += [
        Channel(next_snowflake(), "memes", GUILD_TEXT, position=2),
        Channel(next_snowflake(), "quiet", GUILD_TEXT, position=3),
        Channel(next_snowflake(), "logs", GUILD_TEXT, position=4),
        Channel(next_snowflake(), "AFK", GUILD_VOICE, position=5),
        Channel(next_snowflake(), "Lounge", GUILD_VOICE, position=6),
    ]
    guild.afk_channel_id = guild.channel("AFK").id
    return fake


def service(app: Vouchy) -> LevelsService:
    return app.service(LevelsService)


async def until(check: Callable[[], bool], what: str, timeout: float = 5.0) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout}s for {what}")
        await asyncio.sleep(0.005)


async def handled(app: Vouchy, kind: str, before: int, count: int = 1) -> None:
    """Wait until the bot handled ``count`` more events of ``kind`` and every job they
    started is done."""
    svc = service(app)
    await until(lambda: svc.events[kind] >= before + count, f"{count} {kind} event(s)")
    await svc.idle()


async def say(
    fake: FakeDiscord,
    app: Vouchy,
    who: Member,
    *,
    at_ms: int | None = None,
    channel_id: int | None = None,
    webhook: bool = False,
    content: str = "hello there",
) -> int:
    """``who`` posts a message (at ``at_ms``); returns its id once the bot handled it."""
    message_id = snowflake_at(now_ms() if at_ms is None else at_ms)
    data = payloads.message_create(
        fake.guild, who, content, channel_id=channel_id, message_id=message_id
    )
    if webhook:
        data["webhook_id"] = str(next_snowflake())
    before = service(app).events["message"]
    await fake.dispatch("MESSAGE_CREATE", data)
    await handled(app, "message", before)
    return message_id


def member_row(app: Vouchy, guild_id: int, user_id: int) -> dict[str, Any] | None:
    conn = sqlite3.connect(app.config.db_path)
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute(
            "SELECT * FROM levels_members WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        ).fetchone()
        return None if row is None else dict(row)
    finally:
        conn.close()


def table(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return [tuple(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()
