"""What the shop's other rules share, pure: a guild's shop settings, the built-in items (the
jackpot and the x2 / x3 multipliers), item and reward keys made from names, the bounds of
names, prices and quantities, end dates as a member types them, and whether the bot can give a
role. No I/O here.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from typing import Annotated

import msgspec

from vouchy.core.errors import InvalidInput
from vouchy.features.shop import texts as _texts  # noqa: F401

# Bounds of what a member or an admin may type.
MAX_KEY = 32
MAX_NAME = 100
MAX_DESCRIPTION = 300
MAX_PRICE = 1_000_000_000
MAX_QUANTITY = 1_000  # one purchase, one admin give or take, one line of an import
MAX_HELD = 1_000_000_000  # what a member may hold of one item
MAX_STOCK = 1_000_000_000
MAX_LIMIT = 1_000_000
MAX_DAYS = 3_650
DAY_MS = 86_400_000

# Discord's permission bits the role check reads.
ADMINISTRATOR = 1 << 3
MANAGE_ROLES = 1 << 28


class ShopSettings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A guild's shop settings (defaults from config.toml's [shop])."""

    # A jackpot credits a whole number of points drawn from this range, both ends included.
    jackpot_min: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] = 50
    jackpot_max: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] = 500
    # How many of the member's next games an x2 or x3 multiplier boosts.
    multiplier_games: Annotated[int, msgspec.Meta(ge=1, le=100)] = 2
    # How long a redemption code stays valid when the reward does not say.
    redemption_days: Annotated[int, msgspec.Meta(ge=1, le=MAX_DAYS)] = 30
    # Whether a redemption that expires unused gives its points back.
    refund_expired: bool = False

    def __post_init__(self) -> None:
        if self.jackpot_min > self.jackpot_max:
            raise ValueError("jackpot_min must not be above jackpot_max")


class Builtin(msgspec.Struct, frozen=True):
    """An item every guild has: what using it does."""

    key: str
    use: str  # "jackpot" or "multiplier"
    factor: int = 1


BUILTINS: dict[str, Builtin] = {
    "jackpot": Builtin("jackpot", "jackpot"),
    "x2": Builtin("x2", "multiplier", 2),
    "x3": Builtin("x3", "multiplier", 3),
}
# Names older bots gave the built-in items (the seed's ``user_inventory.item_type``).
ALIASES = {
    "multiplier-x2": "x2",
    "multiplier-x3": "x3",
    "multiplicateur-x2": "x2",
    "multiplicateur-x3": "x3",
    "mult-x2": "x2",
    "mult-x3": "x3",
}

_NOT_KEY = re.compile(r"[^a-z0-9]+")
_KEY = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def key_of(name: object, what: str = "item") -> str:
    """The key a name is stored under: lower case ASCII letters and digits joined by single
    hyphens (``"Pass VIP é"`` -> ``"pass-vip-e"``), at most ``MAX_KEY`` characters; a known
    older name of a built-in item becomes the built-in's key."""
    if not isinstance(name, str):
        raise InvalidInput("shop.bad_name", what=what, maximum=MAX_NAME)
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    key = _NOT_KEY.sub("-", plain).strip("-")[:MAX_KEY].strip("-")
    if not key:
        raise InvalidInput("shop.bad_name", what=what, maximum=MAX_NAME)
    return ALIASES.get(key, key)


def check_key(key: object, what: str = "item") -> str:
    """A stored key as ``key_of`` makes them (for callers that hold one already)."""
    if not isinstance(key, str) or len(key) > MAX_KEY or not _KEY.fullmatch(key):
        raise InvalidInput("shop.bad_key", what=what, key=str(key)[:40])
    return key


def check_name(name: object, what: str = "item") -> str:
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
        raise InvalidInput("shop.bad_name", what=what, maximum=MAX_NAME)
    return " ".join(name.split())


def check_description(text: object) -> str:
    if text is None:
        return ""
    if not isinstance(text, str) or len(text.strip()) > MAX_DESCRIPTION:
        raise InvalidInput("shop.bad_description", maximum=MAX_DESCRIPTION)
    return text.strip()


def check_whole(value: object, low: int, high: int, key: str) -> int:
    """A whole number from ``low`` to ``high``, refused with ``key`` (which names both)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(key, low=low, high=high, value=str(value)[:20])
    return int(value)


def check_quantity(quantity: object, maximum: int = MAX_QUANTITY) -> int:
    return check_whole(quantity, 1, maximum, "shop.bad_quantity")


def check_price(price: object) -> int:
    return check_whole(price, 0, MAX_PRICE, "shop.bad_price")


_RELATIVE = re.compile(r"(\d{1,4})\s*([mhdw])")
_UNIT_MS = {"m": 60_000, "h": 3_600_000, "d": DAY_MS, "w": 7 * DAY_MS}


def parse_end(text: str, now_ms: int) -> int:
    """An end date as typed: ``2026-12-31`` (the end of that day, UTC), ``2026-12-31 18:00``
    (UTC), or a wait from now (``3d``, ``12h``, ``1w 2d``, ``90m``). Unix milliseconds, in
    the future; anything else is refused with the accepted forms."""
    raw = text.strip().lower()
    if raw and _RELATIVE.sub("", raw).strip() == "" and _RELATIVE.search(raw):
        total = sum(int(n) * _UNIT_MS[u] for n, u in _RELATIVE.findall(raw))
        if 0 < total <= MAX_DAYS * DAY_MS:
            return now_ms + total
        raise InvalidInput("shop.bad_end", text=text[:40])
    for fmt, end_of_day in (("%Y-%m-%d", True), ("%Y-%m-%d %H:%M", False)):
        try:
            when = datetime.strptime(raw, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
        at = int(when.timestamp() * 1000) + (DAY_MS - 1 if end_of_day else 0)
        if at <= now_ms:
            raise InvalidInput("shop.end_in_past", text=text[:40])
        if at > now_ms + MAX_DAYS * DAY_MS:
            raise InvalidInput("shop.bad_end", text=text[:40])
        return at
    raise InvalidInput("shop.bad_end", text=text[:40])


class GuildRole(msgspec.Struct, frozen=True):
    """A role as the check needs it (from Discord's role objects, as plain values)."""

    id: int
    position: int
    permissions: int
    managed: bool = False


def role_problem(
    role_id: int, guild_id: int, roles: list[GuildRole], bot_role_ids: list[int]
) -> str | None:
    """Why the bot could not give ``role_id`` (a text key), or None when it can.

    Discord lets a member be given a role only by someone with Manage Roles (Administrator
    includes it) whose highest role is above that role; @everyone and roles Discord manages
    (a bot's own, the booster role) are given by nobody."""
    by_id = {r.id: r for r in roles}
    target = by_id.get(role_id)
    if target is None:
        return "shop.role_unknown"
    if role_id == guild_id:
        return "shop.role_everyone"
    if target.managed:
        return "shop.role_managed"
    mine = [by_id[r] for r in bot_role_ids if r in by_id]
    everyone = by_id.get(guild_id)
    permissions = everyone.permissions if everyone else 0
    for r in mine:
        permissions |= r.permissions
    if not permissions & (MANAGE_ROLES | ADMINISTRATOR):
        return "shop.bot_lacks_manage_roles"
    highest = max((r.position for r in mine), default=0)
    if target.position >= highest:
        return "shop.role_above_bot"
    return None
