"""The leaderboard's pages and ranks, and the replies of ``/levels`` and ``/admin xp`` as
text in the reader's language: pure (the Discord layer puts them in embeds).

Member ids are passed to the texts as strings, so a mention never gets a thousands separator.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from vouchy.core import i18n
from vouchy.core.errors import InvalidInput
from vouchy.features.levels.curve import MEE6, Curve, level_for_xp
from vouchy.features.levels.rules import AdminChange

TOP_PAGE_SIZE = 10


class TopEntry(msgspec.Struct, frozen=True, kw_only=True):
    rank: int
    user_id: int
    xp: int


def rank_of(xp: int, more_xp_count: int) -> int | None:
    """A member's rank: 1 + how many members have strictly more XP (members with equal XP
    share a rank). A member without XP is not ranked."""
    return None if xp <= 0 else more_xp_count + 1


def pages(members: int, size: int = TOP_PAGE_SIZE) -> int:
    return max(1, -(-members // size))


def check_top_page(page: int, members: int, size: int = TOP_PAGE_SIZE) -> int:
    """A page that exists (1-based), else a refusal naming how many there are."""
    last = pages(members, size)
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= last:
        raise InvalidInput("levels.top.page_out_of_range", pages=last)
    return page


def top_text(
    entries: Sequence[TopEntry],
    *,
    page: int,
    members: int,
    asker_rank: int | None,
    asker_xp: int,
    curve: Curve = MEE6,
    locale: str = "en",
) -> str:
    """One page of the leaderboard, then the asker's own rank."""
    if not entries:
        return i18n.text("levels.top.empty", locale)
    lines = [i18n.text("levels.top.title", locale, page=page, pages=pages(members))]
    lines += [
        i18n.text(
            "levels.top.line",
            locale,
            rank=e.rank,
            user=str(e.user_id),
            level=level_for_xp(e.xp, curve),
            xp=e.xp,
        )
        for e in entries
    ]
    if asker_rank is None:
        lines.append(i18n.text("levels.top.you_unranked", locale))
    else:
        lines.append(
            i18n.text(
                "levels.top.you",
                locale,
                rank=asker_rank,
                level=level_for_xp(asker_xp, curve),
                xp=asker_xp,
            )
        )
    return "\n".join(lines)


def admin_reply(
    change: AdminChange,
    user_id: int,
    *,
    reason: str = "",
    curve: Curve = MEE6,
    locale: str = "en",
) -> str:
    """What an admin reads after ``/admin xp add|remove|set|reset``."""
    before, after = level_for_xp(change.before, curve), level_for_xp(change.after, curve)
    user = str(user_id)
    if change.action == "add":
        text = i18n.text(
            "levels.admin.added",
            locale,
            amount=change.delta,
            user=user,
            xp=change.after,
            level=after,
        )
    elif change.action == "remove":
        text = i18n.text(
            "levels.admin.removed",
            locale,
            amount=-change.delta,
            user=user,
            xp=change.after,
            level=after,
        )
    elif change.action == "set":
        text = i18n.text("levels.admin.set", locale, user=user, xp=change.after, level=after)
    else:
        text = i18n.text("levels.admin.reset", locale, user=user)
    if before != after:
        text += " " + i18n.text("levels.admin.level_changed", locale, before=before, after=after)
    if reason:
        text += "\n" + i18n.text("levels.admin.reason", locale, reason=reason)
    return text
