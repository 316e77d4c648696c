"""Faults: a full disk, an I/O error or a permission refused while journaling fails that batch
with a clear error, nothing in it acknowledged, and the writer recovers when the disk does;
while snapshotting, the fault is logged, retried at the next interval, and the bot serves on."""

from __future__ import annotations

import asyncio
import errno
import os
import random
import sqlite3

import pytest
from support.durability import (
    GUILDS,
    USERS,
    audit_clean,
    captured_logs,
    config_for,
    events,
    fail_io,
    ledger,
    load,
    logs_to_memory,  # noqa: F401 (an autouse fixture)
    missing,
)

from vouchy.app import Vouchy
from vouchy.core.errors import StorageUnavailable
from vouchy.store.durability import snapshots
from vouchy.store.durability.journal import Journal
from vouchy.store.durability.recovery import check_database
from vouchy.store.durability.snapshots import list_snapshots, verify_snapshot

G = GUILDS[0]


async def attempt(app: Vouchy, refs: list[str]) -> list[BaseException | None]:
    """One earn per reference, all at once (one batch); each caller's outcome."""
    results = await asyncio.gather(
        *(app.points.member(G, USERS[i % 4]).earn(3, ref) for i, ref in enumerate(refs)),
        return_exceptions=True,
    )
    return [r if isinstance(r, BaseException) else None for r in results]


def journal_matches_ledger(config) -> bool:
    journaled = [tuple(r) for b, _ in Journal(config.journal_dir).batches() for r in b.ledger]
    return journaled == ledger(config.db_path)


@pytest.mark.parametrize(
    "fault",
    ["disk full mid-write", "I/O error on write", "I/O error on fsync and on the undo"],
)
async def test_a_journal_fault_fails_its_batch_unacknowledged_and_the_writer_recovers(
    tmp_path, monkeypatch, fault
):
    config = config_for(tmp_path)
    acks: dict = {}
    with captured_logs() as logs:
        async with Vouchy(config) as app:
            await load(app, random.Random(41), 30, acks, "ok")
            if fault == "disk full mid-write":
                real_write, calls = os.write, [0]

                def half_then_full(fd: int, data: bytes) -> int:
                    if not os.readlink(f"/proc/self/fd/{fd}").startswith(str(config.journal_dir)):
                        return real_write(fd, data)
                    calls[0] += 1
                    if calls[0] == 1:
                        return real_write(fd, bytes(data)[: len(data) // 2])  # a short write
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

                monkeypatch.setattr(os, "write", half_then_full)
            elif fault == "I/O error on write":
                fail_io(monkeypatch, "write", config.journal_dir, errno.EIO)
            else:
                fail_io(monkeypatch, "fdatasync", config.journal_dir, errno.EIO)
                fail_io(monkeypatch, "fsync", config.journal_dir, errno.EIO)
            refs = [f"failed-{n}" for n in range(6)]
            outcomes = await attempt(app, refs)
            assert all(isinstance(o, StorageUnavailable) for o in outcomes), outcomes
            if fault.endswith("undo"):
                # The record may be on disk and could not be taken back: a restart could
                # apply it, so the callers are not told "nothing was changed".
                assert all(o.key == "error.storage_uncertain" for o in outcomes)
            else:
                assert "nothing was changed" in str(outcomes[0])
            monkeypatch.undo()  # the disk is back
            assert app.writer.alive
            assert await attempt(app, refs) == [None] * len(refs)  # the same references: new
            await load(app, random.Random(42), 30, acks, "again")
    assert not missing(config.db_path, acks) and audit_clean(config.db_path)
    assert journal_matches_ledger(config)  # no trace of the failed append
    assert [r[6] for r in ledger(config.db_path)].count("failed-0") == 1
    assert events(logs, "journal_append_failed")
    if fault.endswith("undo"):
        assert events(logs, "journal_undo_failed")  # and cleaned up before the next append


async def test_a_permission_refused_for_a_new_journal_segment_fails_the_batch_cleanly(
    tmp_path, monkeypatch
):
    config = config_for(tmp_path)
    async with Vouchy(config) as app:
        await load(app, random.Random(43), 20, {}, "ok")
        app.journal.rotate()  # the next append opens a new segment
        real_open = os.open

        def refuse(path, flags, *args):
            if str(path).startswith(str(config.journal_dir)) and flags & os.O_CREAT:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return real_open(path, flags, *args)

        monkeypatch.setattr(os, "open", refuse)
        outcomes = await attempt(app, ["refused-1", "refused-2"])
        assert all(isinstance(o, StorageUnavailable) for o in outcomes)
        monkeypatch.undo()
        assert await attempt(app, ["refused-1", "refused-2"]) == [None, None]
    assert journal_matches_ledger(config) and audit_clean(config.db_path)


class _FullDuringBackup:
    """The live database's read-only handle, whose one-step backup meets a full disk."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def backup(self, *_args: object, **_kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    def close(self) -> None:
        self.conn.close()


@pytest.mark.parametrize(
    "fault", ["disk full in the copy", "disk full on fsync", "I/O error on fsync", "permission"]
)
async def test_a_snapshot_fault_is_logged_retried_at_the_next_interval_and_serving_goes_on(
    tmp_path, monkeypatch, fault
):
    config = config_for(tmp_path)
    acks: dict = {}
    with captured_logs() as logs:
        async with Vouchy(config) as app:
            await load(app, random.Random(44), 20, acks, "before")
            if fault == "disk full in the copy":
                real = snapshots.open_readonly
                monkeypatch.setattr(
                    snapshots, "open_readonly", lambda path: _FullDuringBackup(real(path))
                )
            elif fault == "permission":
                config.snapshot_dir.mkdir(parents=True)

                def refuse(*_args: object) -> None:
                    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

                monkeypatch.setattr(os, "link", refuse)
            else:
                code = errno.ENOSPC if "full" in fault else errno.EIO
                fail_io(monkeypatch, "fsync", config.snapshot_dir, code)
            app.schedule.interval_minutes = 0.2 / 60
            app.schedule.first_after_seconds = 0.1
            app.start_snapshots()
            # The bot keeps serving while the snapshot job fails.
            for n in range(20):
                await load(app, random.Random(45 + n), 5, acks, f"during{n}")
                if app.schedule.failures >= 2:
                    break
                await asyncio.sleep(0.05)
            assert app.schedule.failures >= 1
            assert not [p for p in config.snapshot_dir.glob("*") if p.is_file()]  # no leftovers
            monkeypatch.undo()  # the disk is back: the next interval succeeds
            for _ in range(100):
                if list_snapshots(config.snapshot_dir):
                    break
                await asyncio.sleep(0.05)
            await app.stop_snapshots()
            await load(app, random.Random(46), 10, acks, "after")
    [taken, *_] = list_snapshots(config.snapshot_dir)
    assert verify_snapshot(config.snapshot_dir / taken.name).ok
    failed = events(logs, "snapshot_failed")
    assert failed and failed[0]["log_level"] == "error" and failed[0]["error"]
    assert not missing(config.db_path, acks) and audit_clean(config.db_path)
    assert check_database(config.db_path).problem is None  # the live database untouched
