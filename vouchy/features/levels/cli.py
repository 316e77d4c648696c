"""``python -m vouchy import xp-csv FILE --guild G``: XP moved in from another level bot.

The file is read and checked whole before the database is opened (one bad line refuses it,
nothing written). Then one job on the writer's connection (``Writer.exclusive``, like the
points import) writes every member's row and log row as one batch: journaled, replayed whole
or not at all, fast for files of 100,000 members. The same file imported again changes
nothing (each member's log row is named by the file and the member). Stop the bot first.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from vouchy.cli.common import open_for_import, print_json, snowflake
from vouchy.core.config import Config
from vouchy.core.logs import get_logger
from vouchy.features.levels.importing import (
    IMPORT_PREFIX,
    ImportPlan,
    XpImport,
    parse_xp_csv,
    plan_import,
)
from vouchy.features.levels.settings import LevelSettings
from vouchy.features.levels.tables import LOG, MEMBERS
from vouchy.store.operations import Receipt, RowResult
from vouchy.store.writer import ExclusiveContext, Writer
from vouchy.store.writeset import WriteSet

log = get_logger("vouchy.import")


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    imports: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    f = imports.add_parser(
        "xp-csv",
        help="XP from another level bot: a CSV with a user id column and an XP (or level) column",
    )
    f.add_argument("file", metavar="FILE")
    f.add_argument("--guild", type=snowflake, required=True, help="the server's id")
    f.add_argument(
        "--merge",
        action="store_true",
        help="also add XP to members another imported file gave XP (a different bot); "
        "refused without it",
    )
    f.add_argument("--check", action="store_true", help="validate the file only; write nothing")
    f.add_argument("--json", action="store_true")
    f.set_defaults(func=import_xp_csv)


def _existing(
    conn: sqlite3.Connection, guild_id: int, users: list[int]
) -> dict[int, dict[str, Any]]:
    cursor = conn.execute(
        f"SELECT m.* FROM json_each(?) AS k CROSS JOIN {MEMBERS} AS m"
        " ON m.guild_id = ? AND m.user_id = k.value",
        (json.dumps(users), guild_id),
    )
    names = [d[0] for d in cursor.description]
    return {row[1]: dict(zip(names, row, strict=True)) for row in cursor}


def _imported_before(conn: sqlite3.Connection, guild_id: int) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for (reference,) in conn.execute(
        f"SELECT reference FROM {LOG} WHERE guild_id = ? AND reference >= ? AND reference < ?",
        (guild_id, IMPORT_PREFIX, IMPORT_PREFIX[:-1] + ";"),
    ):
        tag, _, user = reference[len(IMPORT_PREFIX) :].partition(":")
        if tag and user.isdigit():
            found.setdefault(int(user), set()).add(tag)
    return found


def _build(
    conn: sqlite3.Connection,
    ctx: ExclusiveContext,
    parsed: XpImport,
    guild_id: int,
    settings: LevelSettings,
    merge: bool,
) -> tuple[WriteSet | None, tuple[ImportPlan, list[Receipt]]]:
    """Inside the writer's transaction: read what the import meets, plan it, return its rows."""
    table = ctx.catalog[MEMBERS]
    plan = plan_import(
        parsed,
        guild_id=guild_id,
        existing=_existing(conn, guild_id, [r.user_id for r in parsed.rows]),
        imported_before=_imported_before(conn, guild_id),
        defaults=table.defaults,
        curve=settings.curve,
        now_ms=ctx.now,
        merge=merge,
    )
    if not plan.members:
        return None, (plan, [])
    logs = ctx.catalog[LOG]
    receipts = [
        Receipt(
            reference=entry["reference"],
            guild_id=guild_id,
            user_id=row["user_id"],
            seq=ctx.seq,
            created_at=ctx.now,
            rows=[RowResult(MEMBERS, (guild_id, row["user_id"]), row)],
        )
        for row, entry in zip(plan.members, plan.logs, strict=True)
    ]
    ws = WriteSet(
        ctx.seq,
        ctx.now,
        [],
        [],
        [],
        {
            MEMBERS: [table.row_of(row) for row in plan.members],
            LOG: [logs.row_of(entry) for entry in plan.logs],
        },
        {},
    )
    return ws, (plan, receipts)


async def import_xp(
    writer: Writer,
    parsed: XpImport,
    guild_id: int,
    settings: LevelSettings,
    *,
    merge: bool = False,
) -> ImportPlan:
    """Write ``parsed`` into ``guild_id`` (whose settings, and so curve, are ``settings``) as
    one batch (see the module's docstring)."""
    started = time.perf_counter()
    found: tuple[ImportPlan, list[Receipt]] = await writer.exclusive(
        lambda conn, ctx: _build(conn, ctx, parsed, guild_id, settings, merge)
    )
    plan, receipts = found
    if receipts:
        for listener in writer.listeners:
            listener(receipts)
    log.info(
        "xp_import_committed",
        guild_id=guild_id,
        file=parsed.name,
        members=plan.imported,
        already_imported=plan.already_imported,
        xp=plan.xp,
        seconds=round(time.perf_counter() - started, 3),
    )
    return plan


async def import_xp_csv(args: argparse.Namespace, config: Config) -> int:
    path = Path(args.file)
    data = path.read_bytes()
    defaults = config.feature("levels") or LevelSettings()
    assert isinstance(defaults, LevelSettings)
    parsed = parse_xp_csv(data, defaults.curve, path.name)  # checked whole before anything
    if args.check:
        summary = {
            "file": parsed.name,
            "sha256": parsed.digest,
            "source": parsed.source,
            "members": len(parsed.rows),
            "xp": sum(r.xp for r in parsed.rows),
        }
        if args.json:
            print_json(summary)
        else:
            print(
                f"{parsed.name}: valid; {len(parsed.rows)} members, {summary['xp']:,} XP (from "
                f"its {parsed.source} column); nothing written"
            )
        return 0
    app = await open_for_import(config)
    try:
        current = await app.settings.get(args.guild, "levels", LevelSettings)
        if parsed.source == "level" and current.curve != defaults.curve:
            parsed = parse_xp_csv(data, current.curve, path.name)
        plan = await import_xp(app.writer, parsed, args.guild, current, merge=args.merge)
    finally:
        await app.close()
    if args.json:
        print_json(
            {
                "file": parsed.name,
                "guild_id": args.guild,
                "members": plan.imported,
                "already_imported": plan.already_imported,
                "xp": plan.xp,
            }
        )
    else:
        print(
            f"imported {parsed.name} into guild {args.guild}: {plan.imported} members given "
            f"{plan.xp:,} XP, {plan.already_imported} already imported before. Level roles "
            "follow with /admin levels sync-roles."
        )
    return 0
