"""Helpers the ledger tests share: a config in a temporary directory, the app, table dumps."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from vouchy.app import Vouchy, load_config
from vouchy.core.config import Config

GUILD = 111_111_111_111_111_111


def make_config(data_dir: Path, **settings: str) -> Config:
    env = {"VOUCHY_DATA_DIR": str(data_dir), "VOUCHY_SNAPSHOTS_DIR": str(data_dir / "snapshots")}
    env.update({f"VOUCHY_{k.upper()}": str(v) for k, v in settings.items()})
    return load_config(env=env)


async def open_app(data_dir: Path, **settings: str) -> Vouchy:
    return await Vouchy(make_config(data_dir, **settings)).start()


def dump(db: Path) -> dict[str, list[tuple]]:
    """Every row of the tables that hold points, in a stable order."""
    conn = sqlite3.connect(db)
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in ("accounts", "ledger", "transfers")
        }
    finally:
        conn.close()
