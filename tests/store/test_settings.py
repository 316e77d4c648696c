"""A guild's settings read through the cache: concurrent misses share one read, and a read
begun before a change is never handed to a caller who asks after it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from support.durability import config_for

from vouchy.app import Vouchy


async def test_concurrent_first_reads_of_a_guilds_settings_share_one_query(tmp_path: Path) -> None:
    async with Vouchy(config_for(tmp_path)) as app:
        queries = 0
        rows = app.reader.rows

        async def counting(sql: str, params: object = ()) -> list:
            nonlocal queries
            queries += 1
            return await rows(sql, params)  # type: ignore[arg-type]

        app.reader.rows = counting  # type: ignore[method-assign]
        found = await asyncio.gather(*(app.settings.get(7, "points") for _ in range(500)))
        assert queries == 1 and all(f == found[0] for f in found)
        await app.settings.get(7, "points")
        assert queries == 1  # cached


async def test_a_read_in_flight_is_not_shared_with_a_caller_after_a_change(tmp_path: Path) -> None:
    async with Vouchy(config_for(tmp_path)) as app:
        rows = app.reader.rows
        gate, reading = asyncio.Event(), asyncio.Event()
        held: list[bool] = []

        async def slow_first(sql: str, params: object = ()) -> list:
            found = await rows(sql, params)  # type: ignore[arg-type]
            if not held and "FROM settings" in sql:
                held.append(True)
                reading.set()
                await gate.wait()  # this read answers after the change commits
            return found

        app.reader.rows = slow_first  # type: ignore[method-assign]
        before = asyncio.ensure_future(app.settings.get(7, "points"))
        await reading.wait()
        change = app.update_settings(7, "points", {"daily_amount": 5}, updated_by=1, reference="r")
        await asyncio.wait_for(change, 5)  # it reads the settings back: not the old read
        after = asyncio.ensure_future(app.settings.get(7, "points"))
        await asyncio.sleep(0.05)
        gate.set()
        assert (await before).daily_amount == 100  # type: ignore[attr-defined]
        assert (await after).daily_amount == 5  # type: ignore[attr-defined]
