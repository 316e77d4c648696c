"""Actors: each row has one owner that serialises its changes in arrival order (a member's
rows: the member's actor; a guild's shared rows: the guild's; a game: the game's; a gift
code's attempts: the gift-code actor's)."""
