"""The audit of XP and levels: each member's XP and counters against their log, and their
level against their XP under the guild's curve; each discrepancy fixed from its source.

- ``xp_mismatch``: XP + pending XP != the sum of the member's log rows (fix: the XP the log
  gives);
- ``messages_mismatch``, ``voice_seconds_mismatch``, ``reactions_received_mismatch``: a
  counter != the sum of its log column (fix: the sum);
- ``level_mismatch``: the stored level != the level the curve gives for the XP the log gives
  (fix: that level; the level roles follow with ``/admin levels sync-roles``).

The guild's curve is read from its ``settings`` rows, over the configured defaults
(``configure``, called when the service is made; the struct's defaults otherwise).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from vouchy.features.levels.curve import MAX_XP, Curve, level_for_xp
from vouchy.features.levels.settings import LevelSettings
from vouchy.features.levels.tables import LOG, MEMBERS
from vouchy.store.audit import Check, Discrepancy
from vouchy.store.operations import Patch

NAME = "levels"
_defaults = LevelSettings()

# member column -> log column
COUNTERS = (
    ("messages", "messages"),
    ("voice_seconds", "voice_seconds"),
    ("reactions_received", "reactions"),
)
_CURVE_KEYS = ("curve_quadratic", "curve_linear", "curve_constant")


def configure(defaults: LevelSettings) -> None:
    """The configured defaults (``config.toml``'s ``[levels]``) for guilds without their own."""
    global _defaults
    _defaults = defaults


def _scope(guild_id: int | None, user_id: int | None, alias: str) -> tuple[str, list[int]]:
    clauses, params = [], []
    if guild_id is not None:
        clauses.append(f"{alias}.guild_id = ?")
        params.append(guild_id)
    if user_id is not None:
        clauses.append(f"{alias}.user_id = ?")
        params.append(user_id)
    return " AND ".join(clauses) or "1", params


def curves(conn: sqlite3.Connection, guild_id: int | None) -> dict[int, Curve]:
    """Each guild's curve as its settings rows say (guilds without rows are not listed)."""
    where, params = ("AND guild_id = ?", [guild_id]) if guild_id is not None else ("", [])
    found: dict[int, dict[str, int]] = {}
    for g, key, value in conn.execute(
        "SELECT guild_id, key, value FROM settings WHERE feature = 'levels'"
        f" AND key IN ('curve_quadratic', 'curve_linear', 'curve_constant') {where}",
        params,
    ):
        try:
            found.setdefault(g, {})[key] = int(json.loads(value))
        except (ValueError, TypeError):
            continue
    base = _defaults.curve
    return {
        g: Curve(
            quadratic=values.get("curve_quadratic", base.quadratic),
            linear=values.get("curve_linear", base.linear),
            constant=max(1, values.get("curve_constant", base.constant)),
        )
        for g, values in found.items()
    }


def run(conn: sqlite3.Connection, guild_id: int | None, user_id: int | None) -> list[Discrepancy]:
    where_m, params_m = _scope(guild_id, user_id, "m")
    where_l, params_l = _scope(guild_id, user_id, "l")
    sums: dict[tuple[int, int], tuple[int, ...]] = {
        (g, u): tuple(rest)
        for g, u, *rest in conn.execute(
            f"SELECT l.guild_id, l.user_id, SUM(l.xp), SUM(l.messages), SUM(l.voice_seconds),"
            f" SUM(l.reactions) FROM {LOG} l WHERE {where_l} GROUP BY l.guild_id, l.user_id",
            params_l,
        )
    }
    members: dict[tuple[int, int], tuple[int, ...]] = {
        (g, u): tuple(rest)
        for g, u, *rest in conn.execute(
            f"SELECT m.guild_id, m.user_id, m.xp, m.pending_xp, m.level, m.messages,"
            f" m.voice_seconds, m.reactions_received FROM {MEMBERS} m WHERE {where_m}",
            params_m,
        )
    }
    guild_curves = curves(conn, guild_id)
    found: list[Discrepancy] = []
    for key in sorted(set(sums) | set(members)):
        g, u = key
        xp, pending, level, *counters = members.get(key, (0, 0, 0, 0, 0, 0))
        logged_xp, *logged = sums.get(key, (0, 0, 0, 0))
        expected_xp = logged_xp - pending
        if xp != expected_xp:
            found.append(_found(g, u, "xp", xp, expected_xp))
        for (column, _), stored, expected in zip(COUNTERS, counters, logged, strict=True):
            if stored != expected:
                found.append(_found(g, u, column, stored, expected))
        curve = guild_curves.get(g, _defaults.curve)
        expected_level = level_for_xp(min(MAX_XP, max(0, expected_xp)), curve)
        if level != expected_level:
            found.append(_found(g, u, "level", level, expected_level))
    return found


def _found(g: int, u: int, column: str, stored: int, expected: int) -> Discrepancy:
    return Discrepancy(
        g,
        u,
        f"{column}_mismatch",
        balance=stored,
        ledger_sum=expected,
        check=NAME,
        key=[g, u, column],
    )


def fix(d: Discrepancy) -> Sequence[Any] | None:
    """The column its source gives; None when that value could not be stored (a log whose
    sum is out of bounds needs a person)."""
    if d.key is None or d.ledger_sum is None:
        return None
    g, u, column = d.key
    high = MAX_XP if column == "xp" else None
    if d.ledger_sum < 0 or (high is not None and d.ledger_sum > high):
        return None
    return [Patch(table=MEMBERS, key=(g, u), values={column: d.ledger_sum}, create=True)]


CHECKS = (Check(NAME, run, fix),)
