"""``bench snapshot``: the durability figures on 100k accounts and 1M ledger rows.

- ``snapshot_verify_s``: one verified snapshot (one-step copy, integrity check, ledger audit,
  facts, sha256, manifest), no load; ``verify_s`` verifies that file again from scratch.
- ``writer_ratio_during_snapshot``: ledger ops/s while snapshots run back to back, divided by
  ops/s without; ``wal_mb_after``: the WAL right after.
- ``journal_on_ratio``: ops/s with the journal divided by without, in alternating windows of
  the same run.
- ``restore_replay_s``: ``restore`` of the 1M-row snapshot plus the replay of the 100k
  operations journaled after it (verify, replay, audit, install).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from pathlib import Path

from vouchy.app import Vouchy, load_config
from vouchy.bench.ledger import References, one_op, saturation, seed
from vouchy.core.config import Config
from vouchy.store.connection import connect_sync
from vouchy.store.durability.recovery import restore
from vouchy.store.durability.snapshots import verify_snapshot

ACCOUNTS = 100_000
LEDGER_ROWS = 1_000_000
REPLAY_OPS = 100_000


def seed_ledger(
    db: Path, accounts: int = ACCOUNTS, rows: int = LEDGER_ROWS
) -> list[tuple[int, int]]:
    """``seed`` plus ``rows / accounts - 1`` more ledger rows per account (balances follow)."""
    keys = seed(db, accounts)
    extra = rows // accounts - 1
    conn = connect_sync(db, "OFF")
    try:
        conn.execute("BEGIN")
        conn.execute(
            """WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < ?)
            INSERT INTO ledger (guild_id, user_id, delta, balance_after, kind, reference, created_at)
            SELECT a.guild_id, a.user_id, 1, a.balance + n.k, 'earn',
                   'seed:' || a.user_id || ':' || n.k, a.created_at
            FROM accounts a CROSS JOIN n""",
            (extra,),
        )
        conn.execute(
            "UPDATE accounts SET balance = balance + ?, lifetime_earned = lifetime_earned + ?",
            (extra, extra),
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
    return keys


async def ops_per_s(
    app: Vouchy,
    keys: list[tuple[int, int]],
    refs: References,
    until: asyncio.Future,
    users: int = 500,
) -> float:
    """Ledger operations per second from ``users`` members, each sending its next operation
    as soon as the last is answered, until ``until`` is done."""
    chosen = random.Random(3).sample(range(len(keys)), users)
    count = 0

    async def member(w: int) -> None:
        nonlocal count
        rng = random.Random(w)
        while not until.done():
            await one_op(app, keys, chosen[w], rng, refs())
            count += 1

    started = time.perf_counter()
    await asyncio.gather(*(member(w) for w in range(users)))
    return count / (time.perf_counter() - started)


async def window(
    app: Vouchy, keys: list[tuple[int, int]], refs: References, seconds: float
) -> float:
    return await ops_per_s(app, keys, refs, asyncio.ensure_future(asyncio.sleep(seconds)))


def wal_mb(config: Config) -> float:
    wal = config.db_path.with_name(config.db_path.name + "-wal")
    return round(wal.stat().st_size / 1_048_576, 1) if wal.exists() else 0.0


async def run(quick: bool, workdir: Path) -> dict:
    data = workdir / "data"
    data.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    keys = seed_ledger(data / "vouchy.db")
    config = load_config(
        env={
            "VOUCHY_DATA_DIR": str(data),
            "VOUCHY_SNAPSHOTS_DIR": str(workdir / "snapshots"),
            "VOUCHY_DATA_SYNCHRONOUS": "FULL",
            "VOUCHY_POINTS_STARTING_BALANCE": "1000",
        }
    )
    seconds = 2.0 if quick else 5.0
    refs = References()
    result: dict = {
        "accounts": ACCOUNTS,
        "ledger_rows": LEDGER_ROWS,
        "seed_s": round(time.perf_counter() - started, 1),
    }

    async with Vouchy(config) as app:
        # A verified snapshot of 100k accounts and 1M ledger rows, nothing else running.
        began = time.perf_counter()
        snap = await app.snapshot_now()
        result["snapshot_verify_s"] = round(time.perf_counter() - began, 3)
        result["snapshot_mb"] = round(snap.manifest.size / 1_048_576, 1)
        result["verify_s"] = (await asyncio.to_thread(verify_snapshot, Path(snap.path))).seconds
        # Then 100k operations journaled after it, for the restore.
        await saturation(app, keys, REPLAY_OPS, refs)
        last_id = app.writer.last_ledger_id

    began = time.perf_counter()
    summary = await asyncio.to_thread(
        restore, Path(snap.path), config.db_path, config.journal_dir, config.snapshot_dir
    )
    result["restore_replay_s"] = round(time.perf_counter() - began, 3)
    result["replayed_entries"] = summary.replayed
    result["restored_to_last_id"] = summary.last_ledger_id == last_id

    # The journal's cost: alternating windows without and with it, same database.
    rates: dict[bool, list[float]] = {False: [], True: []}
    for journaled in (False, True, False, True):
        async with Vouchy(config, journal=journaled) as app:
            rates[journaled].append(await window(app, keys, refs, seconds))
    off, on = statistics.median(rates[False]), statistics.median(rates[True])
    result["ops_per_s_journal_off"] = round(off)
    result["ops_per_s_journal_on"] = round(on)
    result["journal_on_ratio"] = round(on / off, 2)

    async with Vouchy(config) as app:
        # Writer throughput with snapshots running back to back, against none.
        quiet = await window(app, keys, refs, seconds)
        done: asyncio.Future = asyncio.get_running_loop().create_future()
        load = asyncio.ensure_future(ops_per_s(app, keys, refs, done))
        snaps = 0
        deadline = time.perf_counter() + seconds
        while snaps < 2 or time.perf_counter() < deadline:
            await app.snapshot_now()
            snaps += 1
        done.set_result(None)
        busy = await load
        result["wal_mb_after"] = wal_mb(config)
        result["ops_per_s_no_snapshot"] = round(quiet)
        result["ops_per_s_during_snapshot"] = round(busy)
        result["snapshots_during_load"] = snaps
        result["writer_ratio_during_snapshot"] = round(busy / quiet, 2)
    return result
