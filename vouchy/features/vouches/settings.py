"""A guild's vouch settings as ``/config vouches`` and ``config.toml``'s ``[vouches]`` name
them: one field per ``settings`` row (feature "vouches"), with its bounds. ``rules()`` gives the
rules' view (``model.VouchSettings``).

``channels`` is the key the store's migration core.0003 moved the old
``guild_settings.vouch_channel_id`` into (a JSON list), so a guild that had a vouch channel
keeps it.
"""

from __future__ import annotations

import re
from typing import Annotated

import msgspec

from vouchy.features.vouches.model import MAX_POINTS, VouchSettings, check_settings

Points = Annotated[int, msgspec.Meta(ge=0, le=MAX_POINTS)]
# A custom emoji as Discord writes it in a message: <:name:id> or <a:name:id>.
_CUSTOM_EMOJI = re.compile(r"<a?:([A-Za-z0-9_]{2,32}):([0-9]{1,20})>")


class VouchesSettings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Defaults from the issue; ``config.toml``'s ``[vouches]`` overrides them for every guild."""

    channels: list[int] = []  # no channel: vouches are off
    provider_role: int | None = None  # when set, only its holders can be vouched for
    voucher_points: Points = 10
    provider_points: Points = 0
    cooldown_hours: Annotated[int, msgspec.Meta(ge=0, le=24 * 365)] = 24
    min_account_age_days: Annotated[int, msgspec.Meta(ge=0, le=3650)] = 7
    min_member_age_hours: Annotated[int, msgspec.Meta(ge=0, le=24 * 365)] = 0
    max_per_day: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 10
    emoji: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] = "✅"
    reversal_window_days: Annotated[int, msgspec.Meta(ge=0, le=365)] = 7
    review_queue: bool = False
    review_channel: int | None = None

    def rules(self) -> VouchSettings:
        """The rules' view of these settings (``detect``, ``check_vouch``, ``award``). A
        review queue without its channel (``/config`` refuses one; ``config.toml`` could say
        so) is off: a vouch never waits where no moderator can see it."""
        return VouchSettings(
            channel_ids=tuple(self.channels),
            provider_role_id=self.provider_role,
            voucher_points=self.voucher_points,
            provider_points=self.provider_points,
            cooldown_hours=self.cooldown_hours,
            min_account_age_days=self.min_account_age_days,
            min_member_age_hours=self.min_member_age_hours,
            max_per_day=self.max_per_day,
            emoji=self.emoji,
            reversal_window_days=self.reversal_window_days,
            review_queue=self.review_queue and self.review_channel is not None,
            review_channel_id=self.review_channel,
        )


def checked(settings: VouchesSettings) -> VouchesSettings:
    """``settings`` if they hold together (``model.check_settings``: ids, the number of
    channels, the emoji, a review queue with its channel), else ``InvalidInput``."""
    as_set = msgspec.structs.replace(settings.rules(), review_queue=settings.review_queue)
    check_settings(as_set)
    return settings


def reaction_emoji(emoji: str) -> str:
    """The emoji as Discord's reaction route takes it: a unicode emoji as it is, a custom
    one (``<:vouch:123>``) as ``vouch:123``."""
    found = _CUSTOM_EMOJI.fullmatch(emoji.strip())
    return f"{found.group(1)}:{found.group(2)}" if found else emoji.strip()
