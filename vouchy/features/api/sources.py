"""Where the API reads what other features keep: a member's XP and level (the levels feature)
and the vouches they received (the vouches feature).

Those features own their tables; this module only reads them, and only when they exist: it
looks in ``sqlite_master`` (and each table's columns) once, and answers 0 (and an empty
board) when a feature is not installed. The names it looks for are listed here, in one
place: a feature that names its table otherwise needs one line added below.

- XP: the first table of ``XP_TABLES`` with ``guild_id``, ``user_id`` and ``xp``: the levels
  feature's ``levels_members``; its ``level`` column when it has one, else the level of that
  XP on the default curve.
- Vouches: the first table of ``VOUCH_COUNT_TABLES`` with ``guild_id``, a member column
  (``VOUCH_MEMBER_COLUMNS``) and a count column (``VOUCH_COUNT_COLUMNS``): the vouches
  feature's ``vouch_counts (guild_id, provider_id, count)``; else the rows of ``vouches``
  counted per provider, only the accepted ones when the table has a ``state`` or ``status``.
"""

from __future__ import annotations

import msgspec

from vouchy.features.levels.curve import level_for_xp
from vouchy.store.reader import Reader

XP_TABLES = ("levels_members", "levels", "level_members", "member_levels", "levels_xp", "xp")
VOUCH_COUNT_TABLES = (
    "vouch_counts",
    "vouches_counts",
    "vouches_providers",
    "vouch_providers",
    "vouches_stats",
)
VOUCH_MEMBER_COLUMNS = ("provider_id", "user_id")
VOUCH_COUNT_COLUMNS = ("count", "received", "vouches", "accepted", "total")
VOUCH_ROW_TABLES = ("vouches",)
VOUCH_PROVIDER_COLUMNS = ("provider_id", "vouchee_id", "target_id", "receiver_id", "to_user_id")
VOUCH_STATE_COLUMNS = ("state", "status")
ACCEPTED = ("accepted", "approved", "counted")


class XpSource(msgspec.Struct, frozen=True):
    table: str
    level_column: str | None  # None: the level is computed from the XP


class VouchSource(msgspec.Struct, frozen=True):
    table: str
    user_column: str  # the member the vouches are about
    count: str  # an SQL expression of the member's vouches over the table's grouped rows
    where: str  # an extra condition ("" or "AND status IN (...)")
    grouped: bool  # True: rows are counted per member; False: one row per member


class Sources(msgspec.Struct, frozen=True):
    xp: XpSource | None
    vouches: VouchSource | None


async def discover(reader: Reader) -> Sources:
    """The tables the levels and vouches features keep, as this database has them."""
    names = {r[0] for r in await reader.rows("SELECT name FROM sqlite_master WHERE type='table'")}
    columns: dict[str, set[str]] = {}
    for name in (*XP_TABLES, *VOUCH_COUNT_TABLES, *VOUCH_ROW_TABLES):
        if name in names:
            rows = await reader.rows("SELECT name FROM pragma_table_info(?)", (name,))
            columns[name] = {str(r[0]) for r in rows}
    return Sources(xp=_xp(columns), vouches=_vouches(columns))


def _xp(columns: dict[str, set[str]]) -> XpSource | None:
    for table in XP_TABLES:
        have = columns.get(table, set())
        if {"guild_id", "user_id", "xp"} <= have:
            return XpSource(table, "level" if "level" in have else None)
    return None


def _vouches(columns: dict[str, set[str]]) -> VouchSource | None:
    for table in VOUCH_COUNT_TABLES:
        have = columns.get(table, set())
        member = next((c for c in VOUCH_MEMBER_COLUMNS if c in have), None)
        count = next((c for c in VOUCH_COUNT_COLUMNS if c in have), None)
        if "guild_id" in have and member is not None and count is not None:
            return VouchSource(table, member, f'"{count}"', "", grouped=False)
    for table in VOUCH_ROW_TABLES:
        have = columns.get(table, set())
        provider = next((c for c in VOUCH_PROVIDER_COLUMNS if c in have), None)
        state = next((c for c in VOUCH_STATE_COLUMNS if c in have), None)
        if "guild_id" in have and provider is not None:
            accepted = ", ".join(f"'{s}'" for s in ACCEPTED)
            where = f'AND "{state}" IN ({accepted})' if state else ""
            return VouchSource(table, provider, "COUNT(*)", where, grouped=True)
    return None


def level_of(xp: int, stored: int | None) -> int:
    """The stored level, else the level of ``xp`` on the default curve."""
    if stored is not None:
        return int(stored)
    return level_for_xp(max(0, int(xp)))
