"""The group-commit writer: the only code that writes to the database.

Promise (invariants 1, 4, 7, 8): an operation's future is answered only after the COMMIT that
holds its effect, and after the batch's journal record was written and fsynced inside that
same transaction. Operations from every actor are gathered into one transaction per batch and
applied in arrival order. An operation refused by a rule (a bound, a precondition, too few
points) fails alone with a typed error and leaves no trace but the record of its refusal; its
batch neighbours commit. A repeated reference changes nothing and answers the first result:
the same receipt, or the same refusal. Each caller is told exactly what happened to its own
operation, even when a batch is split or storage fails part-way.

It holds no feature's rule: an operation carries generic primitives (ledger moves, row
changes with bounds and preconditions, side effects for the outbox) and the writer applies
them. It does not serve reads (``reader.py``).

How, per batch (TigerBeetle's phases): prefetch (one hop to the connection's thread, only for
rows not in the cache), execute (on the event loop, against the committed rows plus the
batch's own changes, each operation undone if it is refused), commit (one hop: the write set,
the journal append and fsync, COMMIT). The caches are exact because this writer is the only
writer of the data directory (``DataLock``).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import aiosqlite
import msgspec

from vouchy.core.errors import (
    Busy,
    InsufficientFunds,
    InvalidInput,
    ReferenceTaken,
    Refused,
    StorageUnavailable,
    VouchyError,
)
from vouchy.core.logs import get_logger
from vouchy.store import texts as _texts  # noqa: F401  (the store's refusals)
from vouchy.store.catalog import RESERVED, Table, read_catalog
from vouchy.store.connection import connect_async
from vouchy.store.durability.checkpoint import Checkpointer
from vouchy.store.durability.lock import DataLock
from vouchy.store.operations import (
    Add,
    Change,
    Delete,
    Expect,
    Insert,
    Move,
    MoveResult,
    Op,
    Patch,
    Put,
    Receipt,
    RowResult,
)
from vouchy.store.writeset import Applier, LedgerRow, OpRow, TransferRow, WriteSet

log = get_logger("vouchy.writer")

Key = tuple[int, int]
RowKey = tuple[str, tuple[Any, ...]]
Outcome = Receipt | BaseException
Row = dict[str, Any]

_MISSING: Any = object()


class BatchJournal(Protocol):
    """Called on the writer's thread inside each batch's transaction, before COMMIT."""

    def append(self, ws: WriteSet) -> None: ...  # write + fsync, or raise

    def undo(self) -> bool: ...  # forget the last append; False if it could not

    def begin(self, data_id: str, first_seq: int, tables: dict[str, tuple[str, ...]]) -> None: ...


class ExclusiveContext(msgspec.Struct, kw_only=True):
    """What a bulk job (an import) needs to build its write set on the write connection."""

    seq: int
    next_ledger_id: int
    now: int
    catalog: dict[str, Table]


# A bulk job: reads what it needs inside the write transaction and returns its write set
# (None: nothing to write) and its result.
Build = Callable[[sqlite3.Connection, ExclusiveContext], "tuple[WriteSet | None, Any]"]


class _Account:
    """An account row as committed (in the cache) or as a batch would leave it."""

    __slots__ = ("balance", "earned", "spent", "created_at")

    def __init__(self, balance: int, earned: int, spent: int, created_at: int) -> None:
        self.balance = balance
        self.earned = earned
        self.spent = spent
        self.created_at = created_at

    def copy(self) -> _Account:
        return _Account(self.balance, self.earned, self.spent, self.created_at)


# Rows that correct a balance rather than earn or spend: an admin's change, a repair, an
# import or a vouch taken back, a bet refunded. They move neither lifetime figure.
CORRECTIONS = frozenset(
    {"repair", "admin_adjust", "import_undo", "vouch_reversal", "game_refund", "refund"}
)


def lifetime_after(kind: str, delta: int, earned: int, spent: int) -> tuple[int, int]:
    """An account's lifetime earned and spent after one ledger row: a credit counts as
    earned, a debit as spent; a correction (``CORRECTIONS``) moves neither."""
    if kind in CORRECTIONS:
        return earned, spent
    return (earned + delta, spent) if delta > 0 else (earned, spent - delta)


class _Known(msgspec.Struct, frozen=True, array_like=True):
    """An operations record: who owns the reference, and its first result."""

    user_id: int
    name: str
    fingerprint: str
    status: str
    result: bytes


class _Plan:
    """A batch's effect, worked out on the event loop before any SQL runs."""

    __slots__ = (
        "now",
        "seq",
        "accounts",
        "rows",
        "ledger",
        "transfers",
        "oprows",
        "next_ledger",
        "next_outbox",
        "undo",
        "outcomes",
    )

    def __init__(self, seq: int, next_ledger: int, next_outbox: int, now: int) -> None:
        self.now = now
        self.seq = seq
        self.accounts: dict[Key, _Account] = {}
        self.rows: dict[RowKey, Row | None] = {}
        self.ledger: list[LedgerRow] = []
        self.transfers: list[TransferRow] = []
        self.oprows: list[OpRow] = []
        self.next_ledger = next_ledger
        self.next_outbox = next_outbox
        self.undo: list[tuple[dict[Any, Any], Any, Any]] = []
        self.outcomes: list[Outcome] = []


