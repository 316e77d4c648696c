"""The web feature's commands end to end through the real bot and the fake Discord:
/admin api-key create|list|revoke and /config web, the keys they make used over HTTP, and the
public page with names and avatars from the bot."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from support.bot import Harness, description, started_bot

from vouchy.testing.fake_discord import FakeDiscord, Member, User, next_snowflake
from vouchy.web.directory import DiscordDirectory
from vouchy.web.server import WebServer

pytestmark = pytest.mark.asyncio(loop_scope="module")

MEMBER_ROUTE = "/guilds/{guild_id}/members/{user_id}"
KEY = re.compile(r"vk_[0-9a-f]{12}_[a-z2-7]{48}")


class Web:
    def __init__(self, h: Harness, server: WebServer, session: aiohttp.ClientSession) -> None:
        self.h = h
        self.server = server
        self.session = session

    async def get(self, path: str, key: str | None = None) -> tuple[int, str]:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        async with self.session.get(self.server.url + path, headers=headers) as response:
            return response.status, await response.text()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    fake = FakeDiscord()
    guild = fake.guild
    guild.members.append(
        Member(User(next_snowflake(), "nicked", global_name="Global"), nick="Nick")
    )
    guild.members.append(Member(User(next_snowflake(), "globalonly", global_name="Élodie")))
    guild.members.append(Member(User(next_snowflake(), "plain")))
    await fake.start()
    try:
        data_dir: Path = tmp_path_factory.mktemp("web-bot")
        async with started_bot(data_dir, fake=fake) as harness:
            yield harness
    finally:
        await fake.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def web(h: Harness) -> AsyncIterator[Web]:
    directory = DiscordDirectory(h.bot.bot)
    async with (
        WebServer(h.app, host="127.0.0.1", port=0, directory=directory) as server,
        aiohttp.ClientSession() as session,
    ):
        yield Web(h, server, session)


@pytest.fixture(autouse=True)
def no_api_violations(h: Harness) -> Iterator[None]:
    yield
    found, h.fake.violations[:] = list(h.fake.violations), []
    assert found == [], "Discord API violations:\n" + "\n".join(found)


def rows(h: Harness, sql: str, *params: object) -> list[tuple]:
    conn = sqlite3.connect(h.app.config.db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


async def create(h: Harness, name: str = "shop", scopes: str = "read earn") -> str:
    reply = await h.run("admin api-key create", h.admin, name=name, scopes=scopes)
    assert reply["ephemeral"], reply
    [key] = KEY.findall(description(reply))
    return key


async def test_create_shows_the_key_once_privately_and_the_key_works_over_http(
    h: Harness, web: Web
) -> None:
    reply = await h.run("admin api-key create", h.admin, name="shop", scopes="earn read")
    assert reply["ephemeral"]
    text = description(reply)
    [key] = KEY.findall(text)
    assert "shown only this once" in text and "`read`, `earn`" in text
    status, _ = await web.get(f"/v1/guilds/{h.guild_id}/members/{h.member.id}", key)
    assert status == 200
    [(name, scopes, created_by, key_hash)] = rows(
        h, "SELECT name, scopes, created_by, key_hash FROM api_keys WHERE id = ?", key[3:15]
    )
    assert (name, scopes, created_by) == ("shop", "read earn", h.admin.id)
    assert key.split("_")[2] not in key_hash


async def test_list_names_every_key_without_a_secret(h: Harness) -> None:
    key = await create(h, name="listed")
    reply = await h.run("admin api-key list", h.owner)
    text = description(reply)
    assert reply["ephemeral"]
    assert f"`{key[3:15]}` **listed**" in text
    assert KEY.search(text) is None and key.split("_")[2] not in text


async def test_revoke_refuses_the_key_over_http_from_then_on(h: Harness, web: Web) -> None:
    key = await create(h, name="to-revoke")
    reply = await h.run("admin api-key revoke", h.admin, key=f"vk_{key[3:15]}_…")
    assert reply["ephemeral"] and "is revoked" in description(reply)
    status, body = await web.get(f"/v1/guilds/{h.guild_id}/members/{h.member.id}", key)
    assert status == 401 and "key-revoked" in body
    listed = description(await h.run("admin api-key list", h.admin))
    assert f"~~`{key[3:15]}` **to-revoke**" in listed


@pytest.mark.parametrize(
    ("command", "options", "says"),
    [
        ("admin api-key create", {"name": "x", "scopes": "read write"}, "Unknown scope `write`"),
        ("admin api-key create", {"name": "x", "scopes": " , "}, "at least one scope"),
        ("admin api-key revoke", {"key": "0123456789ab"}, "no API key `0123456789ab`"),
        ("admin api-key revoke", {"key": "not a key"}, "Give the key's id"),
    ],
)
async def test_bad_input_is_refused_clearly_and_changes_nothing(
    h: Harness, command: str, options: dict[str, str], says: str
) -> None:
    before = rows(h, "SELECT * FROM api_keys ORDER BY id")
    reply = await h.run(command, h.admin, **options)
    assert reply["ephemeral"] and says in description(reply)
    assert rows(h, "SELECT * FROM api_keys ORDER BY id") == before


async def test_a_french_admin_is_answered_in_french(h: Harness) -> None:
    reply = await h.run(
        "admin api-key create", h.admin, name="boutique", scopes="read", locale="fr"
    )
    text = description(reply)
    assert "Clé d'API créée" in text and "n'est montrée que cette fois" in text
    revoked = await h.run("admin api-key revoke", h.admin, key=KEY.findall(text)[0], locale="fr")
    assert "est révoquée" in description(revoked)


async def test_the_public_page_is_404_until_the_guild_opts_in_and_again_after(
    h: Harness, web: Web
) -> None:
    status, body = await web.get(f"/g/{h.guild_id}")
    assert status == 404 and '"status":404' in body
    reply = await h.run("config web leaderboard", h.admin, state="on")
    text = description(reply)
    assert reply["ephemeral"] and f"`/g/{h.guild_id}`" in text
    assert "web server is off" in text  # this Vouchy's [web] enabled is false
    assert rows(h, "SELECT value FROM settings WHERE guild_id = ? AND feature = 'web'",
                h.guild_id) == [("true",)]  # fmt: skip
    status, _ = await web.get(f"/g/{h.guild_id}")
    assert status == 200
    off = await h.run("config web leaderboard", h.owner, state="off")
    assert "answers 404" in description(off)
    status, _ = await web.get(f"/g/{h.guild_id}")
    assert status == 404
    status, _ = await web.get("/g/not-a-guild")
    assert status == 404


async def test_the_page_shows_members_as_discord_does(h: Harness, web: Web) -> None:
    guild = h.guild
    nicked = next(m for m in guild.members if m.user.username == "nicked")
    global_only = next(m for m in guild.members if m.user.username == "globalonly")
    plain = next(m for m in guild.members if m.user.username == "plain")
    late = Member(User(next_snowflake(), "latecomer", avatar="a" * 32))
    guild.members.append(late)  # joined without the bot being told: not in its cache
    stranger = next_snowflake()  # never a member: the page can only show the id
    for n, member_id in enumerate((nicked.id, global_only.id, plain.id, late.id, stranger)):
        await h.app.points.member(h.guild_id, member_id).earn(1000 - n * 100, f"page-{n}")
    await h.run("config web set", h.admin, leaderboard=True)
    since = len(h.fake.requests)
    status, html = await web.get(f"/g/{h.guild_id}")
    assert status == 200
    names = re.findall(r'<bdi class="name">([^<]*)</bdi>', html)
    assert names[:5] == ["Nick", "Élodie", "plain", "latecomer", str(stranger)]
    assert f"https://cdn.discordapp.com/avatars/{late.id}/{'a' * 32}.png?size=64" in html
    assert "https://cdn.discordapp.com/embed/avatars/" in html  # Discord's default avatar
    asked = h.fake.requests[since:]
    fetched = {r.params["user_id"] for r in asked if r.template == MEMBER_ROUTE}
    assert fetched == {str(late.id), str(stranger)}  # the cache first, then REST
    users = {r.params["user_id"] for r in asked if r.template == "/users/{user_id}"}
    assert users == {str(stranger)}  # not a member: the user, else the id
    again = len(h.fake.requests)
    await web.get(f"/g/{h.guild_id}")
    assert len(h.fake.requests) == again  # remembered: Discord is not asked again
    await h.run("config web reset", h.admin, setting="leaderboard")
