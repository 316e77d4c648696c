"""Recovery: the start-up check of the live database, the rebuild of a lost or damaged one,
restore from a verified snapshot, and the replay of journaled batches.

Promises (invariants 6 and 7):
- A batch whose journal record is whole is as good as committed: one the database lacks is
  applied at start (its caller may not have heard back, but it happened once, whole). A record
  cut short was never committed and is set aside, never applied.
- A database that is missing or damaged (it does not open, fails ``quick_check``, its WAL
  lost committed frames, its ledger has holes, or it disagrees with the journal's record of
  its own last batch) is rebuilt from a sound base plus every batch after it: the newest
  verified snapshot of this data directory, else the journal from its first batch, else the
  database's own readable part. The rebuilt copy is installed only after it audits clean, in
  one rename; the old files go to ``<data>/damaged-<time>/``, never deleted.
- It never starts with less than was acknowledged without an operator's explicit choice
  (``accept_loss``): a rebuild that cannot reach the journal's end (a damaged record, a gap, a
  missing newest segment, a record cut short that may have been acknowledged) is refused,
  naming exactly what cannot be used.
- Snapshots and journals of another data directory (another identity) are never used.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import struct
import sys
import time
from array import array
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

import msgspec

from vouchy.core.errors import VouchyError
from vouchy.core.logs import get_logger
from vouchy.store.audit import audit
from vouchy.store.catalog import read_catalog
from vouchy.store.connection import connect_sync
from vouchy.store.durability.files import (
    fsync_dir,
    fsync_file,
    move_aside,
    new_dir_name,
    open_readonly,
    sqlite_files,
    utc_stamp,
)
from vouchy.store.durability.identity import (
    ID_FILE,
    database_id,
    read_id_file,
    write_id_file,
)
from vouchy.store.durability.journal import Journal, JournalDamaged, Scan
from vouchy.store.durability.lock import DataDirectoryBusy, DataLock
from vouchy.store.durability.snapshots import (
    Manifest,
    Owner,
    SnapshotInfo,
    Verdict,
    list_snapshots,
    manifest_path,
    quarantine,
    read_manifest,
    sha256_of,
    verify_snapshot,
)
from vouchy.store.schema import FORMAT, unknown
from vouchy.store.writeset import Applier, WriteSet, coalesce

log = get_logger("vouchy.recovery")

SET_ASIDE = "journal-set-aside"
MISSING = "it is missing"
REBUILDING = ".rebuilding-"


class RestoreRefused(VouchyError):
    code = "restore_refused"


class DatabaseUnrecoverable(VouchyError):
    code = "database_unrecoverable"


class ReplayFailed(VouchyError):
    code = "replay_failed"


class Health(NamedTuple):
    problem: str | None  # None: sound
    usable: bool  # its committed part can serve as a base for a rebuild
    seq: int  # its last journal batch (0 for a database older than the batch journal)
    last_ledger_id: int
    data_id: str | None
    legacy: bool  # written before the batch journal (format < 3)
    wal_frames: int = 0


class Recovery(msgspec.Struct, frozen=True, kw_only=True):
    """What the start-up check found and did."""

    # ok | created | skipped | rolled_forward | tail_discarded | recovered | fresh | migrated
    action: str
    problem: str | None = None
    base: str | None = None  # what a rebuild started from
    replayed: int = 0  # batches applied from the journal
    discarded: int = 0  # journal lines set aside (a record cut short: never committed)
    moved_aside: str | None = None
    accounts: int = 0
    total_points: int = 0
    seconds: float = 0.0
    needs_snapshot: bool = False  # the journal lacks batches the database holds: snapshot now
    lost: list[str] = []  # with accept_loss: exactly what could not be used
    data_id: str | None = None


class RestoreSummary(msgspec.Struct, frozen=True, kw_only=True):
    snapshot: str
    replayed: int
    last_seq: int
    last_ledger_id: int
    accounts: int
    total_points: int
    pre_restore: str | None
    set_aside: int  # journal lines past the snapshot put aside (--no-replay)
    seconds: float


# -- the live database's health ---------------------------------------------------------------

_WAL_MAGIC = (0x377F0682, 0x377F0683)
_WAL_VERSION = 3007000
_MASK = 0xFFFFFFFF


def _checksum(data: bytes, big_endian: bool, s1: int = 0, s2: int = 0) -> tuple[int, int]:
    """SQLite's WAL checksum over ``data`` (a multiple of 8 bytes), seeded with (s1, s2)."""
    words = array("I", data)
    if big_endian != (sys.byteorder == "big"):
        words.byteswap()
    for i in range(0, len(words), 2):
        s1 = (s1 + words[i] + s2) & _MASK
        s2 = (s2 + words[i + 1] + s1) & _MASK
    return s1, s2


