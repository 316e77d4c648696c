"""The group-commit writer: the only code that writes ledger and account rows.

Promise: an operation's future is answered only after the COMMIT that holds its effect (and,
with a journal, after the journal append and fsync inside that same batch). Operations from
every actor are gathered into one transaction per batch and applied in arrival order; an
operation refused by a rule fails alone, never its batch neighbours; a repeated reference is
an idempotent hit that answers the first receipt. It does not decide amounts or permissions
(the actors and features do) and does not serve reads (``reader.py``).

How: per batch, one hop to the connection's thread reads the batch's references already in
the ledger and any account rows not yet cached; the rules then run on the event loop against
those rows (the cache is exact because this writer is their only writer, which ``DataLock``
enforces); a second hop writes and commits. SQL stays on the thread, Python on the loop.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import aiosqlite

from vouchy.core.errors import (
    Busy,
    CooldownActive,
    InsufficientFunds,
    InvalidInput,
    StorageUnavailable,
    VouchyError,
)
from vouchy.core.logs import get_logger
from vouchy.store.connection import connect_async
from vouchy.store.durability.checkpoint import Checkpointer
from vouchy.store.durability.lock import DataLock
from vouchy.store.ops import (
    CLAIM_KINDS,
    Op,
    Receipt,
    counterpart_reference,
    lifetime_after,
    start_reference,
)
from vouchy.store.schema import MAX_ABS_DELTA

log = get_logger("vouchy.writer")

# A ledger row as written: (id, guild_id, user_id, delta, balance_after, kind, reference,
# reason, acting_user_id, created_at).
LedgerRow = tuple[int, int, int, int, int, str, str, str, int | None, int]
Key = tuple[int, int]
Outcome = Receipt | VouchyError


class BatchJournal(Protocol):
    """Called in the writer's thread inside each batch, before COMMIT (the durability issue)."""

    def append(self, rows: Sequence[LedgerRow]) -> None: ...  # write + fsync, or raise

    def undo(self) -> None: ...  # forget the last append: its batch did not commit


