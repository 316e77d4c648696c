"""The read side: queries on their own read-only connection, never waiting on the writer.

In WAL mode a read sees the last COMMIT and is not blocked by a write in progress. Rows come
back as ``sqlite3.Row`` (read by name). Features keep their queries in their service and run
them here; nothing here writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiosqlite

from vouchy.store.audit import AuditReport, audit
from vouchy.store.connection import connect_async


class Reader:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._conn: aiosqlite.Connection | None = None

    async def start(self) -> None:
        self._conn = await connect_async(self.path, readonly=True)
        self._conn.row_factory = sqlite3.Row

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    @property
    def conn(self) -> aiosqlite.Connection:
        assert self._conn is not None, "Reader.start() was not awaited"
        return self._conn

    async def rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        async with self.conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def row(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        async with self.conn.execute(sql, params) as cur:
            return await cur.fetchone()

    async def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        async with self.conn.execute(sql, params) as cur:
            row = await cur.fetchone()
        return None if row is None else row[0]

    async def audit(self, guild_id: int | None = None, user_id: int | None = None) -> AuditReport:
        # aiosqlite's private hop (untyped): the whole audit on the read connection's thread.
        found: AuditReport = await self.conn._execute(audit, self.conn._conn, guild_id, user_id)  # type: ignore[no-untyped-call]
        return found
