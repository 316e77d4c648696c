"""The embeds of XP and levels, in the reader's language: a member's level (the rank card's
facts as text, its image attached), the leaderboard, admin changes, the level-role sync and
the multipliers and rewards a guild set. Pure functions from the service's plain values."""

from __future__ import annotations

import hikari

from vouchy.bot.embeds import INFO, POINTS, SUCCESS, WARNING, embed, t
from vouchy.core import i18n
from vouchy.features.levels.board import admin_reply, top_text
from vouchy.features.levels.card import CardFacts, card_text
from vouchy.features.levels.curve import Curve
from vouchy.features.levels.service import AdminResult, SyncResult, TopPage
from vouchy.features.levels.settings import ItemReward, LevelSettings, PointReward


def level(facts: CardFacts, *, locale: str, card: bytes | None, file_name: str) -> hikari.Embed:
    """Everything the card shows, in words (for screen readers, and when no image could be
    made); the card itself as the embed's image when there is one."""
    text = card_text(facts, locale)
    if card is None:
        text += "\n" + t("levels.level.card_failed", locale)
    shown = embed(t("levels.level.title", locale), text, POINTS, locale)
    if card is not None:
        shown.set_image(hikari.Bytes(card, file_name))
    return shown


def top(page: TopPage, *, curve: Curve, locale: str) -> hikari.Embed:
    text = top_text(
        page.entries,
        page=page.page,
        members=page.members,
        asker_rank=page.asker_rank,
        asker_xp=page.asker_xp,
        curve=curve,
        locale=locale,
    )
    return embed(t("levels.top.embed_title", locale), text, POINTS, locale)


def admin_changed(
    result: AdminResult, *, user_id: int, reason: str, curve: Curve, locale: str
) -> hikari.Embed:
    text = admin_reply(result.change, user_id, reason=reason, curve=curve, locale=locale)
    return embed(t("levels.admin.title", locale), text, SUCCESS, locale)


def synced(result: SyncResult, *, locale: str) -> hikari.Embed:
    text = t(
        "levels.admin.roles_synced",
        locale,
        members=result.members,
        added=result.added,
        removed=result.removed,
    )
    if result.blocked:
        text += "\n" + t("levels.admin.sync_blocked", locale, count=result.blocked)
    color = WARNING if result.blocked else SUCCESS
    return embed(t("levels.admin.sync_title", locale), text, color, locale)


def pairs(settings: LevelSettings, *, locale: str) -> hikari.Embed:
    """The guild's multipliers, role rewards and one-time rewards, as they now stand."""
    none = t("levels.config.none", locale)

    def factor(percent: int) -> str:
        return i18n.number(percent / 100, locale)

    def lines(found: list[str]) -> str:
        return "\n".join(found)[:1024] or none

    card = embed(t("levels.config.pairs_title", locale), "", INFO, locale)
    card.add_field(
        t("levels.setting.role_multipliers", locale),
        lines(
            [
                t(
                    "levels.config.multiplier_line",
                    locale,
                    target=f"<@&{m.id}>",
                    factor=factor(m.percent),
                )
                for m in settings.role_multipliers
            ]
        ),
    )
    card.add_field(
        t("levels.setting.channel_multipliers", locale),
        lines(
            [
                t(
                    "levels.config.multiplier_line",
                    locale,
                    target=f"<#{m.id}>",
                    factor=factor(m.percent),
                )
                for m in settings.channel_multipliers
            ]
        ),
    )
    roles = [
        t("levels.config.role_reward_line", locale, level=r.level, role=str(r.role_id))
        for r in sorted(settings.role_rewards, key=lambda r: (r.level, r.role_id))
    ]
    how = "levels.config.stack_line" if settings.stack_roles else "levels.config.replace_line"
    card.add_field(
        t("levels.setting.role_rewards", locale),
        (lines(roles) + "\n" + t(how, locale))[:1024],
    )
    once: list[str] = []
    for reward in sorted(settings.rewards, key=lambda r: (r.level, r.key)):
        if isinstance(reward, PointReward):
            once.append(
                t(
                    "levels.config.point_reward_line",
                    locale,
                    level=reward.level,
                    points=reward.points,
                )
            )
        elif isinstance(reward, ItemReward):
            once.append(
                t(
                    "levels.config.item_reward_line",
                    locale,
                    level=reward.level,
                    item=reward.item,
                    quantity=reward.quantity,
                )
            )
    card.add_field(t("levels.setting.rewards", locale), lines(once))
    return card