class _Pending:
    __slots__ = ("op", "future")

    def __init__(self, op: Op, future: asyncio.Future[Receipt]) -> None:
        self.op = op
        self.future = future


class _Exclusive:
    __slots__ = ("build", "future")

    def __init__(self, build: Build, future: asyncio.Future[Any]) -> None:
        self.build = build
        self.future = future


class _Reads(msgspec.Struct):
    """What a prefetch hop brought back."""

    accounts: list[tuple[Any, ...]]
    rows: dict[str, list[Row]]
    known: dict[tuple[int, str], _Known]
    sums: dict[Key, int]  # ledger sums, for repairs
    stored: dict[Key, int]  # balances as stored, for repairs (the cache may be what is wrong)


_SELECT_ACCOUNTS = """
SELECT a.guild_id, a.user_id, a.balance, a.lifetime_earned, a.lifetime_spent, a.created_at
FROM json_each(?) AS k CROSS JOIN accounts AS a
    ON a.guild_id = k.value ->> 0 AND a.user_id = k.value ->> 1
"""
_SELECT_OPERATIONS = """
SELECT o.guild_id, o.reference, o.user_id, o.name, o.fingerprint, o.status, o.result
FROM json_each(?) AS k CROSS JOIN operations AS o
    ON o.guild_id = k.value ->> 0 AND o.reference = k.value ->> 1
"""
_LEDGER_SUM = "SELECT COALESCE(SUM(delta), 0) FROM ledger WHERE guild_id = ? AND user_id = ?"
_STORED_BALANCE = "SELECT balance FROM accounts WHERE guild_id = ? AND user_id = ?"
_ACCOUNT_COLUMNS = (
    "guild_id",
    "user_id",
    "balance",
    "lifetime_earned",
    "lifetime_spent",
    "created_at",
    "updated_at",
)


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
        self.data_id = ""
        self.catalog: dict[str, Table] = {}
        self._applier = Applier({})
        self._lock = DataLock(self.path.parent)
        self._conn: aiosqlite.Connection | None = None
        self.checkpointer = Checkpointer(self.path)
        self._queue: list[_Pending | _Exclusive] = []
        self._wake = asyncio.Event()
        self._space = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._exclusives = 0
        self._seq = 0
        self._next_id = 1
        self._next_outbox = 1
        self._accounts: dict[Key, _Account] = {}  # committed account rows
        self._rows: dict[RowKey, Row | None] = {}  # committed feature rows (None: no row)
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
            warm = await self._execute(self._warm_up)
        except BaseException:
            if self._conn is not None:
                await self._conn.close()
                self._conn = None
            self._lock.release()
            raise
        (self.data_id, self._seq, max_id, max_outbox, self.catalog, rows) = warm
        self._applier = Applier(self.catalog)
        self._next_id = max_id + 1
        self._next_outbox = max_outbox + 1
        for g, u, balance, earned, spent, created in rows:
            self._accounts[(g, u)] = _Account(balance, earned, spent, created)
        if self.journal is not None:
            self.journal.begin(
                self.data_id, self._seq + 1, {n: t.columns for n, t in self.catalog.items()}
            )
        await self.checkpointer.start()
        log.info("accounts_loaded", count=len(rows), last_ledger_id=max_id)
        self._task = asyncio.create_task(self._run(), name="vouchy-writer")
        log.info(
            "writer_started",
            path=str(self.path),
            synchronous=self.synchronous,
            last_ledger_id=max_id,
            seq=self._seq,
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

    @property
    def seq(self) -> int:
        """The last committed batch's sequence number."""
        return self._seq

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
        log.info("writer_stopped", batches=self.batches, seq=self._seq)

    # -- submitting ---------------------------------------------------------------------------

    def try_submit(self, op: Op) -> asyncio.Future[Receipt] | None:
        """Queue ``op`` and return the future its receipt arrives on; None when the queue is full."""
        if self._closing or not self.alive:
            raise Busy()
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

    async def exclusive(self, build: Build) -> Any:
        """Run ``build`` on the write connection in queue order, with no batch planned or in
        flight, inside a write transaction; its write set is applied, journaled and committed
        like any batch. For bulk work (an import). The caches are dropped afterwards."""
        if self._closing or not self.alive:
            raise Busy()
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append(_Exclusive(build, future))
        self._exclusives += 1
        self._wake.set()
        return await future

    # -- the loop -----------------------------------------------------------------------------

    async def _run(self) -> None:
        """Take everything queued (up to ``max_batch``), commit it as one transaction, answer.

        One batch at a time: a second batch planned while the first commits was measured
        slower (the two threads then fight for the GIL on every row)."""
        while True:
            if not self._queue:
                if self._closing:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            head = self._queue[0]
            if isinstance(head, _Exclusive):
                self._queue.pop(0)
                self._exclusives -= 1
                await self._run_exclusive(head)
                continue
            take = min(len(self._queue), self.max_batch)
            if self._exclusives:  # stop the batch at the first exclusive job
                take = next(
                    (i for i in range(take) if isinstance(self._queue[i], _Exclusive)), take
                )
            batch: list[_Pending] = self._queue[:take]  # type: ignore[assignment]
            del self._queue[:take]
            self._space.set()
            started = time.perf_counter()
            try:
                outcomes = await self._commit([p.op for p in batch])
            except asyncio.CancelledError:
                self._fail(batch, Busy("error.restarting"))
                raise
            except _Uncertain as e:
                self._storage_failed(batch, e.cause, StorageUnavailable("error.storage_uncertain"))
            except (sqlite3.Error, OSError, StorageUnavailable) as e:  # the disk or the journal
                answer = e if isinstance(e, StorageUnavailable) else StorageUnavailable()
                self._storage_failed(batch, e, answer)
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

    def _storage_failed(
        self, batch: Sequence[_Pending], e: BaseException, answer: VouchyError
    ) -> None:
        self.failed_batches += 1
        self._forget()
        log.error("writer_batch_failed", size=len(batch), error=str(e), error_type=type(e).__name__)
        self._fail(batch, answer)

    def _crashed(self, batch: Sequence[_Pending], e: BaseException) -> None:
        self.failed_batches += 1
        self._forget()
        log.error("writer_batch_crashed", size=len(batch), error=repr(e), exc_info=e)
        self._fail(batch, e)

    @staticmethod
    def _fail(batch: Sequence[_Pending], error: BaseException) -> None:
        for pending in batch:
            if not pending.future.done():
                pending.future.set_exception(error)

    def _forget(self) -> None:
        """Drop the caches: read again what was committed (after a failure or a bulk job)."""
        self._accounts.clear()
        self._rows.clear()

    async def _execute(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(sqlite3_connection, *args)`` on the connection's thread: one hop."""
        assert self._conn is not None
        # aiosqlite's own methods are each one hop; a batch needs its SQL in one.
        return await self._conn._execute(fn, self._conn._conn, *args)  # type: ignore[no-untyped-call]  # aiosqlite's private hop

    async def _run_exclusive(self, job: _Exclusive) -> None:
        try:
            result, ws = await self._execute(self._exclusive_sync, job.build)
        except BaseException as e:
            self._forget()
            if not job.future.done():
                job.future.set_exception(e)
            if isinstance(e, asyncio.CancelledError):
                raise
            return
        self._forget()
        if ws is not None:
            self._seq = ws.seq
            if ws.ledger:
                self._next_id = max(self._next_id, ws.ledger[-1][0] + 1)
            self.batches += 1
        if not job.future.done():
            job.future.set_result(result)

    def _exclusive_sync(
        self, conn: sqlite3.Connection, build: Build
    ) -> tuple[Any, WriteSet | None]:
        ctx = ExclusiveContext(
            seq=self._seq + 1,
            next_ledger_id=self._next_id,
            now=int(time.time() * 1000),
            catalog=self.catalog,
        )
        conn.execute("BEGIN IMMEDIATE")
        try:
            ws, result = build(conn, ctx)
            if ws is None:
                conn.execute("ROLLBACK")
                return result, None
            self._write_and_commit(conn, ws)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return result, ws

    # -- one batch ----------------------------------------------------------------------------

    async def _commit(self, ops: list[Op]) -> list[Outcome]:
        """Plan ``ops`` and commit them, normally in one hop after an optional prefetch.

        References are looked up inside the write's own transaction: when some are stored
        already, it rolls back having written nothing and the batch is planned again knowing
        them. A write refused by the schema (a bug, never a rule: the rules ran first) splits
        the batch in halves until the operation at fault fails alone."""
        known: dict[tuple[int, str], _Known] = {}
        sums: dict[Key, int] = {}
        stored: dict[Key, int] = {}
        checked = False  # whether ``known`` holds every reference of ``ops`` already stored
        if self._needs_read(ops):
            known, sums, stored = await self._prefetch(ops)
            checked = True
        while True:
            plan = self._plan(ops, known, sums, stored)
            ws = self._write_set(plan)
            if not len(ws):
                if checked:
                    return plan.outcomes
                known = await self._execute(self._select_operations, ops)
                checked = True
                continue
            try:
                found = await self._execute(self._write, ws, None if checked else ops)
            except sqlite3.IntegrityError as e:
                return await self._split(ops, e)
            except (msgspec.EncodeError, TypeError, ValueError, OverflowError) as e:
                return await self._split(ops, e)
            if found is None:
                self._committed(plan)
                return plan.outcomes
            known, checked = found, True

    async def _split(self, ops: list[Op], error: BaseException) -> list[Outcome]:
        """Commit the halves apart, each caller told what happened to their own operation:
        a half that storage refuses fails alone, the halves already committed stand."""
        if len(ops) == 1:
            log.error("writer_op_rejected_by_schema", reference=ops[0].reference, error=str(error))
            return [InvalidInput("store.schema_refused")]
        log.warning("writer_batch_split", size=len(ops), error=str(error))
        half = len(ops) // 2
        outcomes: list[Outcome] = []
        for part in (ops[:half], ops[half:]):
            try:
                outcomes += await self._commit(part)
            except _Uncertain as e:
                self._forget()
                log.error("writer_batch_failed", size=len(part), error=str(e.cause))
                outcomes += [StorageUnavailable("error.storage_uncertain")] * len(part)
            except (sqlite3.Error, OSError, StorageUnavailable) as e:
                self._forget()
                log.error("writer_batch_failed", size=len(part), error=str(e))
                answer = e if isinstance(e, StorageUnavailable) else StorageUnavailable()
                outcomes += [answer] * len(part)
        return outcomes

    def _committed(self, plan: _Plan) -> None:
        """A plan's COMMIT succeeded: its rows become the caches' committed rows."""
        self._seq = plan.seq
        self._next_id = plan.next_ledger
        self._next_outbox = plan.next_outbox
        self._accounts.update(plan.accounts)
        self._rows.update(plan.rows)
        _trim(self._accounts, self.cache_size)
        _trim(self._rows, self.cache_size)

    def _warm_up(self, conn: sqlite3.Connection) -> tuple[Any, ...]:
        """Identity, sequence, last ids, the tables, and the most recently active accounts."""
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        max_id = conn.execute("SELECT COALESCE(MAX(id), 0) FROM ledger").fetchone()[0]
        max_outbox = conn.execute("SELECT COALESCE(MAX(id), 0) FROM outbox").fetchone()[0]
        rows = conn.execute(
            "SELECT guild_id, user_id, balance, lifetime_earned, lifetime_spent, created_at"
            " FROM accounts ORDER BY updated_at DESC LIMIT ?",
            (self.cache_size,),
        ).fetchall()
        return (
            str(meta["data_id"]),
            int(meta["journal_seq"]),
            max_id,
            max_outbox,
            read_catalog(conn),
            rows,
        )

    # -- prefetch -----------------------------------------------------------------------------

    def _needs_read(self, ops: list[Op]) -> bool:
        accounts, rows = self._accounts, self._rows
        for op in ops:
            g = op.guild_id
            for m in op.moves:
                if (g, m.user_id) not in accounts or m.repair:
                    return True
                if m.to_user_id is not None and (g, m.to_user_id) not in accounts:
                    return True
            for c in op.changes:
                if (c.table, c.key) not in rows:
                    return True
        return False

    async def _prefetch(
        self, ops: list[Op]
    ) -> tuple[dict[tuple[int, str], _Known], dict[Key, int], dict[Key, int]]:
        """One hop: the batch's stored references, its accounts and rows not in the cache
        (added to it: they are committed rows), ledger sums and stored balances for repairs."""
        accounts, rows = self._accounts, self._rows
        missing: set[Key] = set()
        repairs: set[Key] = set()
        wanted: dict[str, set[tuple[Any, ...]]] = {}
        for op in ops:
            g = op.guild_id
            for m in op.moves:
                for u in (m.user_id, m.to_user_id):
                    if u is not None and (g, u) not in accounts:
                        missing.add((g, u))
                if m.repair:
                    repairs.add((g, m.user_id))
            for c in op.changes:
                if (c.table, c.key) not in rows and c.table in self.catalog:
                    wanted.setdefault(c.table, set()).add(c.key)
        reads: _Reads = await self._execute(self._read, ops, list(missing), wanted, list(repairs))
        for g, u, balance, earned, spent, created in reads.accounts:
            accounts[(g, u)] = _Account(balance, earned, spent, created)
        for table, keys in wanted.items():
            info = self.catalog[table]
            found = {info.key_of(r): r for r in reads.rows.get(table, [])}
            for key in keys:
                rows[(table, key)] = found.get(key)
        return reads.known, reads.sums, reads.stored

    def _read(
        self,
        conn: sqlite3.Connection,
        ops: list[Op],
        keys: list[Key],
        wanted: dict[str, set[tuple[Any, ...]]],
        repairs: list[Key],
    ) -> _Reads:
        accounts = conn.execute(_SELECT_ACCOUNTS, (json.dumps(keys),)).fetchall() if keys else []
        rows: dict[str, list[Row]] = {}
        for table, found in wanted.items():
            info = self.catalog[table]
            on = " AND ".join(f't."{c}" = k.value ->> {i}' for i, c in enumerate(info.key))
            cursor = conn.execute(
                f'SELECT t.* FROM json_each(?) AS k CROSS JOIN "{table}" AS t ON {on}',
                (json.dumps([list(k) for k in found]),),
            )
            names = [d[0] for d in cursor.description]
            rows[table] = [dict(zip(names, r, strict=True)) for r in cursor]
        sums = {key: conn.execute(_LEDGER_SUM, key).fetchone()[0] for key in repairs}
        stored = {}
        for key in repairs:
            found_balance = conn.execute(_STORED_BALANCE, key).fetchone()
            if found_balance is not None:
                stored[key] = found_balance[0]
        return _Reads(accounts, rows, self._select_operations(conn, ops), sums, stored)

    def _select_operations(
        self, conn: sqlite3.Connection, ops: list[Op]
    ) -> dict[tuple[int, str], _Known]:
        refs = [(op.guild_id, op.reference) for op in ops if op.remember]
        if not refs:
            return {}
        return {
            (g, ref): _Known(user, name, fingerprint, status, result.encode())
            for g, ref, user, name, fingerprint, status, result in conn.execute(
                _SELECT_OPERATIONS, (json.dumps(refs),)
            )
        }

    # -- execute: on the event loop -----------------------------------------------------------

    def _plan(
        self,
        ops: list[Op],
        known: dict[tuple[int, str], _Known],
        sums: dict[Key, int],
        stored: dict[Key, int],
    ) -> _Plan:
        """Work out ``ops`` in order on top of the committed rows."""
        plan = _Plan(self._seq + 1, self._next_id, self._next_outbox, int(time.time() * 1000))
        known = dict(known)
        for op in ops:
            ref = (op.guild_id, op.reference)
            hit = known.get(ref) if op.remember else None
            if hit is not None:
                plan.outcomes.append(self._repeat(op, hit))
                continue
            marks = (
                len(plan.undo),
                len(plan.ledger),
                len(plan.transfers),
                plan.next_ledger,
                plan.next_outbox,
            )
            try:
                receipt = self._apply(op, plan, sums, stored)
            except VouchyError as refusal:
                self._roll_back(plan, marks)
                plan.outcomes.append(refusal)
                if op.remember:
                    known[ref] = self._record(op, plan, "refused", refusal.record())
                continue
            except Exception as bug:  # a bug in one operation: it fails alone
                self._roll_back(plan, marks)
                log.error(
                    "writer_op_crashed", reference=op.reference, error=repr(bug), exc_info=bug
                )
                plan.outcomes.append(bug)
                continue
            plan.outcomes.append(receipt)
            if op.remember:
                known[ref] = self._record(op, plan, "ok", receipt)
        return plan

    def _record(self, op: Op, plan: _Plan, status: str, result: object) -> _Known:
        raw = msgspec.json.encode(result)
        plan.oprows.append(
            OpRow(
                op.guild_id,
                op.reference,
                plan.seq,
                op.user_id,
                op.name,
                op.fingerprint,
                status,
                msgspec.Raw(raw),
                plan.now,
            )
        )
        return _Known(op.user_id, op.name, op.fingerprint, status, raw)

    @staticmethod
    def _repeat(op: Op, hit: _Known) -> Outcome:
        """A reference seen before: the first result, if it is the same operation."""
        if (hit.user_id, hit.name, hit.fingerprint) != (op.user_id, op.name, op.fingerprint):
            if not hit.name.startswith("legacy.") or hit.user_id != op.user_id:
                return ReferenceTaken()
        if hit.status == "refused":
            record = msgspec.json.decode(hit.result)
            return VouchyError.restore(record["code"], record["key"], record["params"])
        receipt = msgspec.json.decode(hit.result, type=Receipt)
        return msgspec.structs.replace(receipt, duplicate=True)

    @staticmethod
    def _roll_back(plan: _Plan, marks: tuple[int, int, int, int, int]) -> None:
        """Undo one refused operation's changes to the plan."""
        undo_at, ledger_at, transfers_at, plan.next_ledger, plan.next_outbox = marks
        for container, key, old in reversed(plan.undo[undo_at:]):
            if old is _MISSING:
                container.pop(key, None)
            else:
                container[key] = old
        del plan.undo[undo_at:]
        del plan.ledger[ledger_at:]
        del plan.transfers[transfers_at:]

    def _apply(self, op: Op, plan: _Plan, sums: dict[Key, int], stored: dict[Key, int]) -> Receipt:
        saved: set[Key] = set()
        moves = [r for m in op.moves for r in self._move(op, m, plan, saved, sums, stored)]
        rows = [r for c in op.changes if (r := self._change(c, plan)) is not None]
        outbox = []
        for effect in op.effects:
            outbox_id = plan.next_outbox
            plan.next_outbox += 1
            row = {
                "id": outbox_id,
                "guild_id": op.guild_id,
                "reference": op.reference,
                "kind": effect.kind,
                "payload": msgspec.json.encode(effect.payload).decode(),
                "status": "pending",
                "attempts": 0,
                "next_at": plan.now + effect.delay_ms,
                "last_error": None,
                "created_at": plan.now,
                "updated_at": plan.now,
            }
            self._set_row(plan, ("outbox", (outbox_id,)), row)
            outbox.append(outbox_id)
        return Receipt(
            reference=op.reference,
            guild_id=op.guild_id,
            user_id=op.user_id,
            seq=plan.seq,
            created_at=plan.now,
            moves=moves,
            rows=rows,
            outbox=outbox,
            data=op.data,
        )

    # -- ledger moves -------------------------------------------------------------------------

    def _account(self, plan: _Plan, op: Op, u: int, saved: set[Key]) -> _Account:
        """The batch's copy of an account (saved once per operation for undo), opened with
        the starting balance on first use: one ``start`` row (invariant 2)."""
        key = (op.guild_id, u)
        account = plan.accounts.get(key)
        if account is not None:
            if key not in saved:
                plan.undo.append((plan.accounts, key, account.copy()))
                saved.add(key)
            return account
        committed = self._accounts.get(key)
        saved.add(key)
        plan.undo.append((plan.accounts, key, _MISSING))
        if committed is not None:
            account = plan.accounts[key] = committed.copy()
            return account
        account = plan.accounts[key] = _Account(0, 0, 0, plan.now)
        if self.starting_balance:
            self._ledger_row(
                plan, op, account, u, self.starting_balance, "start", "starting balance"
            )
        return account

    def _ledger_row(
        self, plan: _Plan, op: Op, account: _Account, u: int, delta: int, kind: str, reason: str
    ) -> MoveResult:
        """Apply ``delta`` and append its ledger row: one row per balance change (invariant 2)."""
        account.balance += delta
        account.earned, account.spent = lifetime_after(kind, delta, account.earned, account.spent)
        ledger_id = plan.next_ledger
        plan.next_ledger += 1
        plan.ledger.append(
            (
                ledger_id,
                op.guild_id,
                u,
                delta,
                account.balance,
                kind,
                op.reference,
                reason,
                op.acting_user_id,
                plan.now,
            )
        )
        return MoveResult(ledger_id, u, delta, account.balance, kind)

    def _move(
        self,
        op: Op,
        m: Move,
        plan: _Plan,
        saved: set[Key],
        sums: dict[Key, int],
        stored: dict[Key, int],
    ) -> list[MoveResult]:
        """Invariant 3, authoritative: no balance below zero, no movement out of bounds."""
        g, u = op.guild_id, m.user_id
        existing = plan.accounts.get((g, u)) or self._accounts.get((g, u))
        balance = existing.balance if existing is not None else self.starting_balance
        reason = op.reason if m.reason is None else m.reason
        if m.repair:
            account = self._account(plan, op, u, saved)
            # The sum read before the batch plus the rows this batch wrote since; the stored
            # balance read fresh (the cache may hold the value that is wrong).
            target = sums.get((g, u), 0) + sum(r[3] for r in plan.ledger if r[1] == g and r[2] == u)
            before = stored.get((g, u), account.balance)
            account.balance = target
            return [
                self._ledger_row(
                    plan, op, account, u, 0, "repair", f"balance was {before}, ledger sum {target}"
                )
            ]
        delta = m.delta if m.set_to is None else m.set_to - balance
        if m.set_to is not None and delta == 0:
            raise InvalidInput("store.nothing_to_change", balance=balance)
        if balance + delta < 0:
            raise InsufficientFunds(balance, -delta, u)
        account = self._account(plan, op, u, saved)
        # Both accounts open before the pair is written, so a transfer's rows stay adjacent.
        receiver = None if m.to_user_id is None else self._account(plan, op, m.to_user_id, saved)
        first = self._ledger_row(plan, op, account, u, delta, m.kind, reason)
        if receiver is None or m.to_user_id is None:
            return [first]
        credit = self._ledger_row(plan, op, receiver, m.to_user_id, -delta, "transfer_in", reason)
        plan.transfers.append(
            (g, u, m.to_user_id, -delta, first.ledger_id, credit.ledger_id, plan.now)
        )
        return [first, credit]

    # -- row changes --------------------------------------------------------------------------

    def _table(self, name: str) -> Table:
        table = self.catalog.get(name)
        if table is None or name in RESERVED:
            raise InvalidInput("store.unknown_table", table=name)
        return table

    def _current(self, plan: _Plan, rk: RowKey) -> Row | None:
        found = plan.rows.get(rk, _MISSING)
        if found is _MISSING:
            found = self._rows.get(rk, _MISSING)
            if found is _MISSING:  # never prefetched: a bug in _needs_read/_prefetch
                raise LookupError(f"row {rk} was not prefetched")
        return found  # type: ignore[no-any-return]

    def _set_row(self, plan: _Plan, rk: RowKey, row: Row | None) -> None:
        plan.undo.append((plan.rows, rk, plan.rows.get(rk, _MISSING)))
        plan.rows[rk] = row

    def _new_row(self, table: Table, key: tuple[Any, ...], values: Row) -> Row:
        if len(key) != len(table.key):
            raise InvalidInput("store.bad_key", what=table.name)
        row = dict(table.defaults)
        row.update(zip(table.key, key, strict=True))
        row.update(values)
        for column in table.required:
            if row.get(column) is None:
                raise InvalidInput("store.incomplete_row", table=table.name, column=column)
        return row

    @staticmethod
    def _check_columns(table: Table, values: Row) -> None:
        for column in values:
            if column not in table.columns or column in table.key:
                raise InvalidInput("store.unknown_column", table=table.name, column=column)

    @staticmethod
    def _refuse(change: Change, **facts: Any) -> Refused:
        return Refused(change.refuse, **change.params, **facts)

    def _change(self, c: Change, plan: _Plan) -> RowResult | None:
        table = self._table(c.table)
        rk = (c.table, c.key)
        current = self._current(plan, rk)
        if isinstance(c, Expect):
            self._expect(c, current)
            return None
        if isinstance(c, Add):
            if c.column not in table.columns or c.column in table.key:
                raise InvalidInput("store.unknown_column", table=table.name, column=c.column)
            row = dict(current) if current is not None else self._new_row(table, c.key, {})
            value = (row.get(c.column) or 0) + c.delta
            if (c.low is not None and value < c.low) or (c.high is not None and value > c.high):
                raise self._refuse(c, current=row.get(c.column) or 0, delta=c.delta)
            row[c.column] = value
        elif isinstance(c, Delete):
            if current is None:
                if c.must_exist:
                    raise self._refuse(c)
                return RowResult(c.table, c.key, None)
            row = None
        elif isinstance(c, Patch):
            self._check_columns(table, c.values)
            if current is None:
                if not c.create:
                    raise self._refuse(c)
                row = self._new_row(table, c.key, c.values)
            else:
                row = {**current, **c.values}
        else:  # Put, Insert
            self._check_columns(table, c.values)
            if isinstance(c, Insert) and current is not None:
                raise self._refuse(c)
            row = self._new_row(table, c.key, c.values)
        self._set_row(plan, rk, row)
        return RowResult(c.table, c.key, row)

    def _expect(self, c: Expect, current: Row | None) -> None:
        if c.op == "exists":
            ok = current is not None
        elif c.op == "missing":
            ok = current is None
        elif current is None:
            ok = c.missing_ok
        else:
            have = current.get(c.column, _MISSING)
            if have is _MISSING:
                raise InvalidInput("store.unknown_column", table=c.table, column=c.column)
            ok = _compare(have, c.op, c.value)
        if not ok:
            raise self._refuse(c, current=None if current is None else current.get(c.column))

    # -- commit: on the connection's thread ---------------------------------------------------

    def _write_set(self, plan: _Plan) -> WriteSet:
        puts: dict[str, list[tuple[Any, ...]]] = {}
        deletes: dict[str, list[tuple[Any, ...]]] = {}
        if plan.accounts:
            now = plan.now
            puts["accounts"] = [
                (g, u, a.balance, a.earned, a.spent, a.created_at, now)
                for (g, u), a in plan.accounts.items()
            ]
        for (table, key), row in plan.rows.items():
            if row is None:
                deletes.setdefault(table, []).append(key)
            else:
                puts.setdefault(table, []).append(self.catalog[table].row_of(row))
        return WriteSet(plan.seq, plan.now, plan.ledger, plan.transfers, plan.oprows, puts, deletes)

    def _write(
        self, conn: sqlite3.Connection, ws: WriteSet, check: list[Op] | None
    ) -> dict[tuple[int, str], _Known] | None:
        """One transaction: the write set, the journal append and fsync, COMMIT.

        With ``check``, first look those ops' references up: if any is stored already, roll
        back having written nothing and return them, for the batch to be planned again."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            if check is not None:
                found = self._select_operations(conn, check)
                if found:
                    conn.execute("ROLLBACK")
                    return found
            self._write_and_commit(conn, ws)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return None

    def _write_and_commit(self, conn: sqlite3.Connection, ws: WriteSet) -> None:
        """Inside an open transaction: apply, journal (the commit point on disk), COMMIT. If
        COMMIT fails after the journal took the batch, the journal record is undone; if even
        that fails the callers cannot be told "nothing was changed" (``_Uncertain``)."""
        self._applier.apply(conn, ws)
        if self.journal is None:
            conn.execute("COMMIT")
            return
        self.journal.append(ws)
        try:
            conn.execute("COMMIT")
        except BaseException as e:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if not self.journal.undo():
                raise _Uncertain(e) from e
            raise


def _trim(cache: dict[Any, Any], size: int) -> None:
    """Forget the oldest quarter when a cache outgrows ``size`` (the rows stay on disk)."""
    if len(cache) > size:
        for key in list(itertools.islice(cache, len(cache) - size * 3 // 4)):
            del cache[key]


class _Uncertain(Exception):
    """COMMIT failed after the journal took the batch, and the journal could not forget it:
    a restart may apply it. Callers are told the truth: their change may have been saved."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _compare(have: Any, op: str, want: Any) -> bool:
    try:
        if op == "eq":
            return bool(have == want)
        if op == "ne":
            return bool(have != want)
        if have is None or want is None:
            return False
        if op == "lt":
            return bool(have < want)
        if op == "le":
            return bool(have <= want)
        if op == "gt":
            return bool(have > want)
        return bool(have >= want)
    except TypeError:
        return False


def change_keys(changes: Sequence[Change]) -> list[RowKey]:
    """The rows a list of changes touches (for tests and tools)."""
    return [(c.table, c.key) for c in changes]


__all__ = [
    "Add",
    "BatchJournal",
    "Delete",
    "ExclusiveContext",
    "Expect",
    "Insert",
    "Patch",
    "Put",
    "Writer",
    "lifetime_after",
]
