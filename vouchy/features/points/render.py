"""The points feature's embeds, in the reader's language: balances, the leaderboard, gifts,
the daily reward, history. Pure functions from the service's plain values."""

from __future__ import annotations

import hikari

from vouchy.bot.embeds import POINTS, SUCCESS, amount, embed, mention, pts, saved_footer, signed, t
from vouchy.features.points.service import AccountView, HistoryPage, Leaderboard
from vouchy.store.operations import Receipt


def points(view: AccountView, *, asker_id: int, locale: str) -> hikari.Embed:
    key = "points.you_have" if view.user_id == asker_id else "points.they_have"
    text = t(key, locale, points=pts(view.balance, locale), user_id=str(view.user_id))
    card = embed(t("points.title", locale), text, POINTS, locale)
    if view.exists:
        card.add_field(
            t("points.earned", locale), amount(view.lifetime_earned, locale), inline=True
        )
        card.add_field(t("points.spent", locale), amount(view.lifetime_spent, locale), inline=True)
    else:
        card.set_footer(f"{t('embed.footer', locale)} · {t('points.not_opened', locale)}")
    return card


def _no_such_page(prefix: str, page: int, pages: int, locale: str) -> str:
    if pages == 1:
        return t(f"{prefix}.no_such_page_one", locale, page=page)
    return t(f"{prefix}.no_such_page", locale, page=page, pages=pages)


def leaderboard(board: Leaderboard, *, asker_id: int, locale: str) -> hikari.Embed:
    footer = t("points.board.page", locale, page=min(board.page, board.pages), pages=board.pages)
    if board.rows:
        lines = [
            f"`#{row.rank:>2}` {mention(row.user_id)} · {pts(row.balance, locale)}"
            + (" " + t("points.board.you", locale) if row.user_id == asker_id else "")
            for row in board.rows
        ]
        description = "\n".join(lines)
    elif board.accounts:
        description = _no_such_page("points.board", board.page, board.pages, locale)
    else:
        description = t("points.board.empty", locale)
    card = embed(t("points.board.title", locale), description, POINTS, locale, footer)
    if board.asker_rank is not None:
        you = t(
            "points.board.rank",
            locale,
            rank=board.asker_rank,
            accounts=board.accounts,
            points=pts(board.asker_balance, locale),
        )
    else:
        you = t("points.board.unranked", locale, points=pts(board.asker_balance, locale))
    card.add_field(t("points.board.your_rank", locale), you)
    return card


def gave(receipt: Receipt, *, locale: str) -> hikari.Embed:
    """The public answer to /give: both balances, each named (everyone reads it)."""
    assert receipt.to_user_id is not None and receipt.to_balance is not None
    giver, receiver = str(receipt.user_id), str(receipt.to_user_id)
    text = t(
        "points.gave", locale, giver=giver, receiver=receiver, points=pts(-receipt.delta, locale)
    )
    text += "\n" + t(
        "points.gave.balances",
        locale,
        giver=giver,
        receiver=receiver,
        giver_points=pts(receipt.balance, locale),
        receiver_points=pts(receipt.to_balance, locale),
    )
    return embed(
        t("points.gave.title", locale), text, SUCCESS, locale, saved_footer(receipt, locale)
    )


def daily(receipt: Receipt, *, cooldown_hours: float, locale: str) -> hikari.Embed:
    text = t(
        "points.daily.claimed",
        locale,
        points=pts(receipt.delta, locale),
        balance=pts(receipt.balance, locale),
    )
    card = embed(
        t("points.daily.title", locale), text, SUCCESS, locale, saved_footer(receipt, locale)
    )
    card.add_field(
        t("points.daily.next", locale),
        f"<t:{receipt.created_at // 1000 + int(cooldown_hours * 3600)}:R>",
    )
    return card


def history(page: HistoryPage, *, locale: str) -> hikari.Embed:
    if not page.entries:
        if page.total == 0:
            description = t("points.history.none", locale)
        else:
            description = _no_such_page("points.history", page.page, page.pages, locale)
    else:
        description = "\n".join(
            f"`#{e.id}` <t:{e.created_at // 1000}:R> **{signed(e.delta, locale)}** "
            f"{t('ledger.kind.' + e.kind, locale)} → {amount(e.balance_after, locale)}"
            + (f" · {e.reason}" if e.reason and e.kind not in ("start", "daily") else "")
            for e in page.entries
        )
    footer = t(
        "points.history.footer",
        locale,
        page=min(page.page, page.pages),
        pages=page.pages,
        total=page.total,
    )
    return embed(t("points.history.title", locale), description, POINTS, locale, footer)
