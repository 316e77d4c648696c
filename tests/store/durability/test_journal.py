"""The journal (invariant 7): every committed ledger row is journaled once, in order; an
append that did not commit is undone or cut at start-up; replay applies each row once."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import subprocess
import sys

import msgspec
import pytest
from support import dump
from support.durability import (
    GUILDS,
    captured_logs,
    config_for,
    events,
    ledger,
    load,
    logs_to_memory,  # noqa: F401 (an autouse fixture)
    missing,
    subprocess_env,
)

from vouchy.app import Vouchy
from vouchy.store.connection import connect_sync
from vouchy.store.durability.journal import Journal, JournalDamaged, JournalEntry, entry_of, row_of
from vouchy.store.durability.recovery import ReplayFailed, replay

G = GUILDS[0]


def rows(first: int, count: int, user: int = 7, balance: int = 100) -> list[tuple]:
    return [
        (i, G, user, 5, balance + 5 * (i - first + 1), "earn", f"ref-{i}", "", None, 1_700_000 + i)
        for i in range(first, first + count)
    ]


def test_a_ledger_row_becomes_a_journal_entry_and_back_unchanged():
    row = (42, G, 9, -30, 70, "transfer_out", "ref-42", "rent", 9, 1_700_000_123)
    entry = entry_of(row, end=True)
    again = msgspec.json.decode(msgspec.json.encode(entry), type=JournalEntry)
    assert row_of(again) == row and again.end


async def test_every_committed_ledger_row_is_journaled_once_in_order(tmp_path):
    config = config_for(tmp_path)
    acks: dict = {}
    async with Vouchy(config) as app:
        await load(app, random.Random(1), 120, acks, "j")
        await app.points.member(G, 5000).daily("daily-1")
        await app.points.member(G, 5001).adjust("set", 77, "set-1", acting_user_id=1)
    entries = list(Journal(config.journal_dir).entries())
    assert [row_of(e) for e in entries] == ledger(config.db_path)
    assert entries[-1].end  # every append ends with its mark
    assert not missing(config.db_path, acks)


def test_undo_forgets_the_last_append_and_only_it(tmp_path):
    journal = Journal(tmp_path)
    journal.append(rows(1, 2))
    journal.append(rows(3, 2))
    journal.undo()
    journal.append(rows(3, 3, user=8))
    assert [(e.id, e.user_id) for e in journal.entries()] == [
        (1, 7),
        (2, 7),
        (3, 8),
        (4, 8),
        (5, 8),
    ]
    assert [e.end for e in journal.entries()] == [False, True, False, False, True]


def test_an_append_that_fails_before_writing_is_undone_without_touching_the_one_before(
    tmp_path,
):
    journal = Journal(tmp_path)
    journal.append(rows(1, 2))
    bad = [(3, G, 7, 5, 115, "earn", "ref-3", object(), None, 1)]  # a value it cannot encode
    with pytest.raises(TypeError):
        journal.append(bad)
    journal.undo()  # what the writer does after any failure in the append
    assert [e.id for e in journal.entries()] == [1, 2]
    journal.append(rows(3, 1))
    assert [e.id for e in journal.entries()] == [1, 2, 3]


def test_rotation_starts_a_segment_named_by_its_first_ledger_id(tmp_path):
    journal = Journal(tmp_path)
    journal.append(rows(1, 3))
    journal.rotate()
    journal.append(rows(4, 2))
    journal.append(rows(6, 1))
    assert [s.first_id for s in journal.segments()] == [1, 4]
    assert [e.id for e in journal.entries(after=2)] == [3, 4, 5, 6]


def test_prune_deletes_only_segments_a_snapshot_covers_and_never_the_newest(tmp_path):
    journal = Journal(tmp_path)
    for first, count in ((1, 3), (4, 2), (6, 2)):
        journal.rotate()
        journal.append(rows(first, count))
    journal.prune(4)  # ids 4-5 are not all covered
    assert [s.first_id for s in journal.segments()] == [4, 6]
    journal.prune(5)
    assert [s.first_id for s in journal.segments()] == [6]
    journal.prune(1_000)
    assert [s.first_id for s in journal.segments()] == [6]


def test_a_torn_final_line_is_dropped_but_a_damaged_line_before_it_is_refused(tmp_path):
    journal = Journal(tmp_path)
    journal.append(rows(1, 3))
    journal.close()
    segment = journal.segments()[0].path
    whole = segment.read_bytes()
    segment.write_bytes(whole + b'{"id": 4, "guild_id": 1')  # written, never fsynced whole
    assert [e.id for e in journal.entries()] == [1, 2, 3]
    assert journal.tail(3).torn_bytes > 0
    journal.cut_after(3, tmp_path / "aside", "torn")
    assert segment.read_bytes() == whole

    lines = whole.split(b"\n")
    segment.write_bytes(b"\n".join([lines[0], b"garbage", *lines[2:]]))
    with pytest.raises(JournalDamaged):
        list(journal.entries())


async def test_replay_rebuilds_the_same_database_and_applies_nothing_twice(tmp_path):
    config = config_for(tmp_path)
    async with Vouchy(config) as app:
        await load(app, random.Random(2), 150, {}, "r")
        await app.points.member(G, 5003).daily("daily-3")
    rebuilt = tmp_path / "rebuilt.db"
    conn = connect_sync(rebuilt)
    try:
        journal = Journal(config.journal_dir)
        first = replay(conn, journal.entries())
        again = replay(conn, journal.entries())
    finally:
        conn.close()
    assert first.applied == len(ledger(config.db_path)) and first.skipped == 0
    assert again.applied == 0 and again.skipped == first.applied
    assert dump(rebuilt) == dump(config.db_path)
    conn = sqlite3.connect(rebuilt)
    original = sqlite3.connect(config.db_path)
    try:
        query = "SELECT * FROM accounts ORDER BY 1, 2"
        assert conn.execute(query).fetchall() == original.execute(query).fetchall()
    finally:
        conn.close()
        original.close()


def test_replay_refuses_a_gap_and_a_row_from_another_history(tmp_path):
    journal = Journal(tmp_path / "j")
    journal.append(rows(1, 2))
    journal.append(rows(4, 1))  # id 3 is missing
    conn = connect_sync(tmp_path / "a.db")
    try:
        with pytest.raises(ReplayFailed, match="lacks ledger ids 3 to 3"):
            replay(conn, journal.entries())
        assert conn.execute("SELECT COUNT(*) FROM ledger").fetchone()[0] == 0  # all or nothing
        replay(conn, [entry_of(r) for r in rows(1, 2)])
        other = [entry_of((2, G, 7, 5, 110, "earn", "someone-else", "", None, 1))]
        with pytest.raises(ReplayFailed, match="in the journal but"):
            replay(conn, other)
    finally:
        conn.close()


def test_a_reference_already_in_the_ledger_under_another_id_is_never_applied_again(tmp_path):
    conn = connect_sync(tmp_path / "a.db")
    try:
        replay(conn, [entry_of(r) for r in rows(1, 2)])
        twin = (3, G, 7, 5, 115, "earn", "ref-2", "", None, 1)  # ref-2 again, new id
        done = replay(conn, [entry_of(twin), entry_of(rows(4, 1)[0])])
        assert (done.applied, done.skipped) == (1, 1)
        refs = [
            r[0] for r in conn.execute("SELECT reference FROM ledger WHERE reference = 'ref-2'")
        ]
        assert refs == ["ref-2"]
    finally:
        conn.close()


CRASH_AFTER_APPEND = """
import asyncio, os, sys
from vouchy.app import Vouchy
from vouchy.app import load_config
from vouchy.store.durability.journal import Journal

