"""A guild's XP and level settings: one frozen struct with the defaults Vouchy starts from.

The struct is what ``/config levels`` changes: the store keeps one ``settings`` row per field
(``vouchy.store.settings``), and ``config.toml``'s ``[levels]`` overrides the defaults for
every guild. Its fields are plain values and lists of small structs (no maps, no nesting the
generic ``/config`` commands could not set), each bounded with ``Annotated``, so the store
refuses a value out of bounds before anything is saved. ``check_settings`` says the same with
a named refusal, and checks what spans fields (the message range, a role rewarded twice).
Every rule in this feature reads its numbers from here, never from a constant of its own.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from vouchy.core.errors import InvalidInput
from vouchy.features.levels.curve import MAX_COEFFICIENT, Curve, check_curve

# Bounds an admin may set (``Annotated`` below and ``check_settings``).
MAX_MESSAGE_XP = 1_000
MAX_COOLDOWN_S = 86_400
MAX_VOICE_XP_PER_MINUTE = 1_000
MAX_EVENT_XP = 10_000  # one reaction or one game
# Multipliers are whole percentages (150 = x1.5): integer arithmetic, the same on every run.
MAX_MULTIPLIER_PERCENT = 1_000
MAX_TEMPLATE_CHARS = 500
MAX_REWARD_LEVEL = 10_000
MAX_REWARD_POINTS = 10**9
MAX_REWARD_QUANTITY = 1_000
MAX_ITEM_CHARS = 100
MAX_LIST = 250  # channels, roles, multipliers or rewards in one list
MAX_SNOWFLAKE = 2**63 - 1

Snowflake = Annotated[int, msgspec.Meta(ge=1, le=MAX_SNOWFLAKE)]
RewardLevel = Annotated[int, msgspec.Meta(ge=1, le=MAX_REWARD_LEVEL)]
Percent = Annotated[int, msgspec.Meta(ge=0, le=MAX_MULTIPLIER_PERCENT)]
EventXp = Annotated[int, msgspec.Meta(ge=0, le=MAX_EVENT_XP)]
Coefficient = Annotated[int, msgspec.Meta(ge=0, le=MAX_COEFFICIENT)]
MessageXp = Annotated[int, msgspec.Meta(ge=0, le=MAX_MESSAGE_XP)]


class Multiplier(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """XP times ``percent`` / 100 for a role, or in a channel (a category: its channels)."""

    id: Snowflake
    percent: Percent


class RoleReward(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A role given at a level (several roles may share a level)."""

    level: RewardLevel
    role_id: Snowflake


class PointReward(msgspec.Struct, frozen=True, kw_only=True, tag="points"):
    """Points credited once, ever, to a member who reaches ``level``."""

    level: RewardLevel
    points: Annotated[int, msgspec.Meta(ge=1, le=MAX_REWARD_POINTS)]

    @property
    def key(self) -> str:
        """Names the reward in a member's set of paid rewards."""
        return f"{self.level}:points"


class ItemReward(msgspec.Struct, frozen=True, kw_only=True, tag="item"):
    """An item of the shop given once, ever, to a member who reaches ``level`` (recorded as
    due; the shop hands it over)."""

    level: RewardLevel
    item: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_ITEM_CHARS)]  # the item key
    quantity: Annotated[int, msgspec.Meta(ge=1, le=MAX_REWARD_QUANTITY)] = 1

    @property
    def key(self) -> str:
        return f"{self.level}:item:{self.item}"


Reward = PointReward | ItemReward


class LevelSettings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Everything a guild can set about XP and levels, with Vouchy's defaults."""

    # The curve: going from level L to L + 1 costs quadratic * L² + linear * L + constant.
    curve_quadratic: Coefficient = 5
    curve_linear: Coefficient = 50
    curve_constant: Annotated[int, msgspec.Meta(ge=1, le=MAX_COEFFICIENT)] = 100
    # Messages: a random whole amount from min to max, at most once per cooldown.
    message_xp_min: MessageXp = 15
    message_xp_max: MessageXp = 25
    message_cooldown_s: Annotated[int, msgspec.Meta(ge=0, le=MAX_COOLDOWN_S)] = 60
    # Channels (a channel, a thread's parent or a category) and roles that earn no XP at all.
    no_xp_channels: Annotated[list[Snowflake], msgspec.Meta(max_length=MAX_LIST)] = []
    no_xp_roles: Annotated[list[Snowflake], msgspec.Meta(max_length=MAX_LIST)] = []
    voice_xp_per_minute: Annotated[int, msgspec.Meta(ge=0, le=MAX_VOICE_XP_PER_MINUTE)] = 10
    reaction_xp: EventXp = 2
    game_win_xp: EventXp = 15
    game_lose_xp: EventXp = 5
    # The highest multiplier that applies wins (roles and channels alike); none = x1.
    role_multipliers: Annotated[list[Multiplier], msgspec.Meta(max_length=MAX_LIST)] = []
    channel_multipliers: Annotated[list[Multiplier], msgspec.Meta(max_length=MAX_LIST)] = []
    # Level-ups: announced in ``announce_channel_id``, or where the member spoke when None.
    announce: bool = True
    announce_channel_id: Snowflake | None = None
    # "" = Vouchy's own message in the guild's language; {member} and {level} are filled in.
    announce_template: Annotated[str, msgspec.Meta(max_length=MAX_TEMPLATE_CHARS)] = ""
    role_rewards: Annotated[list[RoleReward], msgspec.Meta(max_length=MAX_LIST)] = []
    stack_roles: bool = True  # True: keep every reward role reached; False: only the highest
    rewards: Annotated[list[Reward], msgspec.Meta(max_length=MAX_LIST)] = []
    restore_roles_on_rejoin: bool = True

    @property
    def curve(self) -> Curve:
        return Curve(
            quadratic=self.curve_quadratic, linear=self.curve_linear, constant=self.curve_constant
        )

    @property
    def message_cooldown_ms(self) -> int:
        return self.message_cooldown_s * 1000


