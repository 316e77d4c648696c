"""Admin: a server's own Vouchy settings (log channel, admin role, language), the audit and
repair of every derived row, and backups on demand."""

from __future__ import annotations

from vouchy.core.server_settings import CoreSettings
from vouchy.features.base import Feature

FEATURE = Feature(
    name="core",
    summary="/config core, /admin audit, repair, backup",
    settings=CoreSettings,
    discord="vouchy.features.admin.discord",
)
