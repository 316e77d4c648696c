"""Inventory, shop and rewards: members' items (the jackpot, x2 and x3 multipliers, and the
guild's own items) used with buttons, a shop whose purchases are one atomic change each,
rewards redeemed for points with unique codes that expire, and the items-csv import."""

from __future__ import annotations

from vouchy.features.base import Feature
from vouchy.features.shop.checks import CHECKS
from vouchy.features.shop.rules import ShopSettings
from vouchy.features.shop.schema import MIGRATIONS
from vouchy.features.shop.service import ShopService

FEATURE = Feature(
    name="shop",
    summary="/inventory, /shop, /buy, /rewards, /redeem, /redemptions, admin items, shop, "
    "rewards and codes, import items-csv",
    migrations=MIGRATIONS,
    checks=CHECKS,
    settings=ShopSettings,
    service=ShopService.create,
    discord="vouchy.features.shop.discord",
    cli="vouchy.features.shop.cli",
)
