"""A batch's effect on the database as plain rows, and the one code that writes it.

A ``WriteSet`` is what one committed batch wrote: the ledger rows and transfers it appended,
the operations it recorded, and the after-image of every other row it changed (``puts``: the
whole row as it stands after the batch; ``deletes``: keys). The writer builds one per batch,
``apply`` writes it, the journal stores it, and recovery replays it with the same ``apply``:
replaying needs no rule of any feature, only these rows. A batch is the unit: it is written,
journaled and replayed whole or not at all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

from vouchy.store.catalog import Table

# (id, guild_id, user_id, delta, balance_after, kind, reference, reason, acting_user_id,
#  created_at): the ledger's columns in order.
LedgerRow = tuple[int, int, int, int, int, str, str, str, int | None, int]
# (guild_id, from_user_id, to_user_id, amount, debit_ledger_id, credit_ledger_id, created_at)
TransferRow = tuple[int, int, int, int, int, int, int]


class OpRow(msgspec.Struct, frozen=True, array_like=True):
    """A row of ``operations``: the first result of a reference (a receipt or a refusal)."""

    guild_id: int
    reference: str
    seq: int
    user_id: int
    name: str
    fingerprint: str
    status: str  # ok | refused
    result: msgspec.Raw  # the receipt or the refusal, as JSON
    created_at: int

    def sql(self) -> tuple[Any, ...]:
        return (
            self.guild_id,
            self.reference,
            self.seq,
            self.user_id,
            self.name,
            self.fingerprint,
            self.status,
            bytes(self.result).decode(),
            self.created_at,
        )


class WriteSet(msgspec.Struct, array_like=True):
    seq: int  # the batch's sequence number: stored in meta by the same transaction
    at: int  # unix milliseconds of the batch
    ledger: list[LedgerRow] = []
    transfers: list[TransferRow] = []
    operations: list[OpRow] = []
    puts: dict[str, list[tuple[Any, ...]]] = {}  # table -> rows, columns in table order
    deletes: dict[str, list[tuple[Any, ...]]] = {}  # table -> primary keys

    def __len__(self) -> int:
        return (
            len(self.ledger)
            + len(self.operations)
            + sum(map(len, self.puts.values()))
            + sum(map(len, self.deletes.values()))
        )


_INSERT_LEDGER = "INSERT INTO ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_INSERT_TRANSFER = """
INSERT INTO transfers (guild_id, from_user_id, to_user_id, amount, debit_ledger_id,
                       credit_ledger_id, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
"""
_INSERT_OPERATION = "INSERT INTO operations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
_SET_SEQ = "UPDATE meta SET value = ? WHERE key = 'journal_seq'"


class UnknownTable(sqlite3.DatabaseError):
    """A write set names a table or column the database does not have."""


class Applier:
    """Writes write sets to one database whose tables are ``catalog``. ``columns`` (a
    journal segment's record of each table's columns when it was written) lets a batch
    journaled before a migration be replayed after it: its rows are matched by name."""

    def __init__(self, catalog: dict[str, Table]) -> None:
        self.catalog = catalog
        self._upserts: dict[tuple[str, tuple[str, ...]], str] = {}
        self._deletes: dict[str, str] = {}

    def table(self, name: str) -> Table:
        found = self.catalog.get(name)
        if found is None:
            raise UnknownTable(f"no table {name!r}")
        return found

    def upsert_sql(self, name: str, columns: Sequence[str]) -> str:
        cached = self._upserts.get((name, tuple(columns)))
        if cached is not None:
            return cached
        table = self.table(name)
        if missing := [c for c in columns if c not in table.columns]:
            raise UnknownTable(f"table {name!r} has no column {missing[0]!r}")
        cols = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        rest = [c for c in columns if c not in table.key]
        update = ", ".join(f'"{c}" = excluded."{c}"' for c in rest)
        conflict = ", ".join(f'"{c}"' for c in table.key)
        sql = f'INSERT INTO "{name}" ({cols}) VALUES ({marks})'
        sql += f" ON CONFLICT ({conflict}) DO " + (f"UPDATE SET {update}" if update else "NOTHING")
        self._upserts[(name, tuple(columns))] = sql
        return sql

    def delete_sql(self, name: str) -> str:
        cached = self._deletes.get(name)
        if cached is None:
            table = self.table(name)
            where = " AND ".join(f'"{c}" = ?' for c in table.key)
            cached = self._deletes[name] = f'DELETE FROM "{name}" WHERE {where}'
        return cached

    def apply(
        self,
        conn: sqlite3.Connection,
        ws: WriteSet,
        columns: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        """Write ``ws`` inside the caller's transaction (foreign keys checked at COMMIT)."""
        conn.execute("PRAGMA defer_foreign_keys = ON")
        for name, rows in ws.puts.items():
            if rows:
                cols = columns[name] if columns and name in columns else self.table(name).columns
                conn.executemany(self.upsert_sql(name, cols), rows)
        for name, keys in ws.deletes.items():
            if keys:
                conn.executemany(self.delete_sql(name), keys)
        if ws.ledger:
            conn.executemany(_INSERT_LEDGER, ws.ledger)
        if ws.transfers:
            conn.executemany(_INSERT_TRANSFER, ws.transfers)
        if ws.operations:
            conn.executemany(_INSERT_OPERATION, [o.sql() for o in ws.operations])
        conn.execute(_SET_SEQ, (ws.seq,))


def coalesce(batches: Iterable[WriteSet], positions: dict[str, tuple[int, ...]]) -> WriteSet:
    """Many consecutive batches as one write set with the same final effect: appended rows
    in order, and per row only its last state (a put, or a delete). For replaying a long
    journal with one ``executemany`` per table instead of one per batch. ``positions``: where
    each table's primary key lies in its rows."""
    ledger: list[LedgerRow] = []
    transfers: list[TransferRow] = []
    operations: list[OpRow] = []
    rows: dict[str, dict[tuple[Any, ...], tuple[Any, ...] | None]] = {}
    seq = at = 0
    for ws in batches:
        seq, at = ws.seq, ws.at
        ledger.extend(ws.ledger)
        transfers.extend(ws.transfers)
        operations.extend(ws.operations)
        for name, put in ws.puts.items():
            key_at = positions[name]
            found = rows.setdefault(name, {})
            for row in put:
                found[tuple(row[p] for p in key_at)] = tuple(row)
        for name, keys in ws.deletes.items():
            found = rows.setdefault(name, {})
            for key in keys:
                found[tuple(key)] = None
    puts = {n: [r for r in found.values() if r is not None] for n, found in rows.items()}
    deletes = {n: [k for k, r in found.items() if r is None] for n, found in rows.items()}
    return WriteSet(seq, at, ledger, transfers, operations, puts, deletes)
