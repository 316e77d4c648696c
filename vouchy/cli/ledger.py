"""Ledger subcommands: ``audit``, ``repair``, ``balance``, ``history``."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

import msgspec

from vouchy.cli.common import open_reader, open_vouchy, print_json, snowflake
from vouchy.core.config import Config
from vouchy.core.validation import check_page
from vouchy.features.points.rules import PointsSettings
from vouchy.features.points.service import PointsReads
from vouchy.store.reader import Reader

MAX_HISTORY_SIZE = 1000


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "audit", help="check that every balance equals the sum of its ledger (exit 1 if not)"
    )
    p.add_argument("--guild", type=snowflake, help="only this server")
    p.add_argument("--user", type=snowflake, help="only this member")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=audit)

    p = sub.add_parser(
        "repair", help="rebuild mismatched balances from the ledger (recorded as repair rows)"
    )
    p.add_argument("--guild", type=snowflake, help="only this server")
    p.add_argument("--user", type=snowflake, help="only this member")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=repair)

    p = sub.add_parser("balance", help="show one member's balance")
    p.add_argument("guild", type=snowflake, help="the server's id")
    p.add_argument("user", type=snowflake, help="the member's id")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=balance)

    p = sub.add_parser("history", help="show one member's ledger, newest first")
    p.add_argument("guild", type=snowflake, help="the server's id")
    p.add_argument("user", type=snowflake, help="the member's id")
    p.add_argument("--page", type=int, default=1, help="which page, from 1 (default 1)")
    p.add_argument("--size", type=int, default=20, help="entries per page, 1 to 1,000 (default 20)")
    p.add_argument("--json", action="store_true", help="print the page as JSON")
    p.set_defaults(func=history)


def _points(reader: Reader, config: Config) -> PointsReads:
    settings = config.feature("points") or PointsSettings()
    return PointsReads(reader, starting_balance=settings.starting_balance)


async def audit(args: argparse.Namespace, config: Config) -> int:
    reader = await open_reader(config)
    try:
        report = await reader.audit(args.guild, args.user)
    finally:
        await reader.close()
    if args.json:
        print_json({"clean": report.clean, **msgspec.to_builtins(report)})
    else:
        state = "clean" if report.clean else f"{len(report.discrepancies)} discrepancies"
        print(
            f"audit: {state}; {report.accounts} accounts, {report.ledger_rows} ledger rows, "
            f"{report.total_points} points"
        )
        for d in report.discrepancies:
            print(
                f"  guild {d.guild_id} user {d.user_id}: {d.problem} (balance {d.balance}, ledger sum {d.ledger_sum})"
            )
    return 0 if report.clean else 1


async def repair(args: argparse.Namespace, config: Config) -> int:
    app = await open_vouchy(config)
    try:
        receipts = await app.repair(args.guild, args.user)
        report = await app.audit(args.guild, args.user)
    finally:
        await app.close()
    if args.json:
        print_json({"repaired": receipts, "clean": report.clean})
    else:
        print(
            f"repair: {len(receipts)} balances rebuilt from the ledger; audit now "
            f"{'clean' if report.clean else 'still has discrepancies'}"
        )
    return 0 if report.clean else 1


async def balance(args: argparse.Namespace, config: Config) -> int:
    reader = await open_reader(config)
    try:
        view = await _points(reader, config).account(args.guild, args.user)
    finally:
        await reader.close()
    if args.json:
        print_json(view)
    else:
        note = "" if view.exists else " (no account yet: the starting balance)"
        print(f"{view.balance} points{note}")
    return 0


async def history(args: argparse.Namespace, config: Config) -> int:
    number = check_page(args.page)
    size = max(1, min(args.size, MAX_HISTORY_SIZE))  # outside 1..1000: clamped
    reader = await open_reader(config)
    try:
        page = await _points(reader, config).history(args.guild, args.user, number, size)
    finally:
        await reader.close()
    if args.json:
        print_json(page)
        return 0
    print(f"page {page.page} of {page.pages} ({page.total} entries)")
    for e in page.entries:
        when = datetime.fromtimestamp(e.created_at / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
        print(
            f"  #{e.id} {when} {e.kind:<13} {e.delta:+d} -> {e.balance_after}  {e.reference}  {e.reason}"
        )
    return 0
