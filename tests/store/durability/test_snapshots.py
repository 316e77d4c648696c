"""Snapshots (invariant 6): a consistent copy with a manifest of facts proved on it; one that
fails is quarantined; retention; a SIGKILL mid-snapshot leaves nothing that passes; the
schedule; the CLI's ``snapshot``, ``snapshots``, ``verify`` and ``status``."""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import msgspec
import pytest
from support.durability import (
    GUILDS,
    captured_logs,
    config_for,
    events,
    ledger,
    load,
    logs_to_memory,  # noqa: F401 (an autouse fixture)
    subprocess_env,
)

from vouchy import __version__
from vouchy.app import Vouchy
from vouchy.cli import main
from vouchy.store.durability.recovery import check_database, database_owner
from vouchy.store.durability.schedule import SnapshotSchedule
from vouchy.store.durability.snapshots import (
    QUARANTINE,
    SnapshotRejected,
    apply_retention,
    list_snapshots,
    manifest_path,
    read_manifest,
    sha256_of,
    verify_snapshot,
)
from vouchy.store.schema import FORMAT

G = GUILDS[0]


async def test_a_snapshot_is_a_verified_copy_with_a_manifest_of_its_facts(tmp_path):
    config = config_for(tmp_path)
    with captured_logs() as logs:
        async with Vouchy(config) as app:
            await load(app, random.Random(3), 80, {}, "s")
            snap = await app.snapshot_now()
            last_id = app.writer.last_ledger_id
    path = Path(snap.path)
    assert re.fullmatch(r"vouchy-\d{8}T\d{6}Z\.db", path.name)
    assert path.parent == config.snapshot_dir
    m = read_manifest(path)
    assert m.sha256 == sha256_of(path) and m.size == path.stat().st_size
    assert m.app_version == __version__ and m.verified
    facts = m.facts
    assert facts.schema_version == FORMAT and facts.integrity == "ok"
    assert facts.audit_clean and facts.last_ledger_id == last_id
    assert facts.row_counts["ledger"] == last_id
    conn = sqlite3.connect(config.db_path)
    try:
        totals = dict(conn.execute("SELECT guild_id, SUM(delta) FROM ledger GROUP BY guild_id"))
        accounts = conn.execute("SELECT COUNT(*) FROM accounts").fetchone()[0]
    finally:
        conn.close()
    assert {int(g): t for g, t in facts.guild_totals.items()} == totals
    assert facts.accounts == accounts
    assert verify_snapshot(path).ok
    [verified] = events(logs, "snapshot_verified")
    assert verified["path"] == str(path) and verified["last_ledger_id"] == last_id
    assert {"seconds", "accounts"} <= set(verified)


async def test_a_snapshot_taken_under_load_is_consistent_and_the_writer_keeps_serving(tmp_path):
    config = config_for(tmp_path)
    async with Vouchy(config) as app:
        await load(app, random.Random(4), 40, {}, "warm")
        busy = asyncio.ensure_future(load(app, random.Random(5), 400, {}, "busy", concurrency=8))
        snaps = [await app.snapshot_now() for _ in range(3)]
        await busy
    for snap in snaps:
        assert verify_snapshot(Path(snap.path)).ok
    # Each copy is exactly a prefix of the ledger: a consistent state, never a torn one.
    full = ledger(config.db_path)
    for snap in snaps:
        assert ledger(Path(snap.path)) == full[: snap.manifest.facts.last_ledger_id]


async def test_a_snapshot_that_fails_its_checks_is_quarantined_and_the_live_database_untouched(
    tmp_path,
):
    config = config_for(tmp_path)
    async with Vouchy(config) as app:
        await load(app, random.Random(6), 30, {}, "q")
    conn = sqlite3.connect(config.db_path)
    conn.execute(
        "UPDATE accounts SET balance = balance + 1"
        " WHERE (guild_id, user_id) = (SELECT guild_id, user_id FROM accounts LIMIT 1)"
    )
    conn.commit()
    conn.close()
    before = ledger(config.db_path)
    with captured_logs() as logs:
        async with Vouchy(config) as app:
            with pytest.raises(SnapshotRejected, match="audit"):
                await app.snapshot_now()
    [quarantined] = events(logs, "snapshot_quarantined")
    assert quarantined["log_level"] == "error"
    assert not list(config.snapshot_dir.glob("*.db"))
    [kept] = (config.snapshot_dir / QUARANTINE).glob("*.db")
    assert not read_manifest(kept).verified
    assert ledger(config.db_path) == before
    assert check_database(config.db_path).problem is None


def _fake_snapshots(snapshot_dir: Path, source: Path, ages_h: list[float]) -> list[str]:
    """Copies of one real snapshot whose manifests say they were taken ``ages_h`` ago."""
    manifest = read_manifest(source)
    names = []
    for i, age in enumerate(ages_h):
        when = manifest.created - timedelta(hours=age)
        name = f"vouchy-fake{i:03d}.db"
        (snapshot_dir / name).write_bytes(source.read_bytes())
        m = msgspec.structs.replace(manifest, file=name, created_at=when.isoformat())
        manifest_path(snapshot_dir / name).write_bytes(msgspec.json.encode(m))
        names.append(name)
    return names


