"""Operations subcommands: ``health``, ``import points-json|csv``, ``export ledger``."""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from vouchy.cli.common import open_vouchy, print_json, require_database, snowflake
from vouchy.core.config import Config
from vouchy.core.errors import VouchyError
from vouchy.core.spreadsheet import spreadsheet_safe
from vouchy.ops import health as health_check
from vouchy.ops import importer
from vouchy.store import bulk
from vouchy.store.connection import connect_sync
from vouchy.store.durability.lock import DataDirectoryBusy

EXIT_UNHEALTHY = 1
# ``import``'s formats: features add theirs (``import xp-csv``...) through ``Feature.cli``.
IMPORT_FORMATS: argparse._SubParsersAction


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "health",
        help="exit 0 when the running bot's heartbeat is fresh, its writer alive and its "
        "snapshots recent; else exit 1 with the reasons",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=health)

    p = sub.add_parser("import", help="move data in from an older bot (stop the bot first)")
    formats = p.add_subparsers(dest="format", metavar="FORMAT", required=True)
    global IMPORT_FORMATS
    IMPORT_FORMATS = formats
    for name, help_text in (
        ("points-json", 'a JSON object of user id to points, or to {"points": N, ...}'),
        ("csv", "a CSV file with a header row naming user id and points columns"),
    ):
        f = formats.add_parser(name, help=help_text)
        f.add_argument("file", metavar="FILE")
        f.add_argument("--guild", type=snowflake, required=True, help="the server's id")
        f.add_argument(
            "--merge",
            action="store_true",
            help="also add points to members who received points from another imported file "
            "(a different bot); refused without it",
        )
        f.add_argument("--check", action="store_true", help="validate the file only; write nothing")
        f.add_argument("--json", action="store_true")
        f.set_defaults(func=import_file)

    p = sub.add_parser("export", help="write data out as CSV")
    what = p.add_subparsers(dest="what", metavar="WHAT", required=True)
    e = what.add_parser("ledger", help="a guild's ledger, oldest first, as CSV")
    e.add_argument("--guild", type=snowflake, required=True, help="the server's id")
    e.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    e.set_defaults(func=export_ledger)


# -- health ---------------------------------------------------------------------------------------


def health(args: argparse.Namespace, config: Config) -> int:
    try:
        report = health_check.check(config)
    except Exception as e:  # a health check answers; it never crashes the HEALTHCHECK
        print(f"unhealthy: the check itself failed: {type(e).__name__}: {e}", file=sys.stderr)
        return EXIT_UNHEALTHY
    if args.json:
        print_json(report)
    elif report.healthy:
        print(health_check.summary(report))
    else:
        for problem in report.problems:
            print(f"unhealthy: {problem}")
    return 0 if report.healthy else EXIT_UNHEALTHY


# -- import ---------------------------------------------------------------------------------------


class ImportNeedsTheBotStopped(VouchyError):
    code = "data_directory_busy"


async def import_file(args: argparse.Namespace, config: Config) -> int:
    # The whole file is validated before the database is even opened.
    loaded = importer.load(args.format, args.file)
    total = sum(b.points for b in loaded.balances)
    if args.check:
        if args.json:
            print_json(
                {
                    "file": loaded.name,
                    "sha256": loaded.digest,
                    "members": len(loaded.balances),
                    "points": total,
                }
            )
        else:
            print(
                f"{loaded.name}: valid; {len(loaded.balances)} members, {total:,} points "
                f"(references import:{loaded.reference_tag}:<user id>); nothing written"
            )
        return 0
    try:
        app = await open_vouchy(config)
    except DataDirectoryBusy as e:
        raise ImportNeedsTheBotStopped(
            f"cannot import while the bot runs: {e.message.split(';')[0]}. Stop the bot, "
            "import, then start it again; nothing was imported"
        ) from None
    try:
        result = await bulk.import_balances(
            app.writer,
            args.guild,
            loaded.reference_tag,
            [(b.user_id, b.points) for b in loaded.balances],
            reason=f"imported from {loaded.name}",
            merge=args.merge,
        )
    finally:
        await app.close()
    if args.json:
        print_json(result)
    else:
        print(
            f"imported {loaded.name} into guild {args.guild}: {result.opened} accounts opened, "
            f"{result.added} topped up, {result.already_imported} already imported, "
            f"{result.unchanged} with nothing to add; {result.points:,} points in "
            f"{result.ledger_rows} ledger rows"
        )
    return 0


# -- export ---------------------------------------------------------------------------------------

LEDGER_COLUMNS = (
    "id",
    "guild_id",
    "user_id",
    "delta",
    "balance_after",
    "kind",
    "reference",
    "reason",
    "acting_user_id",
    "created_at",
    "created_at_ms",
)


def ledger_rows(db: Path, guild_id: int) -> Iterator[list[object]]:
    conn = connect_sync(db, readonly=True)
    try:
        for row in conn.execute(
            """SELECT id, guild_id, user_id, delta, balance_after, kind, reference, reason,
                      acting_user_id, created_at
               FROM ledger WHERE guild_id = ? ORDER BY id""",
            (guild_id,),
        ):
            (i, g, u, delta, after, kind, reference, reason, acting, created) = row
            when = datetime.fromtimestamp(created / 1000, UTC).isoformat(timespec="milliseconds")
            yield [
                i,
                g,
                u,
                delta,
                after,
                spreadsheet_safe(kind),
                spreadsheet_safe(reference),
                spreadsheet_safe(reason),
                "" if acting is None else acting,
                when.replace("+00:00", "Z"),
                created,
            ]
    finally:
        conn.close()


def write_csv(out: TextIO, rows: Iterable[list[object]]) -> int:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(LEDGER_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def export_ledger(args: argparse.Namespace, config: Config) -> int:
    """Reads only (a read-only connection): safe while the bot runs."""
    require_database(config)
    rows = ledger_rows(config.db_path, args.guild)
    if not args.out:
        count = write_csv(sys.stdout, rows)
        print(f"exported {count} ledger rows of guild {args.guild}", file=sys.stderr)
        return 0
    out = Path(args.out)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            count = write_csv(f, rows)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    print(f"exported {count} ledger rows of guild {args.guild} to {out}", file=sys.stderr)
    return 0
