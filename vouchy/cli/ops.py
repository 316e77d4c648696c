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

from vouchy.cli.common import open_for_import, print_json, require_database, snowflake
from vouchy.core.config import Config
from vouchy.core.errors import VouchyError
from vouchy.core.spreadsheet import spreadsheet_safe
from vouchy.ops import health as health_check
from vouchy.ops import importer
from vouchy.store import bulk
from vouchy.store.connection import connect_sync

EXIT_UNHEALTHY = 1
# ``import``'s formats: features add theirs (``import xp-csv``...) through ``Feature.cli``.
IMPORT_FORMATS: argparse._SubParsersAction[argparse.ArgumentParser]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "health",
        help="exit 0 when the running bot's heartbeat is fresh, its writer alive and its "
        "snapshots recent; else exit 1 with the reasons",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
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
        f.add_argument("--json", action="store_true", help="print the result as JSON")
        f.set_defaults(func=import_file)
    u = formats.add_parser(
        "undo",
        help="take the points an imported file gave back out, ledgered (a restore does not "
        "undo an import: the journal replays it)",
    )
    u.add_argument("file", metavar="FILE", help="the file that was imported (points-json or csv)")
    u.add_argument("--guild", type=snowflake, required=True, help="the server's id")
    u.add_argument("--json", action="store_true", help="print the result as JSON")
    u.set_defaults(func=undo_import)

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
                f"{loaded.name}: valid; {count(len(loaded.balances), 'member')}, "
                f"{count(total, 'point')} (references import:{loaded.reference_tag}:<user id>); "
                "nothing written"
            )
        return 0
    app = await open_for_import(config)
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
            f"imported {loaded.name} into guild {args.guild}: "
            f"{count(result.opened, 'account')} opened, {result.added:,} topped up, "
            f"{result.already_imported:,} imported before, {result.unchanged:,} with nothing to "
            f"add; {count(result.points, 'point')} in {count(result.ledger_rows, 'ledger row')}"
        )
    return 0


async def undo_import(args: argparse.Namespace, config: Config) -> int:
    loaded = None
    for kind in ("points-json", "csv"):
        try:
            loaded = importer.load(kind, args.file)
            break
        except importer.ImportRefused:
            continue
    if loaded is None:
        raise importer.ImportRefused(
            f"{args.file} is neither a points JSON nor a points CSV file Vouchy could have "
            "imported; nothing was changed"
        )
    app = await open_for_import(config, undo=True)
    try:
        result = await bulk.undo_import(app.writer, args.guild, loaded.reference_tag)
    finally:
        await app.close()
    if args.json:
        print_json(result)
        return 0
    if not result.members:
        print(f"{loaded.name} was never imported into guild {args.guild}: nothing to undo")
        return 0
    line = (
        f"undid the import of {loaded.name} in guild {args.guild}: "
        f"{count(result.points, 'point')} taken back from {count(result.taken_back, 'member')}"
    )
    if result.already_undone:
        line += f" ({result.already_undone:,} undone before)"
    if result.short:
        spent = sum(result.short.values())
        line += (
            f"; {count(len(result.short), 'member')} had already spent {count(spent, 'point')} "
            "of theirs, which stay spent (--json lists them)"
        )
    print(line)
    return 0


def count(n: int, noun: str) -> str:
    """``1 member``, ``2 members``, ``1,000 points``."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


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


class CannotWrite(VouchyError):
    code = "cannot_write"


def _exported(written: int, guild_id: int, db: Path, where: str = "") -> str:
    """What was exported; for none, whether the guild may be the wrong one."""
    line = f"exported {count(written, 'ledger row')} of guild {guild_id}{where}"
    if written:
        return line
    conn = connect_sync(db, readonly=True)
    try:
        guilds = [g for (g,) in conn.execute("SELECT DISTINCT guild_id FROM accounts LIMIT 6")]
    finally:
        conn.close()
    if not guilds:
        return line + " (this database holds no ledger yet)"
    listed = ", ".join(str(g) for g in guilds[:5]) + (", ..." if len(guilds) > 5 else "")
    return line + f": guild {guild_id} has no ledger rows here (guilds here: {listed})"


def export_ledger(args: argparse.Namespace, config: Config) -> int:
    """Reads only (a read-only connection): safe while the bot runs."""
    require_database(config)
    rows = ledger_rows(config.db_path, args.guild)
    if not args.out:
        written = write_csv(sys.stdout, rows)
        print(_exported(written, args.guild, config.db_path), file=sys.stderr)
        return 0
    out = Path(args.out)
    if not out.parent.is_dir():
        raise CannotWrite(
            f"cannot write {out}: the folder {out.parent} does not exist; nothing was written"
        )
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            written = write_csv(f, rows)
        os.replace(tmp, out)
    except OSError as e:
        raise CannotWrite(f"cannot write {out}: {e.strerror}; nothing was written") from None
    finally:
        tmp.unlink(missing_ok=True)
    print(_exported(written, args.guild, config.db_path, f" to {out}"), file=sys.stderr)
    return 0