class DieAfterAppend(Journal):
    armed = False
    def append(self, rows):
        super().append(rows)
        if self.armed:
            os._exit(9)  # after the journal's fsync, before the COMMIT

async def main(root):
    config = load_config(env={"VOUCHY_DATA_DIR": root + "/data",
                              "VOUCHY_SNAPSHOTS_DIR": root + "/snapshots"})
    journal = DieAfterAppend(config.journal_dir)
    app = await Vouchy(config, journal=journal).start()
    for i in range(20):
        await app.points.member(111111111111111111, 5000 + i % 3).earn(5, f"ok-{i}")
        print("ACK", f"ok-{i}", flush=True)
    journal.armed = True
    await app.points.member(111111111111111111, 5000).earn(7, "never-answered")
    print("ACK never-answered", flush=True)

asyncio.run(main(sys.argv[1]))
"""


async def test_an_append_cut_off_before_its_commit_is_cut_at_start_and_its_ids_reused(tmp_path):
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", CRASH_AFTER_APPEND, str(tmp_path)],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=60,
    )
    assert done.returncode == 9, done.stderr
    assert done.stdout.count("ACK") == 20 and "never-answered" not in done.stdout
    config = config_for(tmp_path)
    with captured_logs() as logs:
        async with Vouchy(config) as app:
            assert app.recovery.action == "tail_discarded" and app.recovery.discarded == 1
            receipt = await app.points.member(G, 5001).earn(3, "after-restart")
    assert [e["count"] for e in events(logs, "journal_tail_discarded")] == [1]
    table = ledger(config.db_path)
    assert not [r for r in table if r[6] == "never-answered"]
    assert receipt.ledger_id == 24  # 3 openings + 20 earns, then the cut row's id again
    assert [row_of(e) for e in Journal(config.journal_dir).entries()] == table
    aside = (config.data_dir / "journal-set-aside").glob("*.jsonl")
    assert b"never-answered" in b"".join(p.read_bytes() for p in aside)