class _Wal(NamedTuple):
    frames: int  # whole frames of the current generation
    problem: str | None


def _scan_wal(wal: Path, used: int) -> _Wal:
    """The WAL's frames of its current generation, and whether the ones SQLite did not use
    (past ``used``) are only a transaction that never committed (a crash mid-write: sound) or
    hide committed transactions behind a bad frame (damage: those commits are lost)."""
    size = wal.stat().st_size if wal.exists() else 0
    if size == 0:
        return _Wal(0, None)
    with open(wal, "rb") as f:
        header = f.read(32)
        if len(header) < 32:
            return _Wal(0, "its WAL is shorter than a WAL header")
        magic, version, page_size, _, salt1, salt2, c1, c2 = struct.unpack(">8I", header)
        big = bool(magic & 1)
        if (
            magic not in _WAL_MAGIC
            or version != _WAL_VERSION
            or page_size < 512
            or page_size & (page_size - 1)
            or _checksum(header[:24], big) != (c1, c2)
        ):
            return _Wal(0, "its WAL header is damaged")
        frame_size = 24 + page_size
        whole = (size - 32) // frame_size
        current = 0
        for i in range(whole):
            f.seek(32 + i * frame_size + 8)
            if struct.unpack(">2I", f.read(8)) != (salt1, salt2):
                break
            current += 1
        if current <= used:
            return _Wal(current, None)
        # The frames past the last one SQLite used: follow the checksum chain from it.
        seed = (c1, c2)
        if used:
            f.seek(32 + (used - 1) * frame_size + 16)
            seed = struct.unpack(">2I", f.read(8))
        s1, s2 = seed
        broken = False
        for i in range(used, current):
            f.seek(32 + i * frame_size)
            frame = f.read(frame_size)
            commit = struct.unpack(">I", frame[4:8])[0] != 0
            stored = struct.unpack(">2I", frame[16:24])
            if not broken:
                s1, s2 = _checksum(frame[:8] + frame[24:], big, s1, s2)
                if (s1, s2) != stored:
                    broken = True
                elif commit:
                    return _Wal(
                        current, "its WAL holds a committed transaction SQLite could not use"
                    )
                continue
            # After a bad frame: a commit frame that checks out against its predecessor is
            # a committed transaction SQLite had to drop.
            prev = struct.unpack(">2I", _frame_at(f, i - 1, frame_size)[16:24])
            if commit and _checksum(frame[:8] + frame[24:], big, *prev) == stored:
                return _Wal(
                    current,
                    f"its WAL is damaged at frame {used + 1}: committed transactions after it "
                    "could not be used",
                )
    return _Wal(current, None)


def _frame_at(f: Any, i: int, frame_size: int) -> bytes:
    f.seek(32 + i * frame_size)
    return f.read(frame_size)  # type: ignore[no-any-return]


def _frames_used(db_path: Path) -> int:
    """How many WAL frames SQLite accepted (mxFrame of the wal-index header in -shm, valid
    after a read: the first connection rebuilds it from the WAL, checking every checksum)."""
    shm = db_path.with_name(db_path.name + "-shm")
    try:
        header = shm.read_bytes()[:48]
    except FileNotFoundError:
        return 0
    if len(header) < 48:
        return 0
    version, _, _, is_init, _, _, mx_frame = struct.unpack_from("=IIIBBHI", header)
    return mx_frame if version == _WAL_VERSION and is_init else 0


def _header_problem(db_path: Path) -> str | None:
    """The header fields SQLite reads from the file itself that the file format fixes:
    quick_check trusts them (a write version above 2, for one, reads fine and refuses every
    write)."""
    header = db_path.read_bytes()[:24] if db_path.stat().st_size else b""
    if not header:
        return None  # an empty file is an empty database
    if len(header) < 24 or not header.startswith(b"SQLite format 3\0"):
        return "its header is not a SQLite header"
    page_size = struct.unpack(">H", header[16:18])[0]
    write, read, _, *fractions = header[18:24]
    if (
        (page_size != 1 and (page_size < 512 or page_size & (page_size - 1)))
        or not (1 <= write <= 2 and 1 <= read <= 2)
        or fractions != [64, 32, 32]
    ):
        return "its header is damaged"
    return None


