"""XP and levels: XP earned from messages, voice time, reactions and games, the level curve,
level-up announcements and rewards, rank cards, and moving in from other level bots."""

from __future__ import annotations

from vouchy.features.base import Feature

# Registering the texts with the package: every refusal and reply of this feature can be said.
from vouchy.features.levels import texts as texts
from vouchy.features.levels.audit import CHECKS
from vouchy.features.levels.service import LevelsService
from vouchy.features.levels.settings import LevelSettings
from vouchy.features.levels.tables import MIGRATIONS

FEATURE = Feature(
    name="levels",
    summary="XP from messages, voice, reactions and games; /level, /levels, level roles",
    migrations=MIGRATIONS,
    checks=CHECKS,
    settings=LevelSettings,
    service=LevelsService.create,
    discord="vouchy.features.levels.discord",
    cli="vouchy.features.levels.cli",
)