# CROSS JOIN keeps SQLite walking the keys and probing the index; a row-value IN here uses
# only the index's first column and scans the whole guild.
_SELECT_ACCOUNTS = """
SELECT a.guild_id, a.user_id, a.balance, a.lifetime_earned, a.lifetime_spent, a.last_daily_at, a.created_at
FROM json_each(?) AS k CROSS JOIN accounts AS a
    ON a.guild_id = k.value ->> 0 AND a.user_id = k.value ->> 1
"""
_SELECT_REFERENCES = """
SELECT l.guild_id, l.reference, l.id, l.user_id, l.kind, l.delta, l.balance_after, l.created_at
FROM json_each(?) AS k CROSS JOIN ledger AS l
    ON l.guild_id = k.value ->> 0 AND l.reference = k.value ->> 1
"""
_LEDGER_SUM = "SELECT COALESCE(SUM(delta), 0) FROM ledger WHERE guild_id = ? AND user_id = ?"
_INSERT_ACCOUNT = """
INSERT INTO accounts (balance, lifetime_earned, lifetime_spent, last_daily_at, updated_at,
                      guild_id, user_id, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
"""
_UPDATE_ACCOUNT = """
UPDATE accounts SET balance = ?, lifetime_earned = ?, lifetime_spent = ?, last_daily_at = ?, updated_at = ?
WHERE guild_id = ? AND user_id = ?
"""
_INSERT_LEDGER = "INSERT INTO ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_INSERT_TRANSFER = """
INSERT INTO transfers (guild_id, from_user_id, to_user_id, amount, debit_ledger_id,
                       credit_ledger_id, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
"""


class _Account:
    """An account row as committed (in the cache) or as a batch would leave it (a copy)."""

    __slots__ = ("balance", "earned", "spent", "last_daily_at", "created_at", "stored")

    def __init__(
        self,
        balance: int,
        earned: int,
        spent: int,
        last_daily_at: int | None,
        created_at: int,
        stored: bool,
    ) -> None:
        self.balance = balance
        self.earned = earned
        self.spent = spent
        self.last_daily_at = last_daily_at
        self.created_at = created_at
        self.stored = stored  # a row exists in the database

    def copy(self) -> _Account:
        return _Account(
            self.balance, self.earned, self.spent, self.last_daily_at, self.created_at, self.stored
        )


class _Plan:
    """A batch's effect, worked out on the event loop before any SQL runs."""

    __slots__ = ("outcomes", "ledger", "transfers", "touched", "next_id", "now")

    def __init__(self, next_id: int, now: int) -> None:
        self.outcomes: list[Outcome] = []
        self.ledger: list[LedgerRow] = []
        self.transfers: list[tuple[int, int, int, int, int, int, int]] = []
        self.touched: dict[Key, _Account] = {}
        self.next_id = next_id
        self.now = now


class _Exclusive:
    """A function to run on the write connection with no batch planned or in flight."""

    __slots__ = ("fn", "args", "future")

    def __init__(self, fn: Callable, args: tuple, future: asyncio.Future) -> None:
        self.fn = fn
        self.args = args
        self.future = future


class _Pending:
    __slots__ = ("op", "future")

    def __init__(self, op: Op, future: asyncio.Future[Receipt]) -> None:
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
        cache_size: int = 200_000,
    ) -> None:
        self.path = Path(path)
        self.synchronous = synchronous
        self.starting_balance = starting_balance
        self.max_queue = max_queue
        self.max_batch = max_batch
        self.journal = journal
        self.cache_size = cache_size
        # Told every batch's receipts after its COMMIT, before any caller is answered.
        self.listeners: list[Callable[[list[Receipt]], None]] = []
        self._lock = DataLock(self.path.parent)
        self._conn: aiosqlite.Connection | None = None
        self.checkpointer = Checkpointer(self.path)
        self._queue: list[_Pending | _Exclusive] = []
        self._wake = asyncio.Event()
        self._space = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._exclusives = 0  # _Exclusive jobs waiting in the queue
        self._next_id = 1
        # Committed account rows, keyed (guild, user).
        self._cache: dict[Key, _Account] = {}
        # Figures for metrics and the storage report.
        self.batches = 0
        self.last_batch_size = 0
        self.last_commit_ms = 0.0
        self.failed_batches = 0

    # -- life cycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        self._lock.acquire()
        try:
            self._conn = await connect_async(self.path, self.synchronous)
            max_id, rows = await self._execute(self._warm_up)  # type: ignore[misc]
        except BaseException:
            if self._conn is not None:
                await self._conn.close()
            self._lock.release()
            raise
        await self.checkpointer.start()
        self._next_id = max_id + 1
        for g, u, balance, earned, spent, last_daily, created in rows:
            self._cache[(g, u)] = _Account(balance, earned, spent, last_daily, created, True)
        log.info("accounts_loaded", count=len(rows), last_ledger_id=max_id)
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

    @property
    def last_ledger_id(self) -> int:
        return self._next_id - 1

    async def close(self) -> None:
        """Refuse new operations, commit everything queued, close the connection."""
        self._closing = True
        self._wake.set()
        try:
            if self._task is not None:
                await self._task
        finally:
            try:
                await self.checkpointer.close()
            finally:
                if self._conn is not None:
                    await self._conn.close()
                    self._conn = None
                self._lock.release()
        log.info("writer_stopped", batches=self.batches, last_ledger_id=self.last_ledger_id)

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
        """Take everything queued (up to ``max_batch``), commit it as one transaction, answer.

        One batch at a time: a second batch planned and queued while the first commits was
        measured slower (the two threads then fight for the GIL on every row).
        """
        while True:
            if not self._queue:
                if self._closing:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            if self._exclusives and isinstance(self._queue[0], _Exclusive):
                self._exclusives -= 1
                await self._run_exclusive(self._queue.pop(0))  # type: ignore[arg-type]
                continue
            take = min(len(self._queue), self.max_batch)
            if self._exclusives:  # stop the batch at the first exclusive job
                take = next(
                    (i for i in range(take) if isinstance(self._queue[i], _Exclusive)), take
                )
            batch = self._queue[:take]
            del self._queue[:take]
            self._space.set()
            started = time.perf_counter()
            try:
                outcomes = await self._commit([p.op for p in batch])
            except (sqlite3.Error, OSError, StorageUnavailable) as e:  # the disk or the journal
                self._storage_failed(batch, e)
            except asyncio.CancelledError:
                self._fail(batch, Busy("Vouchy is stopping; nothing was changed."))
                raise
            except Exception as e:  # a bug: answer the callers, keep the writer alive
                self._crashed(batch, e)
            else:
                self._answer(batch, outcomes, started)

    def _answer(self, batch: list[_Pending], outcomes: list[Outcome], started: float) -> None:
        """Tell the listeners, then every caller: this runs only after the batch's COMMIT."""
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

    def _storage_failed(self, batch: list[_Pending], e: BaseException) -> None:
        self.failed_batches += 1
        self._cache.clear()
        log.error("writer_batch_failed", size=len(batch), error=str(e), error_type=type(e).__name__)
        self._fail(
            batch,
            StorageUnavailable(
                "Vouchy could not save that right now; nothing was changed. Try again shortly."
            ),
        )

    def _crashed(self, batch: list[_Pending], e: BaseException) -> None:
        self.failed_batches += 1
        self._cache.clear()
        log.error("writer_batch_crashed", size=len(batch), error=repr(e), exc_info=e)
        self._fail(batch, e)

    @staticmethod
    def _fail(batch: list[_Pending], error: BaseException) -> None:
        for pending in batch:
            if not pending.future.done():
                pending.future.set_exception(error)

    async def execute(self, fn: Callable, *args: object) -> object:
        """Run ``fn(sqlite3_connection, *args)`` on the write connection's thread, between two
        batches; ``fn`` runs its own transaction. For rows that are not balances (settings)."""
        return await self._execute(fn, *args)

    async def exclusive(self, fn: Callable, *args: object) -> object:
        """Run ``fn(sqlite3_connection, *args)`` in queue order with no batch planned or in
        flight, for work that writes balances itself (a bulk import, in its own transaction,
        journaled by ``fn``). Afterwards the account cache is dropped and the last ledger id
        read again, so the batches after it plan on what ``fn`` committed."""
        if self._closing or not self.alive:
            raise Busy("Vouchy is restarting; nothing was changed. Try again in a moment.")
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._queue.append(_Exclusive(fn, args, future))  # type: ignore[arg-type]
        self._exclusives += 1
        self._wake.set()
        return await future

    async def _run_exclusive(self, job: _Exclusive) -> None:
        try:
            result = await self._execute(job.fn, *job.args)
        except BaseException as e:
            if not job.future.done():
                job.future.set_exception(e)
            if isinstance(e, asyncio.CancelledError):
                raise
        else:
            if not job.future.done():
                job.future.set_result(result)
        finally:
            self._cache.clear()
            last = await self._execute(
                lambda c: c.execute("SELECT COALESCE(MAX(id), 0) FROM ledger").fetchone()[0]
            )
            self._next_id = last + 1  # type: ignore[operator]

    async def _execute(self, fn: Callable, *args: object) -> object:
        """Run ``fn(sqlite3_connection, *args)`` on the connection's thread: one hop."""
        assert self._conn is not None
        # aiosqlite's own methods are each one hop; a batch needs its SQL in one.
        return await self._conn._execute(fn, self._conn._conn, *args)

    async def _commit(self, ops: list[Op]) -> list[Outcome]:
        """Plan ``ops`` and commit them, normally in one hop.

        References already in the ledger are looked up inside the write's own transaction:
        if there are any, it rolls back having written nothing and the batch is planned again
        knowing them (a redelivered event costs one more hop). A schema refusal (a bug, never
        a rule: the rules ran first) splits the batch so only the offending op fails.
        """
        known: dict[tuple[int, str], tuple] = {}
        sums: dict[Key, int] = {}
        checked = False  # whether ``known`` holds every reference of ``ops`` already stored
        if self._needs_read(ops):
            known, sums = await self._read(ops)
            checked = True
        while True:
            plan = self._plan(ops, known, sums)
            if not plan.ledger:
                if checked:
                    return plan.outcomes
                known = await self._execute(self._select_references, ops)  # type: ignore[assignment]
                checked = True
                continue
            try:
                found = await self._execute(self._write, plan, None if checked else ops)
            except sqlite3.IntegrityError as e:
                if len(ops) == 1:
                    log.error(
                        "writer_op_rejected_by_schema", reference=ops[0].reference, error=str(e)
                    )
                    return [
                        InvalidInput(
                            "That change breaks a rule of the ledger; nothing was changed."
                        )
                    ]
                log.warning("writer_batch_split", size=len(ops), error=str(e))
                return [(await self._commit([op]))[0] for op in ops]
            if found is None:
                self._committed(plan)
                return plan.outcomes
            known, checked = found, True  # type: ignore[assignment]

    def _committed(self, plan: _Plan) -> None:
        """A plan's COMMIT succeeded: its accounts become the cache's committed rows."""
        self._next_id = max(self._next_id, plan.next_id)
        for account in plan.touched.values():
            account.stored = True
        self._cache.update(plan.touched)
        if len(self._cache) > self.cache_size:
            for key in list(
                itertools.islice(self._cache, len(self._cache) - self.cache_size * 3 // 4)
            ):
                del self._cache[key]

    def _warm_up(self, conn: sqlite3.Connection) -> tuple[int, list[tuple]]:
        """The last ledger id, and the most recently active accounts to fill the cache."""
        max_id = conn.execute("SELECT COALESCE(MAX(id), 0) FROM ledger").fetchone()[0]
        rows = conn.execute(
            "SELECT guild_id, user_id, balance, lifetime_earned, lifetime_spent, last_daily_at, created_at"
            " FROM accounts ORDER BY updated_at DESC LIMIT ?",
            (self.cache_size,),
        ).fetchall()
        return max_id, rows

    def _needs_read(self, ops: list[Op]) -> bool:
        cache = self._cache
        return any(
            (op.guild_id, op.user_id) not in cache
            or (op.to_user_id is not None and (op.guild_id, op.to_user_id) not in cache)
            or op.kind == "repair"
            for op in ops
        )

    async def _read(self, ops: list[Op]) -> tuple[dict[tuple[int, str], tuple], dict[Key, int]]:
        """One hop: the batch's references already in the ledger, its accounts not in the
        cache (added to it: they are committed rows), and ledger sums for repairs."""
        cache = self._cache
        missing = {
            (op.guild_id, op.user_id) for op in ops if (op.guild_id, op.user_id) not in cache
        }
        missing.update(
            (op.guild_id, op.to_user_id)
            for op in ops
            if op.to_user_id is not None and (op.guild_id, op.to_user_id) not in cache
        )
        repairs = [(op.guild_id, op.user_id) for op in ops if op.kind == "repair"]
        rows, known, sums = await self._execute(self._select, ops, list(missing), repairs)  # type: ignore[misc]
        for g, u, balance, earned, spent, last_daily, created in rows:
            cache[(g, u)] = _Account(balance, earned, spent, last_daily, created, True)
        return known, sums

    # -- on the event loop: the rules ---------------------------------------------------------

    def _plan(
        self, ops: list[Op], known: dict[tuple[int, str], tuple], sums: dict[Key, int]
    ) -> _Plan:
        """Work out ``ops`` in order on top of the committed account rows."""
        plan = _Plan(self._next_id, int(time.time() * 1000))
        known = dict(known)
        for op in ops:
            hit = known.get((op.guild_id, op.reference))
            if hit is not None:
                plan.outcomes.append(self._duplicate(op, hit, known))
                continue
            try:
                receipt = self._apply(op, plan, sums)
            except VouchyError as e:
                plan.outcomes.append(e)
                continue
            plan.outcomes.append(receipt)
            known[(op.guild_id, op.reference)] = (
                receipt.ledger_id,
                op.user_id,
                receipt.kind,
                receipt.delta,
                receipt.balance,
                plan.now,
            )
            if receipt.to_user_id is not None:  # the credit row is the op's last row
                known[(op.guild_id, counterpart_reference(op.reference))] = (
                    plan.ledger[-1][0],
                    receipt.to_user_id,
                    "transfer_in",
                    -receipt.delta,
                    receipt.to_balance,
                    plan.now,
                )
        return plan

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

    def _peek(self, plan: _Plan, key: Key) -> _Account | None:
        """The account as this plan would find it: its own copy, or the committed row."""
        return plan.touched.get(key) or self._cache.get(key)

    def _touch(self, plan: _Plan, g: int, u: int) -> _Account:
        """The batch's copy of an account, opened with the starting balance on first use."""
        key = (g, u)
        account = plan.touched.get(key)
        if account is not None:
            return account
        committed = self._cache.get(key)
        if committed is not None:
            account = plan.touched[key] = committed.copy()
            return account
        account = plan.touched[key] = _Account(0, 0, 0, None, plan.now, False)
        if self.starting_balance:
            self._move(
                plan,
                account,
                g,
                u,
                self.starting_balance,
                "start",
                start_reference(u),
                "starting balance",
                None,
            )
        return account

    def _move(
        self,
        plan: _Plan,
        account: _Account,
        g: int,
        u: int,
        delta: int,
        kind: str,
        reference: str,
        reason: str,
        acting: int | None,
    ) -> int:
        """Apply ``delta`` and append its ledger row: one row per balance change (invariant 2)."""
        account.balance += delta
        account.earned, account.spent = lifetime_after(kind, delta, account.earned, account.spent)
        ledger_id = plan.next_id
        plan.next_id += 1
        plan.ledger.append(
            (ledger_id, g, u, delta, account.balance, kind, reference, reason, acting, plan.now)
        )
        return ledger_id

    def _apply(self, op: Op, plan: _Plan, sums: dict[Key, int]) -> Receipt:
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
        existing = self._peek(plan, (g, u))
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
            wait_ms = existing.last_daily_at + op.cooldown_s * 1000 - plan.now
            if wait_ms > 0:
                raise CooldownActive("daily reward", wait_ms / 1000)

        account = self._touch(plan, g, u)
        receiver = None if op.to_user_id is None else self._touch(plan, g, op.to_user_id)
        reason = op.reason
        if op.kind == "repair":
            # The sum read before the batch, plus rows this batch already wrote for the account.
            target = sums[(g, u)] + sum(r[3] for r in plan.ledger if r[1] == g and r[2] == u)
            reason = f"balance was {account.balance}, ledger sum {target}"
            account.balance = target
        ledger_id = self._move(
            plan, account, g, u, delta, op.kind, op.reference, reason, op.acting_user_id
        )
        if op.kind in CLAIM_KINDS:
            account.last_daily_at = plan.now
        if receiver is None:
            return Receipt(
                reference=op.reference,
                guild_id=g,
                user_id=u,
                ledger_id=ledger_id,
                kind=op.kind,
                delta=delta,
                balance=account.balance,
                created_at=plan.now,
            )
        credit_id = self._move(
            plan,
            receiver,
            g,
            op.to_user_id,
            -delta,
            "transfer_in",
            counterpart_reference(op.reference),
            reason,
            op.acting_user_id,
        )
        plan.transfers.append((g, u, op.to_user_id, -delta, ledger_id, credit_id, plan.now))
        return Receipt(
            reference=op.reference,
            guild_id=g,
            user_id=u,
            ledger_id=ledger_id,
            kind=op.kind,
            delta=delta,
            balance=account.balance,
            created_at=plan.now,
            to_user_id=op.to_user_id,
            to_balance=receiver.balance,
        )

    # -- on the connection's thread: SQL only --------------------------------------------------

    def _select(
        self, conn: sqlite3.Connection, ops: list[Op], keys: list[Key], repairs: list[Key]
    ) -> tuple[list[tuple], dict[tuple[int, str], tuple], dict[Key, int]]:
        rows = conn.execute(_SELECT_ACCOUNTS, (json.dumps(keys),)).fetchall() if keys else []
        sums = {key: conn.execute(_LEDGER_SUM, key).fetchone()[0] for key in repairs}
        return rows, self._select_references(conn, ops), sums

    def _select_references(
        self, conn: sqlite3.Connection, ops: list[Op]
    ) -> dict[tuple[int, str], tuple]:
        # The counterpart too, for every op: the first use of a reference may have been a
        # transfer even when this op is not, and its receipt includes the credit.
        refs = [(op.guild_id, op.reference) for op in ops]
        refs.extend((op.guild_id, counterpart_reference(op.reference)) for op in ops)
        return {
            (g, ref): (ledger_id, user, kind, delta, balance, created)
            for g, ref, ledger_id, user, kind, delta, balance, created in conn.execute(
                _SELECT_REFERENCES, (json.dumps(refs),)
            )
        }

    def _write(
        self, conn: sqlite3.Connection, plan: _Plan, check: list[Op] | None
    ) -> dict[tuple[int, str], tuple] | None:
        """One transaction: accounts, ledger, transfers, journal append + fsync, COMMIT.

        With ``check``, first look those ops' references up: if any is stored already, roll
        back having written nothing and return them, for the batch to be planned again.
        """
        now = plan.now
        inserts, updates = [], []
        for (g, u), a in plan.touched.items():
            row = (a.balance, a.earned, a.spent, a.last_daily_at, now, g, u)
            if a.stored:
                updates.append(row)
            else:
                inserts.append((*row, a.created_at))
        conn.execute("BEGIN IMMEDIATE")
        journaled = False
        try:
            if check is not None:
                found = self._select_references(conn, check)
                if found:
                    conn.execute("ROLLBACK")
                    return found
            if inserts:
                conn.executemany(_INSERT_ACCOUNT, inserts)
            if updates:
                conn.executemany(_UPDATE_ACCOUNT, updates)
            conn.executemany(_INSERT_LEDGER, plan.ledger)
            if plan.transfers:
                conn.executemany(_INSERT_TRANSFER, plan.transfers)
            if self.journal is not None:
                journaled = True
                self.journal.append(plan.ledger)
            conn.execute("COMMIT")
            return None
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if journaled and self.journal is not None:
                self.journal.undo()
            raise
