"""The web feature's service: API keys (issued, listed, revoked through the guild's owner, and
looked up for every request), the points an API client earns and spends (through the member's
owner, once per Idempotency-Key), and what the API and the public page read: a member's
account, history and the guild's leaderboards. No HTTP here: ``vouchy.web`` turns these plain
values into answers.

Rewards belong to the shop feature; the API redeems one through ``RewardRedeemer``, a small
interface that feature's service implements (``rewards`` is None until one does).
"""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Literal, Protocol, runtime_checkable

import msgspec

from vouchy.actors.owners import Actors
from vouchy.features.api import rules, sources
from vouchy.features.api.keys import ApiKey, Scope, Secret, TokenBytes, issue
from vouchy.features.api.sources import Sources
from vouchy.features.base import Context
from vouchy.features.points import rules as points_rules
from vouchy.features.points.service import PointsService
from vouchy.store.audit import AuditReport
from vouchy.store.operations import Receipt
from vouchy.store.reader import Reader

Board = Literal["points", "levels", "vouches"]
MoveKind = Literal["earn", "spend"]


class AccountFacts(msgspec.Struct, frozen=True, kw_only=True):
    guild_id: int
    user_id: int
    balance: int  # the starting balance for a member Vouchy has not seen yet
    lifetime_earned: int
    lifetime_spent: int
    xp: int  # 0 when the levels feature keeps no XP here
    level: int
    vouches: int  # 0 when the vouches feature keeps no count here
    exists: bool


