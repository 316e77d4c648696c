"""What a member's owner keeps of its member's XP row between operations.

``MemberXp`` mirrors the committed ``levels_members`` row and the keys of the rewards the
member was given. It lives in the member owner's ``state`` (``vouchy.actors.owners``) and is
exact: it is loaded from the database once, then set from every committed row that changes it
(the service's commit listener hears the owner's own operations and anyone else's: a game's
pending XP, an audit repair). With it, a message inside the cooldown is dropped without a
read or a write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from vouchy.features.levels.rules import Counters
from vouchy.features.levels.voice import VoiceSession

# The keys the state holds in an owner's ``state`` dict.
STATE = "levels"
STALE = "levels:stale"  # a commit changed the row while the state was being read


class MemberXp:
    """A member's XP row as committed (``exists`` False: no row yet, every value its default)."""

    __slots__ = (
        "exists",
        "xp",
        "level",
        "messages",
        "voice_seconds",
        "reactions",
        "last_message_at",
        "voice",
        "voice_session_at",
        "voice_run",
        "pending_xp",
        "pending_channel_id",
        "paid",
    )

    def __init__(self) -> None:
        self.exists = False
        self.xp = 0
        self.level = 0
        self.messages = 0
        self.voice_seconds = 0
        self.reactions = 0
        self.last_message_at: int | None = None
        self.voice = VoiceSession()
        self.voice_session_at = 0
        self.voice_run = ""
        self.pending_xp = 0
        self.pending_channel_id: int | None = None
        self.paid: set[str] = set()

    @classmethod
    def from_row(cls, row: Mapping[str, Any] | None, paid: Iterable[str] = ()) -> MemberXp:
        state = cls()
        if row is not None:
            state.apply(row)
        state.paid = set(paid)
        return state

    def apply(self, row: Mapping[str, Any]) -> None:
        """Take the values of a committed row (every column of ``levels_members``)."""
        self.exists = True
        self.xp = row["xp"]
        self.level = row["level"]
        self.messages = row["messages"]
        self.voice_seconds = row["voice_seconds"]
        self.reactions = row["reactions_received"]
        self.last_message_at = row["last_message_at"]
        self.voice = VoiceSession(
            channel_id=row["voice_channel_id"],
            eligible=bool(row["voice_eligible"]),
            since_ms=row["voice_since"],
            carry_ms=row["voice_carry_ms"],
            percent=row["voice_percent"],
        )
        self.voice_session_at = row["voice_session_at"]
        self.voice_run = row["voice_run"]
        self.pending_xp = row["pending_xp"]
        self.pending_channel_id = row["pending_channel_id"]

    def forget(self) -> None:
        """The row was deleted: back to the defaults (rewards paid stay paid)."""
        paid = self.paid
        self.__init__()  # type: ignore[misc]  # reset every slot to its default
        self.paid = paid

    @property
    def counters(self) -> Counters:
        return Counters(
            messages=self.messages,
            voice_seconds=self.voice_seconds,
            reactions_received=self.reactions,
        )


def voice_values(session: VoiceSession) -> dict[str, Any]:
    """A voice session as the columns of ``levels_members``."""
    return {
        "voice_channel_id": session.channel_id,
        "voice_eligible": int(session.eligible),
        "voice_since": session.since_ms,
        "voice_carry_ms": session.carry_ms,
        "voice_percent": session.percent,
    }
