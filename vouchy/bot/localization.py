"""English and French on Discord: command names, descriptions, options and choices come from
the texts catalog (``vouchy.core.i18n``) through lightbulb's localization provider; a reply is
said in the member's language when Vouchy speaks it, else in the guild's preferred language
(its ``/config core`` locale, else Discord's community locale), else English."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import hikari
import lightbulb

from vouchy.core import i18n
from vouchy.core.server_settings import CoreSettings
from vouchy.store.settings import SettingsStore

T = TypeVar("T", str, int, float)

# Discord's locales each of Vouchy's languages answers to.
DISCORD_LOCALES: dict[str, tuple[hikari.Locale, ...]] = {
    "en": (hikari.Locale.EN_US, hikari.Locale.EN_GB),
    "fr": (hikari.Locale.FR,),
}


def provider(key: str) -> Mapping[hikari.Locale, str]:
    """lightbulb's localization provider: every Discord locale Vouchy speaks, for ``key``."""
    texts = i18n.localizations(key)
    return {loc: texts[lang] for lang, locales in DISCORD_LOCALES.items() for loc in locales}


async def locale_for(
    interaction: hikari.PartialInteraction, settings: SettingsStore | None = None
) -> str:
    """The language to answer ``interaction`` in."""
    member = getattr(interaction, "locale", None)
    if _spoken(member):
        return i18n.pick(str(member))
    preferred: str | None = None
    if settings is not None and interaction.guild_id is not None:
        core = await settings.get(int(interaction.guild_id), "core", CoreSettings)
        preferred = core.locale
    guild = getattr(interaction, "guild_locale", None)
    return i18n.pick(preferred, str(guild) if guild else None)


def _spoken(locale: object) -> bool:
    if not locale:
        return False
    base = str(locale).split("-")[0].lower()
    return base in i18n.LOCALES


def command(key: str) -> dict[str, Any]:
    """The keyword arguments of a localized command or group named by ``key``: its name is
    the text ``<key>`` and its description ``<key>.desc``."""
    return {"name": key, "description": f"{key}.desc", "localize": True}


def option(key: str) -> tuple[str, str]:
    """An option's (name key, description key)."""
    return key, f"{key}.desc"


def choice(key: str, value: T) -> lightbulb.Choice[T]:
    return lightbulb.Choice(key, value, localize=True)
