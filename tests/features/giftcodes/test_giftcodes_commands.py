"""``/giftcode ...`` end to end: the real bot against the fake Discord, the gift-code service
against the fake publisher. Admins change things, every member may read; bad input and a
member without the right are refused with a clear message and change nothing; announcements
reach the channel through the outbox; French speakers are answered in French."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from features.giftcodes.giftcodes_support import FAST, SECRET, gift_tables, players, settled
from support.bot import Harness, description, started_bot

from vouchy.features.giftcodes import sources
from vouchy.features.giftcodes.fake_provider import FakeCode, FakeProvider
from vouchy.features.giftcodes.service import GiftCodeService

pytestmark = pytest.mark.asyncio(loop_scope="module")

MESSAGES = "/channels/{channel_id}/messages"


class World:
    def __init__(self, h: Harness, fake: FakeProvider) -> None:
        self.h = h
        self.fake = fake
        self.service = h.app.service(GiftCodeService)
        self.db = h.app.config.db_path

    async def run(self, command: str, user: Any, **options: Any) -> dict[str, Any]:
        return await self.h.run(command, user, **options)

    def state(self) -> tuple[Any, ...]:
        """Every gift-code row and every setting of the guild: what a refusal must not touch."""
        conn = sqlite3.connect(self.db)
        try:
            settings = conn.execute("SELECT * FROM settings ORDER BY 1, 2, 3").fetchall()
            outbox = conn.execute("SELECT COUNT(*) FROM outbox").fetchone()
        finally:
            conn.close()
        return (gift_tables(self.db), settings, outbox)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def w(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    data_dir: Path = tmp_path_factory.mktemp("giftcodes-commands")
    codes = [
        FakeCode(code="WELCOME"),
        FakeCode(code="TYPED1"),
        FakeCode(code="LISTED1"),
        FakeCode(code="OLDONE", state="expired"),
        FakeCode(code="VIPGIFT", min_vip=5),
    ]
    fake = FakeProvider(
        secret=SECRET, players=players(501, 502, 503, 504), codes=codes, captcha=False
    )
    fake.players[501].nickname = "Aurora"
    fake.players[501].furnace_level = 27
    await fake.start()
    settings = {k: v for k, v in FAST.items()}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GIFTCODE_SECRET", SECRET)
        try:
            async with started_bot(
                data_dir,
                extra_members=("friend", "amelie"),
                giftcodes_base_url=fake.base_url,
                **settings,
            ) as h:
                yield World(h, fake)
        finally:
            await fake.close()


@pytest.fixture(autouse=True)
def no_api_violations(w: World) -> Iterator[None]:
    yield
    found, w.h.fake.violations[:] = list(w.h.fake.violations), []
    assert found == [], "Discord API violations:\n" + "\n".join(found)


async def test_the_giftcode_commands_are_named_in_english_and_french(w: World) -> None:
    registered = w.h.fake.registered_command("giftcode", w.h.guild_id)
    assert registered is not None
    assert registered["name_localizations"]["fr"] == "codecadeau"
    subs = {o["name"]: o for o in registered["options"]}
    assert set(subs) == {"channel", "autoredeem", "players", "redeem", "status", "codes", "add"}
    assert subs["players"]["name_localizations"]["fr"] == "joueurs"
    assert (
        "default_member_permissions" not in registered
        or registered["default_member_permissions"] is None
    )  # members see it: status, codes and the player list are for everyone


async def test_an_admin_sets_the_channel_and_auto_redeem_as_the_servers_settings(w: World) -> None:
    h = w.h
    channel = h.guild.text_channel
    reply = await w.run("giftcode channel set", h.admin, channel=channel)
    assert reply["ephemeral"]
    assert f"New gift codes will be posted in <#{channel.id}>." in description(reply)
    reply = await w.run("giftcode autoredeem on", h.admin)
    assert "Auto-redeem is on" in description(reply)
    conn = sqlite3.connect(w.db)
    stored = conn.execute(
        "SELECT key, value, updated_by FROM settings WHERE guild_id = ? AND feature = 'giftcodes'"
        " ORDER BY key",
        (h.guild_id,),
    ).fetchall()
    conn.close()
    assert stored == [("auto_redeem", "true", h.admin.id), ("channel", str(channel.id), h.admin.id)]
    reply = await w.run("config show", h.admin)
    assert f"channel\n<#{channel.id}>" in description(reply)


async def test_players_add_checks_the_id_with_the_publisher_and_stores_name_and_level(
    w: World,
) -> None:
    reply = await w.run("giftcode players add", w.h.admin, player_id=" 501 ")
    text = description(reply)
    assert "Added **Aurora** (`501`): state 245, furnace level 27." in text
    for fid in ("502", "503"):
        await w.run("giftcode players add", w.h.owner, player_id=fid)
    listed = description(await w.run("giftcode players list", w.h.member))
    assert "3 registered player(s):" in listed
    assert "**Aurora** (`501`): state 245, furnace level 27" in listed
    conn = sqlite3.connect(w.db)
    rows = conn.execute(
        "SELECT p.fid, p.nickname, p.furnace_level, p.guilds, g.added_by"
        " FROM giftcode_players p JOIN giftcode_guild_players g USING (fid) ORDER BY fid"
    ).fetchall()
    conn.close()
    assert rows[0] == (501, "Aurora", 27, 1, w.h.admin.id)
    assert [r[0] for r in rows] == [501, 502, 503]
    assert w.fake.counters.by_path["player"] == 3


@pytest.mark.parametrize(
    ("player_id", "says"),
    [
        ("abc", "`abc` is not a player id"),
        ("0", "`0` is not a player id"),
        ("999999", "The game has no player with the id `999999`"),
        ("501", "Player `501` is already registered in this server."),
    ],
)
async def test_players_add_refuses_bad_ids_unknown_players_and_repeats_changing_nothing(
    w: World, player_id: str, says: str
) -> None:
    before = w.state()
    reply = await w.run("giftcode players add", w.h.admin, player_id=player_id)
    assert reply["ephemeral"]
    text = description(reply)
    assert says in text and "nothing was changed" in text
    assert w.state() == before


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("giftcode channel set", {"channel": None}),
        ("giftcode autoredeem off", {}),
        ("giftcode players add", {"player_id": "504"}),
        ("giftcode players remove", {"player_id": "501"}),
        ("giftcode redeem", {"code": "WELCOME"}),
        ("giftcode add", {"code": "SNEAKY"}),
    ],
)
async def test_a_member_who_is_not_an_admin_cannot_change_anything(
    w: World, command: str, options: dict[str, Any]
) -> None:
    if "channel" in options:
        options = {"channel": w.h.guild.text_channel}
    before = w.state()
    requests = w.fake.counters.requests
    reply = await w.run(command, w.h.member, **options)
    assert reply["ephemeral"]
    text = description(reply)
    assert "Only admins can do that" in text and "nothing was changed" in text
    assert w.state() == before
    assert w.fake.counters.requests == requests  # not even a lookup


async def test_every_member_may_read_the_status_the_codes_and_the_players(w: World) -> None:
    for command in ("giftcode status", "giftcode codes", "giftcode players list"):
        reply = await w.run(command, w.h.friend)
        assert reply["ephemeral"]
        assert "Only admins" not in description(reply)


async def test_an_admin_typed_code_is_posted_in_the_channel_and_redeemed_for_the_players(
    w: World,
) -> None:
    h = w.h
    since = len(h.fake.requests)
    reply = await w.run("giftcode add", h.admin, code="`TYPED1`")
    text = description(reply)
    assert "Added `TYPED1`." in text
    assert f"Posted in <#{h.guild.text_channel.id}>." in text
    assert "Redeeming it for 3 player(s)." in text
    post = await h.fake.wait_for_request(
        "POST", MESSAGES, lambda r: "TYPED1" in str(r.json), since=since, timeout=10
    )
    assert post.params["channel_id"] == str(h.guild.text_channel.id)
    assert "🎁 New gift code: `TYPED1`" in post.json["content"]
    await settled(w.service)
    status = description(await w.run("giftcode status", h.member, code="TYPED1"))
    assert "`TYPED1` (redeeming for everyone): 3 redeemed, 0 already had it" in status
    again = await w.run("giftcode add", h.admin, code="TYPED1")
    assert "Vouchy already knows `TYPED1`" in description(again)


async def test_a_listed_code_is_announced_once_and_redeemed_by_itself(w: World) -> None:
    h = w.h
    since = len(h.fake.requests)
    await w.service.take_list(sources.CodeList())  # the first read: nothing is new on it
    body = b'{"codes": ["LISTED1 03.05.2025", "OLDONE 01.01.2024"]}'
    assert await w.service.take_list(sources.parse_code_list(body)) == ["LISTED1", "OLDONE"]
    await w.service.take_list(sources.parse_code_list(body))  # read again: nothing new
    await h.fake.wait_for_request(
        "POST", MESSAGES, lambda r: "LISTED1" in str(r.json), since=since, timeout=10
    )
    await settled(w.service)
    # One message in the channel (the outbox may repeat a call; its nonce makes it one post).
    channel = h.guild.text_channel.id
    posted = [m for m in h.fake.channel_messages(channel) if "LISTED1" in m["content"]]
    assert len(posted) == 1
    text = description(await w.run("giftcode status", h.member))
    assert "`LISTED1` (redeeming for everyone): 3 redeemed" in text
    assert "`OLDONE` stopped for every player: code expired." in text
    codes = description(await w.run("giftcode codes", h.member))
    assert max(codes.index("`OLDONE`"), codes.index("`LISTED1`")) < codes.index("`TYPED1`")
    assert "(community list)" in codes and "(added by an admin)" in codes


async def test_redeem_tries_a_code_now_and_refuses_a_dead_one(w: World) -> None:
    h = w.h
    reply = await w.run("giftcode redeem", h.admin, code="VIPGIFT")
    assert "Redeeming `VIPGIFT` for 3 of this server's 3 player(s)" in description(reply)
    await settled(w.service)
    status = description(await w.run("giftcode status", h.admin, code="VIPGIFT"))
    assert "3 failed" in status and "3 failed: VIP level too low" in status
    w.fake.players[502].vip = 9  # the player pays up; an admin tries again
    reply = await w.run("giftcode redeem", h.admin, code="VIPGIFT")
    assert "Redeeming `VIPGIFT` for 3 of this server's 3 player(s)" in description(reply)
    await settled(w.service)
    status = description(await w.run("giftcode status", h.admin, code="VIPGIFT"))
    assert "1 redeemed" in status and "2 failed: VIP level too low" in status
    again = description(await w.run("giftcode redeem", h.admin, code="WELCOME"))
    assert "for 3 of this server's 3" in again  # a new code: everyone
    await settled(w.service)
    done = description(await w.run("giftcode redeem", h.admin, code="WELCOME"))
    assert "for 0 of this server's 3 player(s); 3 already have it" in done
    before = w.state()
    dead = await w.run("giftcode redeem", h.admin, code="OLDONE")
    assert "`OLDONE` has expired" in description(dead) and dead["ephemeral"]
    assert w.state() == before


@pytest.mark.parametrize(
    ("command", "options", "says"),
    [
        ("giftcode add", {"code": "two words"}, "is not a gift code"),
        ("giftcode redeem", {"code": "bad!code"}, "is not a gift code"),
        ("giftcode status", {"code": "NEVERSEEN"}, "Vouchy does not know the code `NEVERSEEN`"),
        ("giftcode players remove", {"player_id": "504"}, "Player `504` is not registered"),
    ],
)
async def test_bad_codes_and_unknown_players_are_refused_and_change_nothing(
    w: World, command: str, options: dict[str, Any], says: str
) -> None:
    before = w.state()
    reply = await w.run(command, w.h.admin, **options)
    assert reply["ephemeral"] and says in description(reply)
    assert w.state() == before


async def test_a_removed_player_leaves_the_list_and_the_queue(w: World) -> None:
    reply = await w.run("giftcode players remove", w.h.admin, player_id="503")
    assert "Removed player `503`" in description(reply)
    listed = description(await w.run("giftcode players list", w.h.member))
    assert "2 registered player(s):" in listed and "`503`" not in listed
    conn = sqlite3.connect(w.db)
    assert conn.execute("SELECT COUNT(*) FROM giftcode_players WHERE fid = 503").fetchone() == (0,)
    conn.close()
    assert (await w.h.app.audit()).clean


async def test_a_french_speaking_member_reads_the_status_in_french(w: World) -> None:
    h = w.h
    reply = await h.fake.interaction_reply(
        await h.fake.slash("giftcode status", user=h.friend, locale="fr")
    )
    text = description(reply)
    assert "Codes cadeaux : état" in text
    assert "Récupération : en marche." in text
    assert "`OLDONE` arrêté pour tous les joueurs : code expiré." in text
    refused = await h.fake.interaction_reply(
        await h.fake.slash("giftcode players add", user=h.friend, player_id="504", locale="fr")
    )
    assert "Seuls les admins peuvent faire cela" in description(refused)
