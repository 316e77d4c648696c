"""``python -m vouchy bench NAME [--quick]``: run a benchmark and print one JSON object.

Each benchmark is a module in ``vouchy/bench/`` with ``async def run(quick: bool, workdir:
Path) -> dict``, listed in ``BENCHMARKS``.
"""

from __future__ import annotations

import argparse
import importlib
import tempfile
from pathlib import Path

from vouchy.cli.common import print_json
from vouchy.core.config import Config
from vouchy.core.errors import VouchyError


class MissingExtra(VouchyError):
    code = "missing_extra"


# name -> (module, what it measures). Imported only when run: the Discord benchmark pulls in
# hikari and the fake Discord, which no other command should pay for.
BENCHMARKS = {
    "ledger": ("vouchy.bench.ledger", "ledger ops/s and latency vs aiosqlite and a JSON file"),
    "snapshot": ("vouchy.bench.snapshot", "snapshot, verify, restore and replay times"),
    "discord": (
        "vouchy.bench.discord",
        "interactions/s through the real GatewayBot (needs the test extra)",
    ),
    "import": ("vouchy.bench.importer", "rows/s importing an older bot's points.json"),
    "torture": (
        "vouchy.bench.torture",
        "rounds of load and one fault each (kills, torn journals, lost files, a full disk)",
    ),
    "shop": ("vouchy.bench.shop", "purchases/s: a rush on limited stock, a steady stream"),
    "api": ("vouchy.bench.api", "HTTP earns/s and p99 at 500/s, load from a separate process"),
    "vouches": ("vouchy.bench.vouches", "vouches/s through the real bot (needs the test extra)"),
    "giftcodes": ("vouchy.bench.giftcodes", "1,000 players x 5 codes at the publisher's limit"),
    "events": ("vouchy.bench.levels", "XP from MESSAGE_CREATE events/s, XP commit p99, rank card"),
    "games": ("vouchy.bench.games", "bets settled/s through the games service, p99, audit"),
}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("bench", help="measure: " + ", ".join(BENCHMARKS) + " (prints JSON)")
    p.add_argument(
        "name",
        choices=list(BENCHMARKS),
        help="; ".join(f"{k}: {v[1]}" for k, v in BENCHMARKS.items()),
    )
    p.add_argument(
        "--quick", action="store_true", help="a smaller run that finishes in under a minute"
    )
    p.add_argument(
        "--workdir", help="where to put the benchmark's files (default: a temporary directory)"
    )
    p.add_argument("--rounds", type=int, help="bench torture: how many rounds (default 1,000)")
    p.set_defaults(func=run)


async def run(args: argparse.Namespace, _config: Config) -> int:
    try:
        module = importlib.import_module(BENCHMARKS[args.name][0])
    except ImportError as e:
        raise MissingExtra(
            f"bench {args.name} needs {e.name}: pip install 'vouchy[test]'"
        ) from None
    extra = {"rounds": args.rounds} if args.rounds else {}
    if args.workdir:
        workdir = Path(args.workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        result = await module.run(args.quick, workdir, **extra)
    else:
        with tempfile.TemporaryDirectory(prefix=f"vouchy-bench-{args.name}-") as tmp:
            result = await module.run(args.quick, Path(tmp), **extra)
    print_json({"bench": args.name, "quick": args.quick, **result})
    return 0
