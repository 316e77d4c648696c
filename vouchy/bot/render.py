"""Every embed Vouchy shows, in one style: a colour per kind of answer, amounts with thousands
separators, members as mentions (they do not ping inside embeds), and one footer.

Pure functions from the core's plain values (receipts, views, reports) to ``hikari.Embed``;
no I/O and no rules here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import hikari

from vouchy.features.admin.rules import CoreSettings
from vouchy.features.points.service import AccountView, HistoryPage, Leaderboard
from vouchy.store.audit import AuditReport
from vouchy.store.operations import Receipt

# One colour per kind of answer.
POINTS = hikari.Color(0xF5B301)  # a balance, a leaderboard: gold
SUCCESS = hikari.Color(0x2ECC71)  # a change was saved
INFO = hikari.Color(0x5865F2)  # facts for admins
WARNING = hikari.Color(0xE67E22)  # refused: fix the input and try again
ERROR = hikari.Color(0xE74C3C)  # our fault

FOOTER = "Vouchy"

# How ledger kinds read in /history.
KIND_LABELS = {
    "start": "starting balance",
    "earn": "earned",
    "spend": "spent",
    "transfer_out": "gave",
    "transfer_in": "received",
    "admin_adjust": "admin change",
    "daily": "daily reward",
    "vouch": "vouch",
    "game_bet": "bet",
    "game_win": "winnings",
    "redeem": "redeemed",
    "repair": "repair",
    "import": "imported",
}

SETTING_LABELS = {
    "log_channel": "Log channel",
    "admin_role": "Admin role",
}


def amount(n: int) -> str:
    """1234567 -> '1,234,567'."""
    return f"{n:,}"


def signed(n: int) -> str:
    return f"+{n:,}" if n > 0 else f"{n:,}"


def pts(n: int) -> str:
    return f"**{n:,}** point" + ("" if n == 1 else "s")


def mention(user_id: int) -> str:
    return f"<@{user_id}>"


def _embed(title: str, description: str, color: hikari.Color, footer: str = "") -> hikari.Embed:
    embed = hikari.Embed(title=title, description=description, color=color)
    embed.set_footer(f"{FOOTER} · {footer}" if footer else FOOTER)
    return embed


def _saved_footer(receipt: Receipt) -> str:
    return f"saved as ledger entry #{receipt.ledger_id}"


# -- members -------------------------------------------------------------------------------


def points(view: AccountView, *, asker_id: int) -> hikari.Embed:
    whose = "You have" if view.user_id == asker_id else f"{mention(view.user_id)} has"
    embed = _embed("Points", f"{whose} {pts(view.balance)}.", POINTS)
    if view.exists:
        embed.add_field("Earned", amount(view.lifetime_earned), inline=True)
        embed.add_field("Spent", amount(view.lifetime_spent), inline=True)
    else:
        embed.set_footer(f"{FOOTER} · the starting balance; the account opens on first use")
    return embed


def leaderboard(board: Leaderboard, *, asker_id: int) -> hikari.Embed:
    if board.rows:
        lines = [
            f"`#{row.rank:>2}` {mention(row.user_id)} · {pts(row.balance)}"
            + (" ← you" if row.user_id == asker_id else "")
            for row in board.rows
        ]
        description = "\n".join(lines)
    elif board.accounts:
        description = f"Page {board.page} is empty: there are {board.pages} page(s)."
    else:
        description = "Nobody has points here yet. Try `/daily`!"
    embed = _embed("Leaderboard", description, POINTS, f"page {board.page} of {board.pages}")
    if board.asker_rank is not None:
        you = f"#{board.asker_rank:,} of {board.accounts:,}, with {pts(board.asker_balance)}"
    else:
        you = f"not ranked yet: you have {pts(board.asker_balance)} waiting"
    embed.add_field("Your rank", you)
    return embed


def gave(receipt: Receipt) -> hikari.Embed:
    assert receipt.to_user_id is not None and receipt.to_balance is not None
    description = (
        f"{mention(receipt.user_id)} gave {pts(-receipt.delta)} to {mention(receipt.to_user_id)}."
    )
    embed = _embed("Points given", description, SUCCESS, _saved_footer(receipt))
    embed.add_field("Your balance", amount(receipt.balance), inline=True)
    embed.add_field("Their balance", amount(receipt.to_balance), inline=True)
    return embed


def daily(receipt: Receipt, *, cooldown_hours: float) -> hikari.Embed:
    description = (
        f"You claimed your daily {pts(receipt.delta)}. You now have {pts(receipt.balance)}."
    )
    embed = _embed("Daily reward", description, SUCCESS, _saved_footer(receipt))
    embed.add_field(
        "Next claim", f"<t:{receipt.created_at // 1000 + int(cooldown_hours * 3600)}:R>"
    )
    return embed


def history(page: HistoryPage) -> hikari.Embed:
    if not page.entries:
        description = (
            "No entries yet: your account opens on first use."
            if page.total == 0
            else f"Page {page.page} is empty: there are {page.pages} page(s)."
        )
    else:
        description = "\n".join(
            f"`#{e.id}` <t:{e.created_at // 1000}:R> **{signed(e.delta)}** "
            f"{KIND_LABELS.get(e.kind, e.kind)} → {amount(e.balance_after)}"
            + (f" · {e.reason}" if e.reason and e.kind not in ("start", "daily") else "")
            for e in page.entries
        )
    return _embed(
        "Your history",
        description,
        POINTS,
        f"page {page.page} of {page.pages} · {page.total:,} entries",
    )


# -- admins --------------------------------------------------------------------------------


def adjusted(receipt: Receipt, *, mode: str, reason: str) -> hikari.Embed:
    verb = {"add": "Added", "remove": "Removed", "set": "Set"}[mode]
    if mode == "set":
        what = f"Set {mention(receipt.user_id)}'s balance to {pts(receipt.balance)}"
        what += f" ({signed(receipt.delta)})."
    elif mode == "add":
        what = f"Added {pts(receipt.delta)} to {mention(receipt.user_id)}."
    else:
        what = f"Removed {pts(-receipt.delta)} from {mention(receipt.user_id)}."
    embed = _embed(f"{verb} points", what, SUCCESS, _saved_footer(receipt))
    embed.add_field("New balance", amount(receipt.balance), inline=True)
    if receipt.to_user_id is None and reason:
        embed.add_field("Reason", reason[:1024], inline=True)
    return embed


def admin_log(title: str, description: str, *, actor_id: int) -> hikari.Embed:
    """A copy of an admin action for the guild's log channel."""
    return _embed(title, f"{description}\nBy {mention(actor_id)}.", INFO)


