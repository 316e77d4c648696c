"""``python -m vouchy restore``: verify first, replay the journal past the snapshot, keep the
current database, install in one rename; refuse (changing nothing) a snapshot that fails, a
running bot, a name outside the snapshot directory, a journal that does not reach back."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from pathlib import Path

import msgspec
import pytest
from support.durability import (
    GUILDS,
    audit_clean,
    config_for,
    ledger,
    load,
    logs_to_memory,  # noqa: F401 (an autouse fixture)
    missing,
)

from vouchy.app import Vouchy
from vouchy.cli import main
from vouchy.core.config import Config
from vouchy.store.durability.files import sqlite_files
from vouchy.store.durability.journal import Journal
from vouchy.store.durability.lock import DataLock
from vouchy.store.durability.snapshots import manifest_path, read_manifest, sha256_of

G = GUILDS[0]


async def history(root: Path) -> tuple[Config, Path, dict]:
    """Operations, a snapshot, more operations: the database and what was acknowledged."""
    config = config_for(root)
    acks: dict = {}
    async with Vouchy(config) as app:
        await load(app, random.Random(11), 60, acks, "before")
        snapshot = Path((await app.snapshot_now()).path)
        await load(app, random.Random(12), 60, acks, "after")
    return config, snapshot, acks


@pytest.fixture
def cli(monkeypatch, capsys):
    def run(config: Config, *args: str) -> tuple[int, str, str]:
        monkeypatch.setenv("VOUCHY_SNAPSHOTS_DIR", str(config.snapshot_dir))
        code = main(["--data", str(config.data_dir), *args])
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return code, out, err

    return run


def fingerprint(config: Config) -> list[str]:
    return [sha256_of(p) if p.exists() else "-" for p in sqlite_files(config.db_path)[:2]]


def test_restore_installs_the_snapshot_plus_the_journal_and_keeps_the_previous_database(
    tmp_path, cli
):
    config, snapshot, acks = asyncio.run(history(tmp_path))
    before = ledger(config.db_path)
    stale = config.db_path.with_name("vouchy.db-wal")
    stale.write_bytes(b"a stale WAL that must never meet the restored file")
    code, out, _ = cli(config, "restore", snapshot.name, "--yes")
    assert code == 0
    replayed = Journal(config.journal_dir).scan().last_seq - read_manifest(snapshot).facts.seq
    assert f"{replayed:,} batches replayed" in out and "audit clean" in out
    assert ledger(config.db_path) == before and not missing(config.db_path, acks)
    assert audit_clean(config.db_path) and not stale.exists()
    [kept] = config.data_dir.glob("pre-restore-*")
    assert (kept / "vouchy.db").exists() and (kept / "vouchy.db-wal").exists()

    async def reopen() -> str:
        async with Vouchy(config) as app:
            await app.points.member(G, 5000).earn(1, "after-restore")
            return app.recovery.action

    assert asyncio.run(reopen()) == "ok"


@pytest.mark.parametrize("damage", ["changed byte", "edited manifest", "truncated", "schema"])
def test_restore_refuses_a_snapshot_that_fails_verification_and_changes_nothing(
    tmp_path, cli, damage
):
    config, snapshot, _ = asyncio.run(history(tmp_path))
    manifest = read_manifest(snapshot)
    if damage == "changed byte":
        raw = bytearray(snapshot.read_bytes())
        raw[len(raw) // 3] ^= 0x01
        snapshot.write_bytes(raw)
        reason = "sha256 differs"
    elif damage == "edited manifest":
        facts = msgspec.structs.replace(
            manifest.facts, total_points=manifest.facts.total_points + 1
        )
        edited = msgspec.structs.replace(manifest, facts=facts)
        manifest_path(snapshot).write_bytes(msgspec.json.encode(edited))
        reason = "does not match its manifest (total_points)"
    elif damage == "truncated":
        snapshot.write_bytes(snapshot.read_bytes()[:8192])
        reason = "truncated"
    else:  # a copy from a newer Vouchy, with a manifest that matches its bytes
        conn = sqlite3.connect(snapshot)
        conn.execute("PRAGMA user_version = 99")
        conn.close()
        relabeled = msgspec.structs.replace(
            manifest, sha256=sha256_of(snapshot), size=snapshot.stat().st_size
        )
        manifest_path(snapshot).write_bytes(msgspec.json.encode(relabeled))
        reason = "schema version 99 is not one this Vouchy knows"
    before = fingerprint(config)
    code, _, err = cli(config, "restore", snapshot.name, "--yes")
    assert code == 2 and reason in err and "failed verification" in err
    assert err.count("\n") == 1  # one line
    assert fingerprint(config) == before
    assert not list(config.data_dir.glob("pre-restore-*"))
    assert not list(config.data_dir.glob(".rebuilding-*"))
    code, out, _ = cli(config, "verify", snapshot.name)
    assert code == 1 and reason in out


async def test_restore_refuses_while_a_bot_holds_the_data_directory(tmp_path, cli):
    config, snapshot, _ = await history(tmp_path)
    async with Vouchy(config):
        before = fingerprint(config)
        code, _, err = await asyncio.to_thread(cli, config, "restore", snapshot.name, "--yes")
        assert code == 2 and "is the bot running?" in err
        assert fingerprint(config) == before
    lock = DataLock(config.data_dir).acquire()  # a restore or import in another process
    try:
        code, _, err = await asyncio.to_thread(cli, config, "restore", snapshot.name, "--yes")
        assert code == 2 and "in use" in err
    finally:
        lock.release()


def test_restore_refuses_names_outside_the_snapshot_directory(tmp_path, cli):
    config, snapshot, _ = asyncio.run(history(tmp_path))
    outside = tmp_path / "vouchy-elsewhere.db"
    outside.write_bytes(snapshot.read_bytes())
    manifest_path(outside).write_bytes(manifest_path(snapshot).read_bytes())
    link = config.snapshot_dir / "vouchy-link.db"
    link.symlink_to(outside)
    quarantined = config.snapshot_dir / "quarantine" / snapshot.name
    quarantined.parent.mkdir()
    quarantined.write_bytes(snapshot.read_bytes())
    for name in (
        "../vouchy-elsewhere.db",
        str(outside),
        "../data/vouchy.db",
        "/etc/passwd",
        link.name,
        f"quarantine/{snapshot.name}",
    ):
        code, _, err = cli(config, "restore", name, "--yes")
        assert code == 2 and "is not a snapshot in" in err, name
    code, _, err = cli(config, "restore", "vouchy-19990101T000000Z", "--yes")
    assert code == 2 and "no snapshot named" in err
    # The same name given with or without .db, or as a path inside the directory, is fine.
    code, _, _ = cli(config, "verify", snapshot.stem)
    assert code == 0
    code, _, _ = cli(config, "verify", str(snapshot))
    assert code == 0


def test_restore_without_yes_asks_first_and_without_an_answer_changes_nothing(tmp_path, cli):
    config, snapshot, _ = asyncio.run(history(tmp_path))
    before = fingerprint(config)
    code, _, err = cli(config, "restore", snapshot.name)
    assert code == 2 and "--yes" in err
    assert fingerprint(config) == before


def test_restore_with_no_replay_sets_the_journal_aside_and_the_next_start_keeps_it_so(
    tmp_path, cli
):
    config, snapshot, acks = asyncio.run(history(tmp_path))

    async def later_snapshot() -> Path:
        async with Vouchy(config) as app:
            return Path((await app.snapshot_now()).path)

    newer = asyncio.run(later_snapshot())
    code, out, _ = cli(config, "restore", snapshot.name, "--yes", "--no-replay")
    assert code == 0 and "set aside, not applied" in out
    at_snapshot = ledger(snapshot)
    assert ledger(config.db_path) == at_snapshot
    after = [k for k in acks if k[1].startswith("after")]
    assert set(missing(config.db_path, acks)) == set(after)
    aside = b"".join(p.read_bytes() for p in (config.data_dir / "journal-set-aside").iterdir())
    assert all(ref.encode() in aside for _, ref in after)
    assert not newer.exists()  # a later snapshot of the abandoned history is put aside too
    assert list(config.snapshot_dir.glob(f"superseded-*/{newer.name}"))

    async def reopen() -> str:
        async with Vouchy(config) as app:
            return app.recovery.action

    assert asyncio.run(reopen()) == "ok"
    assert ledger(config.db_path) == at_snapshot
    scan = Journal(config.journal_dir).scan()
    assert scan.last_seq <= read_manifest(snapshot).facts.seq and scan.head_problem is None


def test_restore_refuses_to_replay_a_journal_that_does_not_reach_back(tmp_path, cli):
    config, first, _ = asyncio.run(history(tmp_path))

    async def two_more() -> None:
        async with Vouchy(config) as app:
            for n in range(2):
                await load(app, random.Random(20 + n), 20, {}, f"more{n}")
                await app.snapshot_now()  # the journal is pruned to the second newest

    asyncio.run(two_more())
    assert Journal(config.journal_dir).scan().first_seq > read_manifest(first).facts.seq + 1
    before = fingerprint(config)
    code, _, err = cli(config, "restore", first.name, "--yes")
    assert code == 2 and "--no-replay" in err
    assert fingerprint(config) == before
    code, _, _ = cli(config, "restore", first.name, "--yes", "--no-replay")
    assert code == 0 and ledger(config.db_path) == ledger(first)
