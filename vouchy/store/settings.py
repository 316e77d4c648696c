"""Per-guild settings (the log and vouch channels, the admin role): rows of ``guild_settings``.

Read through an in-memory cache that is exact, because this process is the only writer of the
data directory (``DataLock``); written through the writer's connection between two ledger
batches (``Writer.execute``), each change in its own transaction. A change is answered only
after its COMMIT. Settings are not balances: they are not in the ledger or the journal.
"""

from __future__ import annotations

import sqlite3
import time

import msgspec

from vouchy.core.errors import InvalidInput
from vouchy.store.reader import Reader
from vouchy.store.writer import Writer

# The settings a guild can change, in the order /config shows them.
FIELDS = ("log_channel_id", "vouch_channel_id", "admin_role_id")

_SELECT = (
    "SELECT guild_id, log_channel_id, vouch_channel_id, admin_role_id, updated_at, updated_by"
    " FROM guild_settings WHERE guild_id = ?"
)


class GuildSettings(msgspec.Struct, frozen=True, kw_only=True):
    guild_id: int
    log_channel_id: int | None = None
    vouch_channel_id: int | None = None
    admin_role_id: int | None = None
    updated_at: int | None = None  # unix milliseconds; None = never set
    updated_by: int | None = None


def _row(row: tuple | None, guild_id: int) -> GuildSettings:
    if row is None:
        return GuildSettings(guild_id=guild_id)
    g, log_channel, vouch_channel, admin_role, updated_at, updated_by = row
    return GuildSettings(
        guild_id=g,
        log_channel_id=log_channel,
        vouch_channel_id=vouch_channel,
        admin_role_id=admin_role,
        updated_at=updated_at,
        updated_by=updated_by,
    )


def check_changes(changes: dict[str, int | None]) -> dict[str, int | None]:
    """Known settings only; each a Discord id (a positive snowflake) or None to clear it."""
    for key, value in changes.items():
        if key not in FIELDS:
            raise InvalidInput(f"There is no setting called {key!r}.")
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63
        ):
            raise InvalidInput(f"{key} must be a channel or role of this server.")
    return changes


def read_settings(conn: sqlite3.Connection, guild_id: int) -> GuildSettings:
    return _row(conn.execute(_SELECT, (guild_id,)).fetchone(), guild_id)


def write_settings(
    conn: sqlite3.Connection,
    guild_id: int,
    changes: dict[str, int | None],
    updated_by: int | None,
    now_ms: int | None = None,
) -> GuildSettings:
    """Apply ``changes`` to a guild's row in one transaction; return the row as committed."""
    check_changes(changes)
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "INSERT INTO guild_settings (guild_id, updated_at, updated_by) VALUES (?, ?, ?)"
            " ON CONFLICT (guild_id) DO NOTHING",
            (guild_id, now_ms, updated_by),
        )
        assignments = ", ".join(f"{key} = ?" for key in changes)
        conn.execute(
            f"UPDATE guild_settings SET {assignments}{', ' if changes else ''}"
            "updated_at = ?, updated_by = ? WHERE guild_id = ?",
            (*changes.values(), now_ms, updated_by, guild_id),
        )
        row = conn.execute(_SELECT, (guild_id,)).fetchone()
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return _row(row, guild_id)


class SettingsStore:
    """Guild settings for the Discord layer: ``get`` (cached) and ``update`` (committed)."""

    def __init__(self, writer: Writer, reader: Reader, cache_size: int = 10_000) -> None:
        self.writer = writer
        self.reader = reader
        self.cache_size = cache_size
        self._cache: dict[int, GuildSettings] = {}

    async def get(self, guild_id: int) -> GuildSettings:
        cached = self._cache.get(guild_id)
        if cached is not None:
            return cached
        async with self.reader.conn.execute(_SELECT, (guild_id,)) as cur:
            settings = _row(await cur.fetchone(), guild_id)
        # An update that committed while this read was in flight has already filled the cache.
        return self._cache.get(guild_id) or self._remember(settings)

    async def update(
        self, guild_id: int, changes: dict[str, int | None], *, updated_by: int | None
    ) -> GuildSettings:
        """Change some settings (None clears one); answered after the COMMIT."""
        check_changes(changes)
        settings = await self.writer.execute(write_settings, guild_id, changes, updated_by)
        assert isinstance(settings, GuildSettings)
        self._remember(settings)
        return settings

    def _remember(self, settings: GuildSettings) -> GuildSettings:
        if settings.guild_id not in self._cache and len(self._cache) >= self.cache_size:
            self._cache.pop(next(iter(self._cache)))
        self._cache[settings.guild_id] = settings
        return settings