def check_database(db_path: Path) -> Health:
    """The header, opening without writing, ``quick_check``, the format, the WAL (committed
    frames SQLite had to drop mean committed batches are missing) and the ledger's ids."""
    if not db_path.exists():
        return Health(MISSING, False, 0, 0, None, False)
    header = _header_problem(db_path)
    if header is not None:
        return Health(header, False, 0, 0, None, False)
    try:
        conn = open_readonly(db_path)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            encoding = conn.execute("PRAGMA encoding").fetchone()[0]
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            checked = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
            used = _frames_used(db_path)
            strange = unknown(conn) if tables else []
            meta: dict[str, Any] = {}
            if "meta" in tables:
                meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            count, last_id = (
                conn.execute("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM ledger").fetchone()
                if "ledger" in tables
                else (0, 0)
            )
        finally:
            conn.close()
    except sqlite3.Error as e:
        return Health(f"it does not open as a database ({e})", False, 0, 0, None, False)
    seq = int(meta.get("journal_seq", 0))
    data_id = str(meta["data_id"]) if "data_id" in meta else None
    legacy = bool(tables) and version < FORMAT

    def sick(problem: str, usable: bool = False) -> Health:
        return Health(problem, usable, seq, last_id, data_id, legacy)

    if checked != ["ok"]:
        return sick(f"quick_check failed: {'; '.join(checked)}")
    if encoding != "UTF-8" and tables:  # Vouchy's databases are UTF-8
        return sick(f"its header says the text is {encoding}")
    if not 0 <= version <= FORMAT or (version == 0 and tables) or strange:
        return sick(
            f"its schema ({version}, {', '.join(strange) or 'core'}) is not one this Vouchy knows"
        )
    if version and not {"ledger", "accounts"} <= tables:
        return sick("its ledger tables are missing")
    wal = _scan_wal(db_path.with_name(db_path.name + "-wal"), used)
    if wal.problem is not None:
        return sick(wal.problem, usable=True)
    if count != last_id:
        return sick(f"its ledger has holes ({last_id - count} ids missing below {last_id})", True)
    return Health(None, True, seq, last_id, data_id, legacy, wal.frames)


def _tip_problem(db_path: Path, journal: Journal, seq: int) -> str | None:
    """Whether the database really holds the state after its batch ``seq``: every row that
    batch wrote, as the journal recorded it (a database whose WAL was lost mid-checkpoint
    can claim a batch while holding pages of another). None when it agrees, or when the
    journal no longer has that batch to compare with."""
    if seq <= 0:
        return None
    try:
        found = next(iter(journal.batches(after=seq - 1)), None)
    except JournalDamaged:
        return None
    if found is None or found[0].seq != seq:
        return None
    ws, columns = found
    conn = open_readonly(db_path)
    try:
        catalog = read_catalog(conn)
        checked = 0
        for name, rows in ws.puts.items():
            cols = columns.get(name, catalog[name].columns if name in catalog else ())
            table = catalog.get(name)
            if table is None:
                return f"it has no table {name!r}, which batch {seq} wrote"
            for row in rows[:500]:
                values = dict(zip(cols, row, strict=True))
                where = " AND ".join(f'"{c}" = ?' for c in table.key)
                stored = conn.execute(
                    f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{name}"'
                    f" WHERE {where}",
                    [values[c] for c in table.key],
                ).fetchone()
                if stored is None or tuple(stored) != tuple(row):
                    return f"its {name} rows differ from what its last batch ({seq}) wrote"
                checked += 1
        for row in ws.ledger[-100:]:
            stored = conn.execute("SELECT * FROM ledger WHERE id = ?", (row[0],)).fetchone()
            if stored is None or tuple(stored) != tuple(row):
                return f"its ledger differs from what its last batch ({seq}) wrote"
    finally:
        conn.close()
    return None


def _tip_problem_unless_closed(db_path: Path, journal: Journal, scan: Scan, seq: int) -> str | None:
    """After a clean close the database file holds every batch (its WAL was checkpointed),
    so a difference is a change made outside Vouchy: the audit's business, not a rebuild's.
    After a crash, a database whose WAL went missing may hold pages of different moments:
    then it must agree with the journal's record of its last batch."""
    if scan.closed_at is not None and scan.closed_at == seq:
        return None
    return _tip_problem(db_path, journal, seq)


# -- replay -----------------------------------------------------------------------------------


class Replayed(NamedTuple):
    batches: int
    last_seq: int


# Batches coalesced per executemany: bounds the memory a long journal needs.
_CHUNK = 2_000


