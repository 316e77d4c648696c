"""A recorded join: the one row every part of invite attribution reads and writes.

A ``JoinRecord`` is what the database keeps, what the logs print and what a rebuild reads back.
Its ``join_id`` is the idempotency reference: the same join (guild, member, moment) always gets
the same id, so writing it twice, or rebuilding it from a log twice, changes nothing.
Times are unix milliseconds (UTC); this module converts them to and from ISO 8601.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

import msgspec

from vouchy.core import i18n

# How a join was attributed (see attribution.py for what each one means).
Cause = Literal["code", "vanished", "vanity", "ambiguous", "no_permission", "unknown"]
CAUSES: tuple[Cause, ...] = ("code", "vanished", "vanity", "ambiguous", "no_permission", "unknown")
# The causes that name one invite for certain (the code is known, not guessed).
CERTAIN_CAUSES: frozenset[str] = frozenset({"code", "vanished", "vanity"})

DISCORD_EPOCH_MS = 1_420_070_400_000
MAX_SNOWFLAKE = 2**63 - 1

HowParams = dict[str, str | int]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class JoinRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One member's join of one guild and how Vouchy attributed it."""

    join_id: str
    guild_id: int
    member_id: int
    member_name: str
    display_name: str | None = None
    joined_at_ms: int
    account_created_ms: int | None = None
    cause: Cause
    code: str | None = None
    inviter_id: int | None = None
    inviter_name: str | None = None
    staff_id: int | None = None
    staff_name: str | None = None
    uses_before: int | None = None
    uses_after: int | None = None
    # A text key (texts.py) and its values: "how it was found", in any language.
    how: str
    how_params: HowParams = msgspec.field(default_factory=dict)
    # The codes an ambiguous join could have come through, in the order they were seen.
    candidates: tuple[str, ...] = ()


def join_reference(guild_id: int, member_id: int, joined_at_ms: int) -> str:
    """The idempotency reference of a join: a member joins a guild at most once per moment."""
    return f"invites:join:{guild_id}:{member_id}:{joined_at_ms}"


def leave_reference(guild_id: int, member_id: int, last_join_at_ms: int | None) -> str:
    """The idempotency reference of a leave: a member leaves once per join, so it names the
    join it ends (its time; 0 for a member Vouchy never saw join). GUILD_MEMBER_REMOVE carries
    no time of its own, and a redelivered one must change nothing."""
    return f"invites:leave:{guild_id}:{member_id}:{last_join_at_ms or 0}"


def snowflake_time_ms(snowflake: int) -> int:
    """When a Discord id was made (an account's creation time, for a user id)."""
    return (snowflake >> 22) + DISCORD_EPOCH_MS


def iso_utc(ms: int) -> str:
    """``1761921045123`` -> ``2025-10-31T14:30:45.123Z`` (round-trips with ``parse_iso``)."""
    when = _EPOCH + timedelta(milliseconds=ms)
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str, naive_offset_minutes: int = 0) -> int:
    """An ISO 8601 time to unix ms. A time without a zone is taken as UTC shifted by
    ``naive_offset_minutes`` (the zone the writer's clock was in). Raises ValueError."""
    when = datetime.fromisoformat(text.strip())
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC) - timedelta(minutes=naive_offset_minutes)
    delta = when - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def how_text(record: JoinRecord, locale: str = i18n.DEFAULT) -> str:
    """How the join was attributed, as a sentence in ``locale``."""
    return i18n.text(record.how, locale, **record.how_params)
