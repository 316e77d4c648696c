"""Every embed Vouchy shows, in one style: a colour per kind of answer, amounts grouped for the
reader's language, members as mentions (they do not ping inside embeds), one footer. Pure
functions from plain values to ``hikari.Embed``; features' ``render.py`` modules build on them.
"""

from __future__ import annotations

import hikari

from vouchy.bot import texts as _texts  # noqa: F401
from vouchy.core import i18n
from vouchy.core.errors import VouchyError
from vouchy.store.operations import Receipt

POINTS = hikari.Color(0xF5B301)  # a balance, a leaderboard: gold
SUCCESS = hikari.Color(0x2ECC71)  # a change was saved
INFO = hikari.Color(0x5865F2)  # facts for admins
WARNING = hikari.Color(0xE67E22)  # refused: fix the input and try again
ERROR = hikari.Color(0xE74C3C)  # our fault


def t(key: str, locale: str, /, **params: object) -> str:
    return i18n.text(key, locale, **params)


def amount(n: int, locale: str) -> str:
    """1234567 -> '1,234,567' (en) or '1 234 567' (fr)."""
    return i18n.number(n, locale)


def signed(n: int, locale: str) -> str:
    return ("+" if n > 0 else "") + i18n.number(n, locale)


def pts(n: int, locale: str) -> str:
    """'**1,234** points' (one point: 'point')."""
    return t("embed.point" if abs(n) == 1 else "embed.points", locale, n=n)


def mention(user_id: int) -> str:
    return f"<@{user_id}>"


def embed(
    title: str, description: str, color: hikari.Color, locale: str, footer: str = ""
) -> hikari.Embed:
    card = hikari.Embed(title=title, description=description, color=color)
    brand = t("embed.footer", locale)
    card.set_footer(f"{brand} · {footer}" if footer else brand)
    return card


def saved_footer(receipt: Receipt, locale: str) -> str:
    return t("embed.saved", locale, id=str(receipt.ledger_id))


def refused(error: VouchyError, locale: str) -> hikari.Embed:
    """A refusal: what was wrong and what to do; nothing was changed."""
    return embed(
        t("embed.refused.title", locale),
        error.text(locale),
        WARNING,
        locale,
        t("embed.refused.footer", locale),
    )


def unexpected(ref: str, saved: Receipt | None, locale: str) -> hikari.Embed:
    if saved is not None:
        description = t("embed.failed.saved", locale, id=str(saved.ledger_id), ref=ref)
    else:
        description = t("embed.failed.unsaved", locale, ref=ref)
    return embed(
        t("embed.failed.title", locale),
        description,
        ERROR,
        locale,
        t("embed.failed.footer", locale, ref=ref),
    )


def restarting(locale: str) -> hikari.Embed:
    return embed(
        t("embed.restarting.title", locale),
        t("embed.restarting", locale),
        WARNING,
        locale,
        t("embed.refused.footer", locale),
    )
