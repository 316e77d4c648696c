"""Who earns XP and how much: messages, reactions, games and admin changes, as pure decisions.

Each decision takes plain facts (ids, flags, times in unix milliseconds), the guild's
``LevelSettings`` and, where chance enters, a ``random.Random``; it returns how much XP to
credit and, when nothing, why (a stable code for metrics). Nothing here reads or writes
storage: the caller keeps each member's last message-XP time in its cache, so a message inside
the cooldown is dropped by ``message_decision`` before anything is written.

Amounts: the base amount times the highest multiplier that applies, in whole percent, rounded
half up (``(base * percent + 50) // 100``): 15 XP at x1.5 is 23 (22.5 rounds up), 25 at x1.5 is
38 (37.5 rounds up). Every credit carries a reference naming its cause (``reference_*``), so a
redelivered Discord event credits nothing twice.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Literal

import msgspec

from vouchy.core.errors import InvalidInput
from vouchy.features.levels.curve import MAX_XP
from vouchy.features.levels.settings import LevelSettings

# Why a message, reaction or game earned nothing (stable codes for logs and metrics).
Skip = Literal[
    "",  # earned
    "dm",
    "bot",
    "webhook",
    "no_xp_channel",
    "no_xp_role",
    "cooldown",
    "own_message",
    "already_credited",
    "zero",  # the rules gave 0 XP (a 0 % multiplier, a source set to 0)
]

MAX_ADMIN_CHANGE = MAX_XP


class Decision(msgspec.Struct, frozen=True, kw_only=True):
    """XP to credit (0 when ``skip`` says why not)."""

    xp: int = 0
    skip: Skip = ""

    @property
    def earned(self) -> bool:
        return self.xp > 0


class MessageFacts(msgspec.Struct, frozen=True, kw_only=True):
    """What the gateway says about one message, as plain values."""

    guild_id: int | None  # None: a direct message
    channel_id: int
    author_id: int
    created_at_ms: int  # the message's own time (from its id): the same on every redelivery
    message_id: int = 0  # names its credit (``reference_message``)
    author_is_bot: bool = False
    webhook_id: int | None = None
    role_ids: frozenset[int] = frozenset()
    # The thread's parent channel and the category, if any: rules set on them apply too.
    parent_ids: tuple[int, ...] = ()


class Counters(msgspec.Struct, frozen=True, kw_only=True):
    """A member's activity counters: XP-earning messages, credited voice seconds and credited
    reactions received. Each counts exactly the events that earned XP, so each is checkable
    against the XP rows that caused it."""

    messages: int = 0
    voice_seconds: int = 0
    reactions_received: int = 0

    def __add__(self, other: Counters) -> Counters:
        return Counters(
            messages=self.messages + other.messages,
            voice_seconds=self.voice_seconds + other.voice_seconds,
            reactions_received=self.reactions_received + other.reactions_received,
        )


ONE_MESSAGE = Counters(messages=1)
ONE_REACTION = Counters(reactions_received=1)


# References: one cause, one credit (the store ignores a reference it already holds).
def reference_message(guild_id: int, message_id: int) -> str:
    return f"levels:message:{guild_id}:{message_id}"


def reference_reaction(guild_id: int, message_id: int, reactor_id: int) -> str:
    """Once per reacting member and message, whatever the emoji and however often re-added."""
    return f"levels:reaction:{guild_id}:{message_id}:{reactor_id}"


def reference_game(guild_id: int, game_id: int | str, member_id: int) -> str:
    return f"levels:game:{guild_id}:{game_id}:{member_id}"


def reference_voice(guild_id: int, member_id: int, segment_ms: int, now_ms: int) -> str:
    """A voice step is named by the start of the segment it closes and when it closed it
    (see ``voice``); its log row is the session's (``changes.reference_voice_session``)."""
    return f"levels:voice-step:{guild_id}:{member_id}:{segment_ms}:{now_ms}"


def multiplier_percent(
    settings: LevelSettings, role_ids: Iterable[int], channel_ids: Iterable[int]
) -> int:
    """The highest multiplier among the member's roles and the channels (the channel, its
    parent, its category), in percent; 100 when none is set."""
    # Invariant: multipliers never stack; exactly one (or the neutral 100) applies.
    if not settings.role_multipliers and not settings.channel_multipliers:
        return 100
    roles, channels = frozenset(role_ids), frozenset(channel_ids)
    found = [m.percent for m in settings.role_multipliers if m.id in roles]
    found += [m.percent for m in settings.channel_multipliers if m.id in channels]
    return max(found) if found else 100


def apply_multiplier(base: int, percent: int) -> int:
    """``base`` times ``percent`` / 100, rounded half up, never negative."""
    if base < 0 or percent < 0:
        raise ValueError("XP amounts and multipliers are never negative")
    return (base * percent + 50) // 100


def _amount(
    base: int, settings: LevelSettings, roles: Iterable[int], channels: Iterable[int]
) -> Decision:
    xp = apply_multiplier(base, multiplier_percent(settings, roles, channels))
    return Decision(xp=xp) if xp > 0 else Decision(skip="zero")


def message_skip(facts: MessageFacts, settings: LevelSettings) -> Skip:
    """Why this message's author earns nothing whatever the time ("" when they may earn)."""
    if facts.guild_id is None:
        return "dm"
    if facts.webhook_id is not None:
        return "webhook"  # checked before bots: a webhook's author is flagged as a bot
    if facts.author_is_bot:
        return "bot"
    if facts.channel_id in settings.no_xp_channels or any(
        p in settings.no_xp_channels for p in facts.parent_ids
    ):
        return "no_xp_channel"
    if not facts.role_ids.isdisjoint(settings.no_xp_roles):
        return "no_xp_role"
    return ""


