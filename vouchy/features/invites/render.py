"""Plain-text replies of the invite commands, in English or French (no hikari here).

Each renderer takes plain values (records, counts, reports) and a locale and returns a message
under Discord's 2,000 characters: long lists are cut with "and N more". Members are shown as
mentions (``<@id>``) and times as Discord timestamps (``<t:seconds:f>``), which every client
shows in its own language and zone; the sender should disable mention pings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

from vouchy.core import i18n
from vouchy.core.errors import InvalidInput
from vouchy.features.invites import texts  # noqa: F401  (registers the texts)
from vouchy.features.invites.counts import InviterCounts, RankedInviter
from vouchy.features.invites.records import JoinRecord, how_text
from vouchy.features.invites.staff import StaffLink, StaffMap
from vouchy.features.invites.sync import SyncReport

T = TypeVar("T")

LOGS_PAGE = 10
TOP_PAGE = 10
SYNC_LINES = 15
STAFF_LINES = 20
MAX_PAGE = 1_000_000
_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\*_`~|>#[]()"})


def paginate(items: Sequence[T], page: int, size: int) -> tuple[Sequence[T], int]:
    """Page ``page`` (from 1) of ``items`` and the number of pages (at least 1)."""
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= MAX_PAGE:
        raise InvalidInput("invites.bad_page")
    pages = max(1, math.ceil(len(items) / size))
    if page > pages:
        raise InvalidInput("invites.page_past_end", page=page, pages=pages)
    return items[(page - 1) * size : page * size], pages


def filter_joins(
    records: Sequence[JoinRecord], member_id: int | None = None, code: str | None = None
) -> list[JoinRecord]:
    """``/invites logs [member] [code]``: newest first."""
    chosen = [
        r
        for r in records
        if (member_id is None or r.member_id == member_id)
        and (code is None or r.code == code or code in r.candidates)
    ]
    return sorted(chosen, key=lambda r: (-r.joined_at_ms, r.join_id))


def cause_label(cause: str, locale: str) -> str:
    return i18n.text(f"invites.cause.{cause}", locale)


def render_lookup(
    member_id: int, record: JoinRecord | None, staff: StaffLink | None, locale: str
) -> str:
    """``/invites lookup member``: who invited them, through which code, when, the staff
    member and referral details, and how it was attributed."""
    t = _Texts(locale)
    if record is None:
        return t("invites.lookup_none", member=_mention(member_id))
    lines = [
        t("invites.lookup_title", member=_mention(member_id)),
        t("invites.lookup_when", when=_when(record.joined_at_ms)),
    ]
    if record.account_created_ms is not None:
        lines.append(t("invites.lookup_account", when=_when(record.account_created_ms)))
    if record.code is not None:
        lines.append(t("invites.lookup_code", code=_code(record.code)))
    elif record.candidates:
        codes = ", ".join(_code(c) for c in record.candidates)
        lines.append(t("invites.lookup_candidates", codes=codes))
    else:
        lines.append(t("invites.lookup_no_code"))
    if record.inviter_id is not None:
        lines.append(t("invites.lookup_inviter", inviter=_mention(record.inviter_id)))
    staff_id = staff.staff_id if staff is not None else record.staff_id
    if staff_id is not None:
        lines.append(t("invites.lookup_staff", staff=_mention(staff_id)))
    elif record.staff_name:
        lines.append(t("invites.lookup_staff", staff=_plain(record.staff_name)))
    if staff is not None and staff.referral_link:
        lines.append(t("invites.lookup_referral_link", link=staff.referral_link))
    if staff is not None and staff.referral_code:
        lines.append(t("invites.lookup_referral_code", code=_code(staff.referral_code)))
    lines.append(
        t(
            "invites.lookup_how",
            cause=cause_label(record.cause, locale),
            how=how_text(record, locale),
        )
    )
    return "\n".join(lines)


def render_logs(
    page_records: Sequence[JoinRecord], page: int, pages: int, total: int, locale: str
) -> str:
    """``/invites logs [member] [code] [page]``: one line per join."""
    t = _Texts(locale)
    if total == 0:
        return t("invites.logs_none")
    lines = [t("invites.logs_title", total=total, page=page, pages=pages)]
    for r in page_records:
        via = _code(r.code) if r.code is not None else cause_label(r.cause, locale)
        key = "invites.logs_line_inviter" if r.inviter_id is not None else "invites.logs_line"
        lines.append(
            t(
                key,
                when=_when(r.joined_at_ms, "d"),
                member=_mention(r.member_id),
                via=via,
                inviter=_mention(r.inviter_id or 0),
                cause=cause_label(r.cause, locale),
            )
        )
    return _fit(lines, locale)


def render_top(
    ranked_page: Sequence[RankedInviter],
    page: int,
    pages: int,
    asker_id: int,
    asker: RankedInviter | None,
    ranked_count: int,
    locale: str,
) -> str:
    """``/invites top [page]``: regular, left, fake and bonus per inviter, and the asker's
    rank (``counts.rank_of``) even when it is on another page."""
    t = _Texts(locale)
    if ranked_count == 0:
        return t("invites.top_none")
    lines = [t("invites.top_title", page=page, pages=pages)]
    for entry in ranked_page:
        lines.append(_top_line(entry, locale))
    if asker is None:
        lines.append(t("invites.top_you_none", member=_mention(asker_id)))
    else:
        lines.append(
            t(
                "invites.top_you",
                rank=asker.rank,
                count=ranked_count,
                total=asker.counts.total,
            )
        )
    return _fit(lines, locale)


def render_counts(counts: InviterCounts, locale: str) -> str:
    """One inviter's counts (after a bonus, or for a member asking about themselves)."""
    return _Texts(locale)(
        "invites.counts_line",
        member=_mention(counts.inviter_id),
        total=counts.total,
        regular=counts.regular,
        left=counts.left,
        fake=counts.fake,
        bonus=_signed(counts.bonus, locale),
    )


