"""The audit of XP and levels: each member's XP and counters against their log, their level
against their XP under the guild's curve; a broken row is reported and repaired from its
source, and a guild's own curve is the one the check uses."""

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
from vouchy.features.levels.voice import VoiceFacts

G = 900_000_000_000_000_001
A, B, C = 900_000_000_000_000_011, 900_000_000_000_000_012, 900_000_000_000_000_013


@pytest_asyncio.fixture
async def app(tmp_path: Path) -> AsyncIterator[Vouchy]:
    async with Vouchy(config_for(tmp_path)) as started:
        yield started


def corrupt(app: Vouchy, sql: str, *params: object) -> None:
    conn = sqlite3.connect(app.config.db_path)  # damage made outside Vouchy
    conn.execute(sql, params)
    conn.commit()
    conn.close()


async def some_xp(app: Vouchy) -> LevelsService:
    svc = app.service(LevelsService)
    t = now_ms()
    for user, n in ((A, 1), (B, 2), (C, 3)):
        message = MessageFacts(
            guild_id=G, channel_id=5, author_id=user, created_at_ms=t, message_id=user + n
        )
        assert await svc.on_message(message) is not None
    await svc.reaction(
        guild_id=G,
        channel_id=5,
        message_id=A + 1,
        reactor_id=B,
        reactor_is_bot=False,
        author_id=A,
        author_is_bot=False,
    )
    clock = {"now": t}
    svc.clock = lambda: clock["now"]
    together = VoiceFacts(channel_id=77, other_humans=1)
    await svc.voice_update(G, {B: together, C: together})
    clock["now"] = t + 4 * 60_000
    await svc.voice_update(G, {B: VoiceFacts(), C: VoiceFacts()})
    await svc.admin_change(G, C, "add", 400, "ix:1", acting_user_id=A, reason="event")
    return svc


async def test_the_audit_is_clean_after_every_kind_of_credit(app: Vouchy) -> None:
    await some_xp(app)
    report = await app.audit(G)
    assert report.clean, report.discrepancies


async def test_a_broken_xp_level_or_counter_is_reported_and_repaired_from_its_log(
    app: Vouchy,
) -> None:
    svc = await some_xp(app)
    right = {u: (await svc.profile(G, u)) for u in (A, B, C)}
    corrupt(app, "UPDATE levels_members SET xp = xp + 5 WHERE user_id = ?", A)
    corrupt(app, "UPDATE levels_members SET level = 9 WHERE user_id = ?", B)
    corrupt(app, "UPDATE levels_members SET messages = 7, voice_seconds = 1 WHERE user_id = ?", C)
    corrupt(app, "UPDATE levels_members SET reactions_received = 0 WHERE user_id = ?", A)
    found = sorted(
        (d.user_id, d.problem, d.balance, d.ledger_sum) for d in (await app.audit(G)).discrepancies
    )
    assert found == [
        (A, "reactions_received_mismatch", 0, 1),
        (A, "xp_mismatch", right[A].xp + 5, right[A].xp),
        (B, "level_mismatch", 9, right[B].level),
        (C, "messages_mismatch", 7, 1),
        (C, "voice_seconds_mismatch", 1, 240),
    ]
    receipts = await app.repair(G, acting_user_id=A)
    assert len(receipts) == 5
    assert (await app.audit(G)).clean
    for user in (A, B, C):
        assert await svc.profile(G, user) == right[user]


async def test_the_level_check_uses_the_guilds_own_curve(app: Vouchy) -> None:
    svc = await some_xp(app)
    await app.update_settings(
        G,
        "levels",
        {"curve_quadratic": 0, "curve_linear": 0, "curve_constant": 10},
        updated_by=A,
        reference="ix:curve",
    )
    await svc.idle()  # the stored levels follow the new curve
    assert (await app.audit(G)).clean
    c = await svc.profile(G, C)
    assert c.level == c.xp // 10
    corrupt(app, "UPDATE levels_members SET level = level - 1 WHERE user_id = ?", C)
    [found] = (await app.audit(G)).discrepancies
    assert (found.problem, found.ledger_sum) == ("level_mismatch", c.xp // 10)
