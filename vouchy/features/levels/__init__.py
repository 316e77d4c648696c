"""XP and levels: XP earned from messages, voice time, reactions and games, the level curve,
level-up announcements and rewards, rank cards, and moving in from other level bots."""
