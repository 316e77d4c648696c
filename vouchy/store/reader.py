"""Read queries: balances, history, leaderboards, audits. Never waits on the writer.

Reads use their own read-only connection; in WAL mode they see the last COMMIT and are not
blocked by a write in progress. A member with no account yet reads as the starting balance.
"""

from __future__ import annotations

from pathlib import Path

import aiosqlite
import msgspec

from vouchy.store.audit import AuditReport, audit
from vouchy.store.connection import connect_async


class AccountView(msgspec.Struct, frozen=True):
    guild_id: int
    user_id: int
    balance: int
    lifetime_earned: int
    lifetime_spent: int
    xp: int
    level: int
    last_daily_at: int | None
    exists: bool


class LedgerEntry(msgspec.Struct, frozen=True):
    id: int
    guild_id: int
    user_id: int
    delta: int
    balance_after: int
    kind: str
    reference: str
    reason: str
    acting_user_id: int | None
    created_at: int


class HistoryPage(msgspec.Struct, frozen=True):
    entries: list[LedgerEntry]
    page: int
    pages: int
    total: int


class Ranked(msgspec.Struct, frozen=True):
    rank: int
    user_id: int
    balance: int


class Leaderboard(msgspec.Struct, frozen=True):
    rows: list[Ranked]
    page: int
    pages: int
    accounts: int
    asker_rank: int | None  # None when the asker has no account yet
    asker_balance: int


class Reader:
    def __init__(self, path: Path | str, *, starting_balance: int = 25) -> None:
        self.path = Path(path)
        self.starting_balance = starting_balance
        self._conn: aiosqlite.Connection | None = None

    async def start(self) -> None:
        self._conn = await connect_async(self.path, readonly=True)

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    @property
    def conn(self) -> aiosqlite.Connection:
        assert self._conn is not None, "Reader.start() was not awaited"
        return self._conn

    async def account(self, guild_id: int, user_id: int) -> AccountView:
        async with self.conn.execute(
            """SELECT balance, lifetime_earned, lifetime_spent, xp, level, last_daily_at
               FROM accounts WHERE guild_id = ? AND user_id = ?""",
            (guild_id, user_id),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return AccountView(guild_id, user_id, self.starting_balance, 0, 0, 0, 0, None, False)
        return AccountView(guild_id, user_id, *row, exists=True)

    async def history(
        self, guild_id: int, user_id: int, page: int = 1, size: int = 10
    ) -> HistoryPage:
        """Newest first; ``page`` counts from 1."""
        total = await self._scalar(
            "SELECT COUNT(*) FROM ledger WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        async with self.conn.execute(
            """SELECT * FROM ledger WHERE guild_id = ? AND user_id = ?
               ORDER BY id DESC LIMIT ? OFFSET ?""",
            (guild_id, user_id, size, (page - 1) * size),
        ) as cur:
            rows = await cur.fetchall()
        return HistoryPage([LedgerEntry(*r) for r in rows], page, max(1, -(-total // size)), total)

    async def leaderboard(
        self, guild_id: int, asker_id: int, page: int = 1, size: int = 10
    ) -> Leaderboard:
        """Top members by balance (ties by user id), plus the asker's own rank."""
        accounts = await self._scalar(
            "SELECT COUNT(*) FROM accounts WHERE guild_id = ?", (guild_id,)
        )
        async with self.conn.execute(
            """SELECT user_id, balance FROM accounts WHERE guild_id = ?
               ORDER BY balance DESC, user_id LIMIT ? OFFSET ?""",
            (guild_id, size, (page - 1) * size),
        ) as cur:
            rows = await cur.fetchall()
        ranked = [Ranked((page - 1) * size + i + 1, u, b) for i, (u, b) in enumerate(rows)]
        mine = await self.account(guild_id, asker_id)
        rank = None
        if mine.exists:
            rank = 1 + await self._scalar(
                """SELECT COUNT(*) FROM accounts WHERE guild_id = ?
                   AND (balance > ? OR (balance = ? AND user_id < ?))""",
                (guild_id, mine.balance, mine.balance, asker_id),
            )
        return Leaderboard(ranked, page, max(1, -(-accounts // size)), accounts, rank, mine.balance)

    async def audit(self, guild_id: int | None = None, user_id: int | None = None) -> AuditReport:
        return await self.conn._execute(audit, self.conn._conn, guild_id, user_id)

    async def _scalar(self, sql: str, params: tuple) -> int:
        async with self.conn.execute(sql, params) as cur:
            row = await cur.fetchone()
        return row[0]
