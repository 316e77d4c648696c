"""The schema as numbered migrations, applied in order and recorded in ``PRAGMA user_version``.

A migration is never edited once released: add the next one. Invariant 3 (no balance below
zero) is enforced again here by CHECK constraints; the ledger is append-only by trigger.
"""

from __future__ import annotations

import sqlite3

LEDGER_KINDS = (
    "start",
    "earn",
    "spend",
    "transfer_out",
    "transfer_in",
    "admin_adjust",
    "daily",
    "vouch",
    "game_bet",
    "game_win",
    "redeem",
    "repair",
    "import",
)

# The largest single movement the schema accepts; the configured per-operation limit is lower.
MAX_ABS_DELTA = 10**12

_KINDS_SQL = ", ".join(f"'{k}'" for k in LEDGER_KINDS)

MIGRATIONS: list[str] = [
    # 1: accounts, the append-only ledger, transfers.
    f"""
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
        kind           TEXT NOT NULL CHECK (kind IN ({_KINDS_SQL})),
        reference      TEXT NOT NULL CHECK (length(reference) BETWEEN 1 AND 200),
        reason         TEXT NOT NULL DEFAULT '',
        acting_user_id INTEGER,
        created_at     INTEGER NOT NULL,
        UNIQUE (guild_id, reference),
        FOREIGN KEY (guild_id, user_id) REFERENCES accounts (guild_id, user_id)
    );
    -- Covers the audit's per-account sums and a member's history.
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
    """,
    # 2: per-guild settings (channels, admin role), set with /config (vouchy/store/settings.py).
    """
    CREATE TABLE guild_settings (
        guild_id         INTEGER PRIMARY KEY,
        log_channel_id   INTEGER CHECK (log_channel_id > 0),
        vouch_channel_id INTEGER CHECK (vouch_channel_id > 0),
        admin_role_id    INTEGER CHECK (admin_role_id > 0),
        updated_at       INTEGER NOT NULL,
        updated_by       INTEGER
    );
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring ``conn`` to ``SCHEMA_VERSION``; each migration commits with its version number."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise sqlite3.DatabaseError(
            f"database schema {version} is newer than this Vouchy ({SCHEMA_VERSION}); upgrade Vouchy"
        )
    for number in range(version + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _split(MIGRATIONS[number - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return SCHEMA_VERSION


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
