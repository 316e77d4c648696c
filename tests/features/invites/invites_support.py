"""Helpers the invites tests share: accounts of a given age, waiting until a join or a leave
the fake Discord sent is recorded, and the invite rows as they stand (to prove that a refused
command changed nothing)."""

from __future__ import annotations

import asyncio
import datetime
import sqlite3
from pathlib import Path
from typing import Any

from vouchy.features.invites import rules
from vouchy.features.invites.records import JoinRecord
from vouchy.features.invites.service import InvitesService
from vouchy.testing.fake_discord import User, next_snowflake, snowflake_at

TABLES = (
    "invite_guilds",
    "invite_joins",
    "invite_leaves",
    "invite_bonuses",
    "invite_counts",
    "invite_members",
    "invite_staff",
    "invite_codes",
)


def old_user(name: str, days: int = 400) -> User:
    """An account made ``days`` ago (not a fake for the default 7 days)."""
    made = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=days)
    return User(snowflake_at(made), name)


def new_user(name: str) -> User:
    """An account made just now (a fake account for the default settings)."""
    return User(next_snowflake(), name)


async def joins_of(
    service: InvitesService, guild_id: int, member_id: int, count: int = 1, wait_s: float = 5.0
) -> list[JoinRecord]:
    """The member's recorded joins, oldest first, once there are ``count`` of them."""
    async with asyncio.timeout(wait_s):
        while True:
            rows = await service.reader.rows(
                "SELECT * FROM invite_joins WHERE guild_id = ? AND member_id = ? ORDER BY event_no",
                (guild_id, member_id),
            )
            if len(rows) >= count:
                return [rules.record_of(r) for r in rows]
            await asyncio.sleep(0.02)


async def leaves_of(
    service: InvitesService, guild_id: int, member_id: int, count: int = 1, wait_s: float = 5.0
) -> int:
    async with asyncio.timeout(wait_s):
        while True:
            found = await service.reader.scalar(
                "SELECT COUNT(*) FROM invite_leaves WHERE guild_id = ? AND member_id = ?",
                (guild_id, member_id),
            )
            if found >= count:
                return int(found)
            await asyncio.sleep(0.02)


async def settled(service: InvitesService, guild_id: int) -> None:
    """Every job told to the guild's owner so far has run."""

    async def nothing(_owner: Any) -> None:
        return None

    await service.actors.guild(guild_id).run(nothing)


def invite_rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every invite table's rows, in key order."""
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in TABLES}
    finally:
        conn.close()