class Entry(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    kind: str
    delta: int
    balance_after: int
    reason: str
    created_at: int  # unix milliseconds


class HistoryPage(msgspec.Struct, frozen=True, kw_only=True):
    entries: list[Entry]
    next_before: int | None  # the id to continue before; None on the last page


class BoardRow(msgspec.Struct, frozen=True, kw_only=True):
    rank: int
    user_id: int
    value: int  # points, XP or vouches
    level: int | None  # the levels board only


class BoardPage(msgspec.Struct, frozen=True, kw_only=True):
    board: Board
    page: int
    pages: int
    per_page: int
    total: int
    rows: list[BoardRow]


class Created(msgspec.Struct, frozen=True):
    """A key issued: its record, and the key to show once (None when this reference had
    already created it: the secret was shown then, and is not kept)."""

    record: ApiKey
    key: Secret | None


class Redeemed(Protocol):
    """What a redemption answers (times in unix milliseconds): the shop's ``Redeemed``."""

    @property
    def code(self) -> str: ...
    @property
    def reward(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def cost(self) -> int: ...
    @property
    def created_at(self) -> int: ...
    @property
    def expires_at(self) -> int: ...
    @property
    def balance(self) -> int | None: ...  # None when it cost nothing
    @property
    def ledger_id(self) -> int: ...  # 0 when it cost nothing
    @property
    def duplicate(self) -> bool: ...  # the first answer to this reference, again


@runtime_checkable
class RewardRedeemer(Protocol):
    """What the shop feature's service offers the API: redeem a reward (its key or name) for
    a member, once per ``reference``; a repeat with the same ``fingerprint`` answers the first
    redemption (``duplicate``), another fingerprint is ``ReferenceTaken``. Refusals are
    ``VouchyError``s (``shop.unknown_reward``, ``InsufficientFunds``...)."""

    async def redeem(
        self, guild_id: int, user_id: int, reward_id: str, reference: str, fingerprint: str = ""
    ) -> Redeemed: ...


UNKNOWN_REWARD = "shop.unknown_reward"  # the shop's refusal of a reward it does not have


def _pages(total: int, size: int) -> int:
    return max(1, -(-total // size))


class ApiService:
    def __init__(
        self,
        reader: Reader,
        actors: Actors,
        points: PointsService,
        *,
        max_amount: int,
        starting_balance: int,
        rewards: RewardRedeemer | None = None,
        token_bytes: TokenBytes = secrets.token_bytes,
    ) -> None:
        self.reader = reader
        self.actors = actors
        self.points = points
        self.max_amount = max_amount
        self.starting_balance = starting_balance
        self.rewards = rewards
        self.token_bytes = token_bytes
        # Key records by id. Exact: every change to a key goes through this service, which
        # updates it after the COMMIT; a read that raced with a change is not kept.
        self._keys: dict[str, ApiKey] = {}
        self._generation = 0
        self._sources: Sources | None = None

    @classmethod
    def create(cls, ctx: Context) -> ApiService:
        points = ctx.services["points"]
        assert isinstance(points, PointsService)
        shop = ctx.services.get("shop")  # the rewards, when the shop feature is installed
        rewards = shop if isinstance(shop, RewardRedeemer) else None
        return cls(
            ctx.reader,
            ctx.actors,
            points,
            max_amount=ctx.config.limits.max_amount,
            starting_balance=points.starting_balance,
            rewards=rewards,
        )

    # -- keys -----------------------------------------------------------------------------------

    async def create_key(
        self, guild_id: int, name: str, scopes: str, *, created_by: int, reference: str
    ) -> Created:
        """Issue a key for ``guild_id``; answered after its record (its hash) is committed."""
        issued = issue(
            guild_id=guild_id,
            name=name,
            scopes=scopes,
            created_by=created_by,
            now_ms=int(time.time() * 1000),
            token_bytes=self.token_bytes,
        )
        receipt = await self.actors.guild(guild_id).submit(rules.create(issued, reference))
        record = self._committed(receipt)
        if receipt.duplicate or record.key_hash != issued.record.key_hash:
            return Created(record, None)
        return Created(record, issued.key)

    async def revoke_key(
        self, guild_id: int, key_id: str, *, revoked_by: int, reference: str
    ) -> ApiKey:
        """Revoke a key of ``guild_id``; every request with it is refused once this returns."""
        op = rules.revoke(
            guild_id,
            rules.key_id_of(key_id),
            reference,
            revoked_by=revoked_by,
            now_ms=int(time.time() * 1000),
        )
        return self._committed(await self.actors.guild(guild_id).submit(op))

    async def keys(self, guild_id: int) -> list[ApiKey]:
        """The guild's keys, oldest first (revoked ones too)."""
        rows = await self.reader.rows(
            f"SELECT * FROM {rules.TABLE} WHERE guild_id = ? ORDER BY created_at, id", (guild_id,)
        )
        return [rules.record(r) for r in rows]

    async def key(self, key_id: str) -> ApiKey | None:
        """The record of key ``key_id`` (any guild), or None."""
        # Invariant: the cache never keeps a record older than its key's last committed change
        # (a read that overlapped a change is answered but not kept).
        found = self._keys.get(key_id)
        if found is not None:
            return found
        generation = self._generation
        row = await self.reader.row(f"SELECT * FROM {rules.TABLE} WHERE id = ?", (key_id,))
        if row is None:
            return None
        found = rules.record(row)
        if generation == self._generation:  # no key changed while this was read
            self._keys[key_id] = found
        return found

    def _committed(self, receipt: Receipt) -> ApiKey:
        [row] = [r for r in receipt.rows if r.table == rules.TABLE]
        assert row.values is not None
        found = rules.record({"id": row.key[0], **row.values})
        self._generation += 1
        self._keys[found.id] = found
        return found

    # -- points ---------------------------------------------------------------------------------

    def move(
        self,
        kind: MoveKind,
        guild_id: int,
        user_id: int,
        points: int,
        *,
        reason: str,
        order_id: str | None,
        amount: float | None,
        reference: str,
        fingerprint: str,
    ) -> asyncio.Future[Receipt]:
        """An earn or a spend asked over HTTP, through the member's owner. The reference is
        the client's Idempotency-Key and the fingerprint names its request: a retry answers
        the first receipt (``duplicate``), another request with that key ``ReferenceTaken``."""
        # Invariant: one operation per request, named by (API key, Idempotency-Key); the
        # points rules decide it, exactly as for the same change asked in Discord.
        build = points_rules.earn if kind == "earn" else points_rules.spend
        op = build(guild_id, user_id, points, reference, max_amount=self.max_amount, reason=reason)
        facts = {"reason": op.reason, "order_id": order_id, "amount": amount}
        op = msgspec.structs.replace(op, fingerprint=fingerprint, data=facts)
        return self.points.submit(op)

    # -- reads ----------------------------------------------------------------------------------

    async def sources(self) -> Sources:
        """Where XP, levels and vouches live in this database (looked up once)."""
        if self._sources is None:
            self._sources = await sources.discover(self.reader)
        return self._sources

    async def account(self, guild_id: int, user_id: int) -> AccountFacts:
        row = await self.reader.row(
            "SELECT balance, lifetime_earned, lifetime_spent FROM accounts"
            " WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        found = await self.sources()
        xp, level, vouches = 0, 0, 0
        if found.xp is not None:
            level_sql = f', "{found.xp.level_column}"' if found.xp.level_column else ", NULL"
            facts = await self.reader.row(
                f'SELECT xp{level_sql} FROM "{found.xp.table}" WHERE guild_id = ? AND user_id = ?',
                (guild_id, user_id),
            )
            if facts is not None:
                xp = int(facts[0] or 0)
                level = sources.level_of(xp, facts[1])
        if found.vouches is not None:
            v = found.vouches
            total = v.count if v.grouped else f"SUM({v.count})"  # rows, or the stored count
            vouches = int(
                await self.reader.scalar(
                    f'SELECT COALESCE({total}, 0) FROM "{v.table}"'
                    f' WHERE guild_id = ? AND "{v.user_column}" = ? {v.where}',
                    (guild_id, user_id),
                )
                or 0
            )
        if row is None:
            return AccountFacts(
                guild_id=guild_id,
                user_id=user_id,
                balance=self.starting_balance,
                lifetime_earned=0,
                lifetime_spent=0,
                xp=xp,
                level=level,
                vouches=vouches,
                exists=False,
            )
        return AccountFacts(
            guild_id=guild_id,
            user_id=user_id,
            balance=row["balance"],
            lifetime_earned=row["lifetime_earned"],
            lifetime_spent=row["lifetime_spent"],
            xp=xp,
            level=level,
            vouches=vouches,
            exists=True,
        )

    async def history(
        self, guild_id: int, user_id: int, *, before_id: int | None, limit: int
    ) -> HistoryPage:
        """A member's ledger rows, newest first, ``limit`` at a time. A cursor (an id) stays
        valid while rows are added: a page never repeats or skips a row."""
        before = before_id if before_id is not None else 2**63 - 1
        rows = await self.reader.rows(
            "SELECT id, kind, delta, balance_after, reason, created_at FROM ledger"
            " WHERE guild_id = ? AND user_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
            (guild_id, user_id, before, limit + 1),
        )
        entries = [
            Entry(
                id=r["id"],
                kind=r["kind"],
                delta=r["delta"],
                balance_after=r["balance_after"],
                reason=r["reason"],
                created_at=r["created_at"],
            )
            for r in rows[:limit]
        ]
        more = len(rows) > limit
        return HistoryPage(entries=entries, next_before=entries[-1].id if more else None)

    async def leaderboard(self, guild_id: int, board: Board, page: int, limit: int) -> BoardPage:
        """One page of a board: points (balances), levels (XP) or vouches received; ties by
        user id. A board whose feature keeps nothing here is empty."""
        offset = (page - 1) * limit
        found = await self.sources()
        if board == "points":
            total = await self.reader.scalar(
                "SELECT COUNT(*) FROM accounts WHERE guild_id = ?", (guild_id,)
            )
            rows = await self.reader.rows(
                "SELECT user_id, balance AS value, NULL AS level FROM accounts WHERE guild_id = ?"
                " ORDER BY balance DESC, user_id LIMIT ? OFFSET ?",
                (guild_id, limit, offset),
            )
        elif board == "levels" and found.xp is not None:
            x = found.xp
            level = f'"{x.level_column}"' if x.level_column else "NULL"
            total = await self.reader.scalar(
                f'SELECT COUNT(*) FROM "{x.table}" WHERE guild_id = ? AND xp > 0', (guild_id,)
            )
            rows = await self.reader.rows(
                f'SELECT user_id, xp AS value, {level} AS level FROM "{x.table}"'
                " WHERE guild_id = ? AND xp > 0 ORDER BY xp DESC, user_id LIMIT ? OFFSET ?",
                (guild_id, limit, offset),
            )
        elif board == "vouches" and found.vouches is not None:
            v = found.vouches
            if v.grouped:
                counted = (
                    f'SELECT "{v.user_column}" AS user_id, COUNT(*) AS value FROM "{v.table}"'
                    f' WHERE guild_id = ? {v.where} GROUP BY "{v.user_column}"'
                )
            else:
                counted = (
                    f'SELECT "{v.user_column}" AS user_id, {v.count} AS value FROM "{v.table}"'
                    f" WHERE guild_id = ? AND {v.count} > 0"
                )
            total = await self.reader.scalar(f"SELECT COUNT(*) FROM ({counted})", (guild_id,))
            rows = await self.reader.rows(
                f"SELECT user_id, value, NULL AS level FROM ({counted})"
                " ORDER BY value DESC, user_id LIMIT ? OFFSET ?",
                (guild_id, limit, offset),
            )
        else:
            total, rows = 0, []
        ranked = [
            BoardRow(
                rank=offset + i + 1,
                user_id=int(r["user_id"]),
                value=int(r["value"]),
                level=sources.level_of(int(r["value"]), r["level"]) if board == "levels" else None,
            )
            for i, r in enumerate(rows)
        ]
        return BoardPage(
            board=board,
            page=page,
            pages=_pages(int(total or 0), limit),
            per_page=limit,
            total=int(total or 0),
            rows=ranked,
        )

    async def audit(self, guild_id: int, user_id: int | None = None) -> AuditReport:
        """Every registered check, for the guild or one member."""
        return await self.reader.audit(guild_id, user_id)


__all__ = [
    "AccountFacts",
    "ApiService",
    "BoardPage",
    "BoardRow",
    "Created",
    "Entry",
    "HistoryPage",
    "Redeemed",
    "RewardRedeemer",
    "Scope",
]
