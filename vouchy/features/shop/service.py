"""The shop service: what the Discord commands, the API, the command line and other features
call. It reads with the ``Reader``, builds each operation with the pure rules
(``inventory``, ``listings``, ``rewards``) and submits it through the owner of the member's
rows; checks shared between members (stock, limits, a code's status) are in the operation
itself, for the writer's plan.

For other features:
- ``grant_changes(guild, user, item, quantity)``: the changes that add items inside the
  caller's own operation (a level reward).
- ``multiplier_for_game(guild, user)``: the member's active multiplier and the changes that
  use one game of it, for a game's own settlement operation.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import time
from collections.abc import Awaitable, Callable, Collection, Iterable
from typing import Any

import msgspec

from vouchy.actors.owners import Actors, Owner
from vouchy.core import i18n
from vouchy.core.errors import InvalidInput, Refused, VouchyError
from vouchy.core.validation import check_member, check_page, check_reason
from vouchy.features.base import Context
from vouchy.features.shop import inventory, listings, rewards
from vouchy.features.shop.importing import ItemsFile
from vouchy.features.shop.listings import Listing, ListingChange
from vouchy.features.shop.rewards import Redemption, Reward
from vouchy.features.shop.rules import BUILTINS, ShopSettings, key_of
from vouchy.store.operations import Change, Op, Receipt
from vouchy.store.reader import Reader
from vouchy.store.settings import SettingsStore

# A built-in item's name where a text in the reader's language cannot be used (a refusal's
# values, the receipt's reason).
BUILTIN_LABELS = {"jackpot": "Jackpot", "x2": "x2", "x3": "x3"}


class ItemView(msgspec.Struct, frozen=True, kw_only=True):
    item: str
    name: str  # "" for a built-in item without a catalogue row: say it in the reader's language
    description: str
    quantity: int
    usable: bool
    version: int  # the inventory row's change count: what a Use button names


class MultiplierView(msgspec.Struct, frozen=True, kw_only=True):
    item: str
    factor: int
    games_left: int
    games_total: int


class InventoryView(msgspec.Struct, frozen=True, kw_only=True):
    guild_id: int
    user_id: int
    items: list[ItemView]
    multiplier: MultiplierView | None  # the active one (games left), if any


class ListingView(msgspec.Struct, frozen=True, kw_only=True):
    item: str
    name: str
    description: str
    price: int
    stock: int | None
    sold: int
    role_id: int | None
    required_role_id: int | None
    member_limit: int | None
    ends_at: int | None


class Page(msgspec.Struct, frozen=True, kw_only=True):
    page: int
    pages: int
    total: int


class ShopPage(Page, frozen=True, kw_only=True):
    listings: list[ListingView]


class RewardsPage(Page, frozen=True, kw_only=True):
    rewards: list[Reward]


class RedemptionsPage(Page, frozen=True, kw_only=True):
    redemptions: list[Redemption]
    now_ms: int


class Used(msgspec.Struct, frozen=True, kw_only=True):
    """What using an item did: the jackpot's draw, or the multiplier made active."""

    item: str
    draw: int = 0
    factor: int = 1
    games: int = 0
    balance: int | None = None
    ledger_id: int = 0
    duplicate: bool = False


class Bought(msgspec.Struct, frozen=True, kw_only=True):
    item: str
    name: str
    quantity: int
    price: int
    total: int
    balance: int | None
    role_id: int | None
    ledger_id: int
    held: int  # how many of the item the member holds now


class Redeemed(msgspec.Struct, frozen=True, kw_only=True):
    """A redemption as its receipt says (for Discord and the API alike)."""

    reference: str
    guild_id: int
    user_id: int
    code: str
    reward: str
    name: str
    cost: int
    created_at: int  # unix milliseconds, as the redemption row says
    expires_at: int
    balance: int | None  # the member's balance after it (None when it cost nothing)
    ledger_id: int  # the redeem ledger row (0 when it cost nothing)
    duplicate: bool


class ImportResult(msgspec.Struct, frozen=True, kw_only=True):
    guild_id: int
    file_tag: str  # the sha256 prefix in this import's references
    members: int  # members with something to grant in the file
    imported: int  # members given their items now
    already_imported: int  # this file's reference for them already recorded: nothing changed
    units: int  # items granted now


