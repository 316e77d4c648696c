"""The shop's audit checks: each derived counter against its source rows, and the fix that
rebuilds it from them.

- ``shop.inventory``: a member's quantity of an item equals the sum of its item records
  (``shop_item_moves``) and is not negative; fix: the quantity set to that sum.
- ``shop.sold``: a listing's ``sold`` equals the units of its purchase records; fix: that sum.
- ``shop.stock``: a limited listing's ``stock`` equals ``supplied - sold`` (by the purchase
  records); fix: that difference (only a person decides when it would be negative).
- ``shop.purchase_counts``: a member's count against a listing's limit equals the units of
  their purchase records; fix: that sum.
- ``shop.redemption_points``: every redemption that cost points has its ``redeem`` ledger
  row, and every refunded one its ``refund`` row (no fix: a person decides).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from vouchy.store.audit import Check, Discrepancy
from vouchy.store.operations import Add, Change, Patch, Put


def _scope(
    guild_id: int | None, user_id: int | None, alias: str, *, user: bool = True
) -> tuple[str, tuple[int, ...]]:
    clauses, params = [], []
    if guild_id is not None:
        clauses.append(f"{alias}.guild_id = ?")
        params.append(guild_id)
    if user_id is not None and user:
        clauses.append(f"{alias}.user_id = ?")
        params.append(user_id)
    return (" AND ".join(clauses) or "1"), tuple(params)


def _inventory(
    conn: sqlite3.Connection, guild_id: int | None, user_id: int | None
) -> list[Discrepancy]:
    where_i, params_i = _scope(guild_id, user_id, "i")
    where_m, params_m = _scope(guild_id, user_id, "m")
    sums = (
        "SELECT m.guild_id, m.user_id, m.item, SUM(m.delta) AS total FROM shop_item_moves m "
        f"WHERE {where_m} GROUP BY m.guild_id, m.user_id, m.item"
    )
    found = []
    for g, u, item, quantity, total in conn.execute(
        f"""SELECT i.guild_id, i.user_id, i.item, i.quantity, COALESCE(s.total, 0)
            FROM shop_inventory i LEFT JOIN ({sums}) s
              ON s.guild_id = i.guild_id AND s.user_id = i.user_id AND s.item = i.item
            WHERE {where_i} AND (i.quantity != COALESCE(s.total, 0) OR i.quantity < 0)""",
        params_m + params_i,
    ):
        found.append(
            Discrepancy(
                g, u, "quantity_mismatch", quantity, total, "shop.inventory", [g, u, item], item
            )
        )
    for g, u, item, total in conn.execute(
        f"""SELECT s.guild_id, s.user_id, s.item, s.total FROM ({sums}) s
            WHERE s.total != 0 AND NOT EXISTS (
                SELECT 1 FROM shop_inventory i
                WHERE i.guild_id = s.guild_id AND i.user_id = s.user_id AND i.item = s.item)""",
        params_m,
    ):
        found.append(
            Discrepancy(g, u, "quantity_missing", None, total, "shop.inventory", [g, u, item], item)
        )
    return found


def _fix_inventory(d: Discrepancy) -> Sequence[Change] | None:
    if d.key is None or d.ledger_sum is None or d.ledger_sum < 0:
        return None  # records that sum below zero: only a person can say what happened
    g, u, item = d.key
    return (
        Patch(
            table="shop_inventory",
            key=(g, u, item),
            values={"quantity": d.ledger_sum},
            create=True,
        ),
        Add(table="shop_inventory", key=(g, u, item), column="version", delta=1),
    )


_SOLD = """
SELECT l.guild_id, l.item, l.listing_id, l.sold, l.stock, l.supplied,
       (SELECT COALESCE(SUM(p.quantity), 0) FROM shop_purchases p
        WHERE p.guild_id = l.guild_id AND p.listing_id = l.listing_id) AS units
