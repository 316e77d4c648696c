"""The web feature's service without a gateway: keys issued, listed and revoked through the
write path, their records after a lost database, and where XP, levels and vouches are read
from when those features keep them."""

from __future__ import annotations

import contextlib
import io
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from features.api.api_harness import GUILD, OTHER_GUILD, config_for, started_api

from vouchy.core.errors import InvalidInput, Refused
from vouchy.core.logs import configure_logging
from vouchy.features.api import rules
from vouchy.features.api.service import ApiService
from vouchy.features.levels.curve import level_for_xp
from vouchy.store.durability.files import sqlite_files
from vouchy.store.reader import Reader


def rows(db: Path, sql: str, *params: object) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


async def test_a_key_is_stored_as_its_hash_and_listed_without_its_secret(tmp_path: Path) -> None:
    async with started_api(tmp_path) as h:
        created = await h.api.create_key(
            GUILD, " shop ", "earn read", created_by=7, reference="ix:1"
        )
        assert created.key is not None
        key = created.key.reveal()
        [(key_id, guild, name, scopes, key_hash, *_rest)] = rows(
            h.app.config.db_path, "SELECT * FROM api_keys"
        )
        assert (key_id, guild, name, scopes) == (created.record.id, GUILD, "shop", "read earn")
        assert key_hash.startswith("sha256:") and key.split("_")[2] not in key_hash
        listed = await h.api.keys(GUILD)
        assert listed == [created.record]
        assert await h.api.keys(OTHER_GUILD) == []


async def test_the_same_reference_creates_one_key_and_does_not_show_a_secret_again(
    tmp_path: Path,
) -> None:
    async with started_api(tmp_path) as h:
        first = await h.api.create_key(GUILD, "shop", "read", created_by=7, reference="ix:2")
        again = await h.api.create_key(GUILD, "shop", "read", created_by=7, reference="ix:2")
        assert first.key is not None and again.key is None
        assert again.record == first.record
        assert len(await h.api.keys(GUILD)) == 1


async def test_a_revoked_key_is_refused_at_once_and_revoking_again_is_refused_by_name(
    tmp_path: Path,
) -> None:
    async with started_api(tmp_path) as h:
        key = await h.new_key("read")
        key_id = key.split("_")[1]
        assert (await h.call("GET", f"/v1/guilds/{GUILD}/members/5", key=key)).status == 200
        revoked = await h.api.revoke_key(GUILD, key, revoked_by=8, reference="ix:3")
        assert revoked.revoked_at is not None and revoked.id == key_id
        answer = await h.call("GET", f"/v1/guilds/{GUILD}/members/5", key=key)
        assert answer.status == 401 and answer.problem["code"] == "key_revoked"
        with pytest.raises(Refused) as again:
            await h.api.revoke_key(GUILD, key_id, revoked_by=8, reference="ix:4")
        assert again.value.key == "web.key_already_revoked"
        assert (await h.api.keys(GUILD))[0].revoked_at == revoked.revoked_at  # the first time


async def test_another_guild_cannot_revoke_a_key_and_learns_nothing_of_it(tmp_path: Path) -> None:
    async with started_api(tmp_path) as h:
        key = await h.new_key("read")
        before = h.state()
        with pytest.raises(Refused) as refused:
            await h.api.revoke_key(OTHER_GUILD, key, revoked_by=8, reference="ix:5")
        assert refused.value.key == "web.key_unknown"
        with pytest.raises(Refused) as unknown:
            await h.api.revoke_key(GUILD, "0" * 12, revoked_by=8, reference="ix:6")
        assert unknown.value.message == refused.value.message.replace(key.split("_")[1], "0" * 12)
        assert h.state()[3] == before[3]  # the keys as they were


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0123456789ab", "0123456789ab"),
        ("vk_0123456789ab_…", "0123456789ab"),
        (" VK_0123456789AB_abcdefgh ", "0123456789ab"),
    ],
)
def test_a_key_is_named_by_its_id_its_hint_or_the_whole_key(typed: str, expected: str) -> None:
    assert rules.key_id_of(typed) == expected


@pytest.mark.parametrize("typed", ["", "0123", "vk_zzzzzzzzzzzz", "0123456789abc"])
def test_anything_else_is_refused_as_a_key_id(typed: str) -> None:
    with pytest.raises(InvalidInput):
        rules.key_id_of(typed)


async def test_api_keys_and_answered_earns_survive_a_lost_database(tmp_path: Path) -> None:
    async with started_api(tmp_path) as h:
        key = await h.new_key("read earn")
        revoked = await h.new_key("read")
        await h.api.revoke_key(GUILD, revoked, revoked_by=1, reference="ix:7")
        first = await h.earn(77, 30, "order-77", key=key)
        assert first.status == 200
    db = config_for(tmp_path).db_path
    for path in sqlite_files(db):
        path.unlink(missing_ok=True)
    async with started_api(tmp_path) as h:
        assert h.app.recovery is not None and h.app.recovery.action == "recovered"
        again = await h.earn(77, 30, "order-77", key=key)  # the same key, the same request
        assert again.status == 200 and again.raw == first.raw
        assert again.headers["Idempotent-Replayed"] == "true"
        refused = await h.call("GET", f"/v1/guilds/{GUILD}/members/77", key=revoked)
        assert refused.status == 401 and refused.problem["code"] == "key_revoked"
        assert (await h.app.audit()).clean


