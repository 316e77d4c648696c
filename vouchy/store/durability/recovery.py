"""Recovery: the start-up check of the live database, restore from a verified snapshot, and
the journal replay that brings a rebuilt copy up to the last acknowledged operation.

Promises (invariants 6 and 7):
- A database that is missing or damaged (it does not open, fails ``PRAGMA quick_check``, has
  an unknown schema version, or its WAL holds frames SQLite could not use) is rebuilt from a
  sound base plus the journal: the database's own consistent part when the journal reaches
  back to it, else the newest verified snapshot, else the journal alone. It is never silently
  replaced by an empty one while snapshots or a journal exist; only ``fresh`` does that.
- Nothing is deleted: a replaced database goes to ``<data>/damaged-<time>/`` (automatic) or
  ``<data>/pre-restore-<time>/`` (a restore); cut journal rows go to
  ``<data>/journal-set-aside/``.
- A replay applies each journal row at most once: a row already present (same id and
  reference) is skipped, and a reference already in the ledger is never applied again.
- A rebuilt database is installed only after it audits clean, in one rename.

When the database is rebuilt, every journal row past its base is replayed, including a last
append whose COMMIT may never have happened (its caller got no answer): such a tail may then
be applied, once. With a sound database, that unanswered tail is cut instead (the writer reuses
those ledger ids).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import struct
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import msgspec

from vouchy.core.errors import VouchyError
from vouchy.core.logs import get_logger
from vouchy.store.audit import audit
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
from vouchy.store.durability.journal import Journal, JournalDamaged, JournalEntry, row_of
from vouchy.store.durability.lock import DataDirectoryBusy, DataLock
from vouchy.store.durability.snapshots import (
    Manifest,
    SnapshotInfo,
    Verdict,
    list_snapshots,
    manifest_path,
    quarantine,
    read_manifest,
    sha256_of,
    verify_snapshot,
)
from vouchy.store.ops import CLAIM_KINDS, counterpart_reference, lifetime_after
from vouchy.store.schema import SCHEMA_VERSION

log = get_logger("vouchy.recovery")

SET_ASIDE = "journal-set-aside"
MISSING = "it is missing"


class RestoreRefused(VouchyError):
    code = "restore_refused"


class DatabaseUnrecoverable(VouchyError):
    code = "database_unrecoverable"


class ReplayFailed(VouchyError):
    code = "replay_failed"


class Health(NamedTuple):
    problem: str | None  # None: sound
    usable: bool  # its committed part can serve as a base for a replay
    last_ledger_id: int
    wal_frames: int = 0  # frames of the WAL's current generation (0: none, or no WAL)


class Recovery(msgspec.Struct, frozen=True, kw_only=True):
    """What the start-up check found and did."""

    action: str  # ok | created | skipped | tail_discarded | recovered | fresh
    problem: str | None = None
    base: str | None = None  # what a rebuild started from
    replayed: int = 0
    discarded: int = 0
    moved_aside: str | None = None
    accounts: int = 0
    total_points: int = 0
    seconds: float = 0.0


class RestoreSummary(msgspec.Struct, frozen=True, kw_only=True):
    snapshot: str
    replayed: int
    skipped: int
    last_ledger_id: int
    accounts: int
    total_points: int
    pre_restore: str | None
    set_aside: int  # journal rows past the snapshot put aside (--no-replay)
    seconds: float


# -- the live database's health ---------------------------------------------------------------

_WAL_MAGIC = (0x377F0682, 0x377F0683)
_WAL_VERSION = 3007000


def _wal_checksum(data: bytes, big_endian: bool) -> tuple[int, int]:
    words = struct.unpack(f"{'>' if big_endian else '<'}{len(data) // 4}I", data)
    s1 = s2 = 0
    for i in range(0, len(words), 2):
        s1 = (s1 + words[i] + s2) & 0xFFFFFFFF
        s2 = (s2 + words[i + 1] + s1) & 0xFFFFFFFF
    return s1, s2


def _scan_wal(wal: Path) -> tuple[int, str | None]:
    """The WAL's whole frames of its current generation (its header's salts), or why it is
    damaged: a bad header, or a cut-short frame that belongs to the current generation."""
    size = wal.stat().st_size if wal.exists() else 0
    if size == 0:
        return 0, None
    with open(wal, "rb") as f:
        header = f.read(32)
        if len(header) < 32:
            return 0, "its WAL is shorter than a WAL header"
        magic, version, page_size, _, salt1, salt2, c1, c2 = struct.unpack(">8I", header)
        if (
            magic not in _WAL_MAGIC
            or version != _WAL_VERSION
            or page_size < 512
            or page_size & (page_size - 1)
            or _wal_checksum(header[:24], bool(magic & 1)) != (c1, c2)
        ):
            return 0, "its WAL header is damaged"
        frame = 24 + page_size
        whole, rest = divmod(size - 32, frame)
        current = 0
        for i in range(whole + (1 if rest >= 16 else 0)):
            f.seek(32 + i * frame)
            salts = struct.unpack(">2I", f.read(16)[8:16])
            if salts != (salt1, salt2):
                break
            if i == whole:
                return current, "its WAL ends in a cut-short frame (truncated or torn)"
            current += 1
        if current == whole and 0 < rest < 16:
            return current, "its WAL ends in a cut-short frame (truncated or torn)"
    return current, None


def _frames_used(db_path: Path) -> int:
    """How many WAL frames SQLite accepted (mxFrame of the wal-index header in -shm, valid
    after a read: the first connection rebuilds it from the WAL, checking every checksum)."""
    shm = db_path.with_name(db_path.name + "-shm")
    try:
        header = shm.read_bytes()[:48]
    except FileNotFoundError:
        return 0  # SQLite did not use the WAL at all (the header says rollback mode)
    if len(header) < 48:
        return 0
    version, _, _, is_init, _, _, mx_frame = struct.unpack_from("=IIIBBHI", header)
    return mx_frame if version == _WAL_VERSION and is_init else 0


def _header_problem(db_path: Path) -> str | None:
    """The header fields SQLite reads from the file itself, before any WAL, that the file
    format fixes. quick_check trusts them: a write version above 2, for one, reads fine and
    refuses every write. (The rest of page 1 may be newer in the WAL.)"""
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
    """The header, opening without writing, ``PRAGMA quick_check``, the schema version, and
    the WAL: committed frames SQLite had to drop mean committed transactions are missing."""
    if not db_path.exists():
        return Health(MISSING, False, 0)
    header = _header_problem(db_path)
    if header is not None:
        return Health(header, False, 0)
    frames, wal_problem = _scan_wal(db_path.with_name(db_path.name + "-wal"))
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
            last_id = (
                conn.execute("SELECT COALESCE(MAX(id), 0) FROM ledger").fetchone()[0]
                if "ledger" in tables
                else 0
            )
        finally:
            conn.close()
    except sqlite3.Error as e:
        return Health(f"it does not open as a database ({e})", False, 0)
    if checked != ["ok"]:
        return Health(f"quick_check failed: {'; '.join(checked)}", False, 0)
    if encoding != "UTF-8" and tables:  # Vouchy's databases are UTF-8
        return Health(f"its header says the text is {encoding}", False, 0)
    if not 0 <= version <= SCHEMA_VERSION or (version == 0 and tables):
        return Health(f"its schema version {version} is not one this Vouchy knows", False, 0)
    if version and not {"ledger", "accounts"} <= tables:
        return Health("its ledger tables are missing", False, 0)
    if wal_problem is None and frames > used:
        wal_problem = (
            f"its WAL holds {frames - used} frames SQLite could not use (damaged, cut short, "
            "or a COMMIT cut off mid-write)"
        )
    return Health(wal_problem, True, last_id, frames)


# -- replay -----------------------------------------------------------------------------------

_INSERT_LEDGER = "INSERT INTO ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_INSERT_LEDGER_OR_IGNORE = "INSERT OR IGNORE INTO ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_INSERT_TRANSFER = """
INSERT INTO transfers (guild_id, from_user_id, to_user_id, amount, debit_ledger_id,
                       credit_ledger_id, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
"""
_UPDATE_ACCOUNT = """
UPDATE accounts SET balance = ?, lifetime_earned = ?, lifetime_spent = ?, last_daily_at = ?,
                    updated_at = ?
WHERE guild_id = ? AND user_id = ?
"""
_IN_SUFFIX = counterpart_reference("")


class Replayed(NamedTuple):
    applied: int
    skipped: int  # already present: same id and reference, or the reference under another id


# Rows inserted per executemany; bounds the memory a long journal needs.
_CHUNK = 20_000


def replay(conn: sqlite3.Connection, entries: Iterable[JournalEntry]) -> Replayed:
    """Apply journal entries on top of ``conn``'s ledger in one transaction, in id order.

    Each row is applied at most once: an id already in the ledger must hold the same
    reference and is skipped (a different one means the two come from different histories:
    refused); a reference already in the ledger under another id is skipped. Ids must follow
    the ledger's last id without a gap.
    """
    last = conn.execute("SELECT COALESCE(MAX(id), 0) FROM ledger").fetchone()[0]
    state = _Replay(conn)
    skipped = 0
    chunk: list[JournalEntry] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("PRAGMA defer_foreign_keys = ON")  # a ledger row may precede its account
        for e in entries:
            if e.id <= last:
                held = conn.execute(
                    "SELECT guild_id, reference FROM ledger WHERE id = ?", (e.id,)
                ).fetchone()
                if held != (e.guild_id, e.reference):
                    raise ReplayFailed(
                        f"ledger id {e.id} is {e.reference!r} in the journal but "
                        f"{held[1] if held else 'missing'!r} in the database"
                    )
                skipped += 1
                continue
            if e.id != last + 1:
                raise ReplayFailed(f"the journal lacks ledger ids {last + 1} to {e.id - 1}")
            last = e.id
            chunk.append(e)
            if len(chunk) == _CHUNK:
                skipped += state.apply(chunk)
                chunk = []
        skipped += state.apply(chunk)
        state.finish()
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return Replayed(state.applied, skipped)


class _Replay:
    """Ledger rows in bulk, then their accounts and transfers, inside ``replay``'s transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        # (guild, user) -> [balance, earned, spent, last_daily_at, updated_at]
        self.accounts: dict[tuple[int, int], list] = {}
        self.previous: JournalEntry | None = None  # a transfer's debit precedes its credit
        self.applied = 0

    def apply(self, chunk: list[JournalEntry]) -> int:
        """Insert the chunk's ledger rows; returns how many were there already by reference."""
        conn = self.conn
        conn.execute("SAVEPOINT replay_chunk")
        try:
            conn.executemany(_INSERT_LEDGER, [row_of(e) for e in chunk])
            applied = chunk
        except sqlite3.IntegrityError:  # some reference is in already: row by row
            conn.execute("ROLLBACK TO replay_chunk")
            applied = [e for e in chunk if self._insert_or_skip(e)]
        conn.execute("RELEASE replay_chunk")
        transfers = []
        for e in applied:
            self._account(e)
            if e.kind == "transfer_in" and e.reference.endswith(_IN_SUFFIX):
                transfers.append(self._transfer(e))
            self.previous = e
        conn.executemany(_INSERT_TRANSFER, [t for t in transfers if t is not None])
        self.applied += len(applied)
        return len(chunk) - len(applied)

    def finish(self) -> None:
        self.conn.executemany(_UPDATE_ACCOUNT, [(*a, g, u) for (g, u), a in self.accounts.items()])

    def _insert_or_skip(self, e: JournalEntry) -> bool:
        if self.conn.execute(_INSERT_LEDGER_OR_IGNORE, row_of(e)).rowcount:
            return True
        if self.conn.execute(
            "SELECT 1 FROM ledger WHERE guild_id = ? AND reference = ?",
            (e.guild_id, e.reference),
        ).fetchone():
            return False  # applied before under another id: never twice
        raise ReplayFailed(f"journal entry {e.id} breaks a rule of the ledger")

    def _account(self, e: JournalEntry) -> None:
        """The entry's effect on its account: the arithmetic of ``Writer._move``."""
        key = (e.guild_id, e.user_id)
        account = self.accounts.get(key)
        if account is None:
            account = self.accounts[key] = self._load(e)
        account[0] = e.balance_after
        account[1], account[2] = lifetime_after(e.kind, e.delta, account[1], account[2])
        if e.kind in CLAIM_KINDS:
            account[3] = e.created_at
        account[4] = e.created_at

    def _load(self, e: JournalEntry) -> list:
        """The account's row, opened the way the writer opens one when there is none yet."""
        row = self.conn.execute(
            "SELECT balance, lifetime_earned, lifetime_spent, last_daily_at, updated_at"
            " FROM accounts WHERE guild_id = ? AND user_id = ?",
            (e.guild_id, e.user_id),
        ).fetchone()
        if row is not None:
            return list(row)
        self.conn.execute(
            "INSERT INTO accounts (guild_id, user_id, balance, created_at, updated_at)"
            " VALUES (?, ?, 0, ?, ?)",
            (e.guild_id, e.user_id, e.created_at, e.created_at),
        )
        return [0, 0, 0, None, e.created_at]

    def _transfer(self, credit: JournalEntry) -> tuple | None:
        """The transfers row linking a credit to its debit (the row just before it)."""
        reference = credit.reference.removesuffix(_IN_SUFFIX)
        debit = self.previous
        if debit is not None and debit.guild_id == credit.guild_id and debit.reference == reference:
            found = (debit.id, debit.user_id)
        else:
            found = self.conn.execute(
                "SELECT id, user_id FROM ledger WHERE guild_id = ? AND reference = ?",
                (credit.guild_id, reference),
            ).fetchone()
        if found is None:
            log.warning("replay_transfer_without_debit", ledger_id=credit.id, reference=reference)
            return None
        debit_id, from_user = found
        return (
            credit.guild_id,
            from_user,
            credit.user_id,
            credit.delta,
            debit_id,
            credit.id,
            credit.created_at,
        )


# -- rebuilding a database --------------------------------------------------------------------


class Base(NamedTuple):
    kind: str  # database | snapshot | journal
    path: Path | None
    last_ledger_id: int

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
    """Put the base's content at ``temp``: a snapshot's bytes, or a consistent copy of the live
    database's committed part, or nothing (an empty database for the journal alone).

    A snapshot is verified in full (``verify_snapshot``) in ``pool`` while its copy is being
    replayed; the copy's sha256 ties it to the bytes verified. The caller must check the
    returned verdict before installing anything."""
    if base.kind == "snapshot":
        assert base.path is not None
        manifest = read_manifest(base.path)
        verdict = pool.submit(verify_snapshot, base.path, manifest)
        shutil.copyfile(base.path, temp)
        if sha256_of(temp) != manifest.sha256:
            _refuse(base, verdict.result())  # the same finding, from the verification
            raise RestoreRefused(f"snapshot {base.path.name}: its copy differs from it")
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
        raise RestoreRefused(f"snapshot {name} failed verification: {verdict.problem}")


def _build(base: Base, journal: Journal | None, data_dir: Path, replay_journal: bool) -> Built:
    """The base plus the journal past it, in a temporary file in ``data_dir``, verified and
    audited clean; nothing is installed."""
    temp = new_dir_name(data_dir, f".rebuilding-{utc_stamp()}.db")
    with ThreadPoolExecutor(max_workers=1) as pool:
        verdict: Future[Verdict] | None = None
        try:
            verdict = _copy_in(base, temp, pool)
            # Migrates an older snapshot's schema, as opening would. No fsync per COMMIT: the
            # file is fsynced once it is whole, before it is renamed into place.
            conn = connect_sync(temp, "OFF")
            try:
                conn.execute(f"PRAGMA cache_size = -{_REBUILD_CACHE_KIB}")
                done = Replayed(0, 0)
                if replay_journal and journal is not None:
                    done = replay(conn, journal.entries(after=_replay_from(base, conn, journal)))
                _refuse(base, verdict and verdict.result())
                report = audit(conn)
                if not report.clean:
                    raise ReplayFailed(
                        f"the rebuilt database does not audit clean "
                        f"({len(report.discrepancies)} discrepancies)"
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


def _replay_from(base: Base, conn: sqlite3.Connection, journal: Journal) -> int:
    """The id after which to replay. A snapshot is a consistent copy: from its own last row
    (which the journal's row with that id must match). The live database's committed part
    may be a mix of pages if its WAL was lost mid-checkpoint: it must have no hole in its
    ledger, and every journal row it should hold is checked."""
    if base.kind != "database":
        return max(base.last_ledger_id - 1, 0)
    count, last = conn.execute("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM ledger").fetchone()
    if count != last:
        raise ReplayFailed(f"its ledger has holes ({last - count} ids missing below {last})")
    return (journal.first_id() or 1) - 1


def _install(built: Built, db_path: Path, aside: Path) -> Path | None:
    """Move the current database and its sidecars (a stale -wal must never meet the new file)
    aside, then rename the rebuilt one into place."""
    moved = move_aside(sqlite_files(db_path), aside)
    os.replace(built.temp, db_path)
    fsync_dir(db_path.parent)
    return aside if moved else None


def _reaches(journal: Journal, base_last_id: int) -> bool:
    """Whether the journal holds every id after the base (or nothing after it at all)."""
    first = journal.first_id()
    return first is None or first <= base_last_id + 1 or journal.tail(base_last_id).beyond == 0


def _set_aside_later_snapshots(snapshot_dir: Path, data_dir: Path, last_id: int) -> int:
    """After going back to ``last_id`` without the journal, the snapshots taken later belong
    to a history that no longer continues: never restore them automatically again."""
    later = [
        Path(s.path)
        for s in list_snapshots(snapshot_dir, data_dir=data_dir, check_sha=False)
        if s.last_ledger_id > last_id
    ]
    if later:
        aside = new_dir_name(snapshot_dir, f"superseded-{utc_stamp()}")
        move_aside([p for s in later for p in (s, manifest_path(s))], aside)
    return len(later)


def restore(
    snapshot: Path,
    db_path: Path,
    journal_dir: Path,
    snapshot_dir: Path,
    *,
    replay_journal: bool = True,
) -> RestoreSummary:
    """``python -m vouchy restore``: verify the snapshot (its copy), replay the journal past
    it, audit, keep the current database as a pre-restore copy, install in one rename.

    Refused (nothing touched) while a bot holds the data directory, for a snapshot that fails
    verification, and when the journal does not reach back to the snapshot."""
    started = time.perf_counter()
    data_dir = db_path.parent
    lock = DataLock(data_dir).acquire()
    try:
        journal = Journal(journal_dir)
        manifest = _manifest_or_refuse(snapshot)
        base = Base("snapshot", snapshot, manifest.facts.last_ledger_id)
        if replay_journal and not _reaches(journal, base.last_ledger_id):
            raise RestoreRefused(
                f"the journal starts at ledger id {journal.first_id()}, after this snapshot's "
                f"last id {base.last_ledger_id}: replaying would leave a gap. Restore a newer "
                "snapshot, or this one as it was with --no-replay"
            )
        try:
            built = _build(base, journal, data_dir, replay_journal)
        except (ReplayFailed, JournalDamaged) as e:
            raise RestoreRefused(f"refusing to restore {snapshot.name}: {e.message}") from None
        aside = _install(built, db_path, new_dir_name(data_dir, f"pre-restore-{utc_stamp()}"))
        set_aside = 0
        if not replay_journal:
            set_aside = journal.cut_after(
                built.last_ledger_id,
                data_dir / SET_ASIDE,
                f"restore-{utc_stamp()}-after-{built.last_ledger_id}",
            )
            _set_aside_later_snapshots(snapshot_dir, data_dir, built.last_ledger_id)
    finally:
        lock.release()
    summary = RestoreSummary(
        snapshot=snapshot.name,
        replayed=built.replayed.applied,
        skipped=built.replayed.skipped,
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
    raise RestoreRefused(f"refusing to restore {snapshot.name}: {reason}; nothing was changed")


# -- the start-up check -----------------------------------------------------------------------


def startup_check(
    db_path: Path, journal_dir: Path, snapshot_dir: Path, *, fresh: bool = False
) -> Recovery:
    """Run before the writer opens the database (it holds the data directory's lock).

    Sound database: journal rows past its last id that are only the last append, after a
    crash (no clean close since) with the WAL in place, are an append cut off before its
    COMMIT that no caller heard about: cut (and set aside), since the writer will reuse those
    ids. Any other rows past it mean the database lost committed transactions (a lost WAL, an
    older file): rebuild. Missing or damaged: rebuild from the best base. Skipped
    (``action="skipped"``) while another process holds the directory.
    """
    started = time.perf_counter()
    data_dir = db_path.parent
    try:
        lock = DataLock(data_dir).acquire()
    except DataDirectoryBusy:
        return Recovery(action="skipped", problem="the data directory is in use")
    try:
        journal = Journal(journal_dir)
        health = check_database(db_path)
        if health.problem is None:
            tail = journal.tail(health.last_ledger_id)
            if tail.beyond == 0 and tail.torn_bytes == 0:
                if 0 < tail.last_id < health.last_ledger_id:
                    log.warning(
                        "journal_behind_database",
                        journal_last_id=tail.last_id,
                        database_last_id=health.last_ledger_id,
                    )
                return Recovery(action="ok")
            # Only the last append may be missing, and only as a crash before its COMMIT
            # leaves things: no clean close since, and the WAL there with its frames. A WAL
            # that is gone or empty may have held that COMMIT: then rebuild instead.
            unanswered = (
                tail.first_beyond >= tail.last_append_first_id
                and not journal.closed_cleanly()
                and health.wal_frames > 0
            )
            if tail.beyond == 0 or unanswered:
                count = journal.cut_after(
                    health.last_ledger_id,
                    data_dir / SET_ASIDE,
                    f"startup-{utc_stamp()}-after-{health.last_ledger_id}",
                )
                log.warning(
                    "journal_tail_discarded",
                    count=count,
                    after_ledger_id=health.last_ledger_id,
                    torn_bytes=tail.torn_bytes,
                )
                return Recovery(action="tail_discarded", discarded=count)
            problem = (
                f"it lacks {tail.beyond} journaled ledger rows (ids {tail.first_beyond} to "
                f"{tail.last_id}) that may have been acknowledged: its WAL was lost, or it is "
                "an older file"
            )
        else:
            problem = health.problem
        verified = [
            s
            for s in list_snapshots(snapshot_dir, data_dir=data_dir, check_sha=False)
            if s.verified
        ]
        if problem == MISSING and not verified and journal.first_id() is None:
            return Recovery(action="created")
        if fresh:
            return _start_fresh(db_path, journal_dir, snapshot_dir, problem, started)
        return _recover(db_path, journal, health, problem, verified, started)
    finally:
        lock.release()


def _recover(
    db_path: Path,
    journal: Journal,
    health: Health,
    problem: str,
    verified: list[SnapshotInfo],
    started: float,
) -> Recovery:
    data_dir = db_path.parent
    log.error("database_check_failed", path=str(db_path), problem=problem)
    bases = []
    if health.usable:
        bases.append(Base("database", db_path, health.last_ledger_id))
    bases += [Base("snapshot", Path(s.path), s.last_ledger_id) for s in verified]
    if journal.first_id() == 1:
        bases.append(Base("journal", None, 0))
    tried = []
    for base in bases:
        try:
            if not _reaches(journal, base.last_ledger_id):
                raise ReplayFailed(
                    f"the journal starts at id {journal.first_id()}, after its last id "
                    f"{base.last_ledger_id}"
                )
            built = _build(base, journal, data_dir, replay_journal=True)
        except (RestoreRefused, ReplayFailed, JournalDamaged, sqlite3.Error) as e:
            reason = e.message if isinstance(e, VouchyError) else str(e)
            tried.append(f"{base.label}: {reason}")
            if isinstance(e, RestoreRefused) and base.path is not None:
                quarantine(base.path, reason)
            continue
        aside = _install(built, db_path, new_dir_name(data_dir, f"damaged-{utc_stamp()}"))
        recovery = Recovery(
            action="recovered",
            problem=problem,
            base=base.label,
            replayed=built.replayed.applied,
            moved_aside=str(aside) if aside else None,
            accounts=built.accounts,
            total_points=built.total_points,
            seconds=round(time.perf_counter() - started, 3),
        )
        log.error(
            "database_recovered",
            path=str(db_path),
            last_ledger_id=built.last_ledger_id,
            bases_refused=tried,
            **msgspec.structs.asdict(recovery),
        )
        return recovery
    raise DatabaseUnrecoverable(
        f"the database at {db_path} is damaged ({problem}) and could not be rebuilt"
        + (
            f": {'; '.join(tried)}"
            if tried
            else ": there is no snapshot or journal to rebuild it from"
        )
        + ". Nothing was changed. Restore a snapshot with `python -m vouchy restore NAME`"
        " (--no-replay if the journal does not reach it), or start empty with --fresh."
    )


def _start_fresh(
    db_path: Path, journal_dir: Path, snapshot_dir: Path, problem: str, started: float
) -> Recovery:
    """``--fresh``: start empty. The old database, its journal and its snapshots are moved
    aside, never deleted (the snapshots so that none is ever restored into the new history)."""
    data_dir = db_path.parent
    aside = new_dir_name(data_dir, f"set-aside-{utc_stamp()}")
    move_aside([*sqlite_files(db_path), journal_dir], aside)
    _set_aside_later_snapshots(snapshot_dir, data_dir, -1)
    log.warning("database_started_fresh", problem=problem, moved_aside=str(aside))
    return Recovery(
        action="fresh",
        problem=problem,
        moved_aside=str(aside),
        seconds=round(time.perf_counter() - started, 3),
    )