DEFAULT = LevelSettings()


def _whole(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput("levels.config.out_of_range", name=name, low=low, high=high)
    return value


def _snowflake(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_SNOWFLAKE:
        raise InvalidInput("levels.config.not_an_id", name=name)
    return value


def check_settings(settings: LevelSettings) -> LevelSettings:
    """Refuse any value out of its bounds, naming the setting; return the settings unchanged.
    (A struct made in Python is not checked against its ``Annotated`` bounds: this is.)"""
    s = settings
    check_curve(s.curve)
    _whole("message_xp_min", s.message_xp_min, 0, MAX_MESSAGE_XP)
    _whole("message_xp_max", s.message_xp_max, 0, MAX_MESSAGE_XP)
    if s.message_xp_min > s.message_xp_max:
        raise InvalidInput(
            "levels.config.range_reversed", low=s.message_xp_min, high=s.message_xp_max
        )
    _whole("message_cooldown_s", s.message_cooldown_s, 0, MAX_COOLDOWN_S)
    _whole("voice_xp_per_minute", s.voice_xp_per_minute, 0, MAX_VOICE_XP_PER_MINUTE)
    for name in ("reaction_xp", "game_win_xp", "game_lose_xp"):
        _whole(name, getattr(s, name), 0, MAX_EVENT_XP)
    for name in ("no_xp_channels", "no_xp_roles"):
        collection = getattr(s, name)
        if len(collection) > MAX_LIST:
            raise InvalidInput("levels.config.too_many", name=name, maximum=MAX_LIST)
        for item in collection:
            _snowflake(name, item)
    for name in ("role_multipliers", "channel_multipliers"):
        multipliers = getattr(s, name)
        if len(multipliers) > MAX_LIST:
            raise InvalidInput("levels.config.too_many", name=name, maximum=MAX_LIST)
        seen: set[int] = set()
        for m in multipliers:
            _snowflake(name, m.id)
            _whole(name, m.percent, 0, MAX_MULTIPLIER_PERCENT)
            if m.id in seen:
                raise InvalidInput("levels.config.multiplier_twice", name=name, id=str(m.id))
            seen.add(m.id)
    if s.announce_channel_id is not None:
        _snowflake("announce_channel_id", s.announce_channel_id)
    if len(s.announce_template) > MAX_TEMPLATE_CHARS:
        raise InvalidInput("levels.config.template_too_long", maximum=MAX_TEMPLATE_CHARS)
    if len(s.role_rewards) > MAX_LIST or len(s.rewards) > MAX_LIST:
        raise InvalidInput("levels.config.too_many", name="rewards", maximum=MAX_LIST)
    roles_seen: set[int] = set()
    for role_reward in s.role_rewards:
        _whole("role_rewards", role_reward.level, 1, MAX_REWARD_LEVEL)
        _snowflake("role_rewards", role_reward.role_id)
        if role_reward.role_id in roles_seen:
            raise InvalidInput("levels.config.role_twice", role_id=str(role_reward.role_id))
        roles_seen.add(role_reward.role_id)
    keys_seen: set[str] = set()
    for reward in s.rewards:
        _whole("rewards", reward.level, 1, MAX_REWARD_LEVEL)
        if isinstance(reward, PointReward):
            _whole("rewards", reward.points, 1, MAX_REWARD_POINTS)
        else:
            if not reward.item.strip() or len(reward.item) > MAX_ITEM_CHARS:
                raise InvalidInput("levels.config.item_name", maximum=MAX_ITEM_CHARS)
            _whole("rewards", reward.quantity, 1, MAX_REWARD_QUANTITY)
        if reward.key in keys_seen:
            raise InvalidInput("levels.config.reward_twice", level=reward.level)
        keys_seen.add(reward.key)
    return settings


def encode(settings: LevelSettings) -> bytes:
    """The settings as JSON."""
    return msgspec.json.encode(settings)


def decode(data: bytes | str) -> LevelSettings:
    """JSON back to settings (fields it lacks take their defaults), then checked."""
    try:
        settings = msgspec.json.decode(data, type=LevelSettings)
    except msgspec.ValidationError as e:
        raise InvalidInput("levels.config.unreadable", detail=str(e)) from None
    return check_settings(settings)
