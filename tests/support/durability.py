"""Helpers the durability tests share: a config with the snapshots outside the data directory,
a load that records every acknowledged operation, the check that a database holds them all,
captured log events, and fault injection by path."""

from __future__ import annotations

import asyncio
import io
import os
import random
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import structlog

from vouchy.app import Vouchy, load_config
from vouchy.core.config import Config
from vouchy.core.errors import VouchyError
from vouchy.core.logs import configure_logging
from vouchy.store.audit import audit
from vouchy.store.durability.files import sqlite_files

GUILDS = (111_111_111_111_111_111, 222_222_222_222_222_222)
USERS = tuple(5000 + i for i in range(12))
REPO = Path(__file__).resolve().parents[2]

# (guild, reference) -> (user, delta) of each acknowledged operation
Acks = dict[tuple[int, str], tuple[int, int]]


def config_for(root: Path, **settings: str) -> Config:
    env = {
        "VOUCHY_DATA_DIR": str(root / "data"),
        "VOUCHY_SNAPSHOTS_DIR": str(root / "snapshots"),
    }
    env.update({f"VOUCHY_{k.upper()}": str(v) for k, v in settings.items()})
    return load_config(env=env)


async def load(
    app: Vouchy, rng: random.Random, ops: int, acks: Acks, prefix: str, concurrency: int = 4
) -> None:
    """``ops`` random earns, spends and transfers, ``concurrency`` at a time (so batches hold
    one or several); each one acknowledged is recorded in ``acks``."""

    async def one(n: int) -> None:
        g, u = rng.choice(GUILDS), rng.choice(USERS)
        ref = f"{prefix}-{n}"
        actor = app.points.member(g, u)
        roll = rng.random()
        try:
            if roll < 0.5:
                r = await actor.earn(rng.randint(1, 50), ref)
            elif roll < 0.8:
                r = await actor.spend(rng.randint(1, 40), ref)
            else:
                other = rng.choice([x for x in USERS if x != u])
                r = await actor.transfer(other, rng.randint(1, 20), ref)
        except VouchyError:
            return
        acks[(g, ref)] = (r.user_id, r.delta)

    for start in range(0, ops, concurrency):
        await asyncio.gather(*(one(n) for n in range(start, min(start + concurrency, ops))))


def missing(db: Path, acks: Acks) -> list[tuple[int, str]]:
    """The acknowledged operations the database lacks (or holds with another effect)."""
    conn = sqlite3.connect(db)
    try:
        return [
            key
            for key, effect in acks.items()
            if conn.execute(
                "SELECT user_id, delta FROM ledger WHERE guild_id = ? AND reference = ?"
                " AND kind NOT IN ('start', 'transfer_in')",
                key,
            ).fetchone()
            != effect
        ]
    finally:
        conn.close()


def audit_clean(db: Path) -> bool:
    conn = sqlite3.connect(db)
    try:
        return audit(conn).clean
    finally:
        conn.close()


def ledger(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT * FROM ledger ORDER BY id").fetchall()
    finally:
        conn.close()


def crash_image(db: Path, into: Path) -> None:
    """The database files as a crash would leave them (taken while the writer is open and idle)."""
    into.mkdir(parents=True, exist_ok=True)
    for path in sqlite_files(db)[:2]:
        if path.exists():
            (into / path.name).write_bytes(path.read_bytes())


@pytest.fixture(autouse=True)
def logs_to_memory() -> Iterator[None]:
    """Logs go to memory around each test: the CLI points them at pytest's captured stderr,
    which is closed once the test ends. Import it into a test module to use it."""
    configure_logging("INFO", "json", io.StringIO())
    yield
    configure_logging("INFO", "json", io.StringIO())


@contextmanager
def captured_logs() -> Iterator[list[dict]]:
    configure_logging("INFO", "json", io.StringIO())
    with structlog.testing.capture_logs() as events:
        yield events


def events(logs: list[dict], name: str) -> list[dict]:
    return [e for e in logs if e["event"] == name]


def fail_io(
    monkeypatch: pytest.MonkeyPatch, call: str, under: Path, err: int, after: int = 0
) -> list[int]:
    """``os.<call>`` raises ``OSError(err)`` for file descriptors of files under ``under``
    (after ``after`` calls that go through). Returns a counter of the failures."""
    real = getattr(os, call)
    failures = [0]
    passed = [0]

    def fake(fd: int, *args: object) -> object:
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            target = ""
        if target.startswith(str(under)):
            if passed[0] >= after:
                failures[0] += 1
                raise OSError(err, os.strerror(err))
            passed[0] += 1
        return real(fd, *args)

    monkeypatch.setattr(os, call, fake)
    return failures


def subprocess_env() -> dict[str, str]:
    """Children import this checkout's ``vouchy`` and log errors only."""
    return {**os.environ, "PYTHONPATH": str(REPO), "VOUCHY_LOGGING_LEVEL": "ERROR"}