def replay(
    conn: sqlite3.Connection, batches: Iterable[tuple[WriteSet, dict[str, tuple[str, ...]]]]
) -> Replayed:
    """Apply journaled batches on top of ``conn`` in one transaction, in sequence order. The
    first must follow the database's own last batch: a batch is never applied twice, and
    none is skipped."""
    seq = int(conn.execute("SELECT value FROM meta WHERE key = 'journal_seq'").fetchone()[0])
    applier = Applier(read_catalog(conn))
    done = 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        chunk: list[WriteSet] = []
        chunk_columns: dict[str, tuple[str, ...]] | None = None
        for ws, columns in batches:
            if ws.seq != seq + 1:
                raise ReplayFailed(
                    "recovery.replay_gap", expected=seq + 1, found=ws.seq
                )  # the caller decides from where
            seq = ws.seq
            if chunk and (columns != chunk_columns or len(chunk) == _CHUNK):
                _apply_chunk(conn, applier, chunk, chunk_columns or {})
                chunk = []
            chunk.append(ws)
            chunk_columns = columns
            done += 1
        if chunk:
            _apply_chunk(conn, applier, chunk, chunk_columns or {})
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return Replayed(done, seq)


def _apply_chunk(
    conn: sqlite3.Connection,
    applier: Applier,
    chunk: list[WriteSet],
    columns: dict[str, tuple[str, ...]],
) -> None:
    names = {n for ws in chunk for n in (*ws.puts, *ws.deletes)}
    positions = {}
    for name in names:
        table = applier.table(name)
        cols = columns.get(name, table.columns)
        positions[name] = tuple(cols.index(c) for c in table.key)
    applier.apply(conn, coalesce(chunk, positions), columns)


def _replayable(
    journal: Journal, after: int, stop_at_damage: bool
) -> Iterator[tuple[WriteSet, dict[str, tuple[str, ...]]]]:
    """The journal's batches after ``after``; with ``stop_at_damage``, the ones before its
    first unusable part (the caller has accepted losing the rest)."""
    try:
        yield from journal.batches(after)
    except JournalDamaged:
        if not stop_at_damage:
            raise


# -- rebuilding a database --------------------------------------------------------------------


class Base(NamedTuple):
    kind: str  # database | snapshot | journal
    path: Path | None
    seq: int

    @property
    def label(self) -> str:
        return f"{self.kind} {self.path.name}" if self.path else self.kind


class Built(NamedTuple):
    temp: Path
    replayed: Replayed
    last_ledger_id: int
    accounts: int
    total_points: int


# The rebuild's own page cache: replaying into a 1M-row ledger touches pages all over its
# indexes (measured: 1.48 s -> 1.16 s for 110k rows with 256 MiB instead of 8 MiB).
_REBUILD_CACHE_KIB = 262_144


def _copy_in(base: Base, temp: Path, pool: ThreadPoolExecutor) -> Future[Verdict] | None:
    """Put the base's content at ``temp``: a snapshot's bytes (verified in full in ``pool``
    meanwhile; the copy's sha256 ties it to the bytes verified), a consistent copy of the
    live database's committed part, or nothing (the journal alone)."""
    if base.kind == "snapshot":
        assert base.path is not None
        manifest = read_manifest(base.path)
        verdict = pool.submit(verify_snapshot, base.path, manifest)
        shutil.copyfile(base.path, temp)
        if sha256_of(temp) != manifest.sha256:
            _refuse(base, verdict.result())
            raise RestoreRefused("recovery.copy_differs", snapshot=base.path.name)
        return verdict
    if base.kind == "database":
        assert base.path is not None
        src = open_readonly(base.path)
        try:
            dst = sqlite3.connect(temp)
            try:
                src.backup(dst, pages=-1)
            finally:
                dst.close()
        finally:
            src.close()
    return None


def _refuse(base: Base, verdict: Verdict | None) -> None:
    if verdict is not None and not verdict.ok:
        name = base.path.name if base.path else base.kind
        raise RestoreRefused("recovery.snapshot_unsound", snapshot=name, problem=verdict.problem)


