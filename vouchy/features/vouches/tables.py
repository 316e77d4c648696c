"""The vouch feature's tables (numbered migrations, never edited once released) and its audit
check: each provider's count equals their accepted vouch rows.

- ``vouches``: one row per vouch, keyed by its reference (``vouch:<message id>`` for a message,
  so a redelivered MESSAGE_CREATE finds its row; ``vouch:admin:<interaction id>``,
  ``vouch:import:<digest>``): its state, who vouched for whom, when, where, what it paid (or
  will pay, while pending) and its proof's perceptual hash (signed 64-bit).
- ``vouch_counts``: a provider's count, the derived counter ``/vouches`` and the ranking read;
  it moves by ``Add`` in the same operation as the vouch's state, so it never drifts unless a
  row is changed by hand, which the audit reports and ``repair`` fixes from the rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from vouchy.store.audit import Check, Discrepancy
from vouchy.store.operations import Expect, Put
from vouchy.store.schema import Migration

V1 = """
CREATE TABLE vouches (
    guild_id        INTEGER NOT NULL,
    reference       TEXT NOT NULL CHECK (length(reference) BETWEEN 1 AND 200),
    message_id      INTEGER CHECK (message_id > 0),
    channel_id      INTEGER CHECK (channel_id > 0),
    voucher_id      INTEGER NOT NULL CHECK (voucher_id > 0),
    provider_id     INTEGER NOT NULL CHECK (provider_id > 0 AND provider_id != voucher_id),
    created_at      INTEGER NOT NULL,
    state           TEXT NOT NULL
        CHECK (state IN ('pending', 'accepted', 'denied', 'reversed', 'removed')),
    source          TEXT NOT NULL DEFAULT 'message'
        CHECK (source IN ('message', 'admin', 'import')),
    voucher_points  INTEGER NOT NULL DEFAULT 0 CHECK (voucher_points >= 0),
    provider_points INTEGER NOT NULL DEFAULT 0 CHECK (provider_points >= 0),
    proof_hash      INTEGER,
    decided_by      INTEGER,
    decided_at      INTEGER,
    reason          TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (guild_id, reference)
) WITHOUT ROWID;
CREATE INDEX vouches_by_voucher ON vouches (guild_id, voucher_id, created_at);
CREATE INDEX vouches_by_pair ON vouches (guild_id, voucher_id, provider_id, created_at);
CREATE INDEX vouches_by_provider ON vouches (guild_id, provider_id, state, created_at);

CREATE TABLE vouch_counts (
    guild_id    INTEGER NOT NULL,
    provider_id INTEGER NOT NULL,
    count       INTEGER NOT NULL DEFAULT 0 CHECK (count >= 0),
    PRIMARY KEY (guild_id, provider_id)
) WITHOUT ROWID;
CREATE INDEX vouch_counts_ranked ON vouch_counts (guild_id, count DESC, provider_id);
"""

MIGRATIONS = (Migration("vouches.0001", V1),)

# The states that count toward a provider's count: points and count are given on acceptance
# (at once, or when a moderator approves), taken back on reversal or removal.
COUNTED = "accepted"


def _counts(
    conn: sqlite3.Connection, guild_id: int | None, user_id: int | None
) -> list[Discrepancy]:
    """Each provider whose stored count is not the number of their accepted vouches."""
    where, params = ["1"], []
    if guild_id is not None:
        where.append("guild_id = ?")
        params.append(guild_id)
    if user_id is not None:
        where.append("provider_id = ?")
        params.append(user_id)
    scope = " AND ".join(where)
    found = []
    for g, p, stored, actual in conn.execute(
        f"""
        WITH actual AS (
            SELECT guild_id, provider_id, COUNT(*) AS n FROM vouches
            WHERE {scope} AND state = '{COUNTED}' GROUP BY guild_id, provider_id
        ), stored AS (
            SELECT guild_id, provider_id, count AS n FROM vouch_counts WHERE {scope}
        )
        SELECT s.guild_id, s.provider_id, s.n, COALESCE(a.n, 0) FROM stored s
            LEFT JOIN actual a USING (guild_id, provider_id)
            WHERE s.n != COALESCE(a.n, 0)
        UNION ALL
        SELECT a.guild_id, a.provider_id, NULL, a.n FROM actual a
            WHERE NOT EXISTS (SELECT 1 FROM stored s
                              WHERE s.guild_id = a.guild_id AND s.provider_id = a.provider_id)
        ORDER BY 1, 2
        """,
        params + params,
    ):
        found.append(
            Discrepancy(
                g,
                p,
                "vouch_count_mismatch",
                balance=stored,
                ledger_sum=actual,
                check="vouch_counts",
                key=[g, p],
                detail=f"count {stored if stored is not None else 'missing'}, "
                f"{actual} accepted vouches",
            )
        )
    return found


def _fix(d: Discrepancy) -> Sequence[Any] | None:
    """The count set to the number of accepted rows the audit saw, only if it is still the
    value the audit saw (a vouch counted meanwhile makes the repair refuse: audit again)."""
    if d.key is None or d.ledger_sum is None:
        return None
    key = (int(d.key[0]), int(d.key[1]))
    return (
        Expect(
            table="vouch_counts",
            key=key,
            op="missing" if d.balance is None else "eq",
            column="count",
            value=d.balance,
            refuse="vouches.repair_moved",
        ),
        Put(table="vouch_counts", key=key, values={"count": d.ledger_sum}),
    )


CHECKS = (Check("vouch_counts", _counts, _fix),)