FROM shop_listings l WHERE {where}
"""


def _listings(
    conn: sqlite3.Connection, guild_id: int | None, user_id: int | None
) -> list[tuple[Any, ...]]:
    if user_id is not None:
        return []  # a listing is the guild's, not a member's
    where, params = _scope(guild_id, None, "l", user=False)
    return conn.execute(_SOLD.format(where=where), params).fetchall()


def _sold(conn: sqlite3.Connection, guild_id: int | None, user_id: int | None) -> list[Discrepancy]:
    return [
        Discrepancy(g, None, "sold_mismatch", sold, units, "shop.sold", [g, item], item)
        for g, item, _id, sold, _stock, _supplied, units in _listings(conn, guild_id, user_id)
        if sold != units
    ]


def _fix_sold(d: Discrepancy) -> Sequence[Change] | None:
    if d.key is None or d.ledger_sum is None:
        return None
    g, item = d.key
    return (Patch(table="shop_listings", key=(g, item), values={"sold": d.ledger_sum}),)


def _stock(
    conn: sqlite3.Connection, guild_id: int | None, user_id: int | None
) -> list[Discrepancy]:
    return [
        Discrepancy(
            g, None, "stock_mismatch", stock, supplied - units, "shop.stock", [g, item], item
        )
        for g, item, _id, _sold, stock, supplied, units in _listings(conn, guild_id, user_id)
        if stock is not None and stock != supplied - units
    ]


def _fix_stock(d: Discrepancy) -> Sequence[Change] | None:
    if d.key is None or d.ledger_sum is None or d.ledger_sum < 0:
        return None  # more sold than supplied: only a person can decide
    g, item = d.key
    return (Patch(table="shop_listings", key=(g, item), values={"stock": d.ledger_sum}),)


def _counts(
    conn: sqlite3.Connection, guild_id: int | None, user_id: int | None
) -> list[Discrepancy]:
    where_c, params_c = _scope(guild_id, user_id, "c")
    where_p, params_p = _scope(guild_id, user_id, "p")
    sums = (
        "SELECT p.guild_id, p.listing_id, p.user_id, SUM(p.quantity) AS units "
        f"FROM shop_purchases p WHERE {where_p} GROUP BY p.guild_id, p.listing_id, p.user_id"
    )
    found = []
    for g, listing, u, bought, units in conn.execute(
        f"""SELECT c.guild_id, c.listing_id, c.user_id, c.bought, COALESCE(s.units, 0)
            FROM shop_purchase_counts c LEFT JOIN ({sums}) s ON s.guild_id = c.guild_id
              AND s.listing_id = c.listing_id AND s.user_id = c.user_id
            WHERE {where_c} AND c.bought != COALESCE(s.units, 0)""",
        params_p + params_c,
    ):
        found.append(
            Discrepancy(
                g, u, "count_mismatch", bought, units, "shop.purchase_counts", [g, listing, u]
            )
        )
    for g, listing, u, units in conn.execute(
        f"""SELECT s.guild_id, s.listing_id, s.user_id, s.units FROM ({sums}) s
            WHERE NOT EXISTS (SELECT 1 FROM shop_purchase_counts c WHERE c.guild_id = s.guild_id
                AND c.listing_id = s.listing_id AND c.user_id = s.user_id)""",
        params_p,
    ):
        found.append(
            Discrepancy(g, u, "count_missing", None, units, "shop.purchase_counts", [g, listing, u])
        )
    return found


def _fix_counts(d: Discrepancy) -> Sequence[Change] | None:
    if d.key is None or d.ledger_sum is None:
        return None
    g, listing, u = d.key
    return (
        Put(table="shop_purchase_counts", key=(g, listing, u), values={"bought": d.ledger_sum}),
    )


def _redemption_points(
    conn: sqlite3.Connection, guild_id: int | None, user_id: int | None
) -> list[Discrepancy]:
    where, params = _scope(guild_id, user_id, "r")
    found = []
    for g, u, code, cost, problem in conn.execute(
        f"""SELECT r.guild_id, r.user_id, r.code, r.cost,
                   CASE WHEN NOT EXISTS (SELECT 1 FROM ledger l WHERE l.guild_id = r.guild_id
                            AND l.reference = r.reference AND l.user_id = r.user_id
                            AND l.kind = 'redeem' AND l.delta = -r.cost)
                        THEN 'redeem_row_missing'
                        ELSE 'refund_row_missing' END
            FROM shop_redemptions r
            WHERE {where} AND r.cost > 0 AND (
                NOT EXISTS (SELECT 1 FROM ledger l WHERE l.guild_id = r.guild_id
                    AND l.reference = r.reference AND l.user_id = r.user_id
                    AND l.kind = 'redeem' AND l.delta = -r.cost)
                OR (r.status = 'refunded' AND NOT EXISTS (
                    SELECT 1 FROM ledger l WHERE l.guild_id = r.guild_id AND l.user_id = r.user_id
                    AND l.reference = 'shop.refund:' || r.code AND l.kind = 'refund'
                    AND l.delta = r.cost)))""",
        params,
    ):
        found.append(
            Discrepancy(g, u, problem, cost, None, "shop.redemption_points", [g, code], code)
        )
    return found


CHECKS = (
    Check("shop.inventory", _inventory, _fix_inventory),
    Check("shop.sold", _sold, _fix_sold),
    Check("shop.stock", _stock, _fix_stock),
    Check("shop.purchase_counts", _counts, _fix_counts),
    Check("shop.redemption_points", _redemption_points),
)
