"""One extension per feature: each module has ``make_loader(config) -> lightbulb.Loader`` whose
commands only parse options, call the feature and render the answer.

``EXTENSIONS`` lists them; the bot loads every one or refuses to start (lightbulb's own loader
would skip a module that fails to import, silently losing its commands).
"""

from __future__ import annotations

import hikari

EXTENSIONS = (
    "vouchy.bot.extensions.points",
    "vouchy.bot.extensions.admin",
    "vouchy.bot.extensions.settings",
)

# Commands live in servers only: they are not offered in DMs or group DMs.
GUILD_ONLY = (hikari.ApplicationContextType.GUILD,)
