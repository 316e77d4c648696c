"""The group-commit writer: the only code that writes ledger and account rows.

Promise: an operation's future is answered only after the COMMIT that holds its effect (and,
with a journal, after the journal append and fsync inside that same batch). Operations from
every actor are gathered into one transaction per batch, applied in arrival order; an
operation refused by a rule fails alone, never its batch neighbours; a repeated reference is
an idempotent hit that answers the first receipt. What it does not do: decide amounts or
permissions (the actors and features do) or serve reads (``reader.py``).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import aiosqlite

from vouchy.errors import (
    Busy,
    CooldownActive,
    InsufficientFunds,
    InvalidInput,
    StorageUnavailable,
    VouchyError,
)
from vouchy.logs import get_logger
from vouchy.store.connection import connect_async
from vouchy.store.ops import Op, Receipt, counterpart_reference, start_reference
from vouchy.store.schema import MAX_ABS_DELTA

log = get_logger("vouchy.writer")

# A ledger row as written: (id, guild_id, user_id, delta, balance_after, kind, reference,
# reason, acting_user_id, created_at).
LedgerRow = tuple[int, int, int, int, int, str, str, str, int | None, int]


class BatchJournal(Protocol):
    """Called in the writer's thread inside each batch, before COMMIT (the durability issue)."""

    def append(self, rows: Sequence[LedgerRow]) -> None: ...  # write + fsync, or raise

    def undo(self) -> None: ...  # forget the last append: its batch did not commit


