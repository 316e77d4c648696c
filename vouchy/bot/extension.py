"""What a feature's Discord module is given: its lightbulb ``Loader``, the shared ``/admin`` and
``/config`` groups (a feature adds its own subgroup to each), the component router, and the
configuration. Every feature's ``discord.py`` has ``setup(ext: Extension) -> None``; the bot
calls each one, then registers the shared groups once."""

from __future__ import annotations

from dataclasses import dataclass

import hikari
import lightbulb

from vouchy.bot.components import Components
from vouchy.bot.localization import command
from vouchy.core import i18n
from vouchy.core.config import Config

# Commands live in servers only: they are not offered in DMs or group DMs.
GUILD_ONLY = (hikari.ApplicationContextType.GUILD,)

TEXTS = i18n.register(
    {
        "admin": {"en": "admin", "fr": "admin"},
        "admin.desc": {"en": "Vouchy admin tools", "fr": "Outils d'administration de Vouchy"},
        "config": {"en": "config", "fr": "config"},
        "config.desc": {
            "en": "Vouchy's settings for this server",
            "fr": "Réglages de Vouchy pour ce serveur",
        },
    }
)


@dataclass
class Extension:
    config: Config
    loader: lightbulb.Loader
    admin: lightbulb.Group
    settings: lightbulb.Group  # /config
    components: Components


def shared_groups() -> tuple[lightbulb.Group, lightbulb.Group]:
    """``/admin`` and ``/config``: hidden in the client from members without Manage Server
    (a server may change that; ``vouchy.bot.checks`` is what protects)."""
    admin = lightbulb.Group(
        **command("admin"),
        default_member_permissions=hikari.Permissions.MANAGE_GUILD,
        contexts=GUILD_ONLY,
    )
    settings = lightbulb.Group(
        **command("config"),
        default_member_permissions=hikari.Permissions.MANAGE_GUILD,
        contexts=GUILD_ONLY,
    )
    return admin, settings
