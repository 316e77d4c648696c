"""The user actor: every balance change of one (guild, user) goes through it, in arrival order.

It validates the request and hands the operation to the group-commit writer with the caller's
own future; the next operation starts only when that one is answered (invariant 5: per-user
order). Only this actor lowers its member's balance; a credit from elsewhere (a transfer) is
committed atomically with its debit by the sender's actor. The balance rules themselves (no
balance below zero, cooldowns, idempotent references) live in one place: the writer, which
holds the exact committed rows. The actor keeps no balance of its own, so none can be stale.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from typing import Literal

import msgspec

from vouchy.actors.runtime import Actor, Router
from vouchy.core.validation import (
    check_amount,
    check_balance_target,
    check_member,
    check_page,
    check_page_size,
    check_reason,
    check_transfer,
)
from vouchy.store.audit import AuditReport
from vouchy.store.ops import Op, Receipt
from vouchy.store.reader import AccountView, HistoryPage, Leaderboard, Reader
from vouchy.store.writer import Writer


class LedgerRules(msgspec.Struct, frozen=True, kw_only=True):
    max_amount: int = 10_000
    max_page_size: int = 25
    daily_amount: int = 100
    daily_cooldown_s: float = 86_400.0


class LedgerContext:
    """What every user actor shares: the writer, the reader and the rules."""

    def __init__(self, writer: Writer, reader: Reader, rules: LedgerRules) -> None:
        self.writer = writer
        self.reader = reader
        self.rules = rules


class UserActor(Actor):
    __slots__ = ("ctx",)

    def __init__(self, key: Hashable, router: Router[UserActor], ctx: LedgerContext) -> None:
        super().__init__(key, router)
        self.ctx = ctx

    @property
    def guild_id(self) -> int:
        return self.key[0]  # type: ignore[index]

    @property
    def user_id(self) -> int:
        return self.key[1]  # type: ignore[index]

    # -- writes (through the mailbox) --------------------------------------------------------

    def earn(
        self,
        amount: int,
        reference: str,
        *,
        kind: str = "earn",
        reason: str = "",
        acting_user_id: int | None = None,
    ) -> asyncio.Future[Receipt]:
        check_amount(amount, self.ctx.rules.max_amount)
        return self._change(
            delta=amount,
            reference=reference,
            kind=kind,
            reason=check_reason(reason),
            acting_user_id=acting_user_id,
        )

    def spend(
        self,
        amount: int,
        reference: str,
        *,
        kind: str = "spend",
        reason: str = "",
        acting_user_id: int | None = None,
    ) -> asyncio.Future[Receipt]:
        check_amount(amount, self.ctx.rules.max_amount)
        return self._change(
            delta=-amount,
            reference=reference,
            kind=kind,
            reason=check_reason(reason),
            acting_user_id=acting_user_id,
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
        check_transfer(self.user_id, to_user_id, receiver_is_bot=receiver_is_bot)
        check_amount(amount, self.ctx.rules.max_amount)
        return self._change(
            delta=-amount,
            reference=reference,
            kind="transfer_out",
            to_user_id=to_user_id,
            reason=check_reason(reason),
            acting_user_id=self.user_id,
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
        """An admin's add, remove or set; the admin is recorded as the acting user."""
        reason = check_reason(reason)
        if mode == "set":
            target = check_balance_target(amount, self.ctx.rules.max_amount)
            return self._change(
                set_to=target,
                reference=reference,
                kind="admin_adjust",
                reason=reason,
                acting_user_id=acting_user_id,
            )
        if mode not in ("add", "remove"):
            raise ValueError(f"unknown adjust mode {mode!r}")
        check_amount(amount, self.ctx.rules.max_amount)
        delta = amount if mode == "add" else -amount
        return self._change(
            delta=delta,
            reference=reference,
            kind="admin_adjust",
            reason=reason,
            acting_user_id=acting_user_id,
        )

    def daily(self, reference: str) -> asyncio.Future[Receipt]:
        rules = self.ctx.rules
        return self._change(
            delta=rules.daily_amount,
            reference=reference,
            kind="daily",
            cooldown_s=rules.daily_cooldown_s,
            reason="daily reward",
        )

    def repair(self, reference: str, acting_user_id: int | None = None) -> asyncio.Future[Receipt]:
        """Set the stored balance to the ledger's sum, recorded as a ``repair`` row."""
        return self._change(reference=reference, kind="repair", acting_user_id=acting_user_id)

    def _change(self, **fields: object) -> asyncio.Future[Receipt]:
        check_member(self.user_id)
        # Plain ints only past this point: an int subclass (hikari's Snowflake) is a different
        # type to the journal's encoder and would fail a whole batch.
        for name in ("to_user_id", "acting_user_id"):
            if fields.get(name) is not None:
                fields[name] = int(fields[name])  # type: ignore[call-overload]
        op = Op(guild_id=self.guild_id, user_id=self.user_id, **fields)  # type: ignore[arg-type]
        return self.tell(lambda: self._submit(op))

    def _submit(self, op: Op) -> asyncio.Future[Receipt]:
        """Runs in this actor's turn: queue ``op`` behind everything submitted before it."""
        future = self.ctx.writer.try_submit(op)
        if future is None:  # the writer's queue is full: wait for room (back-pressure)
            return asyncio.ensure_future(self.ctx.writer.submit(op))
        return future

    # -- reads (never queued behind writes; they see the last COMMIT) -------------------------

    async def account(self) -> AccountView:
        return await self.ctx.reader.account(self.guild_id, self.user_id)

    async def history(self, page: int = 1, size: int = 10) -> HistoryPage:
        page = check_page(page)
        size = check_page_size(size, self.ctx.rules.max_page_size)
        return await self.ctx.reader.history(self.guild_id, self.user_id, page, size)

    async def leaderboard(self, page: int = 1, size: int = 10) -> Leaderboard:
        page = check_page(page)
        size = check_page_size(size, self.ctx.rules.max_page_size)
        return await self.ctx.reader.leaderboard(self.guild_id, self.user_id, page, size)

    async def audit(self) -> AuditReport:
        return await self.ctx.reader.audit(self.guild_id, self.user_id)


class UserRouter(Router[UserActor]):
    """The router of user actors, keyed (guild id, user id)."""

    def __init__(self, ctx: LedgerContext, idle_seconds: float = 300.0) -> None:
        super().__init__(lambda key, router: UserActor(key, router, ctx), idle_seconds)

    def user(self, guild_id: int, user_id: int) -> UserActor:
        return self.get((int(guild_id), int(user_id)))
