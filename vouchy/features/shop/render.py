"""The shop's embeds and buttons, in the reader's language: the inventory with a Use button per
usable item, the shop, a purchase, rewards, a redemption and lists of codes. Pure functions
from the service's plain values; the buttons' custom ids come from the feature's ``Codec``."""

from __future__ import annotations

import hikari

from vouchy.bot.components import Codec
from vouchy.bot.embeds import INFO, POINTS, SUCCESS, embed, mention, pts, t
from vouchy.features.shop.rewards import Redemption
from vouchy.features.shop.rules import BUILTINS, ShopSettings
from vouchy.features.shop.service import (
    Bought,
    InventoryView,
    ItemView,
    Redeemed,
    RedemptionsPage,
    RewardsPage,
    ShopPage,
    Used,
)

CODEC = Codec("shop")
USE = "use"
MAX_BUTTONS = 25  # Discord: 5 rows of 5


def use_row(user_id: int, item: str, seen: int) -> str:
    """A Use button's row: whose inventory, which item, the version of the row it was shown
    with (every change adds one: a used item's button never matches again)."""
    return f"{user_id}.{item}.{seen}"


def parse_use_row(row: str) -> tuple[int, str, int] | None:
    user, _, rest = row.partition(".")
    item, _, seen = rest.rpartition(".")
    if not (user.isdigit() and item and seen.isdigit()):
        return None
    return int(user), item, int(seen)


def item_name(item: str, name: str, locale: str) -> str:
    """A catalogue name, else the built-in item's name in the reader's language."""
    if name:
        return name
    if item in BUILTINS:
        return t(f"shop.item.{item}", locale)
    return item


def item_description(item: str, description: str, settings: ShopSettings, locale: str) -> str:
    if description or item not in BUILTINS:
        return description
    return t(
        f"shop.item.{item}.desc",
        locale,
        low=settings.jackpot_min,
        high=settings.jackpot_max,
        games=settings.multiplier_games,
    )


def _used_line(used: Used, locale: str) -> str:
    if used.item == "jackpot":
        balance = pts(used.balance, locale) if used.balance is not None else "-"
        return t("shop.used.jackpot", locale, points=used.draw, balance=balance)
    return t("shop.used.multiplier", locale, factor=used.factor, games=used.games)


def inventory(
    view: InventoryView, settings: ShopSettings, locale: str, *, used: Used | None = None
) -> hikari.Embed:
    lines = []
    if used is not None:
        lines += [_used_line(used, locale), ""]
    lines.append(t("shop.inventory.of", locale, user_id=view.user_id))
    if not view.items:
        lines.append(t("shop.inventory.empty", locale))
    for v in view.items:
        line = t(
            "shop.inventory.line",
            locale,
            name=item_name(v.item, v.name, locale),
            quantity=v.quantity,
        )
        described = item_description(v.item, v.description, settings, locale)
        lines.append(f"{line} · {described}" if described else line)
    card = embed(
        t("shop.inventory.title", locale), "\n".join(lines), SUCCESS if used else POINTS, locale
    )
    if view.multiplier is not None:
        m = view.multiplier
        card.add_field(
            t("shop.inventory.active", locale),
            t(
                "shop.inventory.active_line",
                locale,
                factor=m.factor,
                left=m.games_left,
                total=m.games_total,
            ),
        )
    return card


def use_buttons(view: InventoryView, locale: str) -> list[hikari.api.MessageActionRowBuilder]:
    """A Use button per usable item the member holds (at most 25)."""
    usable: list[ItemView] = [v for v in view.items if v.usable][:MAX_BUTTONS]
    rows: list[hikari.api.MessageActionRowBuilder] = []
    for start in range(0, len(usable), 5):
        row = hikari.impl.MessageActionRowBuilder()
        for v in usable[start : start + 5]:
            label = t(
                "shop.inventory.use",
                locale,
                name=item_name(v.item, v.name, locale),
                quantity=v.quantity,
            )
            row.add_interactive_button(
                hikari.ButtonStyle.PRIMARY,
                CODEC.encode(USE, use_row(view.user_id, v.item, v.version)),
                label=label[:80],
            )
        rows.append(row)
    return rows


def _no_such_page(prefix: str, page: int, pages: int, locale: str) -> str:
    return t(f"{prefix}.no_such_page", locale, page=page, pages=pages)


