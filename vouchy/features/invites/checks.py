"""The audit of invite counts: every stored ``invite_counts`` row and ``invite_members``
standing equals its recompute from the guild's join, leave and bonus rows (``counts.replay``
over them in recorded order, each with the rules it was recorded under), and the fix that
writes the recomputed row back.

Runs on a plain ``sqlite3`` connection (the live database, the command line, a snapshot under
verification); it only reads.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import msgspec

from vouchy.features.invites import rules
from vouchy.features.invites.counts import (
    BonusRecord,
    CountRules,
    Event,
    InviterCounts,
    LeaveRecord,
    Standing,
    replay,
)
from vouchy.features.invites.records import JoinRecord
from vouchy.store.audit import Check, Discrepancy

NAME = "invites.counts"

_EVENTS = """
SELECT 'join' AS kind, event_no, join_id AS id, member_id AS who, inviter_id AS other,
       joined_at AS at, account_created AS extra, fake_days AS rule
FROM invite_joins WHERE guild_id = :g
UNION ALL
SELECT 'leave', event_no, leave_id, member_id, NULL, left_at, NULL, window_ms
FROM invite_leaves WHERE guild_id = :g
UNION ALL
SELECT 'bonus', event_no, bonus_id, inviter_id, NULL, at, amount, NULL
FROM invite_bonuses WHERE guild_id = :g
ORDER BY event_no
"""


def events_of(conn: sqlite3.Connection, guild_id: int) -> list[tuple[Event, CountRules]]:
    """A guild's join, leave and bonus rows in recorded order, each with its rules."""
    found: list[tuple[Event, CountRules]] = []
    for kind, _n, ref, who, other, at, extra, rule in conn.execute(_EVENTS, {"g": guild_id}):
        if kind == "join":
            join = JoinRecord(
                join_id=ref,
                guild_id=guild_id,
                member_id=who,
                member_name="",
                joined_at_ms=at,
                account_created_ms=extra,
                cause="code" if other is not None else "unknown",
                code="-" if other is not None else None,
                inviter_id=other,
                how="",
            )
            found.append((join, CountRules(fake_account_days=rule)))
        elif kind == "leave":
            leave = LeaveRecord(leave_id=ref, guild_id=guild_id, member_id=who, left_at_ms=at)
            found.append((leave, CountRules(leave_window_ms=rule)))
        else:
            bonus = BonusRecord(
                bonus_id=ref, guild_id=guild_id, inviter_id=who, amount=extra, at_ms=at
            )
            found.append((bonus, CountRules()))
    return found


def _guilds(conn: sqlite3.Connection, guild_id: int | None) -> list[int]:
    if guild_id is not None:
        return [guild_id]
    return [
        r[0]
        for r in conn.execute(
            "SELECT guild_id FROM invite_guilds UNION SELECT guild_id FROM invite_counts"
            " UNION SELECT guild_id FROM invite_members ORDER BY 1"
        )
    ]


def run(conn: sqlite3.Connection, guild_id: int | None, user_id: int | None) -> list[Discrepancy]:
    """Each counts row and standing that differs from its recompute (``user_id``: only that
    member's standing and counts as an inviter)."""
    found: list[Discrepancy] = []
    for g in _guilds(conn, guild_id):
        standings, counts = replay(events_of(conn, g))
        found += _counts(conn, g, user_id, counts)
        found += _standings(conn, g, user_id, standings)
    return found


def _scoped(sql: str, column: str, user_id: int | None) -> tuple[str, tuple[int, ...]]:
    if user_id is None:
        return sql, ()
    return sql + f" AND {column} = ?", (user_id,)


def _counts(
    conn: sqlite3.Connection, g: int, user_id: int | None, expected: dict[int, InviterCounts]
) -> list[Discrepancy]:
    sql, extra = _scoped(
        "SELECT inviter_id, regular, left_count, fake, bonus FROM invite_counts WHERE guild_id = ?",
        "inviter_id",
        user_id,
    )
    stored = {
        r[0]: InviterCounts(inviter_id=r[0], regular=r[1], left=r[2], fake=r[3], bonus=r[4])
        for r in conn.execute(sql, (g, *extra))
    }
    found = []
    inviters = set(stored) | {i for i in expected if user_id is None or i == user_id}
    for inviter in sorted(inviters):
        want = expected.get(inviter, InviterCounts(inviter_id=inviter))
        have = stored.get(inviter, InviterCounts(inviter_id=inviter))
        if want == have:
            continue
        found.append(
            Discrepancy(
                g,
                inviter,
                "invite_counts_mismatch",
                balance=have.total,
                ledger_sum=want.total,
                check=NAME,
                key=[rules.COUNTS, inviter],
                detail=msgspec.json.encode(rules.counts_values(want)).decode(),
            )
        )
    return found


def _standings(
    conn: sqlite3.Connection, g: int, user_id: int | None, expected: dict[int, Standing]
) -> list[Discrepancy]:
    sql, extra = _scoped("SELECT * FROM invite_members WHERE guild_id = ?", "member_id", user_id)
    cursor = conn.execute(sql, (g, *extra))
    names = [d[0] for d in cursor.description]
    stored: dict[int, Standing] = {}
    for values in cursor:
        standing = rules.standing_of(dict(zip(names, values, strict=True)))
        assert standing is not None
        stored[standing.member_id] = standing
    found = []
    members = set(stored) | {m for m in expected if user_id is None or m == user_id}
    for member in sorted(members):
        want, have = expected.get(member), stored.get(member)
        if want == have:
            continue
        detail: Any = None if want is None else rules.standing_values(want)
        found.append(
            Discrepancy(
                g,
                member,
                "invite_standing_mismatch",
                check=NAME,
                key=[rules.MEMBERS, member],
                detail=msgspec.json.encode(detail).decode(),
            )
        )
    return found


def fix(d: Discrepancy) -> Sequence[Any] | None:
    """The recomputed row, written back (or removed when the records make none)."""
    if d.guild_id is None or not d.key or len(d.key) != 2:
        return None
    table, key_id = d.key
    expected = msgspec.json.decode(d.detail) if d.detail else None
    return rules.fix_changes(d.guild_id, str(table), int(key_id), expected)


CHECK = Check(NAME, run, fix)