def _build(
    base: Base,
    journal: Journal | None,
    data_dir: Path,
    data_id: str | None,
    *,
    replay_journal: bool = True,
    stop_at_damage: bool = False,
) -> Built:
    """The base plus the journal past it, in a temporary file in ``data_dir``, verified and
    audited clean; nothing is installed."""
    temp = new_dir_name(data_dir, f"{REBUILDING}{utc_stamp()}.db")
    with ThreadPoolExecutor(max_workers=1) as pool:
        verdict: Future[Verdict] | None = None
        try:
            verdict = _copy_in(base, temp, pool)
            # Migrates an older base's schema, as opening would. No fsync per COMMIT: the
            # file is fsynced once it is whole, before it is renamed into place.
            conn = connect_sync(temp, "OFF")
            try:
                conn.execute(f"PRAGMA cache_size = -{_REBUILD_CACHE_KIB}")
                if data_id is not None:
                    conn.execute("UPDATE meta SET value = ? WHERE key = 'data_id'", (data_id,))
                seq = int(
                    conn.execute("SELECT value FROM meta WHERE key = 'journal_seq'").fetchone()[0]
                )
                if base.kind == "snapshot" and seq != base.seq:
                    raise ReplayFailed("recovery.base_seq", base=base.label, seq=seq)
                done = Replayed(0, seq)
                if replay_journal and journal is not None:
                    done = replay(conn, _replayable(journal, seq, stop_at_damage))
                _refuse(base, verdict.result() if verdict else None)
                report = audit(conn)
                if not report.clean:
                    raise ReplayFailed(
                        "recovery.not_clean",
                        count=len(report.discrepancies),
                        first=report.discrepancies[0].problem,
                    )
                last_id = conn.execute("SELECT COALESCE(MAX(id), 0) FROM ledger").fetchone()[0]
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                conn.close()
            for sidecar in sqlite_files(temp)[1:]:
                sidecar.unlink(missing_ok=True)  # empty after the checkpoint and close
            fsync_file(temp)
        except BaseException as e:
            for path in sqlite_files(temp):
                path.unlink(missing_ok=True)
            if verdict is not None and not isinstance(e, RestoreRefused):
                _refuse(base, verdict.result())  # an unsound snapshot is the first reason
            raise
    return Built(temp, done, last_id, report.accounts, report.total_points)


def _install(built: Built, db_path: Path, aside: Path) -> Path | None:
    """Move the current database and its sidecars (a stale -wal must never meet the new
    file) aside, then rename the rebuilt one into place."""
    moved = move_aside(sqlite_files(db_path), aside)
    os.replace(built.temp, db_path)
    fsync_dir(db_path.parent)
    return aside if moved else None


def _reaches(scan: Scan, base_seq: int) -> bool:
    """Whether the journal holds every batch after the base (or nothing after it at all)."""
    return scan.first_seq is None or scan.first_seq <= base_seq + 1 or scan.last_seq <= base_seq


def _losses(scan: Scan, base_seq: int) -> list[str]:
    """What a rebuild from ``base_seq`` could not use that may hold acknowledged batches."""
    found = [d.describe() for d in scan.damage_after(base_seq)]
    if scan.head_problem is not None:
        found.append(scan.head_problem)
    return found


def _set_aside_later_snapshots(snapshot_dir: Path, owner: Owner, seq: int | None) -> int:
    """After going back to batch ``seq`` without the journal (None: to nothing), the
    snapshots taken later belong to a history that no longer continues: never restore them
    automatically again."""
    later = [
        Path(s.path)
        for s in list_snapshots(snapshot_dir, owner=owner, check_sha=False)
        if seq is None or s.seq > seq
    ]
    if later:
        aside = new_dir_name(snapshot_dir, f"superseded-{utc_stamp()}")
        move_aside([p for s in later for p in (s, manifest_path(s))], aside)
    return len(later)


def _identity(data_dir: Path, health: Health | None, scan: Scan) -> str | None:
    """The data directory's id, from every place it is kept; refused when they disagree
    (files of two data directories mixed in one)."""
    found: dict[str, str] = {}
    if (f := read_id_file(data_dir)) is not None:
        found[ID_FILE] = f
    if health is not None and health.data_id:
        found["vouchy.db"] = health.data_id
    for i, data_id in enumerate(scan.data_ids):
        if data_id:
            found[f"journal ({i + 1})"] = data_id
    if len(set(found.values())) > 1:
        where = ", ".join(f"{k}: {v[:8]}" for k, v in found.items())
        raise DatabaseUnrecoverable(
            "recovery.identity_mismatch", data_dir=str(data_dir), where=where
        )
    return next(iter(found.values()), None)


def _tidy_leftovers(data_dir: Path) -> None:
    """Remove what an interrupted rebuild or restore left (we hold the lock: none runs)."""
    for path in data_dir.glob(f"{REBUILDING}*"):
        path.unlink(missing_ok=True)
        log.warning("rebuild_leftover_removed", path=str(path))