async def test_retention_keeps_the_newest_few_and_the_newest_of_each_day(tmp_path):
    config = config_for(tmp_path)
    async with Vouchy(config) as app:
        await load(app, random.Random(7), 10, {}, "k")
        real = Path((await app.snapshot_now()).path)
    ages = [0.1, 0.2, 0.3, 0.4, 25, 26, 49, 24 * 10, 24 * 30]
    names = _fake_snapshots(config.snapshot_dir, real, ages)
    real.unlink()
    manifest_path(real).unlink()
    apply_retention(
        config.snapshot_dir,
        database_owner(config.db_path, config.journal_dir),
        keep_last=3,
        keep_daily_days=14,
    )
    kept = {s.name for s in list_snapshots(config.snapshot_dir)}
    # The 3 newest; then the newest of each older day within 14 days; nothing older.
    day = {name: (read_manifest(config.snapshot_dir / name).created_at[:10]) for name in kept}
    assert {names[0], names[1], names[2]} <= kept
    assert names[8] not in kept and names[7] in kept  # 30 days: gone; 10 days: kept
    assert len(set(day.values())) == len(kept) - 2  # one per day beyond the newest three


def test_a_sigkill_in_the_middle_of_a_snapshot_leaves_nothing_that_passes_verification(tmp_path):
    from vouchy.bench.snapshot import seed_ledger

    config = config_for(tmp_path)
    config.data_dir.mkdir(parents=True)
    seed_ledger(config.db_path, accounts=20_000, rows=200_000)
    script = (
        "import sys\nfrom pathlib import Path\n"
        "from vouchy.store.durability.snapshots import take_snapshot\n"
        "print('ready', flush=True)\n"
        "while True:\n"
        "    take_snapshot(Path(sys.argv[1]), Path(sys.argv[2]), app_version='test')\n"
    )
    rng = random.Random(8)
    for _ in range(4):
        child = subprocess.Popen(
            [sys.executable, "-c", script, str(config.db_path), str(config.snapshot_dir)],
            stdout=subprocess.PIPE,
            env=subprocess_env(),
        )
        assert child.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.05, 0.6))
        child.send_signal(signal.SIGKILL)
        child.wait()
    files = [p for p in config.snapshot_dir.iterdir() if p.is_file()]
    assert any(p.name.startswith(".") for p in files), "no kill landed mid-snapshot"
    for path in files:
        if path.suffix == ".json":
            continue
        verdict = verify_snapshot(path)
        if verdict.ok:  # only a whole, installed snapshot passes
            assert path.name.startswith("vouchy-") and path.suffix == ".db"
            assert read_manifest(path).sha256 == sha256_of(path)
    for listed in list_snapshots(config.snapshot_dir):  # never "verified" unless it passes
        assert listed.verified == verify_snapshot(Path(listed.path)).ok
    # The next start is clean, and the leftovers are tidied once they are stale.
    assert check_database(config.db_path).problem is None
    for path in files:
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    apply_retention(
        config.snapshot_dir,
        database_owner(config.db_path, config.journal_dir),
        keep_last=10,
        keep_daily_days=1,
    )
    assert not [p for p in config.snapshot_dir.iterdir() if p.name.startswith(".")]


async def test_the_schedule_snapshots_every_interval_and_a_failed_run_waits_for_the_next():
    outcomes = [RuntimeError("a bug"), SnapshotRejected("bad copy"), "ok", "ok"]
    done = []

    async def job() -> str:
        outcome = outcomes[len(done)]
        done.append(outcome)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    schedule = SnapshotSchedule(job, interval_minutes=0.2 / 60, first_after_seconds=0.1)
    with captured_logs() as logs:
        schedule.start()
        for _ in range(100):
            if len(done) >= 3:
                break
            await asyncio.sleep(0.05)
        await schedule.stop()
    assert len(done) >= 3 and schedule.failures == 2
    assert events(logs, "snapshot_job_crashed")
    runs = len(done)
    await asyncio.sleep(0.4)
    assert len(done) == runs  # stopped means stopped


async def test_the_app_starts_and_stops_its_snapshot_schedule(tmp_path):
    config = config_for(tmp_path, snapshots_interval_minutes="0.05")
    async with Vouchy(config) as app:
        app.schedule.interval_minutes = 0.3 / 60  # faster than config allows, for the test
        app.schedule.first_after_seconds = 0.1
        app.start_snapshots()
        await load(app, random.Random(9), 20, {}, "sch")
        for _ in range(100):
            if list_snapshots(config.snapshot_dir):
                break
            await asyncio.sleep(0.05)
        await app.stop_snapshots()
    assert list_snapshots(config.snapshot_dir)[0].verified
    assert not app.schedule.started


def test_the_command_line_takes_lists_verifies_and_reports(tmp_path, capsys):
    config = config_for(tmp_path)

    async def fill() -> None:
        async with Vouchy(config) as app:
            await load(app, random.Random(10), 30, {}, "cli")

    asyncio.run(fill())
    data = ["--data", str(config.data_dir)]
    os.environ["VOUCHY_SNAPSHOTS_DIR"] = str(config.snapshot_dir)
    try:
        assert main([*data, "snapshot"]) == 0
        path = Path(capsys.readouterr().out.strip())
        assert path.is_file() and path.parent == config.snapshot_dir
        assert main([*data, "snapshots"]) == 0
        out = capsys.readouterr().out
        assert path.name in out and "yes" in out
        assert main([*data, "verify", path.name]) == 0
        assert capsys.readouterr().out.startswith("sound:")
        assert main([*data, "status", "--json"]) == 0
        status = msgspec.json.decode(capsys.readouterr().out)
        assert status["last_snapshot"] == path.name and status["last_snapshot_verified"]
        assert status["quick_check"] == "ok" and status["accounts"] > 0
        assert main([*data, "status"]) == 0
        assert "quick_check ok" in capsys.readouterr().out
        raw = bytearray(path.read_bytes())
        raw[len(raw) // 2] ^= 0xFF
        path.write_bytes(raw)
        assert main([*data, "verify", path.name]) == 1
        assert "sha256 differs" in capsys.readouterr().out
    finally:
        del os.environ["VOUCHY_SNAPSHOTS_DIR"]
