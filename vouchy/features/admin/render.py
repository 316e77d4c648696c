"""The admin feature's embeds: admin changes and their copy for the log channel, the audit,
repairs and backups, in the reader's language."""

from __future__ import annotations

from typing import Any

import hikari

from vouchy.bot.embeds import (
    INFO,
    SUCCESS,
    WARNING,
    amount,
    embed,
    mention,
    pts,
    saved_footer,
    signed,
    t,
)
from vouchy.core import i18n
from vouchy.features.admin import texts as _texts  # noqa: F401
from vouchy.store.audit import AuditReport, Discrepancy
from vouchy.store.durability.report import StorageReport
from vouchy.store.durability.snapshots import Snapshot
from vouchy.store.operations import Receipt


def adjusted(receipt: Receipt, *, mode: str, reason: str, locale: str) -> hikari.Embed:
    user = str(receipt.user_id)
    if mode == "set":
        text = t(
            "admin.set",
            locale,
            user_id=user,
            points=pts(receipt.balance, locale),
            change=signed(receipt.delta, locale),
        )
    elif mode == "add":
        text = t("admin.added", locale, user_id=user, points=pts(receipt.delta, locale))
    else:
        text = t("admin.removed", locale, user_id=user, points=pts(-receipt.delta, locale))
    title = {"add": "admin.added.title", "remove": "admin.removed.title", "set": "admin.set.title"}[
        mode
    ]
    card = embed(t(title, locale), text, SUCCESS, locale, saved_footer(receipt, locale))
    card.add_field(t("admin.new_balance", locale), amount(receipt.balance, locale), inline=True)
    if reason:
        card.add_field(t("admin.reason", locale), reason[:1024], inline=True)
    return card


def log_copy(
    *, mode: str, user_id: int, amount_: int, reason: str, actor_id: int, locale: str
) -> hikari.Embed:
    """What an admin did, for the guild's log channel (a sentence a person reads). Decided
    with the change, before its COMMIT: it says what was asked, not the balance after."""
    text = t(
        f"admin.log.{mode}",
        locale,
        points=pts(amount_, locale),
        user_id=str(user_id),
        balance=amount(amount_, locale),
    )
    if reason:
        text += "\n" + t("admin.log.reason", locale, reason=reason)
    text += "\n" + t("admin.log.by", locale, user_id=str(actor_id))
    return embed(t("admin.log.title", locale), text, INFO, locale)


def _problem(d: Discrepancy, locale: str) -> str:
    key = f"admin.problem.{d.problem}"
    return i18n.text(key, locale) if i18n.has(key) else d.problem.replace("_", " ")


def _value(value: Any, locale: str) -> str:
    return "—" if value is None else amount(value, locale) if isinstance(value, int) else str(value)


def audit(report: AuditReport, *, member_id: int | None, locale: str) -> hikari.Embed:
    if member_id is not None and report.accounts == 0 and report.clean:
        description, color = t("admin.audit.no_account", locale, user_id=str(member_id)), INFO
    elif report.clean:
        key = "admin.audit.clean_member" if member_id else "admin.audit.clean_all"
        description, color = t(key, locale, user_id=str(member_id)), SUCCESS
    else:
        lines = [
            t(
                "admin.audit.line",
                locale,
                who=mention(d.user_id) if d.user_id else (d.detail or d.check),
                problem=_problem(d, locale),
                stored=_value(d.balance, locale),
                expected=_value(d.ledger_sum, locale),
            )
            for d in report.discrepancies[:15]
        ]
        if (more := len(report.discrepancies) - len(lines)) > 0:
            lines.append(t("admin.audit.more", locale, count=more))
        lines.append(t("admin.audit.fix", locale))
        description, color = t("admin.audit.found", locale) + "\n" + "\n".join(lines), WARNING
    card = embed(t("admin.audit.title", locale), description, color, locale)
    card.add_field(t("admin.audit.accounts", locale), amount(report.accounts, locale), inline=True)
    card.add_field(
        t("admin.audit.entries", locale), amount(report.ledger_rows, locale), inline=True
    )
    card.add_field(
        t("admin.audit.points", locale), amount(report.total_points, locale), inline=True
    )
    return card


def repaired(receipts: list[Receipt], report: AuditReport, *, locale: str) -> hikari.Embed:
    if receipts:
        description = t("admin.repair.done", locale, count=len(receipts))
    else:
        description = t("admin.repair.nothing", locale)
    state = (
        t("admin.repair.clean", locale)
        if report.clean
        else t("admin.repair.left", locale, count=len(report.discrepancies))
    )
    card = embed(
        t("admin.repair.title", locale), description, SUCCESS if report.clean else WARNING, locale
    )
    card.add_field(t("admin.repair.now", locale), state, inline=True)
    return card


def _mib(n: int) -> str:
    return f"{n / 1_048_576:.1f}"


def backup(
    snapshot: Snapshot, here: AuditReport, report: StorageReport, *, locale: str
) -> hikari.Embed:
    """For a server owner: when, verified, what it holds, how to restore; the engineer's
    facts in a field of their own. The snapshot named is the one this command took."""
    name = snapshot.manifest.file
    from datetime import datetime

    at = int(datetime.fromisoformat(snapshot.manifest.created_at).timestamp())
    text = t(
        "admin.backup.taken", locale, at=str(at), members=here.accounts, points=here.total_points
    )
    text += "\n" + t("admin.backup.safe", locale)
    card = embed(t("admin.backup.title", locale), text, SUCCESS, locale)
    card.add_field(
        t("admin.backup.restore", locale), t("admin.backup.restore_how", locale, name=name)
    )
    details = t(
        "admin.backup.details_text",
        locale,
        name=name,
        db=_mib(report.database_bytes),
        wal=_mib(report.wal_bytes),
        journal=_mib(report.journal_bytes),
        segments=report.journal_segments,
        kept=report.snapshots,
        integrity=report.quick_check,
    )
    card.add_field(t("admin.backup.details", locale), details[:1024])
    return card


def backup_failed(why: str, *, locale: str) -> hikari.Embed:
    return embed(
        t("admin.backup.title", locale), t("admin.backup.failed", locale, why=why), WARNING, locale
    )
