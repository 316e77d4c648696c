"""Voice XP: an accounting of each member's voice session from voice-state facts.

A member's session is a small stored row (``VoiceSession``): whether the current segment is
eligible, when it began, and the eligible time not yet credited (less than a minute). Each
voice-state change, each periodic tick and the closing of a session left open by a stopped bot
is one pure step from the old row to the new one, crediting whole eligible minutes at the
guild's rate. Time is eligible only while the member is in a voice channel that is not the AFK
channel, not self-muted, not self-deafened, with at least one other human, not a bot, and not
in a no-XP channel or with a no-XP role.

Partial minutes carry over: the remainder of eligible time stays in ``carry_ms`` and completes
a minute in a later segment, in this session or the next, so no eligible second is lost and no
ineligible second is ever counted. A step names the segment it closes (``segment_ms``), so a
credit and its new row can be written together under ``reference_voice`` and a step replayed
against the same row credits nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

import msgspec

from vouchy.features.levels.rules import Counters, apply_multiplier, multiplier_percent
from vouchy.features.levels.settings import LevelSettings

MINUTE_MS = 60_000

VoiceSkip = Literal[
    "",  # eligible
    "not_in_voice",
    "bot",
    "afk",
    "self_mute",
    "self_deaf",
    "alone",
    "no_xp_channel",
    "no_xp_role",
]


class VoiceFacts(msgspec.Struct, frozen=True, kw_only=True):
    """A member's voice state as the gateway last described it."""

    channel_id: int | None = None  # None: not in voice
    self_mute: bool = False
    self_deaf: bool = False
    afk: bool = False  # the channel is the guild's AFK channel
    other_humans: int = 0  # members in the same channel other than this one, bots not counted
    is_bot: bool = False
    role_ids: frozenset[int] = frozenset()
    parent_ids: tuple[int, ...] = ()  # the channel's category, if any


class VoiceSession(msgspec.Struct, frozen=True, kw_only=True):
    """The stored state of a member's voice session (``IDLE`` when out of voice)."""

    channel_id: int | None = None
    eligible: bool = False  # whether time since ``since_ms`` counts
    since_ms: int = 0  # when the current segment began (the last step)
    carry_ms: int = 0  # eligible time not yet credited: 0 <= carry_ms < one minute
    percent: int = 100  # the multiplier in force for the current segment

    @property
    def open(self) -> bool:
        return self.channel_id is not None


IDLE = VoiceSession()


class VoiceCredit(msgspec.Struct, frozen=True, kw_only=True):
    """One step of the accounting: what to credit and the row to store in its place."""

    state: VoiceSession
    segment_ms: int  # the start of the segment this step closed (names the credit)
    eligible_ms: int  # eligible time accounted by this step (before carrying)
    minutes: int  # whole eligible minutes credited
    xp: int

    @property
    def counters(self) -> Counters:
        return Counters(voice_seconds=self.minutes * 60)


def voice_skip(facts: VoiceFacts, settings: LevelSettings) -> VoiceSkip:
    """Why time in this state does not count ("" when it does)."""
    if facts.channel_id is None:
        return "not_in_voice"
    if facts.is_bot:
        return "bot"
    if facts.afk:
        return "afk"
    if facts.self_deaf:
        return "self_deaf"
    if facts.self_mute:
        return "self_mute"
    if facts.other_humans < 1:
        return "alone"
    if facts.channel_id in settings.no_xp_channels or any(
        p in settings.no_xp_channels for p in facts.parent_ids
    ):
        return "no_xp_channel"
    if not facts.role_ids.isdisjoint(settings.no_xp_roles):
        return "no_xp_role"
    return ""


def _credit(state: VoiceSession, end_ms: int) -> tuple[int, int, int, int]:
    """(segment end, eligible ms, whole minutes, carry) for the segment ending at ``end_ms``."""
    # Invariant: only time inside an eligible segment is counted, and a clock that went back
    # counts nothing (never a negative or repeated span).
    end = max(end_ms, state.since_ms)
    eligible_ms = end - state.since_ms if state.eligible else 0
    minutes, carry = divmod(state.carry_ms + eligible_ms, MINUTE_MS)
    return end, eligible_ms, minutes, carry


def _xp(minutes: int, percent: int, settings: LevelSettings) -> int:
    return apply_multiplier(minutes * settings.voice_xp_per_minute, percent)


def voice_step(
    state: VoiceSession, facts: VoiceFacts, now_ms: int, settings: LevelSettings
) -> VoiceCredit:
    """A member's voice state became ``facts`` at ``now_ms``: credit the eligible time of the
    segment that ends now and start a new segment in the new state. Call it for every member
    whose facts may have changed: the member who moved, muted or left, and every member of
    the channels they left and joined (their count of other humans changed)."""
    end, eligible_ms, minutes, carry = _credit(state, now_ms)
    eligible = voice_skip(facts, settings) == ""
    channels = () if facts.channel_id is None else (facts.channel_id, *facts.parent_ids)
    new = VoiceSession(
        channel_id=facts.channel_id,
        eligible=eligible,
        since_ms=end,
        carry_ms=carry,
        percent=multiplier_percent(settings, facts.role_ids, channels),
    )
    return VoiceCredit(
        state=new,
        segment_ms=state.since_ms,
        eligible_ms=eligible_ms,
        minutes=minutes,
        xp=_xp(minutes, state.percent, settings),
    )


def voice_tick(state: VoiceSession, now_ms: int, settings: LevelSettings) -> VoiceCredit:
    """Credit the whole minutes of an open session so far, its state unchanged: XP grows while
    a member stays in voice, and a crash loses at most the time since the last tick."""
    end, eligible_ms, minutes, carry = _credit(state, now_ms)
    return VoiceCredit(
        state=msgspec.structs.replace(state, since_ms=end, carry_ms=carry),
        segment_ms=state.since_ms,
        eligible_ms=eligible_ms,
        minutes=minutes,
        xp=_xp(minutes, state.percent, settings),
    )


def close_after_restart(
    state: VoiceSession, last_known_ms: int | None, now_ms: int, settings: LevelSettings
) -> VoiceCredit:
    """Close a session the previous run left open. Its time counts up to the last moment that
    run is known to have been watching (``last_known_ms``: its last heartbeat or checkpoint,
    None when nothing is known), never up to now: the member may have left at any moment
    after it. Without such a moment, nothing beyond the last stored step is credited. The
    caller then opens fresh sessions from the voice states the gateway reports at start."""
    # Invariant: no minute after the last known moment is ever credited.
    if not state.open:
        return VoiceCredit(state=state, segment_ms=state.since_ms, eligible_ms=0, minutes=0, xp=0)
    end = state.since_ms if last_known_ms is None else min(last_known_ms, now_ms)
    end, eligible_ms, minutes, carry = _credit(state, end)
    closed = VoiceSession(channel_id=None, eligible=False, since_ms=end, carry_ms=carry)
    return VoiceCredit(
        state=closed,
        segment_ms=state.since_ms,
        eligible_ms=eligible_ms,
        minutes=minutes,
        xp=_xp(minutes, state.percent, settings),
    )


class VoiceMember(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of a guild's voice-state cache."""

    member_id: int
    channel_id: int
    self_mute: bool = False
    self_deaf: bool = False
    is_bot: bool = False
    role_ids: frozenset[int] = frozenset()


def guild_voice_facts(
    members: Iterable[VoiceMember],
    afk_channel_id: int | None,
    parents: Mapping[int, tuple[int, ...]] | None = None,
) -> dict[int, VoiceFacts]:
    """Every member's ``VoiceFacts`` from a guild's voice states: who else is there (humans
    only), whether the channel is the AFK channel, the channel's parents."""
    members = list(members)
    humans: dict[int, int] = {}
    for m in members:
        if not m.is_bot:
            humans[m.channel_id] = humans.get(m.channel_id, 0) + 1
    parents = parents or {}
    return {
        m.member_id: VoiceFacts(
            channel_id=m.channel_id,
            self_mute=m.self_mute,
            self_deaf=m.self_deaf,
            afk=m.channel_id == afk_channel_id,
            other_humans=humans.get(m.channel_id, 0) - (0 if m.is_bot else 1),
            is_bot=m.is_bot,
            role_ids=m.role_ids,
            parent_ids=parents.get(m.channel_id, ()),
        )
        for m in members
    }
