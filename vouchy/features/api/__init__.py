"""The web feature: API keys (a table of hashes, issued and revoked through the write path),
the points an API client earns and spends, what the API and the public leaderboard page read,
and the ``[web]`` settings (the server, and each guild's opt-in to its public page). The HTTP
side itself is ``vouchy.web``."""

from __future__ import annotations

from vouchy.features.api.rules import MIGRATIONS, WebSettings
from vouchy.features.api.service import ApiService
from vouchy.features.base import Feature

FEATURE = Feature(
    name="web",
    summary="/admin api-key, /config web, the HTTP API and the public leaderboard page",
    migrations=MIGRATIONS,
    settings=WebSettings,
    service=ApiService.create,
    discord="vouchy.features.api.discord",
    http="vouchy.web.api",
    cli="vouchy.web.cli",
)
