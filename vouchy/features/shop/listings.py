"""The shop, pure: what admins put up for sale (and change and take down) and a purchase, each
one ``Op`` or a refusal before anything is sent.

A purchase is one operation, applied whole or not at all: the points spent (a ``purchase``
ledger row), the stock taken (an ``Add`` that never goes below zero), the units counted
against the member's limit (an ``Add`` with a ``high`` bound), the purchase recorded, the
items granted with their item records, and the role given on purchase as an outbox effect.
The checks shared between members (stock, limit) happen in the writer's plan, never as
read-then-write here, so 100 buyers of the last 10 units make exactly 10 sales. A listing an
admin changed or replaced since it was read is refused (``shop.listing_changed``): a member
never pays a price they were not shown.
"""

from __future__ import annotations

import msgspec

from vouchy.core.errors import Refused
from vouchy.core.validation import check_member
from vouchy.features.shop.inventory import item_changes
from vouchy.features.shop.rules import (
    MAX_LIMIT,
    MAX_STOCK,
    check_description,
    check_name,
    check_price,
    check_quantity,
    check_whole,
)
from vouchy.store.operations import Add, Change, Delete, Effect, Expect, Insert, Move, Op, Patch

LISTINGS = "shop_listings"
ITEMS = "shop_items"
COUNTS = "shop_purchase_counts"
PURCHASES = "shop_purchases"


class Listing(msgspec.Struct, frozen=True, kw_only=True):
    """A listing as read from ``shop_listings``."""

    item: str
    listing_id: int
    price: int
    stock: int | None  # None: unlimited
    supplied: int | None
    sold: int
    role_id: int | None
    required_role_id: int | None
    member_limit: int | None
    ends_at: int | None
    revision: int


class ListingChange(msgspec.Struct, frozen=True, kw_only=True):
    """What an admin's add or edit sets; on an edit, a field left None stays as it is and
    ``clear`` names the optional ones to remove."""

    name: str | None = None
    description: str | None = None
    price: int | None = None
    stock: int | None = None
    unlimited: bool = False
    role_id: int | None = None
    required_role_id: int | None = None
    member_limit: int | None = None
    ends_at: int | None = None
    clear: tuple[str, ...] = ()  # "role", "required_role", "limit", "end"


CLEARABLE = ("role", "required_role", "limit", "end")


def _checked_stock(stock: int | None) -> int | None:
    return None if stock is None else check_whole(stock, 0, MAX_STOCK, "shop.bad_stock")


def _checked_limit(limit: int | None) -> int | None:
    return None if limit is None else check_whole(limit, 1, MAX_LIMIT, "shop.bad_limit")


def add(
    guild_id: int,
    admin_id: int,
    item: str,
    change: ListingChange,
    *,
    builtin: bool,
    item_known: bool,
    listing_id: int,
    reference: str,
    now_ms: int,
) -> Op:
    """Put ``item`` up for sale (refused when it already is). A new custom item gets its
    catalogue row; a built-in item keeps its own name and description."""
    if change.price is None:
        raise ValueError("a new listing needs a price")
    price = check_price(change.price)
    stock = None if change.unlimited else _checked_stock(change.stock)
    changes: list[Change] = []
    if builtin:
        if change.description:
            raise Refused("shop.builtin_fixed", item=item)
    else:
        values = {
            "name": check_name(change.name or item),
            "description": check_description(change.description),
            "updated_at": now_ms,
        }
        if item_known:
            changes.append(
                Patch(table=ITEMS, key=(guild_id, item), values=values, refuse="shop.try_again")
            )
        else:
            changes.append(
                Insert(
                    table=ITEMS,
                    key=(guild_id, item),
                    values={**values, "created_at": now_ms},
                    refuse="shop.try_again",
                )
            )
    changes.append(
        Insert(
            table=LISTINGS,
            key=(guild_id, item),
            values={
                "listing_id": listing_id,
                "price": price,
                "stock": stock,
                "supplied": stock,
                "sold": 0,
                "role_id": change.role_id,
                "required_role_id": change.required_role_id,
                "member_limit": _checked_limit(change.member_limit),
                "ends_at": change.ends_at,
                "revision": 1,
                "created_by": admin_id,
                "created_at": now_ms,
                "updated_at": now_ms,
            },
            refuse="shop.already_listed",
            params={"item": item},
        )
    )
    return Op(
        guild_id=guild_id,
        user_id=admin_id,
        reference=reference,
        name="shop.listing.add",
        changes=tuple(changes),
        acting_user_id=admin_id,
        data={"item": item},
    )


