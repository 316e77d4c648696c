"""What several subcommands share: opening the store, printing JSON, parsing ids."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import msgspec

from vouchy.app import Vouchy, startup_check
from vouchy.core.config import Config
from vouchy.core.errors import VouchyError
from vouchy.store.reader import Reader


class NoDatabase(VouchyError):
    code = "no_database"


# The global --fresh flag (set by ``main``): a missing or damaged database starts empty
# instead of being rebuilt from the snapshots and the journal.
fresh_start = False
# The global --accept-loss flag: a rebuild may leave out what the journal cannot provide.
accept_loss = False


def snowflake(text: str) -> int:
    """An argparse type for Discord ids."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a Discord id (a positive whole number)"
        ) from None
    if not 0 < value < 2**63:
        raise argparse.ArgumentTypeError(f"{text!r} is not a Discord id (a positive whole number)")
    return value


def print_json(value: Any) -> None:
    sys.stdout.write(msgspec.json.encode(value).decode() + "\n")


def require_database(config: Config) -> None:
    if not config.db_path.exists():
        raise NoDatabase(
            f"no database at {config.db_path} (use --data DIR to point at the data directory)"
        )


async def open_vouchy(config: Config) -> Vouchy:
    """The full stack (writer, reader, actors) for commands that write; its start runs the
    start-up check (and recovery) first."""
    return await Vouchy(config, fresh=fresh_start, accept_loss=accept_loss).start()


async def open_reader(config: Config) -> Reader:
    """A read-only view for commands that only look, after the start-up check (skipped while
    a bot holds the data directory: it ran its own)."""
    await startup_check(config, fresh=fresh_start, accept_loss=accept_loss)
    require_database(config)
    reader = Reader(config.db_path)
    await reader.start()
    return reader
