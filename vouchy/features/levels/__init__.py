"""XP and levels: XP earned from messages, voice time, reactions and games, the level curve,
level-up announcements and rewards, rank cards, and moving in from other level bots."""

# Registering the texts with the package: every refusal and reply of this feature can be said.
from vouchy.features.levels import texts as texts