def restore(
    snapshot: Path,
    db_path: Path,
    journal_dir: Path,
    snapshot_dir: Path,
    *,
    replay_journal: bool = True,
    adopt: bool = False,
) -> RestoreSummary:
    """``python -m vouchy restore``: verify the snapshot (its copy), replay the journal past
    it, audit, keep the current database as a pre-restore copy, install in one rename.

    Refused (nothing touched) while a bot holds the data directory, for a snapshot that fails
    verification, for a snapshot of another data directory (unless ``adopt``: it then becomes
    this directory's new start, the journal and later snapshots set aside), and when the
    journal does not reach back to the snapshot."""
    started = time.perf_counter()
    data_dir = db_path.parent
    lock = DataLock(data_dir).acquire()
    try:
        _tidy_leftovers(data_dir)
        journal = Journal(journal_dir)
        scan = journal.scan()
        manifest = _manifest_or_refuse(snapshot)
        # Whose directory this is, without opening the database (a refusal changes nothing).
        data_id = _identity(data_dir, None, scan) or database_id(db_path)
        facts = manifest.facts
        if data_id and facts.data_id:
            foreign = facts.data_id != data_id
        else:  # a snapshot from before identities: its data directory's path says whose
            foreign = manifest.data_dir != str(data_dir.resolve())
        if foreign and not adopt:
            raise RestoreRefused(
                "recovery.foreign_snapshot", snapshot=snapshot.name, origin=manifest.data_dir
            )
        if facts.seq < 0 and replay_journal and not foreign:
            raise RestoreRefused("recovery.legacy_snapshot", snapshot=snapshot.name)
        if foreign:
            replay_journal = False
        base = Base("snapshot", snapshot, facts.seq)
        if replay_journal:
            if not _reaches(scan, base.seq):
                raise RestoreRefused(
                    "recovery.journal_starts_later",
                    first=scan.first_seq,
                    seq=base.seq,
                )
            if losses := _losses(scan, base.seq):
                raise RestoreRefused("recovery.journal_unusable", what="; ".join(losses))
        keep_id = data_id or facts.data_id or None
        try:
            built = _build(base, journal, data_dir, keep_id, replay_journal=replay_journal)
        except (ReplayFailed, JournalDamaged) as e:
            raise RestoreRefused(
                "recovery.refused", snapshot=snapshot.name, why=e.message
            ) from None
        aside = _install(built, db_path, new_dir_name(data_dir, f"pre-restore-{utc_stamp()}"))
        if keep_id:
            write_id_file(data_dir, keep_id)
        set_aside = 0
        if not replay_journal:
            set_aside = journal.cut_after(
                built.replayed.last_seq if not foreign else -1,
                data_dir / SET_ASIDE,
                f"restore-{utc_stamp()}-after-{built.replayed.last_seq}",
            )
            _set_aside_later_snapshots(
                snapshot_dir, Owner(keep_id or "", data_dir), built.replayed.last_seq
            )
    finally:
        lock.release()
    summary = RestoreSummary(
        snapshot=snapshot.name,
        replayed=built.replayed.batches,
        last_seq=built.replayed.last_seq,
        last_ledger_id=built.last_ledger_id,
        accounts=built.accounts,
        total_points=built.total_points,
        pre_restore=str(aside) if aside else None,
        set_aside=set_aside,
        seconds=round(time.perf_counter() - started, 3),
    )
    log.warning("database_restored", **msgspec.structs.asdict(summary))
    return summary


def _manifest_or_refuse(snapshot: Path) -> Manifest:
    try:
        return read_manifest(snapshot)
    except FileNotFoundError:
        reason = "it has no manifest beside it (an unfinished snapshot?)"
    except (OSError, msgspec.DecodeError, msgspec.ValidationError) as e:
        reason = f"its manifest is unreadable: {e}"
    raise RestoreRefused("recovery.no_manifest", snapshot=snapshot.name, why=reason)


# -- the start-up check -----------------------------------------------------------------------


