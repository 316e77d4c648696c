"""The command line: global options, one module of subcommands per concern, one error style.

Every subcommand module has ``register(subparsers)`` and sets ``func(args, config) -> int``.
A ``VouchyError`` becomes one line on stderr and exit 2; nothing prints a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from vouchy import __version__
from vouchy.core.config import Config
from vouchy.core.errors import VouchyError
from vouchy.core.logs import configure_logging, get_logger

# Subcommand modules, in the order --help lists them.
MODULES = [
    "vouchy.cli.bot",
    "vouchy.cli.ledger",
    "vouchy.cli.durability",
    "vouchy.cli.ops",
    "vouchy.cli.bench",
]

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m vouchy",
        description="Vouchy: a Discord points bot whose ledger never loses an acknowledged operation.",
    )
    parser.add_argument("--version", action="version", version=f"vouchy {__version__}")
    parser.add_argument(
        "--data",
        metavar="DIR",
        help="data directory holding vouchy.db and the journal (default ./data, env VOUCHY_DATA_DIR)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="settings file (default ./config.toml when present, env VOUCHY_CONFIG)",
    )
    parser.add_argument(
        "--accept-loss",
        action="store_true",
        help="when the database must be rebuilt and part of the journal cannot be used, rebuild "
        "from what is usable anyway (what could not be used is set aside and logged)",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="when the database is missing or damaged, start empty instead of rebuilding it "
        "from the snapshots and the journal (the old files are moved aside, never deleted)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    import importlib

    for name in MODULES:
        importlib.import_module(name).register(subparsers)
    # Each feature's own subcommands, and its formats under ``import``.
    from vouchy.cli import ops
    from vouchy.features import FEATURES

    for feature in FEATURES:
        if feature.cli is not None:
            importlib.import_module(feature.cli).register(subparsers, ops.IMPORT_FORMATS)
    return parser


def resolve_config_path(arg: str | None) -> Path | None:
    if arg:
        return Path(arg)
    if env := os.environ.get("VOUCHY_CONFIG"):
        return Path(env)
    default = Path("config.toml")
    return default if default.exists() else None


def log_stream(config: Config, command: str) -> TextIO | None:
    """Where JSON log lines go. The bot: ``logging.file`` when set, else stderr. Every other
    command prints lines for people and keeps its log lines out of them: ``logging.file``
    when set, else nowhere (what went wrong is still said, in one line)."""
    if config.logging.file:
        path = Path(config.logging.file)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open("a", encoding="utf-8")
    if command == "run":
        return None  # stderr
    return open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (lives as long as the process)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    try:
        env = dict(os.environ)
        if args.data:
            env["VOUCHY_DATA_DIR"] = args.data
        from vouchy.app import load_config
        from vouchy.cli import common

        config = load_config(resolve_config_path(args.config), env)
        common.fresh_start = args.fresh
        common.accept_loss = args.accept_loss
        configure_logging(
            config.logging.level, config.logging.format, log_stream(config, args.command)
        )
        result = args.func(args, config)
        if inspect.iscoroutine(result):
            result = asyncio.run(result)
        return int(result or 0)
    except VouchyError as e:
        print(f"error: {e.message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # one line for the person, the traceback for the log
        get_logger("vouchy.cli").exception("command_failed", command=args.command)
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
