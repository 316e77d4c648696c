"""A data directory's identity: an id made with its database and kept in three places (the
``vouchy.id`` file, the database's ``meta`` table, the journal's headers), so that snapshots
and journals of another data directory are never taken for its own, even when two data
directories share a snapshots directory or are copied around."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from vouchy.store.durability.files import fsync_dir, open_readonly, write_durably

ID_FILE = "vouchy.id"


def read_id_file(data_dir: Path) -> str | None:
    try:
        text = (data_dir / ID_FILE).read_text(encoding="ascii").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    return text or None


def write_id_file(data_dir: Path, data_id: str) -> None:
    """Record the id beside the database (once; the file never changes afterwards)."""
    if read_id_file(data_dir) == data_id:
        return
    temp = data_dir / f".{ID_FILE}.tmp"
    write_durably(temp, data_id.encode("ascii") + b"\n")
    os.replace(temp, data_dir / ID_FILE)
    fsync_dir(data_dir)


def database_id(db_path: Path) -> str | None:
    """The id in a database's ``meta`` table (None: no database, or one older than ids)."""
    if not db_path.is_file():
        return None
    try:
        conn = open_readonly(db_path)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'data_id'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None