def startup_check(
    db_path: Path,
    journal_dir: Path,
    snapshot_dir: Path,
    *,
    fresh: bool = False,
    accept_loss: bool = False,
) -> Recovery:
    """Run before the writer opens the database (it holds the data directory's lock).

    Sound database: whole journal records past its last batch are applied (the one batch
    fsynced but not committed when the process died); a record cut short is set aside. More
    than one batch missing means it lost committed transactions (a lost WAL, an older file):
    rebuild. Missing or damaged: rebuild from the best base. Skipped (``action="skipped"``)
    while another process holds the directory."""
    started = time.perf_counter()
    data_dir = db_path.parent
    try:
        lock = DataLock(data_dir).acquire()
    except DataDirectoryBusy:
        return Recovery(action="skipped", problem="the data directory is in use")
    try:
        _tidy_leftovers(data_dir)
        journal = Journal(journal_dir)
        scan = journal.scan()
        health = check_database(db_path)
        data_id = _identity(data_dir, health, scan)
        if scan.legacy:
            return _migrate_legacy(db_path, journal, health, started)
        if health.problem is None:
            done = _roll_forward(db_path, journal, scan, health, data_id, started)
            if done is not None:
                return done
            problem = (
                f"it holds batches up to {health.seq} but the journal holds "
                f"{scan.last_seq}: it lost committed transactions (a lost WAL, an older file)"
            )
            if tip := _tip_problem_unless_closed(db_path, journal, scan, health.seq):
                problem = tip
        else:
            problem = health.problem
        owner = Owner(data_id or "", data_dir)
        verified = [
            s
            for s in list_snapshots(snapshot_dir, owner=owner, check_sha=False)
            if s.verified and s.seq >= 0
        ]
        if problem == MISSING and not verified and scan.first_seq is None and not scan.damage:
            return Recovery(action="created", data_id=data_id)
        if fresh:
            return _start_fresh(db_path, journal_dir, snapshot_dir, owner, problem, started)
        return _recover(
            db_path, journal, scan, health, problem, verified, data_id, accept_loss, started
        )
    finally:
        lock.release()


def _roll_forward(
    db_path: Path, journal: Journal, scan: Scan, health: Health, data_id: str | None, started: float
) -> Recovery | None:
    """A sound database: apply the one whole batch it lacks, set aside a record cut short.
    None when it lacks more than that, or the journal disagrees with it (rebuild instead)."""
    data_dir = db_path.parent
    seq = health.seq
    beyond = max(0, scan.last_seq - seq)
    damaged_beyond = [d for d in scan.damage_after(seq) if not d.tail]
    if beyond > 1 or damaged_beyond or _tip_problem_unless_closed(db_path, journal, scan, seq):
        return None
    replayed = 0
    if beyond:
        conn = connect_sync(db_path)
        try:
            replayed = replay(conn, journal.batches(after=seq)).batches
        finally:
            conn.close()
    discarded = 0
    if scan.torn_tail is not None:
        discarded = journal.cut_after(
            seq + replayed, data_dir / SET_ASIDE, f"startup-{utc_stamp()}-after-{seq + replayed}"
        )
        log.warning(
            "journal_tail_discarded",
            lines=discarded,
            after_seq=seq + replayed,
            problem=scan.torn_tail.describe(),
        )
    behind = scan.last_seq < seq or bool(scan.damage_after(-1)) or scan.head_problem is not None
    if behind:
        log.warning(
            "journal_behind_database",
            journal_last_seq=scan.last_seq,
            database_seq=seq,
            damage=[d.describe() for d in scan.damage],
            head=scan.head_problem,
        )
    if data_id:
        write_id_file(data_dir, data_id)
    if replayed:
        log.warning("journal_rolled_forward", batches=replayed, seq=seq + replayed)
    action = "rolled_forward" if replayed else "tail_discarded" if discarded else "ok"
    return Recovery(
        action=action,
        replayed=replayed,
        discarded=discarded,
        needs_snapshot=behind,
        seconds=round(time.perf_counter() - started, 3),
        data_id=data_id,
    )