def cooldown_until_ms(last_xp_ms: int | None, settings: LevelSettings) -> int:
    """The first moment the member may earn message XP again (0: at once)."""
    return 0 if last_xp_ms is None else last_xp_ms + settings.message_cooldown_ms


def in_cooldown(last_xp_ms: int | None, now_ms: int, settings: LevelSettings) -> bool:
    """True while less than the cooldown has passed since the last message that earned XP.
    Exactly the cooldown later, the member earns again. A clock that went back in time keeps
    the member in cooldown until the full cooldown has passed after ``last_xp_ms``."""
    return now_ms < cooldown_until_ms(last_xp_ms, settings)


def message_decision(
    facts: MessageFacts,
    last_xp_ms: int | None,
    settings: LevelSettings,
    rng: random.Random,
) -> Decision:
    """XP for one message: nothing for DMs, webhooks, bots, no-XP channels and roles, or inside
    the cooldown; otherwise a whole amount drawn from ``rng`` in the guild's range, times the
    highest multiplier. The caller records ``facts.created_at_ms`` as the new last-XP time
    when (and only when) the decision earned XP."""
    # Invariant: the random source is consulted only for a message that earns, so skipped
    # messages cost nothing but two set lookups and a comparison.
    skip = message_skip(facts, settings)
    if skip:
        return Decision(skip=skip)
    if in_cooldown(last_xp_ms, facts.created_at_ms, settings):
        return Decision(skip="cooldown")
    base = rng.randint(settings.message_xp_min, settings.message_xp_max)
    return _amount(base, settings, facts.role_ids, (facts.channel_id, *facts.parent_ids))


def reaction_decision(
    *,
    guild_id: int | None,
    channel_id: int,
    reactor_id: int,
    reactor_is_bot: bool,
    author_id: int,
    author_is_bot: bool,
    author_role_ids: frozenset[int] = frozenset(),
    webhook_id: int | None = None,
    parent_ids: tuple[int, ...] = (),
    already_credited: bool,
    settings: LevelSettings,
) -> Decision:
    """XP for the author of a message when a member reacts to it: once per reacting member and
    message (``already_credited`` says whether that pair was credited before, even if the
    reaction was removed since), never for one's own message, never from or to a bot or
    webhook, nothing in no-XP channels or for authors with a no-XP role."""
    # Invariant: one (reactor, message) pair earns at most once, ever.
    if guild_id is None:
        return Decision(skip="dm")
    if webhook_id is not None:
        return Decision(skip="webhook")
    if reactor_is_bot or author_is_bot:
        return Decision(skip="bot")
    if reactor_id == author_id:
        return Decision(skip="own_message")
    if channel_id in settings.no_xp_channels or any(
        p in settings.no_xp_channels for p in parent_ids
    ):
        return Decision(skip="no_xp_channel")
    if not author_role_ids.isdisjoint(settings.no_xp_roles):
        return Decision(skip="no_xp_role")
    if already_credited:
        return Decision(skip="already_credited")
    return _amount(settings.reaction_xp, settings, author_role_ids, (channel_id, *parent_ids))


def reaction_removed() -> Decision:
    """A removed reaction takes nothing back and its pair stays credited, so adding it again
    earns nothing either."""
    return Decision(skip="already_credited")


def game_decision(
    *,
    won: bool,
    member_is_bot: bool = False,
    role_ids: frozenset[int] = frozenset(),
    channel_id: int | None = None,
    parent_ids: tuple[int, ...] = (),
    settings: LevelSettings,
) -> Decision:
    """XP for playing a game (the guild's win or lose amount), through the same multipliers."""
    if member_is_bot:
        return Decision(skip="bot")
    if not role_ids.isdisjoint(settings.no_xp_roles):
        return Decision(skip="no_xp_role")
    channels = () if channel_id is None else (channel_id, *parent_ids)
    if any(c in settings.no_xp_channels for c in channels):
        return Decision(skip="no_xp_channel")
    base = settings.game_win_xp if won else settings.game_lose_xp
    return _amount(base, settings, role_ids, channels)


AdminAction = Literal["add", "remove", "set", "reset"]


class AdminChange(msgspec.Struct, frozen=True, kw_only=True):
    """An admin's XP change worked out: the XP before and after and the signed difference
    (what the XP row records). ``remove`` takes at most what the member has."""

    action: AdminAction
    before: int
    after: int

    @property
    def delta(self) -> int:
        return self.after - self.before


def admin_change(action: AdminAction, current_xp: int, amount: int = 0) -> AdminChange:
    """``add`` and ``remove`` take a whole amount from 1, ``set`` a total from 0; ``reset``
    is ``set 0``. XP never goes below 0 nor above the bound."""
    # Invariant: 0 <= after <= MAX_XP.
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidInput("levels.admin.amount_range", low=1, high=MAX_ADMIN_CHANGE)
    if action == "reset":
        return AdminChange(action=action, before=current_xp, after=0)
    if action == "set":
        if not 0 <= amount <= MAX_XP:
            raise InvalidInput("levels.admin.amount_range", low=0, high=MAX_XP)
        return AdminChange(action=action, before=current_xp, after=amount)
    if not 1 <= amount <= MAX_ADMIN_CHANGE:
        raise InvalidInput("levels.admin.amount_range", low=1, high=MAX_ADMIN_CHANGE)
    if action == "add":
        if current_xp + amount > MAX_XP:
            raise InvalidInput("levels.admin.too_much", maximum=MAX_XP)
        return AdminChange(action=action, before=current_xp, after=current_xp + amount)
    if action == "remove":
        return AdminChange(action=action, before=current_xp, after=max(0, current_xp - amount))
    raise InvalidInput("levels.admin.unknown_action", action=action)
