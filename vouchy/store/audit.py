"""The audit (invariant 2): every stored balance equals the sum of its ledger deltas, every
transfer has both halves, the ledger's ids have no gap, and every check a feature registers
(a derived counter equals the count of its source rows, no quantity below zero...) holds.

Runs on any sqlite3 connection, so the same checks serve the live database, the command line
and a snapshot copy under verification. It only reads: a repair is a change like any other,
submitted through the writer (each check says how to fix what it finds, when it can).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec


class Discrepancy(msgspec.Struct, frozen=True):
    guild_id: int | None
    user_id: int | None
    problem: str  # balance_mismatch | negative_balance | ledger_without_account | ...
    balance: int | None = None  # the stored value
    ledger_sum: int | None = None  # the value its source rows give
    check: str = "ledger"
    key: list[Any] | None = None  # the row at fault, for a feature's check
    detail: str = ""


class AuditReport(msgspec.Struct, frozen=True):
    accounts: int
    ledger_rows: int
    total_points: int
    discrepancies: list[Discrepancy]

    @property
    def clean(self) -> bool:
        return not self.discrepancies


# (connection, guild or None, user or None) -> what is wrong
Run = Callable[[sqlite3.Connection, "int | None", "int | None"], list[Discrepancy]]


@dataclass(frozen=True)
class Check:
    """A feature's invariant: ``run`` lists each row where it does not hold; ``fix`` turns
    one discrepancy into the row changes (``vouchy.store.operations``) that restore it from
    its source rows, or None when only a person can decide."""

    name: str
    run: Run
    fix: Callable[[Discrepancy], Sequence[Any] | None] | None = None


_checks: dict[str, Check] = {}


def register(check: Check) -> None:
    _checks[check.name] = check


def checks() -> list[Check]:
    return list(_checks.values())


def _scope(guild_id: int | None, user_id: int | None, alias: str) -> tuple[str, tuple[int, ...]]:
    clauses, params = [], []
    if guild_id is not None:
        clauses.append(f"{alias}.guild_id = ?")
        params.append(guild_id)
    if user_id is not None:
        clauses.append(f"{alias}.user_id = ?")
        params.append(user_id)
    return (" AND ".join(clauses) or "1"), tuple(params)


def _balances(
    conn: sqlite3.Connection, guild_id: int | None, user_id: int | None
) -> list[Discrepancy]:
    where_a, params_a = _scope(guild_id, user_id, "a")
    where_l, params_l = _scope(guild_id, user_id, "l")
    sums = (
        "SELECT l.guild_id, l.user_id, SUM(l.delta) AS total FROM ledger l "
        f"WHERE {where_l} GROUP BY l.guild_id, l.user_id"
    )
    found: list[Discrepancy] = []
    for g, u, balance, total in conn.execute(
        f"""SELECT a.guild_id, a.user_id, a.balance, COALESCE(s.total, 0)
            FROM accounts a LEFT JOIN ({sums}) s ON s.guild_id = a.guild_id AND s.user_id = a.user_id
            WHERE {where_a} AND (a.balance != COALESCE(s.total, 0) OR a.balance < 0)""",
        params_l + params_a,
    ):
        problem = "negative_balance" if balance < 0 else "balance_mismatch"
        found.append(Discrepancy(g, u, problem, balance, total))
    for g, u, total in conn.execute(
        f"""SELECT s.guild_id, s.user_id, s.total FROM ({sums}) s
            WHERE NOT EXISTS (SELECT 1 FROM accounts a
                              WHERE a.guild_id = s.guild_id AND a.user_id = s.user_id)""",
        params_l,
    ):
        found.append(Discrepancy(g, u, "ledger_without_account", None, total))
    return found


def _transfers(
    conn: sqlite3.Connection, guild_id: int | None, user_id: int | None
) -> list[Discrepancy]:
    """Every transfer's debit has its credit and its link, with the same amount."""
    where, params = _scope(guild_id, user_id, "l")
    found = []
    for g, u, ledger_id, kind in conn.execute(
        f"""SELECT l.guild_id, l.user_id, l.id, l.kind FROM ledger l
            WHERE {where} AND l.kind IN ('transfer_out', 'transfer_in')
              AND NOT EXISTS (SELECT 1 FROM transfers t
                              WHERE t.debit_ledger_id = l.id OR t.credit_ledger_id = l.id)""",
        params,
    ):
        found.append(
            Discrepancy(
                g, u, "transfer_half_missing", check="transfers", key=[ledger_id], detail=kind
            )
        )
    where_t, params_t = _scope(guild_id, None, "t")
    for t_id, g, u in conn.execute(
        f"""SELECT t.id, t.guild_id, t.from_user_id FROM transfers t
            LEFT JOIN ledger d ON d.id = t.debit_ledger_id
            LEFT JOIN ledger c ON c.id = t.credit_ledger_id
            WHERE {where_t} AND (d.id IS NULL OR c.id IS NULL OR d.delta != -t.amount
                  OR c.delta != t.amount OR d.user_id != t.from_user_id
                  OR c.user_id != t.to_user_id OR c.kind != 'transfer_in')""",
        params_t,
    ):
        found.append(Discrepancy(g, u, "transfer_mismatch", check="transfers", key=[t_id]))
    return found


def _ledger_ids(
    conn: sqlite3.Connection, guild_id: int | None, user_id: int | None
) -> list[Discrepancy]:
    """Ledger ids run 1, 2, 3... with no gap (a gap is a row lost)."""
    if guild_id is not None or user_id is not None:
        return []
    count, last = conn.execute("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM ledger").fetchone()
    if count == last:
        return []
    return [
        Discrepancy(
            None,
            None,
            "ledger_ids_missing",
            check="ledger_ids",
            detail=f"{last - count} ids below {last} are missing",
        )
    ]


CORE_CHECKS = (
    Check("ledger", _balances),
    Check("transfers", _transfers),
    Check("ledger_ids", _ledger_ids),
)
for _check in CORE_CHECKS:
    register(_check)


def audit(
    conn: sqlite3.Connection, guild_id: int | None = None, user_id: int | None = None
) -> AuditReport:
    """Every registered check for everything, one guild, or one member."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    found: list[Discrepancy] = []
    for check in _checks.values():
        try:
            found += check.run(conn, guild_id, user_id)
        except sqlite3.OperationalError as e:
            if "no such table" not in str(e) or {"ledger", "accounts"} - tables:
                raise  # a feature's table missing in an older snapshot is not a finding
    where_a, params_a = _scope(guild_id, user_id, "a")
    where_l, params_l = _scope(guild_id, user_id, "l")
    accounts, points = conn.execute(
        f"SELECT COUNT(*), COALESCE(SUM(a.balance), 0) FROM accounts a WHERE {where_a}", params_a
    ).fetchone()
    rows = conn.execute(f"SELECT COUNT(*) FROM ledger l WHERE {where_l}", params_l).fetchone()[0]
    return AuditReport(
        accounts=accounts, ledger_rows=rows, total_points=points, discrepancies=found
    )
