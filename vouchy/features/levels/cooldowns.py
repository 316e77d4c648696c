"""A filter in front of the member actors: messages inside a known cooldown stop here.

``Cooldowns`` remembers, per (guild, member), the time of the last message that earned XP, as
the member's stored row says. It is only a cache: a member it does not know is let through to
the member's actor, which holds the stored value and decides (``rules.message_decision``), so
the cooldown holds across a restart, and any entry can be dropped at any moment without a
wrong answer. With it, a message inside the cooldown costs one dict lookup and no write.
Entries leave once their cooldown is over (``prune``, on a timer) or, when the cache is full,
the least recently earned first.
"""

from __future__ import annotations

from vouchy.features.levels.rules import in_cooldown
from vouchy.features.levels.settings import LevelSettings


class Cooldowns:
    """(guild id, member id) -> their last message that earned XP, in unix milliseconds."""

    def __init__(self, max_entries: int = 200_000) -> None:
        # In order of earning, oldest first: (last XP time, when that cooldown ended).
        self._entries: dict[tuple[int, int], tuple[int, int]] = {}
        self._max = max_entries

    def __len__(self) -> int:
        return len(self._entries)

    def blocks(self, guild_id: int, member_id: int, now_ms: int, settings: LevelSettings) -> bool:
        """True when the member is known to be inside the cooldown (under the guild's current
        settings): drop the message. False means "maybe not": let the member's actor decide."""
        # Invariant: never True for a member who may earn (a miss is always False).
        entry = self._entries.get((guild_id, member_id))
        return entry is not None and in_cooldown(entry[0], now_ms, settings)

    def earned(self, guild_id: int, member_id: int, at_ms: int, settings: LevelSettings) -> None:
        """Record a message that earned XP (once its XP is committed), or a stored value."""
        key = (guild_id, member_id)
        old = self._entries.pop(key, None)
        if old is not None and old[0] > at_ms:  # a late, redelivered event: keep the newer
            self._entries[key] = old
            return
        self._entries[key] = (at_ms, at_ms + settings.message_cooldown_ms)
        while len(self._entries) > self._max:
            del self._entries[next(iter(self._entries))]  # the least recently earned

    def forget(self, guild_id: int, member_id: int) -> None:
        """Drop a member (an admin reset their XP, or they left)."""
        self._entries.pop((guild_id, member_id), None)

    def prune(self, now_ms: int) -> int:
        """Drop the entries whose cooldown (as set when they earned) is over; return how many.
        Dropping one early is harmless: the member's actor still decides."""
        stale = [key for key, (_, ends) in self._entries.items() if ends <= now_ms]
        for key in stale:
            del self._entries[key]
        return len(stale)