_SELECT_ACCOUNTS = """
SELECT guild_id, user_id, balance, lifetime_earned, lifetime_spent, last_daily_at, created_at
FROM accounts
WHERE (guild_id, user_id) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))
"""
_SELECT_REFERENCES = """
SELECT guild_id, reference, id, user_id, kind, delta, balance_after, created_at
FROM ledger
WHERE (guild_id, reference) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))
"""
_UPSERT_ACCOUNT = """
INSERT INTO accounts (guild_id, user_id, balance, lifetime_earned, lifetime_spent,
                      last_daily_at, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (guild_id, user_id) DO UPDATE SET
    balance = excluded.balance,
    lifetime_earned = excluded.lifetime_earned,
    lifetime_spent = excluded.lifetime_spent,
    last_daily_at = excluded.last_daily_at,
    updated_at = excluded.updated_at
"""
_INSERT_LEDGER = "INSERT INTO ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_INSERT_TRANSFER = """
INSERT INTO transfers (guild_id, from_user_id, to_user_id, amount, debit_ledger_id,
                       credit_ledger_id, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
"""
_LEDGER_SUMS = "SELECT COALESCE(SUM(delta), 0) FROM ledger WHERE guild_id = ? AND user_id = ?"


class _Account:
    """An account's row while a batch is applied."""

    __slots__ = ("balance", "earned", "spent", "last_daily_at", "created_at", "changed")

    def __init__(
        self, balance: int, earned: int, spent: int, last_daily_at: int | None, created_at: int
    ):
        self.balance = balance
        self.earned = earned
        self.spent = spent
        self.last_daily_at = last_daily_at
        self.created_at = created_at
        self.changed = False


class _Pending:
    __slots__ = ("op", "future")

    def __init__(self, op: Op, future: asyncio.Future[Receipt]):
        self.op = op
        self.future = future


class Writer:
    """One write connection; a FIFO queue; one transaction per batch."""

    def __init__(
        self,
        path: Path | str,
        *,
        synchronous: str = "FULL",
        starting_balance: int = 25,
        max_queue: int = 20_000,
        max_batch: int = 2_000,
        journal: BatchJournal | None = None,
    ) -> None:
        self.path = Path(path)
        self.synchronous = synchronous
        self.starting_balance = starting_balance
        self.max_queue = max_queue
        self.max_batch = max_batch
        self.journal = journal
        # Told every batch's receipts after its COMMIT, before any caller is answered.
        self.listeners: list[Callable[[list[Receipt]], None]] = []
        self._conn: aiosqlite.Connection | None = None
        self._queue: list[_Pending] = []
        self._wake = asyncio.Event()
        self._space = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._next_id = 1
        # Figures for metrics and the storage report.
        self.batches = 0
        self.last_batch_size = 0
        self.last_commit_ms = 0.0
        self.failed_batches = 0

    # -- life cycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        self._conn = await connect_async(self.path, self.synchronous)
        max_id = await self._conn._execute(
            lambda c: c.execute("SELECT COALESCE(MAX(id), 0) FROM ledger").fetchone()[0],
            self._conn._conn,
        )
        self._next_id = max_id + 1
        self._task = asyncio.create_task(self._run(), name="vouchy-writer")
        log.info(
            "writer_started",
            path=str(self.path),
            synchronous=self.synchronous,
            last_ledger_id=max_id,
        )

    @property
    def alive(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def queued(self) -> int:
        return len(self._queue)

    async def close(self) -> None:
        """Refuse new operations, commit everything queued, close the connection."""
        self._closing = True
        self._wake.set()
        try:
            if self._task is not None:
                await self._task
        finally:
            if self._conn is not None:
                await self._conn.close()
                self._conn = None
        log.info("writer_stopped", batches=self.batches, last_ledger_id=self._next_id - 1)

    # -- submitting ---------------------------------------------------------------------------

    def try_submit(self, op: Op) -> asyncio.Future[Receipt] | None:
        """Queue ``op`` and return the future its receipt arrives on; None when the queue is full."""
        if self._closing or not self.alive:
            raise Busy("Vouchy is restarting; nothing was changed. Try again in a moment.")
        if len(self._queue) >= self.max_queue:
            return None
        future: asyncio.Future[Receipt] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(op, future))
        if len(self._queue) == 1:
            self._wake.set()
        return future

    async def submit(self, op: Op) -> Receipt:
        """Queue ``op``, waiting for room when the queue is full (back-pressure)."""
        while (future := self.try_submit(op)) is None:
            self._space.clear()
            await self._space.wait()
        return await future

    # -- the loop -----------------------------------------------------------------------------

    async def _run(self) -> None:
        assert self._conn is not None
        while True:
            if not self._queue:
                if self._closing:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            batch = self._queue[: self.max_batch]
            del self._queue[: self.max_batch]
            self._space.set()
            started = time.perf_counter()
            try:
                outcomes = await self._conn._execute(self._apply_batch, self._conn._conn, batch)
            except sqlite3.Error as e:
                self.failed_batches += 1
                log.error(
                    "writer_batch_failed",
                    size=len(batch),
                    error=str(e),
                    error_type=type(e).__name__,
                )
                failure = StorageUnavailable(
                    "Vouchy could not save that right now; nothing was changed. Try again shortly."
                )
                for pending in batch:
                    if not pending.future.done():
                        pending.future.set_exception(failure)
                continue
            except BaseException as e:  # a bug: answer the callers, keep the writer alive
                self.failed_batches += 1
                log.exception("writer_batch_crashed", size=len(batch))
                for pending in batch:
                    if not pending.future.done():
                        pending.future.set_exception(e)
                if isinstance(e, asyncio.CancelledError):
                    raise
                continue
            self.batches += 1
            self.last_batch_size = len(batch)
            self.last_commit_ms = (time.perf_counter() - started) * 1000
            if self.listeners:
                receipts = [o for o in outcomes if isinstance(o, Receipt)]
                for listener in self.listeners:
                    listener(receipts)
            for pending, outcome in zip(batch, outcomes, strict=True):
                if pending.future.done():
                    continue
                if isinstance(outcome, Receipt):
                    pending.future.set_result(outcome)
                else:
                    pending.future.set_exception(outcome)

    # -- in the connection's thread -----------------------------------------------------------

    def _apply_batch(
        self, conn: sqlite3.Connection, batch: list[_Pending]
    ) -> list[Receipt | VouchyError]:
        """Apply ``batch`` in one transaction; on a constraint failure, retry each op alone."""
        first_id = self._next_id
        try:
            return self._apply_ops(conn, [p.op for p in batch])
        except sqlite3.IntegrityError as e:
            self._next_id = first_id
            if len(batch) == 1:
                log.error(
                    "writer_op_rejected_by_schema", reference=batch[0].op.reference, error=str(e)
                )
                return [
                    InvalidInput("That change breaks a rule of the ledger; nothing was changed.")
                ]
            log.warning("writer_batch_split", size=len(batch), error=str(e))
            return [self._apply_batch(conn, [p])[0] for p in batch]
        except BaseException:
            self._next_id = first_id
            raise

    def _apply_ops(self, conn: sqlite3.Connection, ops: list[Op]) -> list[Receipt | VouchyError]:
        now = int(time.time() * 1000)
        accounts = self._load_accounts(conn, ops)
        known = self._load_references(conn, ops)
        sums = {
            (op.guild_id, op.user_id): conn.execute(
                _LEDGER_SUMS, (op.guild_id, op.user_id)
            ).fetchone()[0]
            for op in ops
            if op.kind == "repair"
        }
        ledger: list[LedgerRow] = []
        transfers: list[tuple[int, int, int, int, int, int, int]] = []
        outcomes: list[Receipt | VouchyError] = []
        for op in ops:
            hit = known.get((op.guild_id, op.reference))
            if hit is not None:
                outcomes.append(self._duplicate(op, hit, known))
                continue
            try:
                receipt = self._apply_one(op, accounts, sums, ledger, transfers, now)
            except VouchyError as e:
                outcomes.append(e)
                continue
            outcomes.append(receipt)
            known[(op.guild_id, op.reference)] = (
                receipt.ledger_id,
                op.user_id,
                receipt.kind,
                receipt.delta,
                receipt.balance,
                now,
            )
            if receipt.to_user_id is not None:
                # The credit row is the last one written for this op.
                known[(op.guild_id, counterpart_reference(op.reference))] = (
                    ledger[-1][0],
                    receipt.to_user_id,
                    "transfer_in",
                    -receipt.delta,
                    receipt.to_balance,
                    now,
                )
        if not ledger:
            return outcomes
        changed = [
            (g, u, a.balance, a.earned, a.spent, a.last_daily_at, a.created_at, now)
            for (g, u), a in accounts.items()
            if a.changed
        ]
        conn.execute("BEGIN IMMEDIATE")
        journaled = False
        try:
            conn.executemany(_UPSERT_ACCOUNT, changed)
            conn.executemany(_INSERT_LEDGER, ledger)
            if transfers:
                conn.executemany(_INSERT_TRANSFER, transfers)
            if self.journal is not None:
                journaled = True
                self.journal.append(ledger)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if journaled and self.journal is not None:
                self.journal.undo()
            raise
        return outcomes

    def _load_accounts(
        self, conn: sqlite3.Connection, ops: list[Op]
    ) -> dict[tuple[int, int], _Account]:
        keys = {(op.guild_id, op.user_id) for op in ops}
        keys.update((op.guild_id, op.to_user_id) for op in ops if op.to_user_id is not None)
        accounts: dict[tuple[int, int], _Account] = {}
        for g, u, balance, earned, spent, last_daily, created in conn.execute(
            _SELECT_ACCOUNTS, (json.dumps(list(keys)),)
        ):
            accounts[(g, u)] = _Account(balance, earned, spent, last_daily, created)
        return accounts

    def _load_references(
        self, conn: sqlite3.Connection, ops: list[Op]
    ) -> dict[tuple[int, str], tuple]:
        refs = [(op.guild_id, op.reference) for op in ops]
        refs.extend(
            (op.guild_id, counterpart_reference(op.reference))
            for op in ops
            if op.to_user_id is not None
        )
        return {
            (g, ref): (ledger_id, user, kind, delta, balance, created)
            for g, ref, ledger_id, user, kind, delta, balance, created in conn.execute(
                _SELECT_REFERENCES, (json.dumps(refs),)
            )
        }

    def _duplicate(self, op: Op, hit: tuple, known: dict[tuple[int, str], tuple]) -> Receipt:
        ledger_id, user_id, kind, delta, balance, created = hit
        credit = (
            known.get((op.guild_id, counterpart_reference(op.reference)))
            if kind == "transfer_out"
            else None
        )
        return Receipt(
            reference=op.reference,
            guild_id=op.guild_id,
            user_id=user_id,
            ledger_id=ledger_id,
            kind=kind,
            delta=delta,
            balance=balance,
            created_at=created,
            to_user_id=credit[1] if credit else None,
            to_balance=credit[4] if credit else None,
            duplicate=True,
        )

    def _account(
        self,
        accounts: dict[tuple[int, int], _Account],
        ledger: list[LedgerRow],
        guild_id: int,
        user_id: int,
        now: int,
    ) -> _Account:
        """The account, opened with the starting balance (and its ledger row) on first use."""
        account = accounts.get((guild_id, user_id))
        if account is None:
            account = accounts[(guild_id, user_id)] = _Account(0, 0, 0, None, now)
            account.changed = True
            if self.starting_balance:
                self._move(
                    account,
                    ledger,
                    guild_id,
                    user_id,
                    self.starting_balance,
                    "start",
                    start_reference(user_id),
                    "starting balance",
                    None,
                    now,
                )
        return account

    def _move(
        self,
        account: _Account,
        ledger: list[LedgerRow],
        guild_id: int,
        user_id: int,
        delta: int,
        kind: str,
        reference: str,
        reason: str,
        acting: int | None,
        now: int,
    ) -> int:
        """Apply ``delta`` to ``account`` and append its ledger row: one row per balance change."""
        account.balance += delta
        if kind != "repair":
            if delta > 0:
                account.earned += delta
            else:
                account.spent -= delta
        account.changed = True
        ledger_id = self._next_id
        self._next_id += 1
        ledger.append(
            (
                ledger_id,
                guild_id,
                user_id,
                delta,
                account.balance,
                kind,
                reference,
                reason,
                acting,
                now,
            )
        )
        return ledger_id

    def _apply_one(
        self,
        op: Op,
        accounts: dict[tuple[int, int], _Account],
        sums: dict[tuple[int, int], int],
        ledger: list[LedgerRow],
        transfers: list,
        now: int,
    ) -> Receipt:
        """Invariant 3, authoritative: no balance below zero, no movement out of bounds.

        Everything is checked before anything is touched, so a refused operation leaves no
        trace, not even an opened account.
        """
        g, u = op.guild_id, op.user_id
        if not op.reference or len(op.reference) > 200:
            raise InvalidInput("An operation needs a reference of 1 to 200 characters.")
        if abs(op.delta) > MAX_ABS_DELTA or (
            op.set_to is not None and not 0 <= op.set_to <= MAX_ABS_DELTA
        ):
            raise InvalidInput("That amount is out of bounds.")
        if op.to_user_id is not None and (op.to_user_id == u or op.delta >= 0):
            raise InvalidInput("A transfer moves a positive amount to another member.")
        existing = accounts.get((g, u))
        balance = existing.balance if existing is not None else self.starting_balance
        if op.kind == "repair":
            delta = 0
        else:
            delta = op.delta if op.set_to is None else op.set_to - balance
            if delta == 0:
                raise InvalidInput("That changes nothing: the balance is already there.")
        if balance + delta < 0:
            raise InsufficientFunds(balance, -delta)
        if op.cooldown_s and existing is not None and existing.last_daily_at is not None:
            wait_ms = existing.last_daily_at + op.cooldown_s * 1000 - now
            if wait_ms > 0:
                raise CooldownActive("daily reward", wait_ms / 1000)

        account = self._account(accounts, ledger, g, u, now)
        receiver = (
            None
            if op.to_user_id is None
            else self._account(accounts, ledger, g, op.to_user_id, now)
        )
        reason = op.reason
        if op.kind == "repair":
            # The sum read before the batch, plus rows this batch already wrote for the account.
            target = sums[(g, u)] + sum(r[3] for r in ledger if r[1] == g and r[2] == u)
            reason = f"balance was {account.balance}, ledger sum {target}"
            account.balance = target
        ledger_id = self._move(
            account, ledger, g, u, delta, op.kind, op.reference, reason, op.acting_user_id, now
        )
        if op.cooldown_s:
            account.last_daily_at = now
        if receiver is None:
            return Receipt(
                reference=op.reference,
                guild_id=g,
                user_id=u,
                ledger_id=ledger_id,
                kind=op.kind,
                delta=delta,
                balance=account.balance,
                created_at=now,
            )
        credit_id = self._move(
            receiver,
            ledger,
            g,
            op.to_user_id,
            -delta,
            "transfer_in",
            counterpart_reference(op.reference),
            reason,
            op.acting_user_id,
            now,
        )
        transfers.append((g, u, op.to_user_id, -delta, ledger_id, credit_id, now))
        return Receipt(
            reference=op.reference,
            guild_id=g,
            user_id=u,
            ledger_id=ledger_id,
            kind=op.kind,
            delta=delta,
            balance=account.balance,
            created_at=now,
            to_user_id=op.to_user_id,
            to_balance=receiver.balance,
        )
