"""Features: one package each (pure rules, service, migrations, Discord extension, texts),
registered here by one line. Importing this module registers every feature's migrations and
audit checks with the store, so it happens before anything opens the database."""

from __future__ import annotations

from typing import Any

import msgspec

from vouchy.features import admin, api, games, giftcodes, invites, levels, points, shop, vouches
from vouchy.features.base import Feature
from vouchy.store import audit, schema

FEATURES: tuple[Feature, ...] = (
    admin.FEATURE,
    points.FEATURE,
    levels.FEATURE,
    shop.FEATURE,
    games.FEATURE,
    vouches.FEATURE,
    invites.FEATURE,
    giftcodes.FEATURE,
    api.FEATURE,
)

for _feature in FEATURES:
    schema.register(_feature.migrations)
    for _check in _feature.checks:
        audit.register(_check)


def sections() -> dict[str, type[msgspec.Struct]]:
    """Each feature's config.toml section: the default settings of its guilds."""
    return {f.name: f.settings for f in FEATURES if f.settings is not None}


def defaults(configured: dict[str, Any]) -> dict[str, msgspec.Struct]:
    """Each feature's guild defaults: its config section, else the Struct's own defaults."""
    return {name: configured.get(name) or kind() for name, kind in sections().items()}


def extension_modules() -> list[str]:
    """Each feature's Discord extension module (``setup(ext)``), in registry order."""
    return [f.discord for f in FEATURES if f.discord is not None]
