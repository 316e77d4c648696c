"""``python -m vouchy bench NAME [--quick]``: run a benchmark and print one JSON object.

Each module in ``vouchy/bench/`` is a benchmark: it has ``NAME``, ``HELP`` and
``async def run(quick: bool, workdir: Path) -> dict``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import tempfile
from pathlib import Path

import vouchy.bench
from vouchy.cli.common import print_json
from vouchy.config import Config


def benchmarks() -> dict[str, object]:
    found = {}
    for info in pkgutil.iter_modules(vouchy.bench.__path__):
        module = importlib.import_module(f"vouchy.bench.{info.name}")
        if hasattr(module, "NAME") and hasattr(module, "run"):
            found[module.NAME] = module
    return found


def register(sub: argparse._SubParsersAction) -> None:
    targets = benchmarks()
    p = sub.add_parser("bench", help="measure: " + ", ".join(sorted(targets)) + " (prints JSON)")
    p.add_argument("name", choices=sorted(targets))
    p.add_argument(
        "--quick", action="store_true", help="a smaller run that finishes in under a minute"
    )
    p.add_argument(
        "--workdir", help="where to put the benchmark's files (default: a temporary directory)"
    )
    p.set_defaults(func=run)


async def run(args: argparse.Namespace, _config: Config) -> int:
    module = benchmarks()[args.name]
    if args.workdir:
        workdir = Path(args.workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        result = await module.run(args.quick, workdir)  # type: ignore[attr-defined]
    else:
        with tempfile.TemporaryDirectory(prefix=f"vouchy-bench-{args.name}-") as tmp:
            result = await module.run(args.quick, Path(tmp))  # type: ignore[attr-defined]
    print_json({"bench": args.name, "quick": args.quick, **result})
    return 0
