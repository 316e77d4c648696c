"""Random concurrent operation mixes against a sequential model of the writer's order.

Each member sends its operations in order without waiting; members run concurrently. The
writer applies operations in the order they reach it, so a plain sequential model fed that
same order must give every caller the same answer, and afterwards every balance must equal
its ledger sum and none may be below zero (invariants 2, 3, 4, 5).
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import open_app

from vouchy.core.errors import CooldownActive, InsufficientFunds, VouchyError
from vouchy.store.operations import Op

STARTING = 25
DAILY = 40
GUILDS = (1, 2)
USERS = (11, 12, 13, 14)

op_strategy = st.tuples(
    st.sampled_from(GUILDS),
    st.sampled_from(USERS),
    st.sampled_from(["earn", "spend", "transfer", "set", "daily"]),
    st.integers(min_value=1, max_value=60),
    st.sampled_from(USERS),
    st.integers(min_value=0, max_value=40),  # reference number: small pool, so some repeat
)


class Model:
    """The ledger's rules, applied one operation at a time."""

    def __init__(self) -> None:
        self.balances: dict[tuple[int, int], int] = {}
        self.daily: set[tuple[int, int]] = set()
        self.seen: dict[tuple[int, str], tuple] = {}

    def apply(self, op: Op) -> tuple:
        if (op.guild_id, op.reference) in self.seen:
            return ("dup", *self.seen[(op.guild_id, op.reference)])
        key = (op.guild_id, op.user_id)
        balance = self.balances.get(key, STARTING)
        delta = op.set_to - balance if op.set_to is not None else op.delta
        if op.set_to is not None and delta == 0:
            return ("error", "InvalidInput")
        if balance + delta < 0:
            return ("error", "InsufficientFunds")
        if op.cooldown_s and key in self.daily:
            return ("error", "CooldownActive")
        self.balances[key] = balance + delta
        if op.cooldown_s:
            self.daily.add(key)
        result: tuple = (balance + delta,)
        if op.to_user_id is not None:
            to = (op.guild_id, op.to_user_id)
            self.balances[to] = self.balances.get(to, STARTING) - delta
            result = (balance + delta, self.balances[to])
        self.seen[(op.guild_id, op.reference)] = result
        return ("ok", *result)


def outcome(result: object) -> tuple:
    if isinstance(result, VouchyError):
        return (
            "error",
            type(result).__name__
            if not isinstance(result, InsufficientFunds | CooldownActive)
            else type(result).__name__,
        )
    receipt = result
    values = (
        (receipt.balance,) if receipt.to_user_id is None else (receipt.balance, receipt.to_balance)
    )
    return ("dup" if receipt.duplicate else "ok", *values)


def issue(app, g: int, u: int, kind: str, amount: int, target: int, ref: str):
    actor = app.points.member(g, u)
    if kind == "earn":
        return actor.earn(amount, ref)
    if kind == "spend":
        return actor.spend(amount, ref)
    if kind == "transfer":
        return actor.transfer(
            target if target != u else USERS[(USERS.index(u) + 1) % len(USERS)], amount, ref
        )
    if kind == "set":
        return actor.adjust("set", amount, ref, acting_user_id=99)
    return actor.daily(ref)


async def run_mix(data_dir: Path, ops: list[tuple]) -> None:
    app = await open_app(data_dir, points_starting_balance=STARTING, points_daily_amount=DAILY)
    order: list[Op] = []
    original = app.writer.try_submit

    def recording(op: Op):
        future = original(op)
        if future is not None:
            order.append(op)
        return future

    app.writer.try_submit = recording  # type: ignore[method-assign]
    try:
        # Every member's operations are told at once, in order; members interleave freely.
        futures = [
            issue(app, g, u, kind, amount, target, f"r{g % 2}-{ref}")
            for g, u, kind, amount, target, ref in ops
        ]
        results = await asyncio.gather(*futures, return_exceptions=True)
        report = await app.audit()
    finally:
        await app.close()

    # Per-member order: each member's operations reached the writer in the order they were told.
    told: dict[tuple[int, int], list[str]] = {}
    for g, u, _kind, _amount, _target, ref in ops:
        told.setdefault((g, u), []).append(f"r{g % 2}-{ref}")
    reached: dict[tuple[int, int], list[str]] = {}
    for op in order:
        reached.setdefault((op.guild_id, op.user_id), []).append(op.reference)
    assert reached == told

    model = Model()
    expected = {id(op): model.apply(op) for op in order}
    by_call = list(zip(ops, results, strict=True))
    position: dict[tuple[int, int], int] = {}
    per_member: dict[tuple[int, int], list[Op]] = {}
    for op in order:
        per_member.setdefault((op.guild_id, op.user_id), []).append(op)
    for (g, u, *_), result in by_call:
        i = position.get((g, u), 0)
        position[(g, u)] = i + 1
        op = per_member[(g, u)][i]
        assert outcome(result) == expected[id(op)], (op, result)

    assert report.clean, report.discrepancies
    conn = sqlite3.connect(data_dir / "vouchy.db")
    try:
        stored = dict(
            ((g, u), b)
            for g, u, b in conn.execute("SELECT guild_id, user_id, balance FROM accounts")
        )
        assert min(stored.values(), default=0) >= 0
        assert stored == model.balances
    finally:
        conn.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(op_strategy, min_size=1, max_size=60))
def test_concurrent_mixes_answer_like_a_sequential_model_and_audit_clean(ops: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run_mix(Path(tmp), ops))
