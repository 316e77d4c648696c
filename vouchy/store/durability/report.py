"""The storage report: the one computation behind ``python -m vouchy status`` and the Discord
``/admin backup`` command. It only reads (the database through a read-only handle), so it is
safe while the bot runs.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import msgspec

from vouchy.store.durability.files import open_readonly
from vouchy.store.durability.journal import Journal
from vouchy.store.durability.lock import DataLock
from vouchy.store.durability.recovery import database_owner
from vouchy.store.durability.snapshots import QUARANTINE, bytes_match, list_snapshots, read_manifest


class StorageReport(msgspec.Struct, frozen=True, kw_only=True):
    data_dir: str
    database_bytes: int
    wal_bytes: int
    quick_check: str  # "ok", "missing", or what it found
    accounts: int
    total_points: int
    last_ledger_id: int
    journal_bytes: int
    journal_segments: int
    snapshot_dir: str
    snapshots: int
    quarantined: int
    last_snapshot: str | None
    last_snapshot_age_s: float | None
    last_snapshot_verified: bool | None  # a sound manifest whose sha256 matches the file
    last_snapshot_ledger_id: int | None
    in_use: bool  # a bot (or a restore) holds the data directory


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def storage_report(db_path: Path, journal_dir: Path, snapshot_dir: Path) -> StorageReport:
    quick_check, accounts, points, last_id = "missing", 0, 0, 0
    if db_path.exists():
        try:
            conn = open_readonly(db_path)
            try:
                quick_check = "; ".join(r[0] for r in conn.execute("PRAGMA quick_check(5)"))
                accounts, points = conn.execute(
                    "SELECT COUNT(*), COALESCE(SUM(balance), 0) FROM accounts"
                ).fetchone()
                last_id = conn.execute("SELECT COALESCE(MAX(id), 0) FROM ledger").fetchone()[0]
            finally:
                conn.close()
        except sqlite3.Error as e:
            quick_check = f"does not open: {e}"
    owner = database_owner(db_path, journal_dir)
    snapshots = list_snapshots(snapshot_dir, owner=owner, check_sha=False)
    newest = snapshots[0] if snapshots else None
    verified = None
    if newest is not None:
        verified = newest.verified and bytes_match(
            Path(newest.path), read_manifest(Path(newest.path))
        )
    quarantine = snapshot_dir / QUARANTINE
    journal = Journal(journal_dir)
    return StorageReport(
        data_dir=str(db_path.parent),
        database_bytes=_size(db_path),
        wal_bytes=_size(db_path.with_name(db_path.name + "-wal")),
        quick_check=quick_check,
        accounts=accounts,
        total_points=points,
        last_ledger_id=last_id,
        journal_bytes=journal.size_bytes(),
        journal_segments=len(journal.segments()),
        snapshot_dir=str(snapshot_dir),
        snapshots=len(snapshots),
        quarantined=len(list(quarantine.glob("*.db"))) if quarantine.is_dir() else 0,
        last_snapshot=newest.name if newest else None,
        last_snapshot_age_s=newest.age_s if newest else None,
        last_snapshot_verified=verified,
        last_snapshot_ledger_id=newest.last_ledger_id if newest else None,
        in_use=DataLock.is_locked(db_path.parent),
    )