async def test_no_log_line_holds_a_key(tmp_path: Path) -> None:
    stream = io.StringIO()
    configure_logging("DEBUG", "json", stream)
    try:
        async with started_api(tmp_path) as h:
            key = await h.new_key("read earn")
            await h.earn(5, 1, "log-1", key=key)
            await h.earn(5, 1, "log-1", key=key[:-1] + "a")  # refused
            await h.api.revoke_key(GUILD, key, revoked_by=1, reference="ix:8")
            await h.earn(5, 1, "log-2", key=key)  # refused: revoked
    finally:
        configure_logging("INFO", "json", io.StringIO())
    logged = stream.getvalue()
    assert "writer_started" in logged and "web_started" in logged
    assert key.split("_")[2] not in logged and key[:-1] not in logged


@contextlib.asynccontextmanager
async def reads_over(tmp_path: Path, script: str) -> AsyncIterator[ApiService]:
    """The service's reads over a database holding only ``accounts`` and the tables
    ``script`` makes, as the levels and vouches features would (whether or not this Vouchy
    has them)."""
    db = tmp_path / "reads.db"
    conn = sqlite3.connect(db)
    conn.executescript(
        "CREATE TABLE accounts (guild_id INTEGER, user_id INTEGER, balance INTEGER,"
        " lifetime_earned INTEGER, lifetime_spent INTEGER);" + script
    )
    conn.commit()
    conn.close()
    reader = Reader(db)
    await reader.start()
    try:
        yield ApiService(reader, None, None, max_amount=10, starting_balance=25)  # type: ignore[arg-type]
    finally:
        await reader.close()


async def test_without_the_levels_and_vouches_tables_xp_level_and_vouches_are_zero(
    tmp_path: Path,
) -> None:
    async with reads_over(tmp_path, "") as api:
        account = await api.account(GUILD, 1)
        assert (account.balance, account.xp, account.level, account.vouches) == (25, 0, 0, 0)
        for board in ("levels", "vouches"):
            assert (await api.leaderboard(GUILD, board, 1, 10)).rows == []  # type: ignore[arg-type]


async def test_xp_levels_and_vouches_are_read_from_those_features_tables_when_they_exist(
    tmp_path: Path,
) -> None:
    script = """
        CREATE TABLE levels_members (guild_id INTEGER, user_id INTEGER, xp INTEGER);
        CREATE TABLE vouches (guild_id INTEGER, provider_id INTEGER, state TEXT);
        INSERT INTO levels_members VALUES (1, 1, 1200), (1, 2, 90), (1, 3, 0);
        INSERT INTO vouches VALUES (1, 2, 'accepted'), (1, 2, 'accepted'), (1, 2, 'accepted'),
            (1, 1, 'accepted'), (1, 1, 'denied');
    """
    async with reads_over(tmp_path, script) as api:
        account = await api.account(1, 1)
        assert (account.xp, account.level, account.vouches) == (1200, level_for_xp(1200), 1)
        levels = await api.leaderboard(1, "levels", 1, 10)
        assert [(r.user_id, r.value, r.level) for r in levels.rows] == [
            (1, 1200, level_for_xp(1200)),
            (2, 90, level_for_xp(90)),
        ]  # no XP: not on the board
        vouches = await api.leaderboard(1, "vouches", 1, 10)
        assert [(r.rank, r.user_id, r.value) for r in vouches.rows] == [(1, 2, 3), (2, 1, 1)]
        assert vouches.total == 2


async def test_the_levels_and_vouches_features_own_tables_are_read_as_they_are(
    tmp_path: Path,
) -> None:
    script = """
        CREATE TABLE levels_members (guild_id INTEGER, user_id INTEGER, xp INTEGER,
                                     level INTEGER, pending_xp INTEGER);
        CREATE TABLE vouch_counts (guild_id INTEGER, provider_id INTEGER, count INTEGER);
        CREATE TABLE vouches (guild_id INTEGER, provider_id INTEGER, state TEXT);
        INSERT INTO levels_members VALUES (1, 9, 500, 41, 7);
        INSERT INTO vouch_counts VALUES (1, 9, 12), (1, 8, 0);
    """
    async with reads_over(tmp_path, script) as api:
        account = await api.account(1, 9)
        assert (account.xp, account.level, account.vouches) == (500, 41, 12)
        board = await api.leaderboard(1, "vouches", 1, 10)
        assert [(r.user_id, r.value) for r in board.rows] == [(9, 12)]  # no vouch: not ranked
