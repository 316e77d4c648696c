"""Snapshots (invariant 6): a consistent copy of the live database plus a manifest of facts
proved on that copy, proved again before any restore.

A snapshot is ``vouchy-<UTC time>.db`` with ``vouchy-<UTC time>.json`` beside it (sha256, size,
schema and app version, row counts, per-guild ledger totals, last ledger id, integrity and
audit results). It is built under a temporary name and renamed into place only after the copy
was checked and fsynced, so a crash mid-snapshot never leaves a file that passes
verification. A snapshot that fails is moved to ``quarantine/`` and logged at error level; the
live database is only ever read. SQLite only: the schedule is ``schedule.py``.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import msgspec

from vouchy.core.errors import InvalidInput, VouchyError
from vouchy.core.logs import get_logger
from vouchy.store.audit import audit
from vouchy.store.durability.files import (
    fsync_dir,
    fsync_file,
    make_dir,
    open_readonly,
    utc_now,
    utc_stamp,
    write_durably,
)
from vouchy.store.durability.journal import Journal
from vouchy.store.schema import FORMAT

log = get_logger("vouchy.snapshots")

PREFIX = "vouchy-"
QUARANTINE = "quarantine"
# A temporary file older than this is what a killed snapshot left behind.
STALE_TEMP_S = 600


class SnapshotFailed(VouchyError):
    """The copy could not be made (disk full, permission, I/O): nothing changed."""

    code = "snapshot_failed"


class SnapshotRejected(VouchyError):
    """The copy was made but failed its checks: it went to quarantine."""

    code = "snapshot_rejected"


class SnapshotNotFound(VouchyError):
    code = "snapshot_not_found"


class Facts(msgspec.Struct, frozen=True, kw_only=True):
    """What a database holds, measured on the file itself."""

    schema_version: int
    last_ledger_id: int
    row_counts: dict[str, int]
    guild_totals: dict[str, int]  # guild id -> sum of its ledger deltas
    accounts: int
    total_points: int
    integrity: str  # "ok", or the first problems PRAGMA integrity_check reported
    audit_clean: bool
    seq: int = -1  # the last journal batch it holds (-1: written before the batch journal)
    data_id: str = ""  # the data directory it belongs to ("" before the batch journal)

    @property
    def problem(self) -> str | None:
        if self.integrity != "ok":
            return f"integrity check failed: {self.integrity}"
        if not 1 <= self.schema_version <= FORMAT:
            return (
                f"schema version {self.schema_version} is not one this Vouchy knows (1 to {FORMAT})"
            )
        if not self.audit_clean:
            return "the ledger audit found balances that differ from their ledger"
        return None


class Manifest(msgspec.Struct, frozen=True, kw_only=True):
    file: str
    created_at: str  # ISO 8601, UTC
    data_dir: str  # the data directory's path when it was taken, resolved (for people)
    app_version: str
    sha256: str
    size: int
    seconds: float  # copy and checks
    verified: bool  # the checks on the copy passed (facts.problem is None)
    facts: Facts

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.created_at)


class Snapshot(msgspec.Struct, frozen=True):
    path: str
    manifest: Manifest


class Verdict(msgspec.Struct, frozen=True):
    path: str
    problem: str | None  # None: sound
    manifest: Manifest | None
    seconds: float

    @property
    def ok(self) -> bool:
        return self.problem is None


class SnapshotInfo(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    path: str
    created_at: str
    age_s: float
    size: int
    verified: bool  # a sound manifest whose sha256 (when checked) matches the file
    problem: str | None
    last_ledger_id: int
    data_dir: str
    data_id: str = ""
    seq: int = -1


def _integrity(path: Path) -> str:
    conn = open_readonly(path, immutable=True)
    try:
        return "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check(5)"))
    finally:
        conn.close()


def _content(path: Path) -> dict[str, Any]:
    """Every fact but the integrity check: schema, row counts, ledger totals, the audit."""
    conn = open_readonly(path, immutable=True)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        facts: dict[str, Any] = {"schema_version": version, "last_ledger_id": 0, "guild_totals": {}}
        facts.update(accounts=0, total_points=0, audit_clean=False)
        if "meta" in tables:
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            facts.update(seq=int(meta.get("journal_seq", -1)), data_id=str(meta.get("data_id", "")))
        if {"ledger", "accounts"} <= set(tables):
            facts["last_ledger_id"] = conn.execute(
                "SELECT COALESCE(MAX(id), 0) FROM ledger"
            ).fetchone()[0]
            facts["guild_totals"] = {
                str(g): total
                for g, total in conn.execute(
                    "SELECT guild_id, SUM(delta) FROM ledger GROUP BY guild_id ORDER BY guild_id"
                )
            }
            try:
                report = audit(conn)
            except sqlite3.DatabaseError:
                report = None  # a damaged file: the integrity check says what is wrong
            if report is not None:
                facts.update(
                    accounts=report.accounts,
                    total_points=report.total_points,
                    audit_clean=report.clean,
                )
        facts["row_counts"] = {
            t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables
        }
        return facts
    finally:
        conn.close()


def measure(path: Path) -> tuple[Facts, str]:
    """The facts of the database file at ``path``, and its sha256.

    Read-only handles only (measured: ``integrity_check`` 0.87 s on a read-only handle against
    2.2 s on a read-write one, 134 MB), in three threads at once: SQLite and hashlib release
    the GIL, and the integrity check alone is most of the time. Raises sqlite3.DatabaseError
    when the file is not a database at all.
    """
    with ThreadPoolExecutor(max_workers=2) as pool:
        integrity = pool.submit(_integrity, path)
        digest = pool.submit(sha256_of, path)
        content = _content(path)
        return Facts(integrity=integrity.result(), **content), digest.result()


def sha256_of(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def bytes_match(path: Path, manifest: Manifest) -> bool:
    """The file is the one the manifest describes (size and sha256): no rot, no edit."""
    return path.stat().st_size == manifest.size and sha256_of(path) == manifest.sha256


def manifest_path(snapshot: Path) -> Path:
    return snapshot.with_suffix(".json")


def read_manifest(snapshot: Path) -> Manifest:
    return msgspec.json.decode(manifest_path(snapshot).read_bytes(), type=Manifest)


def _claim(directory: Path, stem: str, temp: Path) -> Path:
    """Give ``temp`` the first free name ``stem[-n].db`` (a link never overwrites)."""
    n = 1
    while True:
        final = directory / (f"{stem}.db" if n == 1 else f"{stem}-{n}.db")
        if not manifest_path(final).exists():
            try:
                os.link(temp, final)
                return final
            except FileExistsError:
                pass
        n += 1


def take_snapshot(db_path: Path, snapshot_dir: Path, *, app_version: str) -> Snapshot:
    """Copy ``db_path`` in one consistent step, check the copy, install it with its manifest.

    Raises ``SnapshotRejected`` (after quarantining the copy) when the copy fails its checks,
    and OSError or sqlite3.Error when it cannot be made; temporary files never remain.
    """
    started = time.perf_counter()
    now = utc_now()
    make_dir(snapshot_dir)
    temp = snapshot_dir / f".{PREFIX}{utc_stamp(now)}.{os.getpid()}.db.tmp"
    temp_manifest = temp.with_name(temp.name + ".json")
    try:
        src = open_readonly(db_path)  # the live database is only read
        try:
            dst = sqlite3.connect(temp, isolation_level=None)
            try:
                # One step: a stepped backup restarts on every commit of the live writer and
                # never finishes; one step holds a read transaction and copies a consistent
                # state while the writer goes on appending to the WAL.
                src.backup(dst, pages=-1)
                dst.execute("PRAGMA journal_mode = DELETE")  # a snapshot is one file
            finally:
                dst.close()
        finally:
            src.close()
        fsync_file(temp)
        facts, digest = measure(temp)
        manifest = Manifest(
            file="",
            created_at=now.isoformat(timespec="seconds"),
            data_dir=str(db_path.parent.resolve()),
            app_version=app_version,
            sha256=digest,
            size=temp.stat().st_size,
            seconds=round(time.perf_counter() - started, 3),
            verified=facts.problem is None,
            facts=facts,
        )
        if facts.problem is not None:
            target = quarantine(temp, facts.problem, manifest)
            raise SnapshotRejected(
                f"the new snapshot failed its checks ({facts.problem}): {target}"
            )
        final = _claim(snapshot_dir, f"{PREFIX}{utc_stamp(now)}", temp)
        try:
            manifest = msgspec.structs.replace(manifest, file=final.name)
            write_durably(temp_manifest, msgspec.json.encode(manifest))
            os.replace(temp_manifest, manifest_path(final))  # the snapshot exists from here
            fsync_dir(snapshot_dir)
        except BaseException:
            final.unlink(missing_ok=True)
            raise
    finally:
        temp.unlink(missing_ok=True)
        temp_manifest.unlink(missing_ok=True)
    seconds = round(time.perf_counter() - started, 3)
    log.info(
        "snapshot_verified",
        path=str(final),
        seconds=seconds,
        accounts=facts.accounts,
        last_ledger_id=facts.last_ledger_id,
        size=manifest.size,
    )
    return Snapshot(str(final), manifest)


def verify_snapshot(path: Path, manifest: Manifest | None = None) -> Verdict:
    """sha256, ``PRAGMA integrity_check``, the ledger audit on the copy, and every fact of the
    manifest (the one beside ``path`` unless given: a restore checks its own copy) against
    the copy. Never raises for a bad snapshot: the verdict names the problem."""
    started = time.perf_counter()

    def verdict(problem: str | None) -> Verdict:
        return Verdict(str(path), problem, manifest, round(time.perf_counter() - started, 3))

    if not path.is_file():
        return verdict("no such file")
    if manifest is None:
        try:
            manifest = read_manifest(path)
        except FileNotFoundError:
            return verdict("it has no manifest beside it (an unfinished snapshot?)")
        except (msgspec.DecodeError, msgspec.ValidationError, OSError) as e:
            return verdict(f"its manifest is unreadable: {e}")
    size = path.stat().st_size
    if size != manifest.size:
        return verdict(f"its size is {size} bytes, the manifest says {manifest.size} (truncated?)")
    facts: Facts | None = None
    try:
        facts, digest = measure(path)
    except sqlite3.Error as e:
        unreadable, digest = str(e), sha256_of(path)
    if digest != manifest.sha256:
        return verdict("its sha256 differs from the manifest: the file changed after it was taken")
    if not manifest.verified or manifest.facts.problem is not None:
        return verdict(f"its manifest records a failed check: {manifest.facts.problem}")
    if facts is None:
        return verdict(f"it cannot be read as a database: {unreadable}")
    if facts.problem is not None:
        return verdict(facts.problem)
    if facts != manifest.facts:
        differ = [
            name
            for name in msgspec.structs.asdict(facts)
            if getattr(facts, name) != getattr(manifest.facts, name)
        ]
        return verdict(f"the copy does not match its manifest ({', '.join(differ)})")
    return verdict(None)


def quarantine(path: Path, reason: str, manifest: Manifest | None = None) -> Path:
    """Move a snapshot (and its manifest) to ``quarantine/``; never used for a restore again."""
    folder = make_dir(path.parent / QUARANTINE)
    stem = path.name.removeprefix(".").split(".")[0]
    n = 1
    while (target := folder / (f"{stem}.db" if n == 1 else f"{stem}-{n}.db")).exists():
        n += 1
    if manifest is not None:
        manifest = msgspec.structs.replace(manifest, file=target.name)
        write_durably(manifest_path(target), msgspec.json.encode(manifest))
    elif manifest_path(path).exists():
        os.replace(manifest_path(path), manifest_path(target))
    os.replace(path, target)
    fsync_dir(folder)
    fsync_dir(path.parent)
    log.error("snapshot_quarantined", path=str(target), reason=reason)
    return target


class Owner(NamedTuple):
    """A data directory, as snapshots know it: its identity (an id made with its database,
    ``""`` when unknown) and its path (what snapshots taken before the id existed record)."""

    data_id: str
    data_dir: Path

    def owns(self, manifest: Manifest) -> bool:
        if manifest.facts.data_id and self.data_id:
            return manifest.facts.data_id == self.data_id
        return manifest.data_dir == str(self.data_dir.resolve())


def _suffix_number(name: str) -> int:
    """``vouchy-T.db`` -> 1, ``vouchy-T-3.db`` -> 3: same-second snapshots in taking order."""
    stem = name.removesuffix(".db")
    last = stem.rsplit("-", 1)[-1]
    return int(last) if last.isdigit() and len(last) < 6 else 1


def list_snapshots(
    snapshot_dir: Path, *, owner: Owner | None = None, check_sha: bool = True
) -> list[SnapshotInfo]:
    """Snapshots in ``snapshot_dir`` (of ``owner`` only, when given), newest first."""
    if not snapshot_dir.is_dir():
        return []
    now = utc_now()
    found = []
    for path in snapshot_dir.glob(f"{PREFIX}*.db"):
        size = path.stat().st_size
        try:
            manifest: Manifest | None = read_manifest(path)
        except (OSError, msgspec.DecodeError, msgspec.ValidationError):
            manifest = None
        data_id, seq = "", -1
        if manifest is None:
            created = datetime.fromtimestamp(path.stat().st_mtime, now.tzinfo)
            problem: str | None = "no readable manifest"
            last_id, origin = 0, ""
        else:
            if owner is not None and not owner.owns(manifest):
                continue
            created, last_id, origin = (
                manifest.created,
                manifest.facts.last_ledger_id,
                manifest.data_dir,
            )
            data_id, seq = manifest.facts.data_id, manifest.facts.seq
            problem = manifest.facts.problem or (None if manifest.verified else "not verified")
            if problem is None and check_sha and not bytes_match(path, manifest):
                problem = "its bytes differ from the manifest"
        found.append(
            SnapshotInfo(
                name=path.name,
                path=str(path),
                created_at=created.isoformat(timespec="seconds"),
                age_s=round((now - created).total_seconds(), 1),
                size=size,
                verified=problem is None,
                problem=problem,
                last_ledger_id=last_id,
                data_dir=origin,
                data_id=data_id,
                seq=seq,
            )
        )
    found.sort(
        key=lambda s: (s.created_at, s.seq, s.last_ledger_id, _suffix_number(s.name)),
        reverse=True,
    )
    return found


def apply_retention(
    snapshot_dir: Path, owner: Owner, keep_last: int, keep_daily_days: int
) -> list[Path]:
    """Keep the newest ``keep_last`` verified snapshots plus the newest of each UTC day for
    ``keep_daily_days`` days; remove the rest. Leftovers of killed snapshots are cleaned up:
    temporary files removed, a file with no manifest quarantined."""
    for temp in snapshot_dir.glob(f".{PREFIX}*.tmp*"):
        if time.time() - temp.stat().st_mtime > STALE_TEMP_S:
            temp.unlink(missing_ok=True)
    keep: set[str] = set()
    days: set[str] = set()
    removed = []
    for info in list_snapshots(snapshot_dir, owner=owner, check_sha=False):
        if not info.verified:
            if info.age_s > STALE_TEMP_S:
                quarantine(Path(info.path), info.problem or "failed verification")
            continue
        day = info.created_at[:10]
        if len(keep) < keep_last:
            keep.add(info.name)
        elif info.age_s < timedelta(days=keep_daily_days).total_seconds() and day not in days:
            keep.add(info.name)
        days.add(day)
        if info.name not in keep:
            path = Path(info.path)
            manifest_path(path).unlink(missing_ok=True)
            path.unlink(missing_ok=True)
            removed.append(path)
    if removed:
        fsync_dir(snapshot_dir)
        log.info("snapshots_removed", count=len(removed), names=[p.name for p in removed])
    return removed


def resolve_snapshot(snapshot_dir: Path, name: str) -> Path:
    """The snapshot ``name`` names, which must lie directly in ``snapshot_dir``: a bare name
    (with or without ``.db``) or a path to it. Anything outside (``../x``, an absolute path
    elsewhere, a symlink leading out, the quarantine) is refused."""
    base = snapshot_dir.resolve()
    given = Path(name if name.endswith((".db", ".json")) else name + ".db").with_suffix(".db")
    candidates = [given] if given.is_absolute() else [base / given, Path.cwd() / given]
    for candidate in candidates:
        resolved = candidate.resolve()
        if resolved.parent == base and resolved.name.startswith(PREFIX):
            if not resolved.is_file():
                raise SnapshotNotFound(
                    f"no snapshot named {resolved.name} in {base} (see `python -m vouchy snapshots`)"
                )
            return resolved
    raise InvalidInput(
        f"{name!r} is not a snapshot in {base}: give a name from `python -m vouchy snapshots`"
    )


def tidy(
    snapshot_dir: Path,
    owner: Owner,
    journal: Journal | None,
    *,
    keep_last: int,
    keep_daily_days: int,
) -> None:
    """Retention, then delete the journal segments the snapshots make redundant: those
    covered by the second newest verified snapshot, so that if the newest one goes bad, the
    one before it plus the journal still recover everything."""
    apply_retention(snapshot_dir, owner, keep_last, keep_daily_days)
    if journal is None:
        return
    verified = [
        s
        for s in list_snapshots(snapshot_dir, owner=owner, check_sha=False)
        if s.verified and s.seq >= 0
    ]
    if len(verified) >= 2:
        journal.prune(verified[1].seq)


def snapshot_now(
    db_path: Path,
    snapshot_dir: Path,
    journal: Journal | None,
    *,
    keep_last: int,
    keep_daily_days: int,
    app_version: str,
) -> Snapshot:
    """One run of the snapshot job: start a new journal segment, take and verify a snapshot,
    apply retention and prune the journal. A fault (disk full, permission, I/O) is logged as
    ``snapshot_failed`` and raised as ``SnapshotFailed``; the live database is untouched."""
    if journal is not None:
        journal.rotate()
    try:
        snapshot = take_snapshot(db_path, snapshot_dir, app_version=app_version)
    except (OSError, sqlite3.Error) as e:
        log.error(
            "snapshot_failed",
            db=str(db_path),
            snapshot_dir=str(snapshot_dir),
            error=str(e),
            error_type=type(e).__name__,
        )
        raise SnapshotFailed(f"the snapshot could not be taken: {e}") from e
    try:
        tidy(
            snapshot_dir,
            Owner(snapshot.manifest.facts.data_id, db_path.parent),
            journal,
            keep_last=keep_last,
            keep_daily_days=keep_daily_days,
        )
    except OSError as e:  # the snapshot itself is sound; tidying is retried next time
        log.error("snapshot_tidy_failed", error=str(e), error_type=type(e).__name__)
    return snapshot
