"""File steps the durability code shares: make a new name survive power loss, move files aside
instead of deleting them, open SQLite without ever writing to the file being judged, and name
files by UTC time.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from vouchy.store.connection import BUSY_TIMEOUT_MS

STAMP_FORMAT = "%Y%m%dT%H%M%SZ"


def utc_now() -> datetime:
    return datetime.now(UTC)


def utc_stamp(when: datetime | None = None) -> str:
    """``20261121T051500Z``: sorts as it reads."""
    return (when or utc_now()).strftime(STAMP_FORMAT)


def fsync_dir(path: Path) -> None:
    """Make the directory's entries (a rename, a new or removed file) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durably(path: Path, data: bytes, *, append: bool = False) -> None:
    """Write (or append) ``data`` and fsync the file; the caller fsyncs the directory."""
    with open(path, "ab" if append else "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def make_dir(path: Path) -> Path:
    """``mkdir -p`` whose new entries are durable."""
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    path.mkdir(parents=True, exist_ok=True)
    for made in reversed(missing):
        fsync_dir(made.parent)
    return path


def new_dir_name(parent: Path, stem: str) -> Path:
    """``parent/stem``, or ``stem-2``, ``stem-3``... when taken (the directory is not made)."""
    n = 1
    while (path := parent / (stem if n == 1 else f"{stem}-{n}")).exists():
        n += 1
    return path


def move_aside(paths: Iterable[Path], into: Path) -> list[Path]:
    """Move the files (or directories) that exist into ``into``; never deletes anything."""
    present = [p for p in paths if p.exists()]
    if not present:
        return []
    make_dir(into)
    moved = []
    for path in present:
        target = into / path.name
        os.replace(path, target)
        moved.append(target)
    fsync_dir(into)
    for parent in {p.parent for p in present}:
        fsync_dir(parent)
    return moved


def sqlite_files(db: Path) -> list[Path]:
    """A database and the sidecars SQLite keeps beside it."""
    return [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]


def open_readonly(path: Path, *, immutable: bool = False) -> sqlite3.Connection:
    """A connection that cannot write to ``path``.

    Not ``connect_sync(readonly=True)``: that is a read-write handle made query-only, and the
    last read-write handle to close checkpoints the WAL and deletes it, destroying the very
    evidence a check is looking at. ``immutable`` (for snapshot files, which never change)
    also skips locking and the -shm file.
    """
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist")
    uri = path.resolve().as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn
