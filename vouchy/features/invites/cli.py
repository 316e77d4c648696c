"""``python -m vouchy invites rebuild [FILE]``: the joins of a log written back to the database.

FILE is Vouchy's own ``invite_joins.jsonl`` (default: the data directory's) or the seed bot's
``invite_joins.json``. The file is read whole and checked before anything is written; each
join the database lacks is recorded through the write path like a live one (journaled, its
join id as its reference), so running it twice changes nothing. The logs are then caught up.
Stop the bot first: the data directory has one writer.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from vouchy.cli.common import open_vouchy, print_json
from vouchy.core.config import Config
from vouchy.features.invites import logs, rebuild
from vouchy.features.invites.rules import Source
from vouchy.features.invites.service import InvitesService

if TYPE_CHECKING:
    Parsers = argparse._SubParsersAction[argparse.ArgumentParser]


def register(sub: Parsers, _imports: Parsers) -> None:
    p = sub.add_parser("invites", help="invite attribution tools")
    what = p.add_subparsers(dest="invites_command", metavar="COMMAND", required=True)
    r = what.add_parser(
        "rebuild",
        help="record the joins of a log the database lacks (Vouchy's invite_joins.jsonl, or "
        "the older bot's invite_joins.json); running it twice changes nothing",
    )
    r.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        help="the log to read (default: invite_logs/invite_joins.jsonl in the data directory)",
    )
    r.add_argument(
        "--utc-offset-minutes",
        type=int,
        default=0,
        help="the older bot wrote times without a zone: the offset of its clock from UTC "
        "(e.g. 120 for UTC+2); default 0",
    )
    r.add_argument("--check", action="store_true", help="read and check the file only")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=rebuild_command)


async def rebuild_command(args: argparse.Namespace, config: Config) -> int:
    path = Path(args.file) if args.file else logs.log_paths(config.data_dir).jsonl
    if not path.is_file():
        print(f"error: no file at {path}", file=sys.stderr)
        return 2
    read = rebuild.read_file(path, naive_offset_minutes=args.utc_offset_minutes)
    if args.check:
        summary = {"file": str(path), "format": read.format, "joins": len(read.joins)}
        if args.json:
            print_json(summary)
        else:
            print(f"{path}: {len(read.joins)} joins ({read.format}); nothing written")
        return 0
    app = await open_vouchy(config, create=True)  # moving in may start a data directory
    try:
        service = app.service(InvitesService)
        source: Source = "log" if read.format == "vouchy_jsonl" else "seed"
        report = await service.rebuild(read.joins, source=source)
    finally:
        await app.close()
    if args.json:
        print_json(
            {
                "file": str(path),
                "format": read.format,
                "read": report.read,
                "added": report.added,
                "already_recorded": report.already_recorded,
                "duplicates_in_file": read.duplicates_skipped,
                "torn_tail_skipped": read.torn_tail_skipped,
            }
        )
    else:
        print(
            f"{path}: {report.read} joins read ({read.format}), {report.added} added, "
            f"{report.already_recorded} already recorded"
            + (", a torn last line skipped" if read.torn_tail_skipped else "")
        )
    return 0