def render_sync(report: SyncReport, locale: str) -> str:
    """``/invites sync``: each discrepancy between Discord's counts and the records."""
    t = _Texts(locale)
    if not report.discrepancies:
        return t("invites.sync_ok", checked=report.checked)
    lines = [t("invites.sync_title", checked=report.checked, count=len(report.discrepancies))]
    for d in report.discrepancies[:SYNC_LINES]:
        key = "invites.sync_more_uses" if d.difference > 0 else "invites.sync_fewer_uses"
        line = t(
            key,
            code=_code(d.code),
            discord=d.discord_uses,
            expected=d.expected_uses,
            before=d.uses_before_tracking,
            recorded=d.recorded_joins,
        )
        if d.ambiguous_joins:
            line += t("invites.sync_ambiguous", count=d.ambiguous_joins)
        lines.append(line)
    return _fit(lines, locale, hidden=max(0, len(report.discrepancies) - SYNC_LINES))


def render_permission_notice(locale: str) -> str:
    """Told once to the admins (``attribution.permission_notice`` decides when)."""
    return i18n.text("invites.permission_notice", locale)


def render_staff_list(mapping: StaffMap, locale: str) -> str:
    """``/invites staff list``: codes first, then inviters, each with referral details."""
    t = _Texts(locale)
    links = sorted(mapping.by_code.values(), key=lambda s: s.code or "")
    links += sorted(mapping.by_inviter.values(), key=lambda s: s.inviter_id or 0)
    if not links:
        return t("invites.staff_none")
    lines = [t("invites.staff_title", count=len(links))]
    for link in links[:STAFF_LINES]:
        key = _code(link.code) if link.code is not None else _mention(link.inviter_id or 0)
        line = t("invites.staff_line", key=key, staff=_mention(link.staff_id))
        if link.referral_link:
            line += " · " + link.referral_link
        if link.referral_code:
            line += " · " + _code(link.referral_code)
        lines.append(line)
    return _fit(lines, locale, hidden=max(0, len(links) - STAFF_LINES))


def _top_line(entry: RankedInviter, locale: str) -> str:
    c = entry.counts
    return i18n.text(
        "invites.top_line",
        locale,
        rank=entry.rank,
        member=_mention(c.inviter_id),
        total=c.total,
        regular=c.regular,
        left=c.left,
        fake=c.fake,
        bonus=_signed(c.bonus, locale),
    )


class _Texts:
    def __init__(self, locale: str) -> None:
        self.locale = locale

    def __call__(self, key: str, /, **params: object) -> str:
        return i18n.text(key, self.locale, **params)


def _fit(lines: list[str], locale: str, hidden: int = 0, limit: int = 2000) -> str:
    """Join lines, with "and N more" for the ``hidden`` ones and for every last line dropped
    to stay within Discord's limit (the first line, a title, is always kept)."""
    # Invariant: the reply fits in ``limit`` characters, and says how many lines it left out.
    while True:
        tail = [i18n.text("invites.more", locale, count=hidden)] if hidden else []
        text = "\n".join([*lines, *tail])
        if len(text) <= limit or len(lines) <= 1:
            return text
        lines = lines[:-1]
        hidden += 1


def _mention(user_id: int) -> str:
    return f"<@{user_id}>"


def _when(ms: int, style: str = "f") -> str:
    return f"<t:{ms // 1000}:{style}>"


def _code(code: str) -> str:
    return "`" + code.replace("`", "'") + "`"


def _plain(name: str) -> str:
    return name.translate(_MARKDOWN)


def _signed(n: int, locale: str) -> str:
    return ("+" if n > 0 else "") + i18n.number(n, locale)
