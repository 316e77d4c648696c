"""What the vouch commands and replies say, as plain text in the reader's language (Discord
markdown and mentions; no hikari). The integrator reads the numbers; these only put them in
words.

Times are Discord timestamp tags (``<t:unix:R>``), which each reader's client shows in their own
language and time zone. "This month" is the calendar month in UTC (``month_start_ms``): a guild
has no time zone of its own in Discord.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import msgspec

from vouchy.core import i18n
from vouchy.core.errors import VouchyError
from vouchy.features.vouches.model import Vouch, VouchSource, message_link
from vouchy.features.vouches.review import Decision
from vouchy.features.vouches.texts import plural

TOP_VOUCHERS = 3
LATEST = 5
TOP_PAGE_SIZE = 10


class RecentVouch(msgspec.Struct, frozen=True, kw_only=True):
    voucher_id: int
    created_at_ms: int
    source: VouchSource = "message"
    channel_id: int | None = None
    message_id: int | None = None


class ProviderSummary(msgspec.Struct, frozen=True, kw_only=True):
    """``/vouches [member]``: the provider's live vouch count, this month's, the members who
    vouched most (voucher id, count), the latest vouches, newest first."""

    guild_id: int
    provider_id: int
    count: int
    month_count: int
    top_vouchers: tuple[tuple[int, int], ...] = ()
    latest: tuple[RecentVouch, ...] = ()


class TopEntry(msgspec.Struct, frozen=True, kw_only=True):
    rank: int  # 1 + providers with strictly more vouches ("1, 2, 2, 4")
    provider_id: int
    count: int


class TopPage(msgspec.Struct, frozen=True, kw_only=True):
    page: int
    total_providers: int
    entries: tuple[TopEntry, ...]
    asker: TopEntry | None = None  # the asker's own place; None if never vouched for
    page_size: int = TOP_PAGE_SIZE


def month_start_ms(now_ms: int) -> int:
    """The first instant of ``now_ms``'s calendar month, UTC."""
    now = datetime.fromtimestamp(now_ms / 1000, tz=UTC)
    return int(datetime(now.year, now.month, 1, tzinfo=UTC).timestamp() * 1000)


def page_count(total: int, page_size: int = TOP_PAGE_SIZE) -> int:
    return max(1, math.ceil(total / page_size))


def _count(n: int, locale: str) -> str:
    return plural("vouches.count", n, locale)


def _where(guild_id: int, vouch: RecentVouch, locale: str) -> str:
    if vouch.channel_id is not None and vouch.message_id is not None:
        return message_link(guild_id, vouch.channel_id, vouch.message_id)
    if vouch.source == "admin":
        return i18n.text("vouches.summary_added_by_admin", locale)
    return i18n.text("vouches.summary_imported", locale)


def render_summary(summary: ProviderSummary, locale: str) -> str:
    """``/vouches [member]``."""
    provider = str(summary.provider_id)
    if summary.count == 0:
        return i18n.text("vouches.summary_none", locale, provider_id=provider)
    lines = [
        i18n.text(
            "vouches.summary_title",
            locale,
            provider_id=provider,
            total=_count(summary.count, locale),
            month=i18n.number(summary.month_count, locale),
        )
    ]
    if summary.top_vouchers:
        names = ", ".join(
            f"<@{voucher}> ({i18n.number(n, locale)})"
            for voucher, n in summary.top_vouchers[:TOP_VOUCHERS]
        )
        lines.append(i18n.text("vouches.summary_top", locale, names=names))
    if summary.latest:
        lines.append(i18n.text("vouches.summary_latest", locale))
        for vouch in summary.latest[:LATEST]:
            lines.append(
                i18n.text(
                    "vouches.summary_line",
                    locale,
                    voucher_id=str(vouch.voucher_id),
                    unix=str(vouch.created_at_ms // 1000),
                    where=_where(summary.guild_id, vouch, locale),
                )
            )
    return "\n".join(lines)


def render_top(page: TopPage, locale: str) -> str:
    """``/vouches top [page]``: one line per provider, then the asker's own rank."""
    pages = page_count(page.total_providers, page.page_size)
    if page.total_providers == 0:
        lines = [i18n.text("vouches.top_empty", locale)]
    elif not page.entries:
        lines = [i18n.text("vouches.top_page_empty", locale, page=page.page, pages=pages)]
    else:
        lines = [i18n.text("vouches.top_title", locale, page=page.page, pages=pages)]
        lines += [
            i18n.text(
                "vouches.top_line",
                locale,
                rank=entry.rank,
                provider_id=str(entry.provider_id),
                count=_count(entry.count, locale),
            )
            for entry in page.entries
        ]
    if page.asker is None:
        lines.append(i18n.text("vouches.top_you_none", locale))
    else:
        count = _count(page.asker.count, locale)
        lines.append(i18n.text("vouches.top_you", locale, rank=page.asker.rank, count=count))
    return "\n".join(lines)


def refusal_reply(voucher_id: int, refusal: VouchyError, locale: str) -> str:
    """The short reply under a refused vouch message (it removes itself after a minute)."""
    return i18n.text(
        "vouches.refusal_reply", locale, voucher_id=str(voucher_id), reason=refusal.text(locale)
    )


def review_request(vouch: Vouch, locale: str) -> str:
    """The message in the moderators' channel that carries Approve and Deny."""
    link = (
        message_link(vouch.guild_id, vouch.channel_id, vouch.message_id)
        if vouch.channel_id is not None and vouch.message_id is not None
        else vouch.reference
    )
    return i18n.text(
        "vouches.review_request",
        locale,
        voucher_id=str(vouch.voucher_id),
        provider_id=str(vouch.provider_id),
        link=link,
        voucher_points=vouch.voucher_points,
    )


def review_buttons(locale: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """(action, label) for the two buttons; the custom ids come from ``review.encode``."""
    return (
        ("approve", i18n.text("vouches.review_approve", locale)),
        ("deny", i18n.text("vouches.review_deny", locale)),
    )


def review_outcome(decision: Decision, locale: str) -> str:
    """The line that replaces the buttons once a moderator decided."""
    key = "vouches.review_approved_by" if decision.give else "vouches.review_denied_by"
    return i18n.text(key, locale, moderator_id=str(decision.moderator_id))
