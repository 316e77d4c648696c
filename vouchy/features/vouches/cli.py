"""``python -m vouchy import vouches-csv FILE --guild G``: vouches counted by an older bot,
moved in. The whole file is checked before the database is opened (one bad row refuses it,
naming the line); each row is then one operation under its own reference, so importing the
same file again adds nothing."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from vouchy.cli.common import open_for_import, print_json, snowflake
from vouchy.core.config import Config
from vouchy.features.vouches.importing import parse_vouches_csv
from vouchy.features.vouches.service import VouchesService
from vouchy.ops.importer import read_file


def register(
    _sub: argparse._SubParsersAction[argparse.ArgumentParser],
    imports: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    p = imports.add_parser(
        "vouches-csv",
        help="vouches from an older bot: columns provider, voucher, time and optionally "
        "message_id (one bad row refuses the whole file)",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--guild", type=snowflake, required=True, help="the server's id")
    p.add_argument("--check", action="store_true", help="validate the file only; write nothing")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=import_vouches)


async def import_vouches(args: argparse.Namespace, config: Config) -> int:
    data = read_file(args.file)
    parsed = parse_vouches_csv(
        data, guild_id=args.guild, now_ms=int(time.time() * 1000), name=Path(args.file).name
    )
    if args.check:
        summary = {"file": parsed.name, "sha256": parsed.digest, "vouches": len(parsed.rows)}
        if args.json:
            print_json(summary)
        else:
            print(f"{parsed.name}: valid; {len(parsed.rows)} vouches; nothing written")
        return 0
    app = await open_for_import(config)
    try:
        result = await app.service(VouchesService).import_vouches(parsed)
    finally:
        await app.close()
    if args.json:
        print_json(result)
    else:
        print(
            f"imported {parsed.name} into guild {args.guild}: {result.imported} vouches added, "
            f"{result.already} already known, of {result.rows}"
        )
    return 0