def shop(page: ShopPage, settings: ShopSettings, locale: str) -> hikari.Embed:
    if page.listings:
        blocks = []
        for v in page.listings:
            facts = [pts(v.price, locale)]
            if v.stock is None:
                facts.append(t("shop.shop.unlimited", locale))
            elif v.stock == 0:
                facts.append(t("shop.shop.sold_out", locale))
            else:
                facts.append(t("shop.shop.stock", locale, stock=v.stock))
            if v.member_limit is not None:
                facts.append(t("shop.shop.limit", locale, limit=v.member_limit))
            if v.role_id is not None:
                facts.append(t("shop.shop.gives_role", locale, role_id=v.role_id))
            if v.required_role_id is not None:
                facts.append(t("shop.shop.needs_role", locale, role_id=v.required_role_id))
            if v.ends_at is not None:
                facts.append(t("shop.shop.ends", locale, ends_at=str(v.ends_at // 1000)))
            head = f"**{item_name(v.item, v.name, locale)}** · " + " · ".join(facts)
            described = item_description(v.item, v.description, settings, locale)
            blocks.append(f"{head}\n{described}" if described else head)
        description = "\n\n".join(blocks)
    elif page.total:
        description = _no_such_page("shop.shop", page.page, page.pages, locale)
    else:
        description = t("shop.shop.empty", locale)
    footer = t("shop.shop.footer", locale, page=min(page.page, page.pages), pages=page.pages)
    return embed(t("shop.shop.title", locale), description, POINTS, locale, footer)


def bought(result: Bought, locale: str) -> hikari.Embed:
    text = t(
        "shop.bought",
        locale,
        quantity=result.quantity,
        name=item_name(result.item, result.name if result.item not in BUILTINS else "", locale),
        points=pts(result.total, locale),
        held=result.held,
    )
    if result.role_id is not None:
        text += "\n" + t("shop.bought.role", locale, role_id=result.role_id)
    if result.balance is not None:
        text += "\n" + t("shop.bought.balance", locale, points=pts(result.balance, locale))
    footer = t("embed.saved", locale, id=str(result.ledger_id)) if result.ledger_id else ""
    return embed(t("shop.bought.title", locale), text, SUCCESS, locale, footer)


def rewards(page: RewardsPage, settings: ShopSettings, locale: str) -> hikari.Embed:
    if page.rewards:
        blocks = []
        for r in page.rewards:
            days = r.valid_days or settings.redemption_days
            head = (
                f"**{r.name}** · {pts(r.cost, locale)} · "
                f"{t('shop.rewards.valid', locale, days=days)}"
            )
            blocks.append(f"{head}\n{r.description}" if r.description else head)
        description = "\n\n".join(blocks)
    elif page.total:
        description = _no_such_page("shop.rewards", page.page, page.pages, locale)
    else:
        description = t("shop.rewards.empty", locale)
    footer = t("shop.rewards.footer", locale, page=min(page.page, page.pages), pages=page.pages)
    return embed(t("shop.rewards.title", locale), description, POINTS, locale, footer)


def redeemed(result: Redeemed, locale: str) -> hikari.Embed:
    text = t(
        "shop.redeemed",
        locale,
        name=result.name,
        points=pts(result.cost, locale),
        code=result.code,
        expires_at=str(result.expires_at // 1000),
    )
    if result.balance is not None:
        text += "\n" + t("shop.bought.balance", locale, points=pts(result.balance, locale))
    footer = t("embed.saved", locale, id=str(result.ledger_id)) if result.ledger_id else ""
    return embed(t("shop.redeemed.title", locale), text, SUCCESS, locale, footer)


def _when(red: Redemption, state: str, locale: str) -> str:
    if state == "used":
        when = t("shop.redemptions.used", locale, at=str((red.used_at or 0) // 1000))
        if red.used_by:
            when += " " + t("shop.redemptions.by", locale, user_id=red.used_by)
        return when
    if state == "refunded":
        return t("shop.redemptions.refunded", locale, at=str((red.refunded_at or 0) // 1000))
    key = "shop.redemptions.expired" if state == "expired" else "shop.redemptions.expires"
    return t(key, locale, at=str(red.expires_at // 1000))


def redemptions(page: RedemptionsPage, locale: str, *, admin: bool = False) -> hikari.Embed:
    if page.redemptions:
        lines = []
        for red in page.redemptions:
            state = red.state(page.now_ms)
            line = t(
                "shop.redemptions.line",
                locale,
                code=red.code,
                name=red.name,
                status=t(f"shop.status.{state}", locale),
                when=_when(red, state, locale),
            )
            lines.append(f"{line} · {mention(red.user_id)}" if admin else line)
        description = "\n".join(lines)
    elif page.total:
        description = _no_such_page("shop.redemptions", page.page, page.pages, locale)
    else:
        description = t("shop.redemptions.empty", locale)
    footer = t(
        "shop.redemptions.footer",
        locale,
        page=min(page.page, page.pages),
        pages=page.pages,
        total=page.total,
    )
    title = "shop.admin.redemptions_title" if admin else "shop.redemptions.title"
    return embed(t(title, locale), description, INFO, locale, footer)


def admin_done(key: str, locale: str, **values: object) -> hikari.Embed:
    """An admin's change, saved."""
    return embed(t("shop.admin.title", locale), t(key, locale, **values), SUCCESS, locale)
