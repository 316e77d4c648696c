"""The journal (invariant 7): one checksummed record per committed batch, in commit order,
written and fsynced before the COMMIT; damage is found and located, never skipped silently."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest
from support.durability import (
    captured_logs,
    config_for,
    events,
    logs_to_memory,  # noqa: F401 (an autouse fixture)
    subprocess_env,
)

from vouchy.app import Vouchy
from vouchy.store.durability.journal import HEAD, Journal, JournalDamaged, frame, records_of
from vouchy.store.writeset import WriteSet

G = 111_111_111_111_111_111


def batch(seq: int, *, ledger_id: int | None = None) -> WriteSet:
    i = ledger_id or seq
    return WriteSet(
        seq,
        1_000 + seq,
        ledger=[(i, G, 7, 5, 5 * i, "earn", f"ref-{seq}", "", None, 1_000 + seq)],
        puts={"accounts": [(G, 7, 5 * i, 5 * i, 0, 1, 1_000 + seq)]},
    )


def journal_with(tmp_path, seqs, *, rotate_at=()) -> Journal:
    journal = Journal(tmp_path / "journal")
    journal.begin(
        "id-1",
        seqs[0],
        {
            "accounts": (
                "guild_id",
                "user_id",
                "balance",
                "lifetime_earned",
                "lifetime_spent",
                "created_at",
                "updated_at",
            )
        },
    )
    for seq in seqs:
        if seq in rotate_at:
            journal.rotate()
        journal.append(batch(seq))
    return journal


def test_each_batch_is_one_checksummed_line_after_its_segments_header(tmp_path):
    journal = journal_with(tmp_path, [1, 2, 3])
    [segment] = journal.segments()
    assert segment.path.name == f"{1:020d}.log"
    lines = segment.path.read_bytes().splitlines()
    assert len(lines) == 4  # the header, then one line per batch
    header, *batches = records_of(segment.path)
    assert header.data_id == "id-1" and header.first_seq == 1
    assert [b.seq for b in batches] == [1, 2, 3]
    scan = journal.scan()
    assert (scan.first_seq, scan.last_seq, scan.damage, scan.head_problem) == (1, 3, [], None)


def test_rotation_starts_a_segment_named_by_its_first_batch_and_head_follows(tmp_path):
    journal = journal_with(tmp_path, [1, 2, 3, 4], rotate_at=(3,))
    assert [s.first_seq for s in journal.segments()] == [1, 3]
    assert journal.head().segment == f"{3:020d}.log"
    assert [b.seq for b, _ in journal.batches(after=1)] == [2, 3, 4]


def test_undo_forgets_the_last_append_and_only_it(tmp_path):
    journal = journal_with(tmp_path, [1, 2])
    journal.append(batch(3))
    assert journal.undo() is True
    journal.append(batch(3, ledger_id=30))
    assert [(b.seq, b.ledger[0][0]) for b, _ in journal.batches()] == [(1, 1), (2, 2), (3, 30)]


def test_prune_deletes_only_segments_a_snapshot_covers_and_never_the_newest(tmp_path):
    journal = journal_with(tmp_path, [1, 2, 3, 4, 5, 6], rotate_at=(3, 5))
    journal.prune(3)  # covers batches 1-3: only the first segment (1-2) is wholly covered
    assert [s.first_seq for s in journal.segments()] == [3, 5]
    journal.prune(100)
    assert [s.first_seq for s in journal.segments()] == [5]


def test_a_record_cut_short_at_the_end_is_a_torn_tail(tmp_path):
    journal = journal_with(tmp_path, [1, 2, 3])
    path = journal.segments()[-1].path
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 20])  # the last append died half written
    scan = journal.scan()
    assert scan.last_seq == 2
    assert scan.torn_tail is not None and scan.torn_tail.after_seq == 2
    assert scan.damage_after(2) == [scan.torn_tail]


@pytest.mark.parametrize("where", ["middle", "last"])
def test_a_flipped_byte_fails_its_records_checksum_and_is_located(tmp_path, where):
    journal = journal_with(tmp_path, [1, 2, 3, 4])
    path = journal.segments()[-1].path
    lines = path.read_bytes().split(b"\n")
    target = 2 if where == "middle" else 4  # line 0 is the header; line n holds batch n
    line = bytearray(lines[target])
    at = line.index(b"ref-")  # the reference changes, the JSON stays valid
    line[at + 4 : at + 5] = b"9"
    lines[target] = bytes(line)
    path.write_bytes(b"\n".join(lines))
    scan = journal.scan()
    [damage] = scan.damage
    assert damage.problem == "checksum mismatch"
    assert damage.after_seq == target - 1
    assert damage.before_seq == (target + 1 if where == "middle" else None)
    assert damage.tail is (where == "last")
    with pytest.raises(JournalDamaged):
        list(journal.batches())


def test_a_missing_batch_is_a_gap_that_stops_reading(tmp_path):
    journal = Journal(tmp_path / "journal")
    journal.begin("id-1", 1, {})
    for seq in (1, 2, 4):
        journal.append(batch(seq))
    scan = journal.scan()
    assert [d.problem for d in scan.damage] == ["batch 4 follows batch 2: batches are missing"]
    with pytest.raises(JournalDamaged, match="lacks batch 3"):
        list(journal.batches())


def test_a_deleted_newest_segment_is_noticed_through_head(tmp_path):
    journal = journal_with(tmp_path, [1, 2, 3, 4], rotate_at=(3,))
    journal.segments()[-1].path.unlink()
    scan = journal.scan()
    assert scan.last_seq == 2
    assert "is missing" in scan.head_problem and f"{3:020d}.log" in scan.head_problem


def test_cut_after_sets_the_removed_bytes_aside_and_head_still_points_at_the_newest(tmp_path):
    journal = journal_with(tmp_path, [1, 2, 3, 4], rotate_at=(3,))
    aside = tmp_path / "aside"
    removed = journal.cut_after(2, aside, "cut")
    assert removed == 2  # the newest segment's two batches (the segment itself goes too)
    assert [s.first_seq for s in journal.segments()] == [1]
    assert journal.scan().head_problem is None
    assert b"ref-4" in (aside / "cut.log").read_bytes()


def test_a_frame_is_the_crc32_of_its_payload():
    import zlib

    line = frame(b"[1,2]")
    assert line == b"%08x [1,2]\n" % zlib.crc32(b"[1,2]")


async def test_every_committed_batch_is_journaled_once_in_order_with_every_table(tmp_path):
    config = config_for(tmp_path)
    async with Vouchy(config) as app:
        await app.points.member(G, 1).earn(5, "a")
        await app.points.member(G, 1).transfer(2, 3, "b")
        await app.update_settings(G, "core", {"locale": "fr"}, updated_by=9, reference="c")
        seq = app.writer.seq
    batches = [b for b, _ in Journal(config.journal_dir).batches()]
    assert [b.seq for b in batches] == list(range(1, seq + 1))
    tables = {name for b in batches for name in b.puts} | {"ledger"} if batches else set()
    assert {"accounts", "settings", "ledger"} <= tables
    assert [o.reference for b in batches for o in b.operations] == ["a", "b", "c"]


CRASH_AFTER_APPEND = """
import asyncio, os, sys
from vouchy.app import Vouchy, load_config
from vouchy.store.durability.journal import Journal

class DieAfterAppend(Journal):
    armed = False
    def append(self, ws):
        super().append(ws)
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


async def test_a_batch_fsynced_but_not_committed_is_applied_once_whole_at_start(tmp_path):
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
            assert app.recovery.action == "rolled_forward" and app.recovery.replayed == 1
            # Its caller heard nothing, but it is whole in the journal: it happened, once.
            again = await app.points.member(G, 5000).earn(7, "never-answered")
    assert again.duplicate
    assert [e["batches"] for e in events(logs, "journal_rolled_forward")] == [1]
    assert (tmp_path / "data" / HEAD).parent.is_dir()
