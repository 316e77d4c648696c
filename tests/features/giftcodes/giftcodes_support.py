"""What the gift-code service tests share: the whole app (writer, journal, actors) with the
gift-code service pointed at a fake publisher, fast pacing, and ways to wait for a run to
settle and to read the tables."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from vouchy.app import Vouchy, load_config
from vouchy.core.config import Config
from vouchy.features.giftcodes import sources
from vouchy.features.giftcodes.fake_provider import FakeCode, FakePlayer, FakeProvider
from vouchy.features.giftcodes.runner import counts
from vouchy.features.giftcodes.service import GiftCodeService

SECRET = "test-secret"
GUILD = 111_111_111_111_111_111
OTHER_GUILD = 222_222_222_222_222_222
ADMIN = 333_333_333_333_333_333
CHANNEL = 444_444_444_444_444_444
LOG_CHANNEL = 555_555_555_555_555_555

# Pacing fast enough for tests; the rules are the same at any speed.
FAST = {
    "giftcodes_requests_per_second": "200",
    "giftcodes_player_gap_s": "0",
    "giftcodes_retry_base_s": "0.02",
    "giftcodes_retry_max_s": "0.2",
    "giftcodes_backoff_s": "0.3",
    "giftcodes_backoff_max_s": "0.6",
    "giftcodes_timeout_s": "0.5",
}


def config_for(data_dir: Path, fake: FakeProvider | None, **settings: str) -> Config:
    env = {
        "VOUCHY_DATA_DIR": str(data_dir),
        "VOUCHY_SNAPSHOTS_DIR": str(data_dir / "snapshots"),
    }
    if fake is not None:
        env["VOUCHY_GIFTCODES_BASE_URL"] = fake.base_url
    merged = {**FAST, **settings}
    env.update({f"VOUCHY_{k.upper()}": str(v) for k, v in merged.items()})
    return load_config(env=env)


def players(*fids: int, **kw: Any) -> list[FakePlayer]:
    return [FakePlayer(fid=f, nickname=f"p{f}", kid=245, **kw) for f in fids]


def publisher(*fids: int, codes: list[FakeCode] | None = None, **kw: Any) -> FakeProvider:
    return FakeProvider(
        secret=SECRET, players=players(*fids), codes=codes or [], captcha=False, **kw
    )


@contextlib.asynccontextmanager
async def running(
    data_dir: Path,
    fake: FakeProvider | None,
    monkeypatch: pytest.MonkeyPatch,
    *,
    secret: str = SECRET,
    background: bool = True,
    **settings: str,
) -> AsyncIterator[tuple[Vouchy, GiftCodeService]]:
    """The app with its gift-code service (background work started unless told otherwise)."""
    if secret:
        monkeypatch.setenv("GIFTCODE_SECRET", secret)
    else:
        monkeypatch.delenv("GIFTCODE_SECRET", raising=False)
    app = await Vouchy(config_for(data_dir, fake, **settings)).start()
    try:
        service = app.service(GiftCodeService)
        if background:
            await app.start_background()
        try:
            yield app, service
        finally:
            if not background:
                await service.stop_background()  # closes the publisher's connections
    finally:
        await app.close()


async def set_guild(
    app: Vouchy,
    guild: int = GUILD,
    *,
    auto: bool = True,
    channel: int | None = CHANNEL,
    log_channel: int | None = None,
) -> None:
    values: dict[str, Any] = {"auto_redeem": auto}
    if channel is not None:
        values["channel"] = channel
    ref = f"setup-{guild}-{time.monotonic_ns()}"
    await app.update_settings(guild, "giftcodes", values, updated_by=ADMIN, reference=ref)
    if log_channel is not None:
        await app.update_settings(
            guild, "core", {"log_channel": log_channel}, updated_by=ADMIN, reference=ref + "c"
        )


async def register(service: GiftCodeService, *fids: int, guild: int = GUILD) -> None:
    for fid in fids:
        await service.add_player(guild, str(fid), by=ADMIN, reference=f"add-{guild}-{fid}")


async def listed(service: GiftCodeService, *codes: str) -> list[str]:
    """The list shows ``codes`` (after a first read that showed nothing, so they are new)."""
    await service.take_list(sources.CodeList())
    body = ('{"codes": [' + ", ".join(f'"{c}"' for c in codes) + "]}").encode()
    return await service.take_list(sources.parse_code_list(body))


async def settled(service: GiftCodeService, timeout: float = 15.0) -> dict[str, int]:  # noqa: ASYNC109
    """Wait until no attempt is pending, waiting or in flight; the attempts by status."""
    redeemer = await service.redeemer()
    deadline = time.monotonic() + timeout
    while True:
        found = counts(redeemer.state)
        if not (found["pending"] or found["waiting"] or found["redeeming"]):
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not settled: {found}, runner {redeemer.state.runner}")
        await asyncio.sleep(0.02)


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Wait until ``condition()`` holds (checked every 10 ms), or fail."""
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition never held")


def rows(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def outcomes(db: Path) -> dict[tuple[str, int], str]:
    """Each (code, player) as stored: ``status:reason``."""
    return {
        (code, fid): f"{status}:{reason}"
        for code, fid, status, reason in rows(
            db, "SELECT code, fid, status, reason FROM giftcode_attempts"
        )
    }


def gift_tables(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every gift-code row, in a stable order (what a lost database must get back)."""
    return {
        table: rows(db, f"SELECT * FROM {table} ORDER BY 1, 2")
        if table != "giftcode_runner"
        else rows(db, f"SELECT * FROM {table}")
        for table in (
            "giftcode_codes",
            "giftcode_attempts",
            "giftcode_players",
            "giftcode_guild_players",
            "giftcode_posts",
            "giftcode_runner",
        )
    }
