"""The ledger audit (invariant 2): every stored balance equals the sum of its ledger deltas.

Runs on any sqlite3 connection, so the same check serves the live database, the CLI and a
snapshot copy under verification. It only reads; repair goes through the writer.
"""

from __future__ import annotations

import sqlite3

import msgspec


class Discrepancy(msgspec.Struct, frozen=True):
    guild_id: int
    user_id: int
    problem: str  # balance_mismatch | ledger_without_account | negative_balance
    balance: int | None
    ledger_sum: int | None


class AuditReport(msgspec.Struct, frozen=True):
    accounts: int
    ledger_rows: int
    total_points: int
    discrepancies: list[Discrepancy]

    @property
    def clean(self) -> bool:
        return not self.discrepancies


def _scope(guild_id: int | None, user_id: int | None, alias: str) -> tuple[str, tuple]:
    clauses, params = [], []
    if guild_id is not None:
        clauses.append(f"{alias}.guild_id = ?")
        params.append(guild_id)
    if user_id is not None:
        clauses.append(f"{alias}.user_id = ?")
        params.append(user_id)
    return (" AND ".join(clauses) or "1"), tuple(params)


def audit(
    conn: sqlite3.Connection, guild_id: int | None = None, user_id: int | None = None
) -> AuditReport:
    """Check invariant 2 for everything, one guild, or one member; list each discrepancy."""
    where_a, params_a = _scope(guild_id, user_id, "a")
    where_l, params_l = _scope(guild_id, user_id, "l")
    sums = f"SELECT l.guild_id, l.user_id, SUM(l.delta) AS total FROM ledger l WHERE {where_l} GROUP BY l.guild_id, l.user_id"
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
            WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.guild_id = s.guild_id AND a.user_id = s.user_id)""",
        params_l,
    ):
        found.append(Discrepancy(g, u, "ledger_without_account", None, total))
    accounts, points = conn.execute(
        f"SELECT COUNT(*), COALESCE(SUM(a.balance), 0) FROM accounts a WHERE {where_a}", params_a
    ).fetchone()
    rows = conn.execute(f"SELECT COUNT(*) FROM ledger l WHERE {where_l}", params_l).fetchone()[0]
    return AuditReport(
        accounts=accounts, ledger_rows=rows, total_points=points, discrepancies=found
    )