def _recover(
    db_path: Path,
    journal: Journal,
    scan: Scan,
    health: Health,
    problem: str,
    verified: list[SnapshotInfo],
    data_id: str | None,
    accept_loss: bool,
    started: float,
) -> Recovery:
    data_dir = db_path.parent
    log.error("database_check_failed", path=str(db_path), problem=problem)
    bases = [Base("snapshot", Path(s.path), s.seq) for s in verified]
    if scan.first_seq == 1:
        bases.append(Base("journal", None, 0))
    if health.usable and not health.legacy:
        bases.append(Base("database", db_path, health.seq))
    tried = []
    for base in bases:
        losses = _losses(scan, base.seq)
        try:
            if not _reaches(scan, base.seq):
                raise ReplayFailed(
                    "recovery.journal_starts_later", first=scan.first_seq, seq=base.seq
                )
            if losses and not accept_loss:
                raise ReplayFailed("recovery.would_lose", what="; ".join(losses))
            built = _build(base, journal, data_dir, data_id, stop_at_damage=accept_loss)
        except (RestoreRefused, ReplayFailed, JournalDamaged, sqlite3.Error) as e:
            reason = e.message if isinstance(e, VouchyError) else str(e)
            tried.append(f"{base.label}: {reason}")
            if isinstance(e, RestoreRefused) and base.path is not None and base.kind == "snapshot":
                quarantine(base.path, reason)
            continue
        aside = _install(built, db_path, new_dir_name(data_dir, f"damaged-{utc_stamp()}"))
        lost: list[str] = []
        if losses:  # accepted: set aside what could not be used, and say exactly what
            lost = losses
            journal.cut_after(
                built.replayed.last_seq,
                data_dir / SET_ASIDE,
                f"accepted-loss-{utc_stamp()}-after-{built.replayed.last_seq}",
            )
            log.error("journal_loss_accepted", after_seq=built.replayed.last_seq, lost=lost)
        if data_id:
            write_id_file(data_dir, data_id)
        recovery = Recovery(
            action="recovered",
            problem=problem,
            base=base.label,
            replayed=built.replayed.batches,
            moved_aside=str(aside) if aside else None,
            accounts=built.accounts,
            total_points=built.total_points,
            seconds=round(time.perf_counter() - started, 3),
            lost=lost,
            data_id=data_id,
        )
        log.error(
            "database_recovered",
            path=str(db_path),
            last_seq=built.replayed.last_seq,
            last_ledger_id=built.last_ledger_id,
            bases_refused=tried,
            **msgspec.structs.asdict(recovery),
        )
        return recovery
    raise DatabaseUnrecoverable(
        "recovery.unrecoverable",
        path=str(db_path),
        problem=problem,
        tried="; ".join(tried) or "there is no snapshot or journal to rebuild it from",
    )


def _migrate_legacy(db_path: Path, journal: Journal, health: Health, started: float) -> Recovery:
    """A data directory of Vouchy 0.1 (a journal line per ledger row): its database must be
    sound and hold every journaled row; the old journal then moves aside and a snapshot is
    taken at once, the base of the new journal."""
    data_dir = db_path.parent
    legacy = journal.legacy_segments()
    last = _legacy_last_id(legacy)
    if health.problem is not None or last > health.last_ledger_id:
        raise DatabaseUnrecoverable(
            "recovery.legacy_unrecoverable",
            path=str(data_dir),
            problem=health.problem
            or f"the journal holds ledger rows up to {last}, the database {health.last_ledger_id}",
        )
    aside = new_dir_name(data_dir, f"journal-v1-{utc_stamp()}")
    move_aside([*legacy, journal.directory / "closed"], aside)
    log.warning("journal_migrated", legacy_segments=len(legacy), moved_to=str(aside))
    return Recovery(
        action="migrated",
        moved_aside=str(aside),
        needs_snapshot=True,
        seconds=round(time.perf_counter() - started, 3),
        data_id=health.data_id,
    )


def _legacy_last_id(segments: list[Path]) -> int:
    for path in reversed(segments):
        for line in reversed(path.read_bytes().splitlines()):
            try:
                return int(msgspec.json.decode(line)["id"])
            except (msgspec.DecodeError, KeyError, TypeError, ValueError):
                continue
    return 0


def _start_fresh(
    db_path: Path, journal_dir: Path, snapshot_dir: Path, owner: Owner, problem: str, started: float
) -> Recovery:
    """``--fresh``: start empty. The old database, its journal and its snapshots are moved
    aside, never deleted (the snapshots so that none is ever restored into the new history)."""
    data_dir = db_path.parent
    aside = new_dir_name(data_dir, f"set-aside-{utc_stamp()}")
    move_aside([*sqlite_files(db_path), journal_dir, data_dir / ID_FILE], aside)
    _set_aside_later_snapshots(snapshot_dir, owner, None)
    log.warning("database_started_fresh", problem=problem, moved_aside=str(aside))
    return Recovery(
        action="fresh",
        problem=problem,
        moved_aside=str(aside),
        seconds=round(time.perf_counter() - started, 3),
    )


def database_owner(db_path: Path, journal_dir: Path) -> Owner:
    """This data directory as snapshots know it (for listing, health and reports)."""
    data_dir = db_path.parent
    data_id = (
        read_id_file(data_dir)
        or database_id(db_path)
        or next(iter(Journal(journal_dir).scan().data_ids), None)
    )
    return Owner(data_id or "", data_dir)
