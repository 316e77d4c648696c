"""A server's own settings for Vouchy as a whole (``/config core``): where admin actions are
copied, which role may use the admin commands, and the language Vouchy prefers when a member's
own is not one it speaks. Every layer reads them (the bot's checks and languages, the outbox's
notes, the features' posts), so they live here, below all of them."""

from __future__ import annotations

from typing import Literal

import msgspec


class CoreSettings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    log_channel: int | None = None
    admin_role: int | None = None
    locale: Literal["en", "fr"] = "en"