def _unchanged(guild_id: int, current: Listing) -> tuple[Change, ...]:
    key = (guild_id, current.item)
    return (
        Expect(
            table=LISTINGS,
            key=key,
            column="listing_id",
            value=current.listing_id,
            refuse="shop.listing_changed",
        ),
        Expect(
            table=LISTINGS,
            key=key,
            column="revision",
            value=current.revision,
            refuse="shop.listing_changed",
        ),
    )


def edit(
    guild_id: int,
    admin_id: int,
    current: Listing,
    change: ListingChange,
    *,
    builtin: bool,
    reference: str,
    now_ms: int,
) -> Op:
    """Change a listing: only what the admin named; refused when nothing is named, or when
    the listing changed since it was read. A new stock is what is left for sale now."""
    values: dict[str, object] = {}
    extra: list[Change] = []
    if change.price is not None:
        values["price"] = check_price(change.price)
    if change.unlimited and change.stock is not None:
        raise Refused("shop.stock_or_unlimited")
    if change.unlimited:
        values.update(stock=None, supplied=None)
    elif change.stock is not None:
        stock = _checked_stock(change.stock)
        assert stock is not None
        # The units sold stay sold: supplied counts them, and a sale meanwhile is refused.
        values.update(stock=stock, supplied=stock + current.sold)
        extra.append(
            Expect(
                table=LISTINGS,
                key=(guild_id, current.item),
                column="sold",
                value=current.sold,
                refuse="shop.listing_changed",
            )
        )
    if change.role_id is not None:
        values["role_id"] = change.role_id
    if change.required_role_id is not None:
        values["required_role_id"] = change.required_role_id
    if change.member_limit is not None:
        values["member_limit"] = _checked_limit(change.member_limit)
    if change.ends_at is not None:
        values["ends_at"] = change.ends_at
    for name in change.clear:
        if name not in CLEARABLE:
            raise ValueError(f"cannot clear {name!r}")
        column = {"role": "role_id", "required_role": "required_role_id", "limit": "member_limit"}
        values[column.get(name, "ends_at")] = None
    item_values: dict[str, object] = {}
    if change.name is not None or change.description is not None:
        if builtin:
            raise Refused("shop.builtin_fixed", item=current.item)
        if change.name is not None:
            item_values["name"] = check_name(change.name)
        if change.description is not None:
            item_values["description"] = check_description(change.description)
    if not values and not item_values:
        raise Refused("shop.nothing_to_change")
    changes: list[Change] = [*_unchanged(guild_id, current), *extra]
    changes.append(
        Patch(
            table=LISTINGS,
            key=(guild_id, current.item),
            values={**values, "revision": current.revision + 1, "updated_at": now_ms},
            refuse="shop.listing_changed",
        )
    )
    if item_values:
        changes.append(
            Patch(
                table=ITEMS,
                key=(guild_id, current.item),
                values={**item_values, "updated_at": now_ms},
                refuse="shop.try_again",
            )
        )
    return Op(
        guild_id=guild_id,
        user_id=admin_id,
        reference=reference,
        name="shop.listing.edit",
        changes=tuple(changes),
        acting_user_id=admin_id,
        data={"item": current.item},
    )


