"""The read side: rows by name, each query one hop to the reader's thread (executed, fetched
and closed there), so thousands of reads in flight never keep statements open."""

from __future__ import annotations

import asyncio

import pytest
from support import GUILD, open_app


@pytest.fixture
async def app(tmp_path):
    app = await open_app(tmp_path)
    yield app
    await app.close()


async def test_rows_row_and_scalar_answer_by_name_in_one_hop_each(app, monkeypatch) -> None:
    for user in (1, 2, 3):
        await app.points.member(GUILD, user).earn(user, f"earn-{user}")
    conn = app.reader.conn
    hops = []
    real = conn._execute

    async def counted(fn, *args):
        hops.append(fn)
        return await real(fn, *args)

    monkeypatch.setattr(conn, "_execute", counted)
    sql = "SELECT user_id, balance FROM accounts WHERE guild_id = ? ORDER BY user_id"
    rows = await app.reader.rows(sql, (GUILD,))
    assert [(r["user_id"], r["balance"]) for r in rows] == [(1, 26), (2, 27), (3, 28)]
    row = await app.reader.row(sql, (GUILD,))
    assert row is not None and row["balance"] == 26
    assert await app.reader.row(sql, (GUILD + 1,)) is None
    assert await app.reader.scalar("SELECT COUNT(*) FROM accounts") == 3
    assert await app.reader.scalar(sql, (GUILD + 1,)) is None
    assert len(hops) == 5


async def test_thousands_of_reads_in_flight_all_answer(app) -> None:
    await app.points.member(GUILD, 1).earn(5, "earn")
    sql = "SELECT balance FROM accounts WHERE guild_id = ? AND user_id = ?"
    found = await asyncio.gather(*(app.reader.row(sql, (GUILD, 1)) for _ in range(3000)))
    assert {r["balance"] for r in found} == {30}