def audit(report: AuditReport, *, member_id: int | None) -> hikari.Embed:
    scope = f"{mention(member_id)}'s account" if member_id else "this server"
    if report.clean:
        description = f"The audit of {scope} is clean: every balance equals the sum of its ledger."
        color = SUCCESS
    else:
        lines = [
            f"{mention(d.user_id)}: {d.problem.replace('_', ' ')} "
            f"(balance {_maybe(d.balance)}, ledger sum {_maybe(d.ledger_sum)})"
            for d in report.discrepancies[:15]
        ]
        more = len(report.discrepancies) - len(lines)
        if more > 0:
            lines.append(f"…and {more:,} more.")
        lines.append("Run `/admin repair` to rebuild these balances from the ledger.")
        description = f"The audit of {scope} found problems:\n" + "\n".join(lines)
        color = WARNING
    embed = _embed("Audit", description, color)
    embed.add_field("Accounts", amount(report.accounts), inline=True)
    embed.add_field("Ledger entries", amount(report.ledger_rows), inline=True)
    embed.add_field("Points held", amount(report.total_points), inline=True)
    return embed


def repaired(receipts: Sequence[Receipt], report: AuditReport) -> hikari.Embed:
    if receipts:
        description = (
            f"Rebuilt {len(receipts):,} balance(s) from the ledger; each fix is a `repair` "
            "entry in that member's history."
        )
    else:
        description = "Nothing to repair: every balance already equals its ledger."
    state = "clean" if report.clean else f"{len(report.discrepancies):,} problem(s) left"
    embed = _embed("Repair", description, SUCCESS if report.clean else WARNING)
    embed.add_field("Audit now", state, inline=True)
    return embed


def storage(facts: Mapping[str, object], *, snapshot: str | None) -> hikari.Embed:
    """The storage report behind /admin backup: a fact per field, in the order given."""
    if snapshot:
        description = f"Snapshot taken and verified: `{snapshot}`."
        color = SUCCESS
    else:
        description = "Every change is committed to disk before Vouchy answers. Storage now:"
        color = INFO
    embed = _embed("Backup", description, color)
    for name, value in facts.items():
        text = amount(value) if isinstance(value, int) and not isinstance(value, bool) else value
        embed.add_field(name, str(text)[:1024], inline=True)
    return embed


def settings(current: CoreSettings) -> hikari.Embed:
    def show(key: str) -> str:
        value = getattr(current, key)
        if value is None:
            return "not set"
        return f"<#{value}>" if key.endswith("channel") else f"<@&{value}>"

    embed = _embed("Settings", "Change them with `/config set` and `/config clear`.", INFO)
    for key, label in SETTING_LABELS.items():
        embed.add_field(label, show(key), inline=True)
    return embed


# -- refusals and failures -----------------------------------------------------------------


def refused(message: str) -> hikari.Embed:
    """A ``VouchyError``: what was wrong and what to do; nothing was changed."""
    return _embed("Not done", message, WARNING, "nothing was changed")


def unexpected(ref: str, saved: Receipt | None = None) -> hikari.Embed:
    if saved is not None:
        description = (
            f"Your change was saved (ledger entry #{saved.ledger_id}), but showing it failed. "
            f"Something went wrong (ref {ref}); `/history` shows the entry."
        )
    else:
        description = (
            f"Something went wrong (ref {ref}). Nothing was changed; please try again, and "
            "give the ref to an admin if it keeps happening."
        )
    return _embed("Something went wrong", description, ERROR, f"ref {ref}")


def restarting() -> hikari.Embed:
    return _embed(
        "Restarting",
        "Vouchy is restarting and took nothing from this command. Try again in a moment.",
        WARNING,
        "nothing was changed",
    )


def _maybe(value: int | None) -> str:
    return "none" if value is None else amount(value)
