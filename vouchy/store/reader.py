"""The read side: queries on their own read-only connection, never waiting on the writer.

In WAL mode a read sees the last COMMIT and is not blocked by a write in progress. Rows come
back as ``sqlite3.Row`` (read by name). Features keep their queries in their service and run
them here; nothing here writes.

Each query is one hop to the connection's thread: executed, fetched and its cursor closed
there. A statement is never left open between hops: with thousands of reads in flight at once
(a rush on the shop), open statements made every step slower in SQLite (6,000 concurrent
single-row reads took 10.4 s in three hops each, 0.19 s in one).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiosqlite

from vouchy.store.audit import AuditReport, audit
from vouchy.store.connection import connect_async


def _fetch(conn: sqlite3.Connection, sql: str, params: Sequence[Any], many: bool) -> Any:
    """On the connection's thread: the rows (``many``) or the first row, cursor closed."""
    cursor = conn.execute(sql, params)
    try:
        return cursor.fetchall() if many else cursor.fetchone()
    finally:
        cursor.close()


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

    async def _query(self, sql: str, params: Sequence[Any], many: bool) -> Any:
        conn = self.conn
        # aiosqlite's one-hop call is untyped; _fetch says what it returns.
        return await conn._execute(_fetch, conn._conn, sql, params, many)  # type: ignore[no-untyped-call]

    async def rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return await self._query(sql, params, True)  # type: ignore[no-any-return]

    async def row(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        return await self._query(sql, params, False)  # type: ignore[no-any-return]

    async def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = await self._query(sql, params, False)
        return None if row is None else row[0]

    async def audit(self, guild_id: int | None = None, user_id: int | None = None) -> AuditReport:
        return await self.conn._execute(audit, self.conn._conn, guild_id, user_id)  # type: ignore[no-any-return]
