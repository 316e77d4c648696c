"""Opening SQLite the one way Vouchy does: WAL, the configured ``synchronous``, foreign keys,
a busy timeout, and the schema migrated. Every connection, sync or async, comes from here.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiosqlite

from vouchy.store.schema import migrate

BUSY_TIMEOUT_MS = 5_000
# A backstop only: the writer's Checkpointer keeps the WAL short without making a COMMIT
# wait. If it ever stops, SQLite itself checkpoints at ~40 MB.
WAL_AUTOCHECKPOINT_PAGES = 10_000
WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024


def _pragmas(conn: sqlite3.Connection, synchronous: str, readonly: bool) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if not readonly:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise sqlite3.OperationalError(f"could not switch {mode} journal to WAL")
        conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
        conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT_BYTES}")
        # 8 MiB of pages: 32 MiB bought no throughput and cost 29 MB of RSS.
        conn.execute("PRAGMA cache_size = -8192")
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    conn.execute("PRAGMA foreign_keys = ON")
    if readonly:
        conn.execute("PRAGMA query_only = ON")


def connect_sync(
    path: Path | str, synchronous: str = "FULL", readonly: bool = False
) -> sqlite3.Connection:
    """A stdlib connection in autocommit mode (explicit BEGIN/COMMIT), migrated unless read-only."""
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        _pragmas(conn, synchronous, readonly)
        if not readonly:
            migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


async def connect_async(
    path: Path | str, synchronous: str = "FULL", readonly: bool = False
) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    try:
        # aiosqlite's private hop to its thread (untyped): the pragmas and migrations in one.
        await conn._execute(_pragmas, conn._conn, synchronous, readonly)  # type: ignore[no-untyped-call]
        if not readonly:
            await conn._execute(migrate, conn._conn)  # type: ignore[no-untyped-call]
    except BaseException:
        await conn.close()
        raise
    return conn