def _listing(row: Any) -> Listing:
    return Listing(
        item=row["item"],
        listing_id=row["listing_id"],
        price=row["price"],
        stock=row["stock"],
        supplied=row["supplied"],
        sold=row["sold"],
        role_id=row["role_id"],
        required_role_id=row["required_role_id"],
        member_limit=row["member_limit"],
        ends_at=row["ends_at"],
        revision=row["revision"],
    )


def _pages(total: int, size: int) -> int:
    return max(1, -(-total // size))


class ShopService:
    """Items, the shop and rewards for every guild."""

    def __init__(
        self,
        actors: Actors,
        reader: Reader,
        settings: SettingsStore,
        *,
        page_size: int = 10,
        rng: random.Random | None = None,
        clock: Callable[[], int] | None = None,
    ) -> None:
        self.actors = actors
        self.reader = reader
        self.settings = settings
        self.page_size = page_size
        # The jackpot's draws; each is kept in its operation's data, so the receipt holds it.
        self.rng = rng or random.Random()
        self.clock = clock or (lambda: int(time.time() * 1000))

    @classmethod
    def create(cls, ctx: Context) -> ShopService:
        return cls(ctx.actors, ctx.reader, ctx.settings, page_size=ctx.config.limits.page_size)

    # -- for other features -------------------------------------------------------------------

    def grant_changes(
        self,
        guild_id: int,
        user_id: int,
        item: str,
        quantity: int,
        *,
        kind: str = "grant",
        reference: str = "",
        reason: str = "",
    ) -> tuple[Change, ...]:
        """The changes that add ``quantity`` of ``item`` to the member's inventory, with its
        item record, for the caller to put in its own operation (a level reward). ``item`` is
        a key (``"jackpot"``, ``"x2"``, ``"x3"``, a catalogue item's) or a name that becomes
        one (``"Golden Ticket"`` -> ``"golden-ticket"``, as ``/admin shop add`` makes it)."""
        return inventory.grant(
            int(guild_id),
            int(user_id),
            key_of(item),
            quantity,
            move_id=self.new_id(),
            now_ms=self.clock(),
            kind=kind,
            reference=reference,
            reason=reason,
        )

    async def multiplier_for_game(
        self, guild_id: int, user_id: int
    ) -> tuple[int, tuple[Change, ...]]:
        """The factor a game settling now pays the member's winnings by (1: none active),
        and the changes that use one game of it, to put in the game's settlement operation.

        If another settlement used the multiplier's last game between this read and that
        operation, the operation is refused with ``shop.multiplier_spent`` and nothing is
        written: read again and settle under a new reference (or read and submit within the
        member's owner's turn, ``actors.member(g, u).run(...)``, where no other settlement of
        theirs runs in between)."""
        row = await self.reader.row(
            "SELECT factor, games_left FROM shop_multipliers WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        if row is None or row["games_left"] <= 0:
            return 1, ()
        factor = int(row["factor"])
        return factor, inventory.spend_one_game(int(guild_id), int(user_id), factor)

    # -- reads --------------------------------------------------------------------------------

    @staticmethod
    def new_id() -> int:
        """A key for an item record: 63 random bits (never 0)."""
        return secrets.randbits(63) or 1

    async def shop_settings(self, guild_id: int) -> ShopSettings:
        return await self.settings.get(guild_id, "shop", ShopSettings)

    async def item_names(self, guild_id: int, items: Iterable[str] | None = None) -> dict[str, str]:
        """Catalogue names by key (built-in items without a row are not in it)."""
        rows = await self.reader.rows(
            "SELECT item, name FROM shop_items WHERE guild_id = ?", (guild_id,)
        )
        wanted = None if items is None else set(items)
        return {r["item"]: r["name"] for r in rows if wanted is None or r["item"] in wanted}

    async def label(self, guild_id: int, item: str) -> str:
        """An item's name for a refusal or a reason: its catalogue name, else the built-in's."""
        row = await self.reader.row(
            "SELECT name FROM shop_items WHERE guild_id = ? AND item = ?", (guild_id, item)
        )
        if row is not None:
            return str(row["name"])
        return BUILTIN_LABELS.get(item, item)

    async def resolve_item(self, guild_id: int, text: str) -> str:
        """The key of the item a person named (its key, its name in any case, a built-in's
        name in English or French); refused with ``shop.unknown_item`` otherwise."""
        key = key_of(text)
        if key in BUILTINS:
            return key
        wanted = " ".join(text.split()).casefold()
        for item, name in (await self.item_names(guild_id)).items():
            if item == key or name.casefold() == wanted:
                return item
        for builtin in BUILTINS:
            names = i18n.localizations(f"shop.item.{builtin}").values()
            if key in {key_of(n) for n in names}:
                return builtin
        raise InvalidInput("shop.unknown_item", item=text[:100])

    async def inventory(self, guild_id: int, user_id: int) -> InventoryView:
        rows = await self.reader.rows(
            """SELECT i.item, i.quantity, i.version, c.name, c.description FROM shop_inventory i
               LEFT JOIN shop_items c ON c.guild_id = i.guild_id AND c.item = i.item
               WHERE i.guild_id = ? AND i.user_id = ? AND i.quantity > 0
               ORDER BY i.item""",
            (guild_id, user_id),
        )
        items = [
            ItemView(
                item=r["item"],
                name=r["name"] or "",
                description=r["description"] or "",
                quantity=r["quantity"],
                usable=r["item"] in BUILTINS,
                version=r["version"],
            )
            for r in rows
        ]
        items.sort(key=lambda v: (not v.usable, v.item))
        multiplier = None
        row = await self.reader.row(
            "SELECT item, factor, games_left, games_total FROM shop_multipliers"
            " WHERE guild_id = ? AND user_id = ? AND games_left > 0",
            (guild_id, user_id),
        )
        if row is not None:
            multiplier = MultiplierView(
                item=row["item"],
                factor=row["factor"],
                games_left=row["games_left"],
                games_total=row["games_total"],
            )
        return InventoryView(guild_id=guild_id, user_id=user_id, items=items, multiplier=multiplier)

    async def quantity(self, guild_id: int, user_id: int, item: str) -> int:
        found = await self.reader.scalar(
            "SELECT quantity FROM shop_inventory WHERE guild_id = ? AND user_id = ? AND item = ?",
            (guild_id, user_id, item),
        )
        return int(found or 0)

    async def listing(self, guild_id: int, item: str) -> Listing | None:
        row = await self.reader.row(
            "SELECT * FROM shop_listings WHERE guild_id = ? AND item = ?", (guild_id, item)
        )
        return None if row is None else _listing(row)

    async def shop(self, guild_id: int, page: int = 1, *, now_ms: int | None = None) -> ShopPage:
        """What is for sale now (ended sales are not shown), by price then name."""
        page = check_page(page)
        now = self.clock() if now_ms is None else now_ms
        where = "l.guild_id = ? AND (l.ends_at IS NULL OR l.ends_at > ?)"
        total = await self.reader.scalar(
            f"SELECT COUNT(*) FROM shop_listings l WHERE {where}", (guild_id, now)
        )
        rows = await self.reader.rows(
            f"""SELECT l.*, c.name, c.description FROM shop_listings l
                LEFT JOIN shop_items c ON c.guild_id = l.guild_id AND c.item = l.item
                WHERE {where} ORDER BY l.price, l.item LIMIT ? OFFSET ?""",
            (guild_id, now, self.page_size, (page - 1) * self.page_size),
        )
        views = [
            ListingView(
                item=r["item"],
                name=r["name"] or "",
                description=r["description"] or "",
                price=r["price"],
                stock=r["stock"],
                sold=r["sold"],
                role_id=r["role_id"],
                required_role_id=r["required_role_id"],
                member_limit=r["member_limit"],
                ends_at=r["ends_at"],
            )
            for r in rows
        ]
        return ShopPage(listings=views, page=page, pages=_pages(total, self.page_size), total=total)

    async def reward(self, guild_id: int, reward: str) -> Reward | None:
        row = await self.reader.row(
            "SELECT * FROM shop_rewards WHERE guild_id = ? AND reward = ?", (guild_id, reward)
        )
        if row is None:
            return None
        return Reward(
            reward=row["reward"],
            name=row["name"],
            description=row["description"],
            cost=row["cost"],
            valid_days=row["valid_days"],
            revision=row["revision"],
        )

    async def resolve_reward(self, guild_id: int, text: str | int) -> Reward:
        """The reward a person (or an API caller) named: its key or its name."""
        raw = str(text)
        found = await self.reward(guild_id, key_of(raw, "reward"))
        if found is None:
            wanted = " ".join(raw.split()).casefold()
            rows = await self.reader.rows(
                "SELECT reward, name FROM shop_rewards WHERE guild_id = ?", (guild_id,)
            )
            for row in rows:
                if str(row["name"]).casefold() == wanted:
                    found = await self.reward(guild_id, row["reward"])
                    break
        if found is None:
            raise InvalidInput("shop.unknown_reward", reward=raw[:100])
        return found

    async def rewards(self, guild_id: int, page: int = 1) -> RewardsPage:
        page = check_page(page)
        total = await self.reader.scalar(
            "SELECT COUNT(*) FROM shop_rewards WHERE guild_id = ?", (guild_id,)
        )
        rows = await self.reader.rows(
            "SELECT * FROM shop_rewards WHERE guild_id = ? ORDER BY cost, reward LIMIT ? OFFSET ?",
            (guild_id, self.page_size, (page - 1) * self.page_size),
        )
        found = [
            Reward(
                reward=r["reward"],
                name=r["name"],
                description=r["description"],
                cost=r["cost"],
                valid_days=r["valid_days"],
                revision=r["revision"],
            )
            for r in rows
        ]
        return RewardsPage(
            rewards=found, page=page, pages=_pages(total, self.page_size), total=total
        )

    @staticmethod
    def _redemption(r: Any) -> Redemption:
        return Redemption(
            code=r["code"],
            user_id=r["user_id"],
            reward=r["reward"],
            name=r["name"],
            cost=r["cost"],
            status=r["status"],
            refundable=bool(r["refundable"]),
            created_at=r["created_at"],
            expires_at=r["expires_at"],
            used_at=r["used_at"],
            used_by=r["used_by"],
            refunded_at=r["refunded_at"],
        )

    async def redemption(self, guild_id: int, code: str) -> Redemption | None:
        row = await self.reader.row(
            "SELECT * FROM shop_redemptions WHERE guild_id = ? AND code = ?",
            (guild_id, rewards.normalize_code(code)),
        )
        return None if row is None else self._redemption(row)

    async def redemptions(
        self,
        guild_id: int,
        *,
        user_id: int | None = None,
        status: str | None = None,
        page: int = 1,
    ) -> RedemptionsPage:
        """A member's redemptions (or the guild's), newest first, optionally of one status as
        a person reads it (``expired``: issued and past its expiry)."""
        page = check_page(page)
        now = self.clock()
        clauses: list[str] = ["guild_id = ?"]
        params: list[object] = [guild_id]
        if user_id is not None:
            clauses.append("user_id = ?")
            params.append(user_id)
        if status is not None:
            if status not in rewards.STATUSES:
                raise InvalidInput("shop.bad_status", status=str(status)[:20])
            if status == "issued":
                clauses.append("status = 'issued' AND expires_at > ?")
                params.append(now)
            elif status == "expired":
                clauses.append("status = 'issued' AND expires_at <= ?")
                params.append(now)
            else:
                clauses.append("status = ?")
                params.append(status)
        where = " AND ".join(clauses)
        total = await self.reader.scalar(
            f"SELECT COUNT(*) FROM shop_redemptions WHERE {where}", params
        )
        rows = await self.reader.rows(
            f"SELECT * FROM shop_redemptions WHERE {where}"
            " ORDER BY created_at DESC, code LIMIT ? OFFSET ?",
            (*params, self.page_size, (page - 1) * self.page_size),
        )
        return RedemptionsPage(
            redemptions=[self._redemption(r) for r in rows],
            page=page,
            pages=_pages(total, self.page_size),
            total=total,
            now_ms=now,
        )

    # -- writes -------------------------------------------------------------------------------

    def submit(self, op: Op) -> Any:
        """Hand ``op`` to the owner of its member's rows."""
        return self.actors.member(op.guild_id, op.user_id).submit(op)

    async def _once(
        self,
        key: tuple[int, int, str, str],
        build: Callable[[], Awaitable[Op]],
        *,
        fingerprint: str = "",
        owner: Owner | None = None,
    ) -> Receipt:
        """Build the operation (reads and checks that may refuse) and submit it; but when its
        reference ``key`` = (guild, user, reference, name) was recorded already, answer the
        first result even if a check would refuse now (a sold-out item, a used code):
        invariant 4 holds for repeats, not only for what reaches the writer."""
        guild_id, user_id, reference, name = key
        try:
            op = await build()
        except VouchyError:
            seen = await self.reader.scalar(
                "SELECT 1 FROM operations WHERE guild_id = ? AND reference = ?",
                (guild_id, reference),
            )
            if not seen:
                raise
            op = Op(
                guild_id=guild_id,
                user_id=user_id,
                reference=reference,
                name=name,
                fingerprint=fingerprint,
            )
        target = owner or self.actors.member(op.guild_id, op.user_id)
        receipt: Receipt = await target.submit(op)
        return receipt

    async def use(
        self, guild_id: int, user_id: int, item: str, reference: str, *, seen: int | None = None
    ) -> Used:
        """Use one ``item`` (a built-in): a jackpot credits a draw from the guild's range, a
        multiplier boosts the member's next games. ``seen``: the version of the inventory row
        the member was shown (a button's), so a second click on it is refused."""

        async def build() -> Op:
            builtin = BUILTINS.get(item)
            if builtin is None:
                raise Refused("shop.not_usable", item=await self.label(guild_id, item))
            settings = await self.shop_settings(guild_id)
            now = self.clock()
            if builtin.use == "jackpot":
                return inventory.use_jackpot(
                    guild_id,
                    user_id,
                    draw=inventory.draw_jackpot(self.rng, settings),
                    seen=seen,
                    reference=reference,
                    move_id=self.new_id(),
                    now_ms=now,
                )
            return inventory.use_multiplier(
                guild_id,
                user_id,
                builtin,
                games=settings.multiplier_games,
                seen=seen,
                reference=reference,
                move_id=self.new_id(),
                now_ms=now,
            )

        receipt = await self._once((guild_id, user_id, reference, f"shop.use.{item}"), build)
        data = receipt.data
        return Used(
            item=str(data["item"]),
            draw=int(data.get("draw") or 0),
            factor=int(data.get("factor") or 1),
            games=int(data.get("games") or 0),
            balance=receipt.balance_of(user_id),
            ledger_id=receipt.ledger_id,
            duplicate=receipt.duplicate,
        )

    async def change_items(
        self,
        guild_id: int,
        user_id: int,
        item: str,
        quantity: int,
        reference: str,
        *,
        give: bool,
        admin_id: int,
        reason: str = "",
    ) -> tuple[Receipt, int]:
        """An admin gives or takes ``quantity`` of ``item`` (a key); the member's quantity after."""
        op = inventory.admin_change(
            guild_id,
            check_member(user_id),
            item,
            quantity,
            give=give,
            admin_id=admin_id,
            reference=reference,
            reason=check_reason(reason),
            move_id=self.new_id(),
            now_ms=self.clock(),
        )
        receipt: Receipt = await self.submit(op)
        row = receipt.row(inventory.INVENTORY, (guild_id, user_id, item))
        return receipt, int(row["quantity"]) if row else 0

    async def buy(
        self,
        guild_id: int,
        user_id: int,
        item: str,
        quantity: int,
        reference: str,
        *,
        role_ids: Collection[int] = (),
    ) -> Bought:
        """Buy ``quantity`` of the listed ``item`` (a key) as one operation, or refuse and
        change nothing. ``role_ids``: the member's roles, for a listing that requires one."""
        names = [BUILTIN_LABELS.get(item, item)]

        async def build() -> Op:
            # One read: the listing, the item's name and the member's count against its limit.
            row = await self.reader.row(
                """SELECT l.*, c.name AS item_name, p.bought FROM shop_listings l
                   LEFT JOIN shop_items c ON c.guild_id = l.guild_id AND c.item = l.item
                   LEFT JOIN shop_purchase_counts p ON p.guild_id = l.guild_id
                        AND p.listing_id = l.listing_id AND p.user_id = ?
                   WHERE l.guild_id = ? AND l.item = ?""",
                (user_id, guild_id, item),
            )
            if row is None:
                names[0] = await self.label(guild_id, item)
                raise Refused("shop.not_for_sale", item=names[0])
            names[0] = row["item_name"] or names[0]
            return listings.buy(
                guild_id,
                user_id,
                _listing(row),
                quantity,
                role_ids=frozenset(int(r) for r in role_ids),
                item_name=names[0],
                bought=int(row["bought"] or 0),
                reference=reference,
                move_id=self.new_id(),
                now_ms=self.clock(),
            )

        try:
            receipt = await self._once((guild_id, user_id, reference, "shop.buy"), build)
        except Refused as e:
            if e.key == "shop.out_of_stock" and not e.params.get("current"):
                raise Refused("shop.sold_out", item=names[0]) from None
            raise
        data = receipt.data
        held = receipt.row(inventory.INVENTORY, (guild_id, user_id, item))
        return Bought(
            item=item,
            name=names[0],
            quantity=int(data["quantity"]),
            price=int(data["price"]),
            total=int(data["total"]),
            balance=receipt.balance_of(user_id),
            role_id=data.get("role_id"),
            ledger_id=receipt.ledger_id,
            held=int(held["quantity"]) if held else 0,
        )

    async def add_listing(
        self, guild_id: int, admin_id: int, name: str, change: ListingChange, reference: str
    ) -> str:
        """Put an item up for sale (a new catalogue item, or a built-in); returns its key."""
        item = key_of(name)
        builtin = item in BUILTINS
        known = builtin or bool(await self.item_names(guild_id, [item]))
        op = listings.add(
            guild_id,
            admin_id,
            item,
            msgspec.structs.replace(change, name=name),
            builtin=builtin,
            item_known=known,
            listing_id=self.new_id(),
            reference=reference,
            now_ms=self.clock(),
        )
        await self.actors.guild(guild_id).submit(op)
        return item

    async def _listed(self, guild_id: int, text: str) -> Listing:
        item = await self.resolve_item(guild_id, text)
        listing = await self.listing(guild_id, item)
        if listing is None:
            raise Refused("shop.not_for_sale", item=await self.label(guild_id, item))
        return listing

    async def edit_listing(
        self, guild_id: int, admin_id: int, text: str, change: ListingChange, reference: str
    ) -> str:
        async def build() -> Op:
            current = await self._listed(guild_id, text)
            return listings.edit(
                guild_id,
                admin_id,
                current,
                change,
                builtin=current.item in BUILTINS,
                reference=reference,
                now_ms=self.clock(),
            )

        key = (guild_id, admin_id, reference, "shop.listing.edit")
        receipt = await self._once(key, build, owner=self.actors.guild(guild_id))
        return str(receipt.data.get("item", ""))

    async def remove_listing(self, guild_id: int, admin_id: int, text: str, reference: str) -> str:
        async def build() -> Op:
            current = await self._listed(guild_id, text)
            return listings.remove(guild_id, admin_id, current, reference=reference)

        key = (guild_id, admin_id, reference, "shop.listing.remove")
        receipt = await self._once(key, build, owner=self.actors.guild(guild_id))
        return str(receipt.data.get("item", ""))

    async def add_reward(
        self,
        guild_id: int,
        admin_id: int,
        name: str,
        reference: str,
        *,
        cost: int,
        description: str | None = None,
        valid_days: int | None = None,
    ) -> str:
        key = key_of(name, "reward")
        op = rewards.add_reward(
            guild_id,
            admin_id,
            key,
            name=name,
            description=description,
            cost=cost,
            valid_days=valid_days,
            reference=reference,
            now_ms=self.clock(),
        )
        await self.actors.guild(guild_id).submit(op)
        return key

    async def edit_reward(
        self,
        guild_id: int,
        admin_id: int,
        text: str,
        reference: str,
        *,
        name: str | None = None,
        description: str | None = None,
        cost: int | None = None,
        valid_days: int | None = None,
    ) -> str:
        async def build() -> Op:
            current = await self.resolve_reward(guild_id, text)
            return rewards.edit_reward(
                guild_id,
                admin_id,
                current,
                name=name,
                description=description,
                cost=cost,
                valid_days=valid_days,
                reference=reference,
                now_ms=self.clock(),
            )

        key = (guild_id, admin_id, reference, "shop.reward.edit")
        receipt = await self._once(key, build, owner=self.actors.guild(guild_id))
        return str(receipt.data.get("reward", ""))

    async def remove_reward(self, guild_id: int, admin_id: int, text: str, reference: str) -> str:
        async def build() -> Op:
            current = await self.resolve_reward(guild_id, text)
            return rewards.remove_reward(guild_id, admin_id, current, reference=reference)

        key = (guild_id, admin_id, reference, "shop.reward.remove")
        receipt = await self._once(key, build, owner=self.actors.guild(guild_id))
        return str(receipt.data.get("reward", ""))

    async def redeem(
        self,
        guild_id: int,
        user_id: int,
        reward_id: str | int,
        reference: str,
        fingerprint: str = "",
    ) -> Redeemed:
        """Spend a reward's cost and issue its code, once per ``reference`` (the same
        reference again answers the same code, ``duplicate=True``, even once the reward is
        gone). Usable without Discord: ``reward_id`` is the reward's key or name;
        ``fingerprint`` a digest of an API body (a repeat with another body is refused with
        ``ReferenceTaken``). Refusals: ``shop.unknown_reward``, ``InsufficientFunds``,
        ``shop.reward_changed``."""
        guild_id, user_id = int(guild_id), check_member(user_id)

        async def build() -> Op:
            reward = await self.resolve_reward(guild_id, reward_id)
            settings = await self.shop_settings(guild_id)
            return rewards.redeem(
                guild_id,
                user_id,
                reward,
                code=rewards.new_code(),
                default_days=settings.redemption_days,
                refundable=settings.refund_expired,
                reference=reference,
                now_ms=self.clock(),
                fingerprint=fingerprint,
            )

        receipt = await self._once(
            (guild_id, user_id, reference, "shop.redeem"), build, fingerprint=fingerprint
        )
        data = receipt.data
        return Redeemed(
            reference=receipt.reference,
            guild_id=guild_id,
            user_id=user_id,
            code=str(data["code"]),
            reward=str(data["reward"]),
            name=str(data["name"]),
            cost=int(data["cost"]),
            expires_at=int(data["expires_at"]),
            balance=receipt.balance_of(user_id),
            ledger_id=receipt.ledger_id,
            created_at=int(data["created_at"]),
            duplicate=receipt.duplicate,
        )

    async def use_redemption(
        self, guild_id: int, admin_id: int, code: str, reference: str
    ) -> Redemption:
        """Mark a code used; refused with the reason when it is unknown, used, refunded or
        expired."""
        found = await self.redemption(guild_id, code)
        if found is None:
            raise InvalidInput("shop.unknown_code", code=rewards.normalize_code(code))

        async def build() -> Op:
            return rewards.use(guild_id, admin_id, found, reference=reference, now_ms=self.clock())

        await self._once((guild_id, found.user_id, reference, "shop.redemption.use"), build)
        after = await self.redemption(guild_id, found.code)
        assert after is not None
        return after

    async def refund_expired(self, limit: int = 500) -> int:
        """Refund every expired, unused, refundable redemption (of every guild), each once;
        returns how many were refunded now. The periodic job calls this."""
        now = self.clock()
        rows = await self.reader.rows(
            "SELECT * FROM shop_redemptions WHERE status = 'issued' AND refundable = 1"
            " AND expires_at <= ? ORDER BY expires_at LIMIT ?",
            (now, limit),
        )
        done = 0
        for row in rows:
            red = self._redemption(row)
            try:
                receipt: Receipt = await self.submit(
                    rewards.refund(row["guild_id"], red, now_ms=now)
                )
            except Refused:
                continue  # used or refunded meanwhile: nothing to give back
            done += 0 if receipt.duplicate else 1
        return done

    async def import_items(
        self, guild_id: int, loaded: ItemsFile, *, concurrency: int = 256
    ) -> ImportResult:
        """Each member's items of a checked file as one operation (``import`` item records),
        referenced by the file's digest and the member: a second run changes nothing."""
        now = self.clock()
        members = loaded.by_member()

        def op(user_id: int) -> Op:
            reference = loaded.reference(user_id)
            changes: list[Change] = []
            for line in members[user_id]:
                changes += inventory.grant(
                    guild_id,
                    user_id,
                    line.item,
                    line.quantity,
                    move_id=self.new_id(),
                    now_ms=now,
                    kind="import",
                    reference=reference,
                    reason=f"imported from {loaded.name}"[:200],
                )
            return Op(
                guild_id=guild_id,
                user_id=user_id,
                reference=reference,
                name="shop.import",
                changes=tuple(changes),
                reason=f"imported from {loaded.name}"[:200],
            )

        imported = already = units = 0
        users = list(members)
        for start in range(0, len(users), concurrency):
            chunk = users[start : start + concurrency]
            receipts: list[Receipt] = await asyncio.gather(*(self.submit(op(u)) for u in chunk))
            for user_id, receipt in zip(chunk, receipts, strict=True):
                if receipt.duplicate:
                    already += 1
                else:
                    imported += 1
                    units += sum(line.quantity for line in members[user_id])
        return ImportResult(
            guild_id=guild_id,
            file_tag=loaded.digest[:16],
            members=len(members),
            imported=imported,
            already_imported=already,
            units=units,
        )
