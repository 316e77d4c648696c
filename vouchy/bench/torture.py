"""``bench torture``: try to break the promise, round after round, and count what breaks.

Each round a worker process (``python -m vouchy.bench.torture worker``) runs a load of every
kind of operation: earns, spends, transfers, admin sets, daily claims, settings changes,
operations with side effects for the outbox, small bulk imports, and snapshots taken while it
runs. It prints each operation it was answered for (a receipt, or a refusal: both are results
the member saw). Then one fault, chosen at random:

- ``sigkill``: the worker is killed at a random moment;
- ``sigkill_append``: killed inside a journal append (the record is written slowly);
- ``sigkill_snapshot``: killed while a snapshot is being taken;
- ``sigkill_import``: killed inside the journal append of a bulk import;
- ``disk_full``: the journal's disk refuses writes for a while (ENOSPC), then it is killed;
- ``journal_torn_end`` / ``journal_flipped_end``: after a kill, the journal's last bytes are cut
  or one of them flipped;
- ``wal_deleted`` / ``db_deleted`` / ``wal_damaged`` / ``db_damaged``: after a kill, the WAL or
  the database is removed or damaged: the WAL with flipped bits (its frames carry
  checksums), the database cut short or with garbled bytes where SQLite reads its b-trees.
  A bit flipped inside a row's own bytes is not among the faults: SQLite keeps no checksum of
  a page, so no check could see it (the ledger audit sees it when it lands in a balance).

Then Vouchy starts on the data directory (the start-up check and any recovery run) and the
result is checked against a model of every acknowledged operation: ``lost`` (answered but
missing, or present with another outcome), ``half_applied`` (a transfer with one half, ledger
ids with holes, a receipt whose ledger rows are not all there), ``silent_losses`` (lost without
a start-up refusal that names the problem), plus ``refused_starts`` and ``audit_failures``.
Targets: 0, 0, 0.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import msgspec

from vouchy.app import Vouchy, load_config
from vouchy.core.config import Config
from vouchy.core.errors import VouchyError
from vouchy.core.logs import configure_logging
from vouchy.store import bulk
from vouchy.store.durability import journal as journal_module
from vouchy.store.durability.recovery import DatabaseUnrecoverable
from vouchy.store.operations import Effect, Op

GUILDS = (111_111_111_111_111_111, 222_222_222_222_222_222)
USERS = tuple(9_000 + i for i in range(60))
FAULTS = (
    "sigkill",
    "sigkill_append",
    "sigkill_snapshot",
    "sigkill_import",
    "disk_full",
    "journal_torn_end",
    "journal_flipped_end",
    "wal_deleted",
    "db_deleted",
    "wal_damaged",
    "db_damaged",
)


def config_for(root: Path) -> Config:
    return load_config(
        env={
            "VOUCHY_DATA_DIR": str(root / "data"),
            "VOUCHY_SNAPSHOTS_DIR": str(root / "snapshots"),
            "VOUCHY_SNAPSHOTS_KEEP_LAST": "3",
            "VOUCHY_SNAPSHOTS_KEEP_DAILY_DAYS": "0",
            "VOUCHY_LOGGING_LEVEL": "ERROR",
        }
    )


# -- the worker (a separate process, killed by the bench) ---------------------------------------


class _Slow:
    """The journal's record written in pieces a moment apart (``APPENDING`` said first)."""

    def __init__(self) -> None:
        self.real = journal_module._write_all
        self.armed = False

    def __call__(self, fd: int, data: bytes) -> None:
        if not self.armed:
            self.real(fd, data)
            return
        print("APPENDING", flush=True)
        step = max(1, len(data) // 32)
        for start in range(0, len(data), step):
            self.real(fd, data[start : start + step])
            time.sleep(0.003)


class _DiskFull:
    """``os.write`` to the journal refuses with ENOSPC while ``on``."""

    def __init__(self, journal_dir: Path) -> None:
        self.journal_dir = str(journal_dir)
        self.real = os.write
        self.on = False

    def __call__(self, fd: int, data: Any) -> int:
        if self.on:
            try:
                target = os.readlink(f"/proc/self/fd/{fd}")
            except OSError:
                target = ""
            if target.startswith(self.journal_dir):
                raise OSError(28, "No space left on device")
        return self.real(fd, data)


async def _worker(root: Path, fault: str, seed: int) -> None:
    configure_logging("ERROR", "json", (root / "worker.log").open("a"))
    config = config_for(root)
    app = await Vouchy(config).start()
    rng = random.Random(seed)
    out = sys.stdout
    slow = _Slow()
    full = _DiskFull(config.journal_dir)
    journal_module._write_all = slow
    os.write = full  # type: ignore[assignment]  # the disk-full fault, only in this process

    def said(ref: str, guild: int, outcome: str) -> None:
        out.write(f"ACK {guild} {ref} {outcome}\n")

    async def member(w: int) -> None:
        n = 0
        while True:
            n += 1
            g, u = rng.choice(GUILDS), USERS[w % len(USERS)]
            ref = f"s{seed}-{w}-{n}"
            points = app.points.member(g, u)
            roll = rng.random()
            try:
                if roll < 0.35:
                    receipt = await points.earn(rng.randint(1, 60), ref)
                elif roll < 0.55:
                    receipt = await points.spend(rng.randint(1, 80), ref)
                elif roll < 0.75:
                    other = rng.choice([x for x in USERS if x != u])
                    receipt = await points.transfer(other, rng.randint(1, 30), ref)
                elif roll < 0.8:
                    receipt = await points.adjust("set", rng.randint(0, 500), ref, acting_user_id=1)
                elif roll < 0.85:
                    receipt = await points.daily(ref)
                elif roll < 0.92:
                    changes = app.settings.changes(
                        g, "points", {"daily_amount": rng.randint(1, 200)}, updated_by=u
                    )
                    op = Op(
                        guild_id=g,
                        user_id=u,
                        reference=ref,
                        name="torture.settings",
                        changes=tuple(changes),
                    )
                    receipt = await app.actors.member(g, u).submit(op)
                else:
                    effect = Effect(kind="discord.post", payload={"channel_id": 1, "content": ref})
                    op = Op(
                        guild_id=g,
                        user_id=u,
                        reference=ref,
                        name="torture.effect",
                        effects=(effect,),
                    )
                    receipt = await app.actors.member(g, u).submit(op)
            except VouchyError as e:
                if e.code in (
                    "storage_unavailable",
                    "journal_unavailable",
                    "journal_uncertain",
                    "busy",
                ):
                    continue  # not a result: nothing was decided
                said(ref, g, "refused")
                continue
            said(ref, g, "ok")
            if receipt.duplicate:
                raise AssertionError(f"fresh reference {ref} answered as a repeat")

    async def imports() -> None:
        k = 0
        while True:
            await asyncio.sleep(rng.uniform(0.1, 0.4))
            k += 1
            tag = f"t{seed:06d}{k:04d}"
            members = [(10**9 + seed * 1000 + k * 50 + i, 1 + i % 9) for i in range(50)]
            slow.armed = fault == "sigkill_import"
            try:
                await bulk.import_balances(app.writer, GUILDS[0], tag, members)
            except VouchyError:
                continue
            finally:
                slow.armed = False
            out.write(f"IMPORT {GUILDS[0]} {tag} 50\n")

    async def snapshots() -> None:
        while True:
            await asyncio.sleep(rng.uniform(0.05, 0.25))
            if fault == "sigkill_snapshot":
                out.write("SNAPSHOTTING\n")
                out.flush()
            try:
                await app.snapshot_now()
            except VouchyError:
                pass

    async def faults() -> None:
        await asyncio.sleep(rng.uniform(0.1, 0.3))
        if fault == "sigkill_append":
            slow.armed = True
        elif fault == "disk_full":
            full.on = True
            await asyncio.sleep(rng.uniform(0.05, 0.2))
            full.on = False
        out.write("READY\n")
        out.flush()

    tasks = [member(w) for w in range(24)]
    await asyncio.gather(*tasks, imports(), snapshots(), faults(), _flush(out))


async def _flush(out: Any) -> None:
    while True:
        await asyncio.sleep(0.01)
        out.flush()


# -- the bench ----------------------------------------------------------------------------------


def _drop_set_aside(root: Path) -> None:
    """The damaged databases recovery moved aside, once the round is checked. Recovery keeps
    them for an operator; a thousand rounds of them (the database grows to about 550 MB) once
    filled this machine's disk."""
    for aside in (root / "data").glob("damaged-*"):
        shutil.rmtree(aside, ignore_errors=True)


class Model:
    """Every operation the workers were answered for: (guild, reference) -> ok | refused."""

    def __init__(self) -> None:
        self.outcomes: dict[tuple[int, str], str] = {}
        self.imports: dict[tuple[int, str], int] = {}

    def read(self, output: str) -> int:
        lines = output.split("\n")[:-1]  # the last piece may be cut: written as it died
        count = 0
        for line in lines:
            parts = line.split()
            if parts and parts[0] == "ACK" and len(parts) == 4:
                self.outcomes[(int(parts[1]), parts[2])] = parts[3]
                count += 1
            elif parts and parts[0] == "IMPORT" and len(parts) == 4:
                self.imports[(int(parts[1]), parts[2])] = int(parts[3])
                count += 1
        return count


def _damage(root: Path, fault: str, rng: random.Random) -> None:
    data = root / "data"
    db, wal = data / "vouchy.db", data / "vouchy.db-wal"
    segments = sorted((data / "journal").glob("*.log"))
    if fault in ("journal_torn_end", "journal_flipped_end") and segments:
        newest = segments[-1]
        raw = bytearray(newest.read_bytes())
        if len(raw) > 64:
            if fault == "journal_torn_end":
                del raw[len(raw) - rng.randint(1, 40) :]
            else:
                at = len(raw) - rng.randint(2, 40)
                raw[at] ^= 1 << rng.randrange(8)
            newest.write_bytes(bytes(raw))
    elif fault == "wal_deleted":
        wal.unlink(missing_ok=True)
    elif fault == "db_deleted":
        db.unlink(missing_ok=True)
        wal.unlink(missing_ok=True)
    elif fault == "wal_damaged" and wal.exists() and wal.stat().st_size > 64:
        raw = bytearray(wal.read_bytes())
        for _ in range(rng.randint(1, 4)):  # the WAL's frames carry checksums
            raw[rng.randrange(32, len(raw))] ^= 1 << rng.randrange(8)
        wal.write_bytes(bytes(raw))
    elif fault == "db_damaged" and db.exists() and db.stat().st_size > 4096:
        raw = bytearray(db.read_bytes())
        if rng.random() < 0.3:  # cut short, as a lost write at the end of the file
            del raw[rng.randrange(len(raw) // 2, len(raw)) :]
        else:  # sectors garbled where SQLite reads its b-tree (page headers, cell pointers)
            for at in _btree_bytes(raw, rng, rng.randint(1, 3)):
                raw[at] ^= rng.randint(1, 255)
        db.write_bytes(bytes(raw))


def _btree_bytes(raw: bytearray, rng: random.Random, count: int) -> list[int]:
    """Offsets SQLite reads on every visit of a b-tree page: its header and cell pointers.
    (A flipped bit inside a row's own bytes is bit rot no SQLite file can see without page
    checksums; it is left out of this fault, see the module's docstring.)"""
    size = int.from_bytes(raw[16:18], "big") or 65536
    found: list[int] = []
    for _ in range(400):
        page = rng.randrange(max(1, len(raw) // size))
        start = page * size + (100 if page == 0 else 0)
        if start + 12 > len(raw) or raw[start] not in (2, 5, 10, 13):
            continue
        cells = int.from_bytes(raw[start + 3 : start + 5], "big")
        header = 8 if raw[start] in (10, 13) else 12
        found.append(start + rng.randrange(header + 2 * cells))
        if len(found) == count:
            break
    return found


def _run_worker(root: Path, fault: str, seed: int, rng: random.Random) -> str:
    env = {**os.environ, "VOUCHY_LOGGING_LEVEL": "ERROR"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "vouchy.bench.torture", "worker", str(root), fault, str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    assert worker.stdout is not None
    seen: list[str] = []
    started = time.monotonic()
    killed = False
    for line in worker.stdout:
        seen.append(line)
        trigger = {
            "sigkill_append": "APPENDING",
            "sigkill_import": "APPENDING",
            "sigkill_snapshot": "SNAPSHOTTING",
        }.get(fault)
        if trigger is not None and line.startswith(trigger):
            time.sleep(rng.uniform(0, 0.08))
            worker.send_signal(signal.SIGKILL)
            killed = True
            break
        if trigger is None and line.startswith("READY"):
            time.sleep(rng.uniform(0.0, 0.3))
            worker.send_signal(signal.SIGKILL)
            killed = True
            break
        if time.monotonic() - started > 20:
            break
    if not killed:
        worker.send_signal(signal.SIGKILL)
    rest, _ = worker.communicate(timeout=60)
    return "".join(seen) + rest


def _check(root: Path, model: Model, keys: list[tuple[int, str]]) -> dict[str, int]:
    """Whether each of ``keys`` (acknowledged operations) is there with its outcome, its
    receipt's ledger rows included; and the ledger's own wholeness."""
    conn = sqlite3.connect(root / "data" / "vouchy.db")
    try:
        stored = {
            (g, ref): (status, result)
            for g, ref, status, result in conn.execute(
                "SELECT o.guild_id, o.reference, o.status, o.result FROM json_each(?) AS k"
                " CROSS JOIN operations AS o ON o.guild_id = k.value ->> 0 AND o.reference = k.value ->> 1",
                (json.dumps(keys),),
            )
        }
        lost = sum(1 for key in keys if stored.get(key, ("",))[0] != model.outcomes[key])
        for (g, tag), count in model.imports.items():
            present = conn.execute(
                "SELECT COUNT(*) FROM operations WHERE guild_id = ? AND reference >= ? AND reference < ?",
                (g, f"import:{tag}:", f"import:{tag};"),
            ).fetchone()[0]
            lost += count - present if present < count else 0
        half = 0
        outs, ins, links = conn.execute(
            "SELECT (SELECT COUNT(*) FROM ledger WHERE kind = 'transfer_out'),"
            " (SELECT COUNT(*) FROM ledger WHERE kind = 'transfer_in'), (SELECT COUNT(*) FROM transfers)"
        ).fetchone()
        half += abs(outs - ins) + abs(outs - links)
        count, last = conn.execute("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM ledger").fetchone()
        half += last - count
        for status, result in stored.values():
            if status != "ok":
                continue
            for ledger_id, user, delta, _balance, kind in msgspec.json.decode(result).get(
                "moves", []
            ):
                row = conn.execute(
                    "SELECT user_id, delta, kind FROM ledger WHERE id = ?", (ledger_id,)
                ).fetchone()
                if row != (user, delta, kind):
                    half += 1
        return {"lost": lost, "half_applied": half}
    finally:
        conn.close()


async def _restart(root: Path) -> tuple[bool, bool, str]:
    """Start Vouchy on the directory: (started without refusing, audit clean, refusal)."""
    config = config_for(root)
    try:
        app = await Vouchy(config).start()
    except DatabaseUnrecoverable as e:
        app = await Vouchy(config, accept_loss=True).start()
        try:
            return False, (await app.audit()).clean, e.message
        finally:
            await app.close()
    try:
        return True, (await app.audit()).clean, ""
    finally:
        await app.close()


async def run(quick: bool, workdir: Path, rounds: int | None = None) -> dict[str, Any]:
    rounds = rounds or (50 if quick else 1_000)
    rng = random.Random(20261129)
    root = workdir / "torture"
    root.mkdir(parents=True, exist_ok=True)
    configure_logging("ERROR", "json", (root / "bench.log").open("a"))
    model = Model()
    faults: dict[str, int] = {}
    totals = {
        "lost": 0,
        "half_applied": 0,
        "silent_losses": 0,
        "refused_starts": 0,
        "audit_failures": 0,
    }
    refusals: list[str] = []
    started = time.perf_counter()
    for n in range(rounds):
        fault = FAULTS[n % len(FAULTS)] if n < len(FAULTS) else rng.choice(FAULTS)
        faults[fault] = faults.get(fault, 0) + 1
        before = set(model.outcomes)
        output = _run_worker(root, fault, n, rng)
        model.read(output)
        _damage(root, fault, rng)
        clean_start, clean_audit, refusal = await _restart(root)
        # This round's answers every round; everything answered so far every 10th and last.
        everything = n % 10 == 9 or n == rounds - 1
        keys = (
            list(model.outcomes) if everything else [k for k in model.outcomes if k not in before]
        )
        found = _check(root, model, keys)
        totals["lost"] += found["lost"]
        totals["half_applied"] += found["half_applied"]
        if not clean_start:
            totals["refused_starts"] += 1
            refusals.append(f"round {n} ({fault}): {refusal}")
        elif found["lost"]:
            totals["silent_losses"] += found["lost"]
        if not clean_audit:
            totals["audit_failures"] += 1
        if found["lost"] or found["half_applied"]:
            # Count each loss once: the model forgets what the check already counted.
            model = _forget_missing(root, model)
        _drop_set_aside(root)
    return {
        "rounds": rounds,
        "faults_by_kind": dict(sorted(faults.items())),
        "acknowledged": len(model.outcomes) + sum(model.imports.values()),
        **totals,
        "refusals": refusals[:10],
        "seconds": round(time.perf_counter() - started, 1),
    }


def _forget_missing(root: Path, model: Model) -> Model:
    conn = sqlite3.connect(root / "data" / "vouchy.db")
    try:
        stored = {(g, ref) for g, ref in conn.execute("SELECT guild_id, reference FROM operations")}
    finally:
        conn.close()
    kept = Model()
    kept.outcomes = {k: v for k, v in model.outcomes.items() if k in stored}
    kept.imports = model.imports
    return kept


def main(argv: list[str]) -> None:
    """``python -m vouchy.bench.torture worker ROOT FAULT SEED`` (the bench runs it)."""
    if argv[:1] == ["worker"]:
        asyncio.run(_worker(Path(argv[1]), argv[2], int(argv[3])))
    else:
        print(json.dumps(asyncio.run(run(True, Path(argv[0]) if argv else Path(".")))))


if __name__ == "__main__":
    main(sys.argv[1:])
