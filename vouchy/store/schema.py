"""The schema as named, numbered migrations: the store's own (``core.0001``...) and each
feature's (``levels.0001``...), applied in registration order, each recorded by name in
``schema_migrations`` inside its own transaction.

A migration is never edited once released: add the next one. Invariant 3 (no balance or
quantity below zero) is enforced again by CHECK constraints; the ledger is append-only by
trigger. ``PRAGMA user_version`` holds the store's format (``FORMAT``): an older Vouchy refuses
a newer database, and a database holding a migration this Vouchy does not know is refused too.

Features register their migrations at import (``register``); the composition root imports
every feature before anything opens the database, so every connection sees the whole schema.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Every kind a ledger row may have, in one place (the schema's CHECK is built from it).
LEDGER_KINDS = (
    "start",
    "earn",
    "spend",
    "transfer_out",
    "transfer_in",
    "admin_adjust",
    "daily",
    "vouch",
    "vouch_reversal",
    "game_bet",
    "game_win",
    "game_refund",
    "purchase",
    "refund",
    "redeem",
    "item_use",
    "level_reward",
    "repair",
    "import",
    "import_undo",
)

# The largest single movement the schema accepts; the configured per-operation limit is lower.
MAX_ABS_DELTA = 10**12

# The store's format (``PRAGMA user_version``): 3 = the batch journal, operations, outbox.
FORMAT = 3

_KINDS_SQL = ", ".join(f"'{k}'" for k in LEDGER_KINDS)


@dataclass(frozen=True)
class Migration:
    """``sql`` (a script) and/or ``fn`` (Python on the connection), run in one transaction."""

    name: str  # "<owner>.<4 digits>", e.g. "core.0003"
    sql: str = ""
    fn: Callable[[sqlite3.Connection], None] | None = None


_V1 = f"""
CREATE TABLE accounts (
    guild_id        INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    balance         INTEGER NOT NULL CHECK (balance >= 0),
    lifetime_earned INTEGER NOT NULL DEFAULT 0 CHECK (lifetime_earned >= 0),
    lifetime_spent  INTEGER NOT NULL DEFAULT 0 CHECK (lifetime_spent >= 0),
    xp              INTEGER NOT NULL DEFAULT 0 CHECK (xp >= 0),
    level           INTEGER NOT NULL DEFAULT 0 CHECK (level >= 0),
    last_daily_at   INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;

CREATE TABLE ledger (
    id             INTEGER PRIMARY KEY,
    guild_id       INTEGER NOT NULL,
    user_id        INTEGER NOT NULL,
    delta          INTEGER NOT NULL CHECK (delta BETWEEN -{MAX_ABS_DELTA} AND {MAX_ABS_DELTA}),
    balance_after  INTEGER NOT NULL CHECK (balance_after >= 0),
    kind           TEXT NOT NULL CHECK (kind IN ('start', 'earn', 'spend', 'transfer_out',
        'transfer_in', 'admin_adjust', 'daily', 'vouch', 'game_bet', 'game_win', 'redeem',
        'repair', 'import')),
    reference      TEXT NOT NULL CHECK (length(reference) BETWEEN 1 AND 200),
    reason         TEXT NOT NULL DEFAULT '',
    acting_user_id INTEGER,
    created_at     INTEGER NOT NULL,
    UNIQUE (guild_id, reference),
    FOREIGN KEY (guild_id, user_id) REFERENCES accounts (guild_id, user_id)
);
CREATE INDEX ledger_by_account ON ledger (guild_id, user_id, delta);

CREATE TRIGGER ledger_is_append_only_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_is_append_only_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

CREATE TABLE transfers (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    from_user_id     INTEGER NOT NULL,
    to_user_id       INTEGER NOT NULL CHECK (to_user_id != from_user_id),
    amount           INTEGER NOT NULL CHECK (amount > 0),
    debit_ledger_id  INTEGER NOT NULL UNIQUE REFERENCES ledger (id),
    credit_ledger_id INTEGER NOT NULL UNIQUE REFERENCES ledger (id),
    created_at       INTEGER NOT NULL
);
"""

_V2 = """
CREATE TABLE guild_settings (
    guild_id         INTEGER PRIMARY KEY,
    log_channel_id   INTEGER CHECK (log_channel_id > 0),
    vouch_channel_id INTEGER CHECK (vouch_channel_id > 0),
    admin_role_id    INTEGER CHECK (admin_role_id > 0),
    updated_at       INTEGER NOT NULL,
    updated_by       INTEGER
);
"""

# The batch journal's format: every table a change can touch, an operations record per
# reference (idempotency, remembered refusals), the outbox, settings as rows, cooldowns.
_V3 = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;

CREATE TABLE operations (
    guild_id    INTEGER NOT NULL,
    reference   TEXT NOT NULL CHECK (length(reference) BETWEEN 1 AND 200),
    seq         INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    name        TEXT NOT NULL,
    fingerprint TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('ok', 'refused')),
    result      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, reference)
) WITHOUT ROWID;

CREATE TABLE ledger_v3 (
    id             INTEGER PRIMARY KEY,
    guild_id       INTEGER NOT NULL,
    user_id        INTEGER NOT NULL,
    delta          INTEGER NOT NULL CHECK (delta BETWEEN -{MAX_ABS_DELTA} AND {MAX_ABS_DELTA}),
    balance_after  INTEGER NOT NULL CHECK (balance_after >= 0),
    kind           TEXT NOT NULL CHECK (kind IN ({_KINDS_SQL})),
    reference      TEXT NOT NULL CHECK (length(reference) BETWEEN 1 AND 200),
    reason         TEXT NOT NULL DEFAULT '',
    acting_user_id INTEGER,
    created_at     INTEGER NOT NULL,
    FOREIGN KEY (guild_id, user_id) REFERENCES accounts (guild_id, user_id)
);
INSERT INTO ledger_v3 SELECT * FROM ledger;
DROP TABLE ledger;
ALTER TABLE ledger_v3 RENAME TO ledger;
CREATE INDEX ledger_by_account ON ledger (guild_id, user_id, delta);
CREATE TRIGGER ledger_is_append_only_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_is_append_only_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

CREATE TABLE cooldowns (
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    name     TEXT NOT NULL,
    at       INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id, name)
) WITHOUT ROWID;
INSERT INTO cooldowns SELECT guild_id, user_id, 'points.daily', last_daily_at
FROM accounts WHERE last_daily_at IS NOT NULL;

CREATE TABLE accounts_v3 (
    guild_id        INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    balance         INTEGER NOT NULL CHECK (balance >= 0),
    lifetime_earned INTEGER NOT NULL DEFAULT 0 CHECK (lifetime_earned >= 0),
    lifetime_spent  INTEGER NOT NULL DEFAULT 0 CHECK (lifetime_spent >= 0),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;
INSERT INTO accounts_v3 SELECT guild_id, user_id, balance, lifetime_earned, lifetime_spent,
    created_at, updated_at FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_v3 RENAME TO accounts;

CREATE TABLE settings (
    guild_id   INTEGER NOT NULL,
    feature    TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER,
    PRIMARY KEY (guild_id, feature, key)
) WITHOUT ROWID;
INSERT INTO settings SELECT guild_id, 'core', 'log_channel', log_channel_id, updated_at, updated_by
FROM guild_settings WHERE log_channel_id IS NOT NULL;
INSERT INTO settings SELECT guild_id, 'vouches', 'channels', '[' || vouch_channel_id || ']',
    updated_at, updated_by FROM guild_settings WHERE vouch_channel_id IS NOT NULL;
INSERT INTO settings SELECT guild_id, 'core', 'admin_role', admin_role_id, updated_at, updated_by
FROM guild_settings WHERE admin_role_id IS NOT NULL;
DROP TABLE guild_settings;

CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    reference  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_at    INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, next_at);
"""


def _v3_data(conn: sqlite3.Connection) -> None:
    """The data directory's identity; the last ledger id written by the line-per-row
    journal (a snapshot of that version ending there is this history's batch 0); an
    operations record for every reference callers gave before (so a redelivered event
    still changes nothing after the upgrade)."""
    last_id = conn.execute("SELECT COALESCE(MAX(id), 0) FROM ledger").fetchone()[0]
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [("data_id", uuid.uuid4().hex), ("journal_seq", 0), ("legacy_last_ledger_id", last_id)],
    )
    # References the old writer made for itself (opening rows, transfer credits) were never a
    # caller's; the receipt of an old operation is its ledger row.
    conn.execute(
        """INSERT INTO operations (guild_id, reference, seq, user_id, name, fingerprint, status,
                                   result, created_at)
           SELECT guild_id, reference, 0, user_id, 'legacy.' || kind, '', 'ok',
                  json_object('reference', reference, 'guild_id', guild_id, 'user_id', user_id,
                              'seq', 0, 'created_at', created_at,
                              'moves', json_array(json_array(id, user_id, delta, balance_after,
                                                             kind))),
                  created_at
           FROM ledger WHERE kind NOT IN ('start', 'transfer_in')"""
    )


