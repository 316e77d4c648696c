"""Members' items, pure: the changes that grant or take items (each with its item record),
using a jackpot or a multiplier, and a game spending one game of an active multiplier. Plain
values in, changes or an ``Op`` out; the writer's plan checks every bound.

- A quantity never goes below zero nor above ``MAX_HELD``; every change to it comes with one
  ``shop_item_moves`` row in the same operation, so the audit can sum them.
- A use names the version of the inventory row the member saw (the button's; every change
  adds one to it, so it never comes back): a second click on the same button, or two clicks
  at once, find it changed and are refused; the item is used once.
- A member has at most one multiplier active; using another while one is active is refused.
"""

from __future__ import annotations

import random

from vouchy.core.validation import check_member
from vouchy.features.shop.rules import MAX_HELD, Builtin, ShopSettings, check_key, check_quantity
from vouchy.store.operations import Add, Change, Expect, Insert, Move, Op, Put

INVENTORY = "shop_inventory"
MOVES = "shop_item_moves"
MULTIPLIERS = "shop_multipliers"
MOVE_KINDS = ("purchase", "give", "take", "use", "grant", "import")


def item_changes(
    guild_id: int,
    user_id: int,
    item: str,
    delta: int,
    *,
    move_id: int,
    kind: str,
    now_ms: int,
    reference: str = "",
    reason: str = "",
    acting_user_id: int | None = None,
) -> tuple[Change, ...]:
    """``delta`` of ``item`` for the member, with its item record.

    Invariant: the inventory row and its item records change together, in one operation."""
    if kind not in MOVE_KINDS:
        raise ValueError(f"unknown item move kind {kind!r}")
    key = (guild_id, check_member(user_id), check_key(item))
    return (
        Add(
            table=INVENTORY,
            key=key,
            column="quantity",
            delta=delta,
            low=0,
            high=MAX_HELD,
            refuse="shop.not_enough_items" if delta < 0 else "shop.too_many_items",
            params={"item": item, "user_id": user_id, "maximum": MAX_HELD},
        ),
        Add(table=INVENTORY, key=key, column="version", delta=1),
        Insert(
            table=MOVES,
            key=(guild_id, move_id),
            values={
                "user_id": user_id,
                "item": item,
                "delta": delta,
                "kind": kind,
                "reference": reference,
                "reason": reason,
                "acting_user_id": acting_user_id,
                "created_at": now_ms,
            },
        ),
    )


def grant(
    guild_id: int,
    user_id: int,
    item: str,
    quantity: int,
    *,
    move_id: int,
    now_ms: int,
    kind: str = "grant",
    reference: str = "",
    reason: str = "",
    acting_user_id: int | None = None,
) -> tuple[Change, ...]:
    """``quantity`` (1 to ``MAX_HELD``) of ``item`` added to the member's inventory."""
    quantity = check_quantity(quantity, MAX_HELD)
    return item_changes(
        guild_id,
        user_id,
        item,
        quantity,
        move_id=move_id,
        kind=kind,
        now_ms=now_ms,
        reference=reference,
        reason=reason,
        acting_user_id=acting_user_id,
    )


def admin_change(
    guild_id: int,
    user_id: int,
    item: str,
    quantity: int,
    *,
    give: bool,
    admin_id: int,
    reference: str,
    reason: str,
    move_id: int,
    now_ms: int,
) -> Op:
    """An admin gives or takes items; taking more than the member holds is refused."""
    quantity = check_quantity(quantity)
    kind = "give" if give else "take"
    return Op(
        guild_id=guild_id,
        user_id=user_id,
        reference=reference,
        name=f"shop.items.{kind}",
        changes=item_changes(
            guild_id,
            user_id,
            item,
            quantity if give else -quantity,
            move_id=move_id,
            kind=kind,
            now_ms=now_ms,
            reference=reference,
            reason=reason,
            acting_user_id=admin_id,
        ),
        reason=reason,
        acting_user_id=admin_id,
        data={"item": item, "quantity": quantity, "kind": kind},
    )


def _seen(guild_id: int, user_id: int, item: str, seen: int | None) -> tuple[Change, ...]:
    if seen is None:
        return ()
    return (
        Expect(
            table=INVENTORY,
            key=(guild_id, user_id, item),
            column="version",
            value=seen,
            refuse="shop.item_moved_on",
        ),
    )


def draw_jackpot(rng: random.Random, settings: ShopSettings) -> int:
    """A whole number of points from the guild's range, both ends included."""
    return rng.randint(settings.jackpot_min, settings.jackpot_max)


def use_jackpot(
    guild_id: int,
    user_id: int,
    *,
    draw: int,
    seen: int | None,
    reference: str,
    move_id: int,
    now_ms: int,
) -> Op:
    """One jackpot spent and ``draw`` points credited (``item_use``); the draw is kept in
    the receipt's data."""
    item = "jackpot"
    changes = _seen(guild_id, user_id, item, seen) + item_changes(
        guild_id, user_id, item, -1, move_id=move_id, kind="use", now_ms=now_ms, reference=reference
    )
    return Op(
        guild_id=guild_id,
        user_id=user_id,
        reference=reference,
        name="shop.use.jackpot",
        moves=(Move(user_id=user_id, kind="item_use", delta=draw),) if draw else (),
        changes=changes,
        reason="jackpot",
        data={"item": item, "draw": draw},
    )


def use_multiplier(
    guild_id: int,
    user_id: int,
    builtin: Builtin,
    *,
    games: int,
    seen: int | None,
    reference: str,
    move_id: int,
    now_ms: int,
) -> Op:
    """One multiplier spent and made active for the member's next ``games`` games; refused
    (``shop.multiplier_active``) while another still has games left."""
    # Invariant: at most one multiplier is active per member (one row, games_left > 0).
    item = builtin.key
    key = (guild_id, user_id)
    changes = (
        *_seen(guild_id, user_id, item, seen),
        *item_changes(
            guild_id,
            user_id,
            item,
            -1,
            move_id=move_id,
            kind="use",
            now_ms=now_ms,
            reference=reference,
        ),
        Expect(
            table=MULTIPLIERS,
            key=key,
            op="le",
            column="games_left",
            value=0,
            missing_ok=True,
            refuse="shop.multiplier_active",
        ),
        Put(
            table=MULTIPLIERS,
            key=key,
            values={
                "item": item,
                "factor": builtin.factor,
                "games_left": games,
                "games_total": games,
                "activated_at": now_ms,
                "reference": reference,
            },
        ),
    )
    return Op(
        guild_id=guild_id,
        user_id=user_id,
        reference=reference,
        name=f"shop.use.{item}",
        changes=changes,
        reason=item,
        data={"item": item, "factor": builtin.factor, "games": games},
    )


def spend_one_game(guild_id: int, user_id: int, factor: int) -> tuple[Change, ...]:
    """What a game's settlement adds to its own operation to use one game of the member's
    ``factor`` multiplier: refused (``shop.multiplier_spent``) when that multiplier has no
    game left by then (another settlement used the last one) or another one replaced it."""
    key = (guild_id, user_id)
    return (
        Expect(
            table=MULTIPLIERS,
            key=key,
            column="factor",
            value=factor,
            refuse="shop.multiplier_spent",
        ),
        Add(
            table=MULTIPLIERS,
            key=key,
            column="games_left",
            delta=-1,
            low=0,
            refuse="shop.multiplier_spent",
        ),
    )
