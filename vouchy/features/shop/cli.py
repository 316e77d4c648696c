"""``python -m vouchy import items-csv FILE --guild G``: members' items moved in from an older
bot. The file is checked whole first (``importing.py``), then every item it names must exist
in the guild (a built-in, or one put in the shop); then each member's items are one operation
through the write path, idempotent per file and member."""

from __future__ import annotations

import argparse
from pathlib import Path

from vouchy.cli.common import open_for_import, print_json, snowflake
from vouchy.core.config import Config
from vouchy.features.shop.importing import ItemsImportRefused, parse_items_csv
from vouchy.features.shop.rules import BUILTINS
from vouchy.features.shop.service import ShopService
from vouchy.ops.importer import read_file


def register(
    _sub: argparse._SubParsersAction[argparse.ArgumentParser],
    imports: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    f = imports.add_parser(
        "items-csv",
        help="members' items: a CSV with a header naming user id, item and quantity columns",
    )
    f.add_argument("file", metavar="FILE")
    f.add_argument("--guild", type=snowflake, required=True, help="the server's id")
    f.add_argument("--check", action="store_true", help="validate the file only; write nothing")
    f.add_argument("--json", action="store_true")
    f.set_defaults(func=import_items)


async def import_items(args: argparse.Namespace, config: Config) -> int:
    loaded = parse_items_csv(read_file(args.file), Path(args.file).name)
    members = loaded.by_member()
    units = sum(line.quantity for lines in members.values() for line in lines)
    if args.check:
        summary = {"file": loaded.name, "sha256": loaded.digest, "members": len(members)}
        if args.json:
            print_json({**summary, "items": units})
        else:
            print(
                f"{loaded.name}: valid; {len(members)} members, {units:,} items (references "
                f"items-import:{loaded.digest[:16]}:<user id>); nothing written"
            )
        return 0
    app = await open_for_import(config)
    try:
        shop = app.service(ShopService)
        known = set(BUILTINS) | set(await shop.item_names(args.guild))
        unknown = sorted({line.item for lines in members.values() for line in lines} - known)
        if unknown:
            raise ItemsImportRefused(
                f"{loaded.name}: items unknown in guild {args.guild}: {', '.join(unknown)} "
                "(put them in the shop first with /admin shop add); nothing was imported"
            )
        result = await shop.import_items(args.guild, loaded)
    finally:
        await app.close()
    if args.json:
        print_json(result)
    else:
        print(
            f"imported {loaded.name} into guild {args.guild}: {result.imported} members given "
            f"{result.units:,} items, {result.already_imported} already imported"
        )
    return 0
