"""The vouch feature's data, as plain values: a message as detection needs it, a guild's vouch
settings, a recorded vouch and its states, and Discord snowflake times.

Everything here is a frozen ``msgspec.Struct`` (stored as JSON rows, journaled, compared by
value); timestamps are unix milliseconds and Discord ids are ints. Nothing here reads hikari
objects: the Discord layer copies what a ``VouchMessage`` needs out of the event.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from vouchy.core.errors import InvalidInput
from vouchy.features.vouches import texts as _texts  # noqa: F401  (registers the keys)

# Discord's epoch (2015-01-01T00:00:00Z) in unix milliseconds: snowflakes count from it.
DISCORD_EPOCH_MS = 1_420_070_400_000
MAX_SNOWFLAKE = 2**63 - 1
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


def snowflake_time_ms(snowflake: int) -> int:
    """When a Discord id was made (a user's account, a message), in unix milliseconds: the
    id's top 42 bits are milliseconds since Discord's epoch."""
    return (snowflake >> 22) + DISCORD_EPOCH_MS


def snowflake_at(time_ms: int) -> int:
    """The smallest snowflake made at ``time_ms`` (for range queries and tests)."""
    return max(0, time_ms - DISCORD_EPOCH_MS) << 22


def is_snowflake(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_SNOWFLAKE


# --- a message as detection needs it -------------------------------------------------------


class Attachment(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    filename: str
    url: str
    content_type: str | None = None  # Discord's media type ("image/png"); absent on old uploads
    size: int = 0  # bytes
    width: int | None = None
    height: int | None = None


class Embed(msgspec.Struct, frozen=True, kw_only=True):
    type: str | None = None  # "image" for a posted image link; "rich", "video", "gifv", ...
    image_url: str | None = None  # the embed's image (or, for type "image", its thumbnail) url


class Mention(msgspec.Struct, frozen=True, kw_only=True):
    """A mentioned user, in the order of the message text, with their roles in the guild."""

    user_id: int
    is_bot: bool = False
    role_ids: tuple[int, ...] = ()  # empty when the user is not a member of the guild


class VouchMessage(msgspec.Struct, frozen=True, kw_only=True):
    message_id: int
    guild_id: int | None  # None in direct messages
    channel_id: int
    author_id: int
    parent_channel_id: int | None = None  # a thread's (or forum post's) channel
    author_is_bot: bool = False
    is_webhook: bool = False
    member_joined_at_ms: int | None = None  # when the author joined the guild, if Discord said
    attachments: tuple[Attachment, ...] = ()
    embeds: tuple[Embed, ...] = ()
    mentions: tuple[Mention, ...] = ()

    @property
    def created_at_ms(self) -> int:
        return snowflake_time_ms(self.message_id)

    @property
    def author_created_at_ms(self) -> int:
        """When the author's Discord account was made (from their id)."""
        return snowflake_time_ms(self.author_id)


# --- a guild's settings --------------------------------------------------------------------

MAX_POINTS = 100_000
MAX_CHANNELS = 25


class VouchSettings(msgspec.Struct, frozen=True, kw_only=True):
    """A guild's vouch settings; the defaults are the issue's."""

    channel_ids: tuple[int, ...] = ()  # no channel: vouches are off
    provider_role_id: int | None = None
    voucher_points: int = 10
    provider_points: int = 0
    cooldown_hours: int = 24  # between two vouches by one voucher for one provider
    min_account_age_days: int = 7
    min_member_age_hours: int = 0
    max_per_day: int = 10  # vouches one voucher may give in any rolling 24 hours
    emoji: str = "✅"
    reversal_window_days: int = 7
    review_queue: bool = False
    review_channel_id: int | None = None


_BOUNDS: dict[str, tuple[int, int]] = {
    "voucher_points": (0, MAX_POINTS),
    "provider_points": (0, MAX_POINTS),
    "cooldown_hours": (0, 24 * 365),
    "min_account_age_days": (0, 3650),
    "min_member_age_hours": (0, 24 * 365),
    "max_per_day": (1, 1000),
    "reversal_window_days": (0, 365),
}


def check_settings(settings: VouchSettings) -> VouchSettings:
    """``settings`` if every value is in bounds, else ``InvalidInput`` naming the first that
    is not (for ``/config vouches``)."""
    for name, (low, high) in _BOUNDS.items():
        value = getattr(settings, name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InvalidInput("vouches.setting_out_of_bounds", name=name, low=low, high=high)
    if len(settings.channel_ids) > MAX_CHANNELS:
        raise InvalidInput("vouches.setting_too_many_channels", limit=MAX_CHANNELS)
    ids = [*settings.channel_ids, settings.provider_role_id, settings.review_channel_id]
    if any(i is not None and not is_snowflake(i) for i in ids):
        raise InvalidInput("vouches.setting_bad_id")
    if not settings.emoji.strip() or len(settings.emoji) > 64:
        raise InvalidInput("vouches.setting_bad_emoji")
    if settings.review_queue and settings.review_channel_id is None:
        raise InvalidInput("vouches.setting_review_needs_channel")
    return settings


# --- a recorded vouch ----------------------------------------------------------------------

# pending: waiting in the review queue, nothing given yet. accepted: points and count given.
# denied: a moderator said no. reversed: its message was deleted within the window (or while
# pending). removed: an admin took it back.
VouchState = Literal["pending", "accepted", "denied", "reversed", "removed"]
# Where a vouch came from: a message in a vouch channel, an admin command, an imported file.
VouchSource = Literal["message", "admin", "import"]
LIVE_STATES: frozenset[str] = frozenset({"pending", "accepted"})


class Vouch(msgspec.Struct, frozen=True, kw_only=True):
    """One vouch as the store keeps it. ``voucher_points`` and ``provider_points`` are what
    was (or, while pending, will be) given, so a reversal takes back exactly that even if the
    settings changed since."""

    reference: str  # "vouch:<message id>", "vouch:admin:<interaction id>", "vouch:import:..."
    guild_id: int
    voucher_id: int
    provider_id: int
    created_at_ms: int
    state: VouchState
    source: VouchSource = "message"
    channel_id: int | None = None
    message_id: int | None = None
    voucher_points: int = 0
    provider_points: int = 0
    proof_hash: int | None = None  # proof.proof_hash of its image, when it was read
    decided_by: int | None = None  # the moderator who approved or denied, or the admin
    decided_at_ms: int | None = None
    reason: str = ""  # an admin's reason, a reversal's cause

    @property
    def live(self) -> bool:
        """Counts toward cooldowns and limits (given, or waiting for review)."""
        return self.state in LIVE_STATES


def message_link(guild_id: int, channel_id: int, message_id: int) -> str:
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def vouch_reference(message_id: int) -> str:
    """A message vouch's idempotency reference: the message id, so a redelivered
    MESSAGE_CREATE (or an import of the same vouch) changes nothing."""
    return f"vouch:{message_id}"


def reversal_reference(vouch_ref: str) -> str:
    """The reference of the ledger rows that take a vouch back: names the vouch."""
    return f"vouch_reversal:{vouch_ref}"