def remove(guild_id: int, admin_id: int, current: Listing, *, reference: str) -> Op:
    """Take a listing down. The item stays in the catalogue and in members' inventories."""
    return Op(
        guild_id=guild_id,
        user_id=admin_id,
        reference=reference,
        name="shop.listing.remove",
        changes=(
            *_unchanged(guild_id, current),
            Delete(
                table=LISTINGS,
                key=(guild_id, current.item),
                must_exist=True,
                refuse="shop.listing_changed",
            ),
        ),
        acting_user_id=admin_id,
        data={"item": current.item},
    )


def buy(
    guild_id: int,
    user_id: int,
    listing: Listing,
    quantity: int,
    *,
    role_ids: frozenset[int] | set[int] | tuple[int, ...],
    item_name: str,
    bought: int = 0,
    reference: str,
    move_id: int,
    now_ms: int,
) -> Op:
    """One purchase of ``quantity`` units, or a refusal: the sale ended, the required role
    missing. Funds, stock and the member's limit are checked by the writer's plan (``bought``,
    the member's count as read, only lets a limit be said before the funds)."""
    # Invariant: points, stock, count, purchase record and items change together or not at all.
    check_member(user_id)
    quantity = check_quantity(quantity)
    if listing.ends_at is not None and now_ms >= listing.ends_at:
        raise Refused("shop.sale_ended", item=item_name, ends_at=str(listing.ends_at // 1000))
    if listing.required_role_id is not None and listing.required_role_id not in role_ids:
        raise Refused("shop.role_required", role_id=listing.required_role_id, item=item_name)
    if listing.stock is not None and listing.stock < quantity:
        # Said early for a clearer message; the writer's bound is what holds.
        if listing.stock == 0:
            raise Refused("shop.sold_out", item=item_name)
        raise Refused("shop.out_of_stock", item=item_name, current=listing.stock)
    if listing.member_limit is not None and bought + quantity > listing.member_limit:
        raise Refused(
            "shop.limit_reached", item=item_name, limit=listing.member_limit, current=bought
        )
    total = listing.price * quantity
    key = (guild_id, listing.item)
    changes: list[Change] = [
        *_unchanged(guild_id, listing),
        Add(table=LISTINGS, key=key, column="sold", delta=quantity),
    ]
    if listing.stock is not None:
        changes.append(
            Add(
                table=LISTINGS,
                key=key,
                column="stock",
                delta=-quantity,
                low=0,
                refuse="shop.out_of_stock",
                params={"item": item_name},
            )
        )
    changes.append(
        Add(
            table=COUNTS,
            key=(guild_id, listing.listing_id, user_id),
            column="bought",
            delta=quantity,
            low=0,
            high=listing.member_limit,
            refuse="shop.limit_reached",
            params={"item": item_name, "limit": listing.member_limit or 0},
        )
    )
    changes.append(
        Insert(
            table=PURCHASES,
            key=(guild_id, reference),
            values={
                "listing_id": listing.listing_id,
                "item": listing.item,
                "user_id": user_id,
                "quantity": quantity,
                "price": listing.price,
                "total": total,
                "role_id": listing.role_id,
                "created_at": now_ms,
            },
        )
    )
    changes += item_changes(
        guild_id,
        user_id,
        listing.item,
        quantity,
        move_id=move_id,
        kind="purchase",
        now_ms=now_ms,
        reference=reference,
    )
    effects: tuple[Effect, ...] = ()
    if listing.role_id is not None:
        effects = (
            Effect(
                kind="discord.add_role",
                payload={
                    "guild_id": guild_id,
                    "user_id": user_id,
                    "role_id": listing.role_id,
                    "reason": f"bought {item_name}"[:200],
                },
            ),
        )
    return Op(
        guild_id=guild_id,
        user_id=user_id,
        reference=reference,
        name="shop.buy",
        moves=(Move(user_id=user_id, kind="purchase", delta=-total),) if total else (),
        changes=tuple(changes),
        effects=effects,
        reason=f"bought {quantity} × {item_name}"[:200],
        data={
            "item": listing.item,
            "quantity": quantity,
            "price": listing.price,
            "total": total,
            "role_id": listing.role_id,
        },
    )
