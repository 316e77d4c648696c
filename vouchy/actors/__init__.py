"""Actors: one per (guild, user), each the only writer of its user's rows, in arrival order."""
