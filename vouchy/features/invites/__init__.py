"""Invite attribution: which invite each member joined through, who is credited for it, and
logs a person can open months later to prove it."""

from __future__ import annotations

from vouchy.features.base import Feature
from vouchy.features.invites import checks, schema
from vouchy.features.invites.rules import InvitesSettings
from vouchy.features.invites.service import InvitesService

FEATURE = Feature(
    name="invites",
    summary="invite attribution, /invites lookup, logs, export, sync, top, staff; join logs",
    migrations=schema.MIGRATIONS,
    checks=(checks.CHECK,),
    settings=InvitesSettings,
    service=InvitesService.create,
    discord="vouchy.features.invites.discord",
    cli="vouchy.features.invites.cli",
)
