"""The points service: what commands, the API and other features call. It builds each
operation with the pure rules and hands it to the member's owner (one member's changes in
arrival order); reads go to the read side and never wait on a write."""

from __future__ import annotations

import asyncio
import time
from typing import Literal

import msgspec

from vouchy.actors.owners import Actors
from vouchy.core.errors import Refused
from vouchy.core.validation import check_page
from vouchy.features.base import Context
from vouchy.features.points import rules
from vouchy.features.points.rules import PointsSettings
from vouchy.store.audit import AuditReport
from vouchy.store.operations import Op, Receipt
from vouchy.store.reader import Reader
from vouchy.store.settings import SettingsStore


class AccountView(msgspec.Struct, frozen=True):
    guild_id: int
    user_id: int
    balance: int
    lifetime_earned: int
    lifetime_spent: int
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


def _pages(total: int, size: int) -> int:
    return max(1, -(-total // size))


class PointsReads:
    """Balances, history, the leaderboard: the read side only (the command line uses it
    without a writer)."""

    def __init__(self, reader: Reader, *, starting_balance: int, page_size: int = 10) -> None:
        self.reader = reader
        self.starting_balance = starting_balance
        self.page_size = page_size

    async def account(self, guild_id: int, user_id: int) -> AccountView:
        row = await self.reader.row(
            "SELECT balance, lifetime_earned, lifetime_spent FROM accounts"
            " WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        if row is None:
            return AccountView(guild_id, user_id, self.starting_balance, 0, 0, False)
        return AccountView(
            guild_id, user_id, row["balance"], row["lifetime_earned"], row["lifetime_spent"], True
        )

    async def history(
        self, guild_id: int, user_id: int, page: int = 1, size: int | None = None
    ) -> HistoryPage:
        """Newest first; ``page`` counts from 1."""
        page = check_page(page)
        size = size or self.page_size
        total = await self.reader.scalar(
            "SELECT COUNT(*) FROM ledger WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        rows = await self.reader.rows(
            "SELECT * FROM ledger WHERE guild_id = ? AND user_id = ? ORDER BY id DESC LIMIT ? OFFSET ?",
            (guild_id, user_id, size, (page - 1) * size),
        )
        entries = [LedgerEntry(*tuple(r)) for r in rows]
        return HistoryPage(entries, page, _pages(total, size), total)

    async def leaderboard(
        self, guild_id: int, asker_id: int, page: int = 1, size: int | None = None
    ) -> Leaderboard:
        """Top members by balance (ties by user id), plus the asker's own rank."""
        page = check_page(page)
        size = size or self.page_size
        accounts = await self.reader.scalar(
            "SELECT COUNT(*) FROM accounts WHERE guild_id = ?", (guild_id,)
        )
        rows = await self.reader.rows(
            "SELECT user_id, balance FROM accounts WHERE guild_id = ?"
            " ORDER BY balance DESC, user_id LIMIT ? OFFSET ?",
            (guild_id, size, (page - 1) * size),
        )
        ranked = [
            Ranked((page - 1) * size + i + 1, r["user_id"], r["balance"])
            for i, r in enumerate(rows)
        ]
        mine = await self.account(guild_id, asker_id)
        rank = None
        if mine.exists:
            rank = 1 + await self.reader.scalar(
                "SELECT COUNT(*) FROM accounts WHERE guild_id = ?"
                " AND (balance > ? OR (balance = ? AND user_id < ?))",
                (guild_id, mine.balance, mine.balance, asker_id),
            )
        return Leaderboard(ranked, page, _pages(accounts, size), accounts, rank, mine.balance)

    async def audit(self, guild_id: int | None = None, user_id: int | None = None) -> AuditReport:
        return await self.reader.audit(guild_id, user_id)


class PointsService(PointsReads):
    def __init__(
        self,
        actors: Actors,
        reader: Reader,
        settings: SettingsStore,
        *,
        max_amount: int,
        page_size: int,
        starting_balance: int,
    ) -> None:
        super().__init__(reader, starting_balance=starting_balance, page_size=page_size)
        self.actors = actors
        self.settings = settings
        self.max_amount = max_amount

    @classmethod
    def create(cls, ctx: Context) -> PointsService:
        limits = ctx.config.limits
        defaults = ctx.settings.default("points")
        assert isinstance(defaults, PointsSettings)
        return cls(
            ctx.actors,
            ctx.reader,
            ctx.settings,
            max_amount=limits.max_amount,
            page_size=limits.page_size,
            starting_balance=defaults.starting_balance,
        )

    def member(self, guild_id: int, user_id: int) -> PointsMember:
        return PointsMember(self, int(guild_id), int(user_id))

    def submit(self, op: Op) -> asyncio.Future[Receipt]:
        """Hand ``op`` to its member's owner."""
        return self.actors.member(op.guild_id, op.user_id).submit(op)


class PointsMember:
    """One member's points: every write through the member's owner, in order."""

    __slots__ = ("service", "guild_id", "user_id")

    def __init__(self, service: PointsService, guild_id: int, user_id: int) -> None:
        self.service = service
        self.guild_id = guild_id
        self.user_id = user_id

    def earn(
        self, amount: int, reference: str, *, reason: str = "", acting_user_id: int | None = None
    ) -> asyncio.Future[Receipt]:
        s = self.service
        return s.submit(
            rules.earn(
                self.guild_id,
                self.user_id,
                amount,
                reference,
                max_amount=s.max_amount,
                reason=reason,
                acting_user_id=acting_user_id,
            )
        )

    def spend(
        self, amount: int, reference: str, *, reason: str = "", acting_user_id: int | None = None
    ) -> asyncio.Future[Receipt]:
        s = self.service
        return s.submit(
            rules.spend(
                self.guild_id,
                self.user_id,
                amount,
                reference,
                max_amount=s.max_amount,
                reason=reason,
                acting_user_id=acting_user_id,
            )
        )

    def transfer(
        self,
        to_user_id: int,
        amount: int,
        reference: str,
        *,
        receiver_is_bot: bool = False,
        reason: str = "",
    ) -> asyncio.Future[Receipt]:
        s = self.service
        return s.submit(
            rules.transfer(
                self.guild_id,
                self.user_id,
                int(to_user_id),
                amount,
                reference,
                max_amount=s.max_amount,
                receiver_is_bot=receiver_is_bot,
                reason=reason,
            )
        )

    def adjust(
        self,
        mode: Literal["add", "remove", "set"],
        amount: int,
        reference: str,
        *,
        acting_user_id: int,
        reason: str = "",
    ) -> asyncio.Future[Receipt]:
        s = self.service
        return s.submit(
            rules.adjust(
                self.guild_id,
                self.user_id,
                mode,
                amount,
                reference,
                max_amount=s.max_amount,
                acting_user_id=int(acting_user_id),
                reason=reason,
            )
        )

    async def daily(self, reference: str) -> Receipt:
        settings = await self.service.settings.get(self.guild_id, "points", PointsSettings)
        now = int(time.time() * 1000)
        op = rules.daily(self.guild_id, self.user_id, reference, settings=settings, now_ms=now)
        try:
            return await self.service.submit(op)
        except Refused as e:
            if e.key == "points.daily_cooldown":
                raise rules.daily_refusal(e, int(time.time() * 1000)) from None
            raise

    def repair(self, reference: str, acting_user_id: int | None = None) -> asyncio.Future[Receipt]:
        return self.service.submit(
            rules.repair(self.guild_id, self.user_id, reference, acting_user_id)
        )

    async def account(self) -> AccountView:
        return await self.service.account(self.guild_id, self.user_id)

    async def history(self, page: int = 1, size: int | None = None) -> HistoryPage:
        return await self.service.history(self.guild_id, self.user_id, page, size)

    async def leaderboard(self, page: int = 1, size: int | None = None) -> Leaderboard:
        return await self.service.leaderboard(self.guild_id, self.user_id, page, size)

    async def audit(self) -> AuditReport:
        return await self.service.audit(self.guild_id, self.user_id)