CORE_MIGRATIONS: tuple[Migration, ...] = (
    Migration("core.0001", _V1),
    Migration("core.0002", _V2),
    Migration("core.0003", _V3, _v3_data),
)

_registered: list[Migration] = list(CORE_MIGRATIONS)


def register(migrations: Sequence[Migration]) -> None:
    """Add a feature's migrations (at import of the feature); names must be new."""
    known = {m.name for m in _registered}
    for migration in migrations:
        if migration.name in known:
            if migration not in _registered:
                raise ValueError(f"migration {migration.name} is registered twice")
            continue
        _registered.append(migration)
        known.add(migration.name)


def migrations() -> tuple[Migration, ...]:
    return tuple(_registered)


class SchemaTooNew(sqlite3.DatabaseError):
    """The database was written by a newer Vouchy."""


def applied(conn: sqlite3.Connection) -> list[str]:
    """The migrations recorded in the database (``core.0001``...), in the order applied."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "schema_migrations" in tables:
        return [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY rowid")]
    # Before named migrations: user_version counted the core ones.
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    return [m.name for m in CORE_MIGRATIONS[:version]]


def unknown(conn: sqlite3.Connection) -> list[str]:
    """Migrations in the database that this Vouchy does not know (a newer version's)."""
    known = {m.name for m in _registered}
    return [name for name in applied(conn) if name not in known]


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply every registered migration the database lacks, each in its own transaction with
    its record; returns the names applied. Foreign keys are off meanwhile (SQLite's way to
    rebuild a table), and checked before each COMMIT."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > FORMAT:
        raise SchemaTooNew(
            f"database format {version} is newer than this Vouchy's ({FORMAT}); upgrade Vouchy"
        )
    done = applied(conn)
    if strange := unknown(conn):
        raise SchemaTooNew(
            f"the database holds migrations this Vouchy does not know ({', '.join(strange)}): "
            "it was written by a newer Vouchy; upgrade Vouchy"
        )
    todo = [m for m in _registered if m.name not in done]
    if not todo:
        return []
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        for migration in todo:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations "
                    "(name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)"
                )
                conn.executemany(
                    "INSERT OR IGNORE INTO schema_migrations (name, applied_at) VALUES (?, 0)",
                    [(name,) for name in done],
                )
                for statement in _split(migration.sql):
                    conn.execute(statement)
                if migration.fn is not None:
                    migration.fn(conn)
                problems = conn.execute("PRAGMA foreign_key_check").fetchall()
                if problems:
                    raise sqlite3.IntegrityError(
                        f"migration {migration.name} breaks a foreign key: {problems[:3]}"
                    )
                conn.execute(
                    "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                    (migration.name, int(time.time() * 1000)),
                )
                if migration.name.startswith("core."):
                    number = int(migration.name.split(".")[1])
                    conn.execute(f"PRAGMA user_version = {number}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            done.append(migration.name)
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    return [m.name for m in todo]


def _split(script: str) -> list[str]:
    """Split a script into statements, keeping trigger bodies whole."""
    statements, current = [], []
    for line in script.splitlines():
        if line.strip().startswith("--"):
            continue
        current.append(line)
        text = "\n".join(current)
        if sqlite3.complete_statement(text):
            if text.strip():
                statements.append(text.strip())
            current = []
    if "\n".join(current).strip():
        statements.append("\n".join(current).strip())
    return statements
