"""What several subcommands share: opening the store, printing JSON, parsing ids."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import msgspec

from vouchy.app import Vouchy, startup_check
from vouchy.core.config import Config
from vouchy.core.errors import VouchyError
from vouchy.store.durability.lock import DataDirectoryBusy
from vouchy.store.durability.recovery import Recovery
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


def require_data(config: Config) -> None:
    """A data directory with a database, or what rebuilds one (a journal, snapshots): a
    command that only reads or repairs never makes an empty one on a mistyped --data."""
    if config.db_path.exists():
        return
    journal = config.journal_dir
    has_journal = journal.is_dir() and any(journal.glob("*.log"))
    has_snapshots = config.snapshot_dir.is_dir() and any(config.snapshot_dir.glob("vouchy-*.db"))
    if not (has_journal or has_snapshots):
        require_database(config)


async def open_vouchy(config: Config, *, create: bool = False) -> Vouchy:
    """The full stack (writer, reader, actors) for commands that write; its start runs the
    start-up check (and recovery) first. Only ``create`` may start a new data directory."""
    if not create:
        require_data(config)
    app = await Vouchy(config, fresh=fresh_start, accept_loss=accept_loss).start()
    say_recovery(app.recovery)
    return app


async def open_reader(config: Config) -> Reader:
    """A read-only view for commands that only look, after the start-up check (skipped while
    a bot holds the data directory: it ran its own)."""
    require_data(config)
    say_recovery(await startup_check(config, fresh=fresh_start, accept_loss=accept_loss))
    require_database(config)
    reader = Reader(config.db_path)
    await reader.start()
    return reader


def say_recovery(found: Recovery | None) -> None:
    """One line for the person when the start-up check did more than look."""
    if found is None or found.action in ("ok", "created", "skipped"):
        return
    if found.action == "recovered":
        line = f"the database was rebuilt from {found.base} ({found.problem}); nothing acknowledged was lost"
        if found.lost:
            line = f"the database was rebuilt from {found.base}, without: {'; '.join(found.lost)}"
    elif found.action == "rolled_forward":
        line = f"applied {found.replayed} batch(es) the journal held past the database"
    elif found.action == "tail_discarded":
        line = "set aside the end of a journal record cut short by a crash (never committed)"
    elif found.action == "migrated":
        line = f"moved the old journal aside ({found.moved_aside}) for the batch journal"
    else:
        line = f"started empty; the old files are in {found.moved_aside}"
    print(f"note: {line}", file=sys.stderr)


class ImportNeedsTheBotStopped(VouchyError):
    code = "data_directory_busy"


async def open_for_import(config: Config, *, undo: bool = False) -> Vouchy:
    """The app for an import (moving in may start a data directory) or its undo, or one line
    saying the bot must be stopped first: both write through the writer the bot holds."""
    try:
        return await open_vouchy(config, create=not undo)
    except DataDirectoryBusy as e:
        held = e.message.split(";")[0]
        if undo:
            raise ImportNeedsTheBotStopped(
                f"cannot undo an import while the bot runs: {held}; nothing was changed"
            ) from None
        raise ImportNeedsTheBotStopped(
            f"cannot import while the bot runs: {held}. Stop the bot, import, then start it "
            "again; nothing was imported"
        ) from None
