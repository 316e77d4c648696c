"""The levels service without a gateway: messages waiting for one member's turn are decided
together in order and written as one change, and the owner's cached row follows every
commit, its own and others'."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from features.levels.levels_support import now_ms
from support.durability import config_for

from vouchy.app import Vouchy
from vouchy.features.levels.rules import MessageFacts
from vouchy.features.levels.service import LevelsService
from vouchy.features.levels.state import STATE

G, A = 700_000_000_000_000_001, 700_000_000_000_000_002


@pytest_asyncio.fixture
async def app(tmp_path: Path) -> AsyncIterator[Vouchy]:
    async with Vouchy(config_for(tmp_path)) as started:
        yield started


def log_rows(app: Vouchy) -> list[tuple[str, int, int]]:
    conn = sqlite3.connect(app.config.db_path)
    try:
        return conn.execute(
            "SELECT reference, xp, messages FROM levels_xp_log WHERE user_id = ? ORDER BY 1", (A,)
        ).fetchall()
    finally:
        conn.close()


async def test_messages_waiting_for_one_turn_are_decided_in_order_and_written_once(
    app: Vouchy,
) -> None:
    svc = app.service(LevelsService)
    settings = await svc.settings_for(G)
    t = now_ms()
    times = (t, t + 30_000, t + 61_000, t + 90_000)  # earns, cooldown, earns, cooldown
    futures = [
        svc.message(
            MessageFacts(guild_id=G, channel_id=5, author_id=A, created_at_ms=at, message_id=i),
            settings,
        )
        for i, at in enumerate(times, 1)
    ]
    assert len({id(f) for f in futures}) == 1  # one job decides them all
    batches = app.writer.batches
    receipt = await futures[0]  # type: ignore[misc]
    assert receipt is not None and app.writer.batches == batches + 1
    rows = log_rows(app)
    assert [(ref.rsplit(":", 1)[1], m) for ref, _, m in rows] == [("1", 1), ("3", 1)]
    profile = await svc.profile(G, A)
    assert profile.counters.messages == 2 and profile.xp == sum(x for _, x, _ in rows)
    cached = app.actors.members.peek((G, A)).state[STATE]  # type: ignore[union-attr]
    assert (cached.xp, cached.last_message_at) == (profile.xp, t + 61_000)


async def test_a_repair_by_another_owner_reaches_the_members_cached_row(
    app: Vouchy,
) -> None:
    svc = app.service(LevelsService)
    t = now_ms()
    facts = MessageFacts(guild_id=G, channel_id=5, author_id=A, created_at_ms=t, message_id=9)
    await svc.on_message(facts)
    owner = app.actors.members.peek((G, A))
    assert owner is not None
    before = owner.state[STATE].xp
    await app.update_settings(G, "levels", {"message_cooldown_s": 0}, updated_by=1, reference="s")
    outside = sqlite3.connect(app.config.db_path)  # a log row written outside Vouchy
    outside.execute(
        "INSERT INTO levels_xp_log (guild_id, reference, user_id, source, xp, created_at)"
        " VALUES (?, 'outside', ?, 'admin', 7, 0)",
        (G, A),
    )
    outside.commit()
    outside.close()
    await app.repair(G)  # the XP follows its log, through the guild's owner
    assert owner.state[STATE].xp == before + 7
    later = MessageFacts(guild_id=G, channel_id=5, author_id=A, created_at_ms=t + 1, message_id=10)
    assert await svc.on_message(later) is not None  # planned from the exact row: no retry
    assert (await app.audit(G)).clean
