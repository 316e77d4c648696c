"""A guild's XP and level settings: one frozen struct with the defaults Vouchy starts from.

The struct is what ``/config xp`` and ``/config levels`` change and what the store keeps as a
JSON row; ``check_settings`` refuses a value out of bounds before it is saved, naming it. Every
rule in this feature reads its numbers from here, never from a constant of its own.
"""

from __future__ import annotations

import msgspec

from vouchy.core.errors import InvalidInput
from vouchy.features.levels.curve import MEE6, Curve, check_curve

# Bounds an admin may set, checked by ``check_settings``.
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
MAX_LIST = 250  # channels, roles, multipliers or rewards in one list


class RoleReward(msgspec.Struct, frozen=True, kw_only=True):
    """A role given at a level (several roles may share a level)."""

    level: int
    role_id: int


class PointReward(msgspec.Struct, frozen=True, kw_only=True, tag="points"):
    """Points credited once, ever, to a member who reaches ``level``."""

    level: int
    points: int

    @property
    def key(self) -> str:
        """Names the reward in a member's set of paid rewards."""
        return f"{self.level}:points"


class ItemReward(msgspec.Struct, frozen=True, kw_only=True, tag="item"):
    """An item of the shop given once, ever, to a member who reaches ``level``."""

    level: int
    item: str  # the shop's item key
    quantity: int = 1

    @property
    def key(self) -> str:
        return f"{self.level}:item:{self.item}"


Reward = PointReward | ItemReward


class LevelSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything a guild can set about XP and levels, with Vouchy's defaults."""

    curve: Curve = MEE6
    # Messages: a random whole amount from min to max, at most once per cooldown.
    message_xp_min: int = 15
    message_xp_max: int = 25
    message_cooldown_s: int = 60
    # Channels (a channel, a thread's parent or a category) and roles that earn no XP at all.
    no_xp_channels: frozenset[int] = frozenset()
    no_xp_roles: frozenset[int] = frozenset()
    voice_xp_per_minute: int = 10
    reaction_xp: int = 2
    game_win_xp: int = 15
    game_lose_xp: int = 5
    # role or channel id -> percent (150 = x1.5). The highest that applies wins; none = 100.
    role_multipliers: dict[int, int] = msgspec.field(default_factory=dict)
    channel_multipliers: dict[int, int] = msgspec.field(default_factory=dict)
    # Level-ups: announced in ``announce_channel_id``, or where the member spoke when None.
    announce: bool = True
    announce_channel_id: int | None = None
    announce_template: str = ""  # "" = Vouchy's own message in the guild's language
    role_rewards: tuple[RoleReward, ...] = ()
    stack_roles: bool = True  # True: keep every reward role reached; False: only the highest
    rewards: tuple[Reward, ...] = ()
    restore_roles_on_rejoin: bool = True

    @property
    def message_cooldown_ms(self) -> int:
        return self.message_cooldown_s * 1000


DEFAULT = LevelSettings()


def _whole(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput("levels.config.out_of_range", name=name, low=low, high=high)
    return value


def _snowflake(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise InvalidInput("levels.config.not_an_id", name=name)
    return value


def check_settings(settings: LevelSettings) -> LevelSettings:
    """Refuse any value out of its bounds, naming the setting; return the settings unchanged."""
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
    for name in ("no_xp_channels", "no_xp_roles", "role_multipliers", "channel_multipliers"):
        collection = getattr(s, name)
        if len(collection) > MAX_LIST:
            raise InvalidInput("levels.config.too_many", name=name, maximum=MAX_LIST)
        for item in collection:
            _snowflake(name, item)
    for name in ("role_multipliers", "channel_multipliers"):
        for percent in getattr(s, name).values():
            _whole(name, percent, 0, MAX_MULTIPLIER_PERCENT)
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
            if not reward.item or len(reward.item) > 100:
                raise InvalidInput("levels.config.item_name")
            _whole("rewards", reward.quantity, 1, MAX_REWARD_QUANTITY)
        if reward.key in keys_seen:
            raise InvalidInput("levels.config.reward_twice", level=reward.level)
        keys_seen.add(reward.key)
    return settings


def encode(settings: LevelSettings) -> bytes:
    """The settings as a JSON row."""
    return msgspec.json.encode(settings)


def decode(data: bytes | str) -> LevelSettings:
    """A JSON row back to settings (fields it lacks take their defaults), then checked."""
    try:
        settings = msgspec.json.decode(data, type=LevelSettings)
    except msgspec.ValidationError as e:
        raise InvalidInput("levels.config.unreadable", detail=str(e)) from None
    return check_settings(settings)
