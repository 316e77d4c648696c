"""XP and levels end to end: gateway events and commands through the real GatewayBot and
lightbulb client, the real store, and a fake Discord on 127.0.0.1 (every REST request checked
against Discord's OpenAPI). Each test uses its own members, so they read as one story each."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio
from features.levels.levels_support import (
    handled,
    levels_fake,
    member_row,
    now_ms,
    say,
    service,
    snowflake_at,
    table,
    until,
)
from PIL import Image
from support.bot import CALLBACK, Harness, description, started_bot

from vouchy.store.operations import Op
from vouchy.testing.fake_discord import Member, payloads
from vouchy.testing.fake_discord.models import MANAGE_ROLES

pytestmark = pytest.mark.asyncio(loop_scope="module")

POST = "/channels/{channel_id}/messages"
ROLE = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    fake = levels_fake()
    await fake.start()
    try:
        async with started_bot(tmp_path_factory.mktemp("levels"), fake=fake) as harness:
            yield harness
    finally:
        await fake.close()


@pytest.fixture(autouse=True)
def no_api_violations(h: Harness) -> Iterator[None]:
    yield
    found, h.fake.violations[:] = list(h.fake.violations), []
    assert found == [], "Discord API violations:\n" + "\n".join(found)


def who(h: Harness, name: str) -> Member:
    return h.guild.member(name)


def row(h: Harness, member: Member) -> dict[str, Any]:
    found = member_row(h.app, h.guild_id, member.id)
    return found or {"xp": 0, "level": 0, "messages": 0, "voice_seconds": 0}


def log_rows(h: Harness, member: Member) -> list[tuple[Any, ...]]:
    return table(
        h.app.config.db_path,
        "SELECT source, xp, messages, voice_seconds, reactions, acting_user_id, reason"
        " FROM levels_xp_log WHERE guild_id = ? AND user_id = ? ORDER BY created_at, reference",
        h.guild_id,
        member.id,
    )


def settings_rows(h: Harness) -> list[tuple[Any, ...]]:
    return table(
        h.app.config.db_path,
        "SELECT key, value FROM settings WHERE guild_id = ? AND feature = 'levels' ORDER BY key",
        h.guild_id,
    )


async def set_xp(h: Harness, member: Member, amount: int) -> None:
    reply = await h.run("admin xp set", h.admin, member=member, xp=amount)
    assert not reply["ephemeral"], description(reply)


async def drained(h: Harness) -> None:
    await service(h.app).idle()
    assert await h.bot.outbox.drain(10.0), "the outbox did not settle"


def posts(h: Harness, since: int, channel_id: int | None = None) -> list[Any]:
    return [
        r
        for r in h.fake.requests_to("POST", POST)[since:]
        if channel_id is None or r.params["channel_id"] == str(channel_id)
    ]


async def react(h: Harness, member: Member, message_id: int, emoji: str = "👍") -> None:
    before = service(h.app).events["reaction"]
    data = payloads.reaction_add(
        h.guild, member, channel_id=h.guild.text_channel.id, message_id=message_id, emoji=emoji
    )
    await h.fake.dispatch("MESSAGE_REACTION_ADD", data)
    await handled(h.app, "reaction", before)


# -- messages ----------------------------------------------------------------------------------


async def test_a_message_earns_15_to_25_xp_and_one_inside_the_cooldown_costs_no_write(
    h: Harness,
) -> None:
    alice, svc = who(h, "alice"), service(h.app)
    t = now_ms()
    await say(h.fake, h.app, alice, at_ms=t)
    first = row(h, alice)
    assert 15 <= first["xp"] <= 25 and first["messages"] == 1 and first["last_message_at"] == t
    dropped, batches = svc.messages_dropped, h.app.writer.batches
    await say(h.fake, h.app, alice, at_ms=t + 59_999)
    assert row(h, alice) == first
    assert svc.messages_dropped == dropped + 1  # decided from the owner's state: no job
    assert h.app.writer.batches == batches  # and no write
    await say(h.fake, h.app, alice, at_ms=t + 60_000)  # exactly the cooldown later
    second = row(h, alice)
    assert 30 <= second["xp"] <= 50 and second["messages"] == 2
    assert [(s, x) for s, x, *_ in log_rows(h, alice)] == [
        ("message", first["xp"]),
        ("message", second["xp"] - first["xp"]),
    ]


async def test_a_redelivered_message_credits_nothing_twice(h: Harness) -> None:
    quinn = who(h, "quinn")
    t = now_ms()
    data = payloads.message_create(h.guild, quinn, "hi", message_id=snowflake_at(t))
    for _ in range(2):
        before = service(h.app).events["message"]
        await h.fake.dispatch("MESSAGE_CREATE", data)
        await handled(h.app, "message", before)
    assert row(h, quinn)["messages"] == 1 and len(log_rows(h, quinn)) == 1


async def test_no_xp_channels_and_roles_bots_and_webhooks_earn_nothing(h: Harness) -> None:
    bob, frank = who(h, "bob"), who(h, "frank")
    quiet, role = h.guild.channel("quiet"), h.guild.role("Quiet")
    await h.run("config levels add", h.admin, setting="no_xp_channels", channel=quiet)
    await h.run("config levels add", h.admin, setting="no_xp_roles", role=role)
    frank.roles.append(role.id)
    try:
        await say(h.fake, h.app, bob, channel_id=quiet.id)
        await say(h.fake, h.app, bob, webhook=True)
        await say(h.fake, h.app, h.other_bot)
        await say(h.fake, h.app, frank)
        for member in (bob, frank, h.other_bot):
            assert member_row(h.app, h.guild_id, member.id) is None
        await say(h.fake, h.app, bob)  # elsewhere, the same member earns
        assert row(h, bob)["xp"] >= 15
    finally:
        frank.roles.remove(role.id)
        await h.run("config levels remove", h.admin, setting="no_xp_channels", channel=quiet)
        await h.run("config levels remove", h.admin, setting="no_xp_roles", role=role)


async def test_the_highest_multiplier_applies_never_their_product(h: Harness) -> None:
    gina, hugo = who(h, "gina"), who(h, "hugo")
    booster, memes = h.guild.role("Booster"), h.guild.channel("memes")
    await h.run("config levels set", h.admin, message_xp_min=20, message_xp_max=20)
    await h.run("config levels multiplier", h.admin, percent=150, role=booster)
    shown = await h.run("config levels multiplier", h.admin, percent=300, channel=memes)
    assert f"<@&{booster.id}>: ×1.5" in description(shown)
    assert f"<#{memes.id}>: ×3" in description(shown)
    gina.roles.append(booster.id)
    try:
        t = now_ms()
        await say(h.fake, h.app, gina, at_ms=t)
        assert row(h, gina)["xp"] == 30  # 20 x 1.5
        await say(h.fake, h.app, gina, at_ms=t + 60_000, channel_id=memes.id)
        assert row(h, gina)["xp"] == 30 + 60  # x3 wins over x1.5; not x4.5
        await say(h.fake, h.app, hugo, channel_id=memes.id)
        assert row(h, hugo)["xp"] == 60
    finally:
        gina.roles.remove(booster.id)
        await h.run("config levels multiplier", h.admin, percent=100, role=booster)
        await h.run("config levels multiplier", h.admin, percent=100, channel=memes)
        await h.run("config levels reset", h.admin, setting="message_xp_min")
        await h.run("config levels reset", h.admin, setting="message_xp_max")
    current = await service(h.app).settings_for(h.guild_id)
    assert current.role_multipliers == [] and current.channel_multipliers == []


# -- reactions ---------------------------------------------------------------------------------


async def test_a_reaction_earns_the_author_xp_once_per_member_and_message(h: Harness) -> None:
    ines, bob, jules = who(h, "ines"), who(h, "bob"), who(h, "jules")
    message = await say(h.fake, h.app, ines)
    start = row(h, ines)
    await react(h, bob, message)
    assert row(h, ines)["xp"] == start["xp"] + 2
    assert row(h, ines)["reactions_received"] == 1
    removed = payloads.reaction_remove(
        h.guild, bob, channel_id=h.guild.text_channel.id, message_id=message
    )
    await h.fake.dispatch("MESSAGE_REACTION_REMOVE", removed)
    await react(h, bob, message)  # added again
    await react(h, bob, message, emoji="🎉")  # another emoji
    assert row(h, ines)["xp"] == start["xp"] + 2  # nothing taken back, nothing minted again
    await react(h, ines, message)  # one's own message
    await react(h, h.other_bot, message)  # a bot
    assert row(h, ines)["reactions_received"] == 1
    await react(h, jules, message)  # another member
    assert row(h, ines)["xp"] == start["xp"] + 4
    assert row(h, ines)["reactions_received"] == 2


async def test_a_reaction_to_a_message_from_before_the_start_finds_its_author_on_discord(
    h: Harness,
) -> None:
    rose, bob = who(h, "rose"), who(h, "bob")
    old = payloads.message_object(
        channel_id=h.guild.text_channel.id, author=rose.user, content="long ago", guild=h.guild
    )
    h.fake.messages[int(old["id"])] = old
    await react(h, bob, int(old["id"]))
    assert row(h, rose)["xp"] == 2 and row(h, rose)["reactions_received"] == 1


# -- voice -------------------------------------------------------------------------------------


async def test_voice_counts_only_minutes_with_someone_unmuted_and_not_in_the_afk_channel(
    h: Harness,
) -> None:
    carol, dave = who(h, "carol"), who(h, "dave")
    voice, afk = h.guild.channel("Voice"), h.guild.channel("AFK")
    svc = service(h.app)
    clock = {"now": now_ms()}
    svc.clock = lambda: clock["now"]
    t0 = clock["now"]

    async def at(minutes: float, user: Member, channel: int | None, **flags: bool) -> None:
        clock["now"] = t0 + int(minutes * 60_000)
        before = svc.events["voice"]
        await h.fake.set_voice_channel(user.id, channel, **flags)
        await handled(h.app, "voice", before)

    try:
        await at(0, carol, voice.id)  # alone
        await at(2, dave, voice.id)  # together: both count
        await at(5, dave, voice.id, self_mute=True)  # dave muted: only carol counts
        await at(8, dave, voice.id)  # unmuted
        await at(10, carol, afk.id)  # carol AFK; dave alone
        await at(12, carol, None)
        await at(12.5, dave, None)
    finally:
        svc.clock = lambda: now_ms()
    assert (row(h, carol)["xp"], row(h, carol)["voice_seconds"]) == (80, 8 * 60)
    assert (row(h, dave)["xp"], row(h, dave)["voice_seconds"]) == (50, 5 * 60)
    assert row(h, carol)["voice_channel_id"] is None and row(h, dave)["voice_channel_id"] is None
    assert [(s, x, v) for s, x, _m, v, *_ in log_rows(h, carol)] == [("voice", 80, 480)]


# -- level-ups ---------------------------------------------------------------------------------


async def test_a_level_up_is_announced_where_the_member_spoke_or_in_the_set_channel(
    h: Harness,
) -> None:
    erin = who(h, "erin")
    general, logs = h.guild.text_channel, h.guild.channel("logs")
    t = now_ms()
    await set_xp(h, erin, 95)
    since = len(h.fake.requests_to("POST", POST))
    await say(h.fake, h.app, erin, at_ms=t)
    await drained(h)
    [post] = posts(h, since)
    assert post.params["channel_id"] == str(general.id)
    assert post.json["content"] == f"GG <@{erin.id}>, you reached level 1!"
    assert post.json["allowed_mentions"]["users"] == [str(erin.id)]
    assert row(h, erin)["level"] == 1

    await h.run(
        "config levels set",
        h.admin,
        announce_channel=logs,
        announce_message="{member} is now level {level} @everyone",
    )
    await set_xp(h, erin, 250)
    since = len(h.fake.requests_to("POST", POST))
    await say(h.fake, h.app, erin, at_ms=t + 60_000)
    await drained(h)
    [post] = posts(h, since)
    assert post.params["channel_id"] == str(logs.id)
    assert post.json["content"] == f"<@{erin.id}> is now level 2 @\u200beveryone"

    await h.run("config levels set", h.admin, announce=False)
    await set_xp(h, erin, 760)
    since = len(h.fake.requests_to("POST", POST))
    await say(h.fake, h.app, erin, at_ms=t + 120_000)
    await drained(h)
    assert row(h, erin)["level"] == 4 and posts(h, since) == []
    for setting in ("announce", "announce_channel_id", "announce_template"):
        await h.run("config levels reset", h.admin, setting=setting)


async def test_role_rewards_stack_then_replace_the_ones_below(h: Harness) -> None:
    jules = who(h, "oscar")
    level1, level2 = h.guild.role("Level 1"), h.guild.role("Level 2")
    await h.run("config levels role-reward", h.admin, level=1, role=level1)
    shown = await h.run("config levels role-reward", h.admin, level=2, role=level2)
    assert f"level 2: <@&{level2.id}>" in description(shown)
    try:
        t = now_ms()
        await set_xp(h, jules, 90)
        await say(h.fake, h.app, jules, at_ms=t)  # level 1
        await drained(h)
        assert level1.id in jules.roles
        await set_xp(h, jules, 240)
        await say(h.fake, h.app, jules, at_ms=t + 60_000)  # level 2: stacked
        await drained(h)
        assert {level1.id, level2.id} <= set(jules.roles)
        await h.run("config levels set", h.admin, stack_roles=False)
        await set_xp(h, jules, 465)
        await say(h.fake, h.app, jules, at_ms=t + 120_000)  # level 3: the highest reward only
        await drained(h)
        assert level2.id in jules.roles and level1.id not in jules.roles
    finally:
        await h.run("config levels reset", h.admin, setting="stack_roles")
        await h.run("config levels role-reward", h.admin, level=0, role=level1)
        await h.run("config levels role-reward", h.admin, level=0, role=level2)


async def test_a_missing_manage_roles_or_a_role_above_the_bot_is_reported_once(
    h: Harness,
) -> None:
    hugo, kim = who(h, "hugo"), who(h, "kim")
    logs, level1, above = (
        h.guild.channel("logs"),
        h.guild.role("Level 1"),
        h.guild.role("Above the bot"),
    )
    bot_role = h.guild.role(h.fake.bot_user.username)
    await h.run("config core set", h.admin, log_channel=logs)
    await h.run("config levels role-reward", h.admin, level=1, role=level1)

    async def bot_permissions(value: int) -> None:
        bot_role.permissions = value
        data = {"guild_id": str(h.guild_id), "role": payloads.role(bot_role)}
        await h.fake.dispatch("GUILD_ROLE_UPDATE", data)
        cached = h.bot.bot.cache.get_role
        await until(lambda: int(cached(bot_role.id).permissions) == value, "the role update")

    granted = bot_role.permissions
    try:
        await bot_permissions(granted & ~MANAGE_ROLES)
        t = now_ms()
        roles_before = len(h.fake.requests_to("PUT", ROLE))
        since = len(h.fake.requests_to("POST", POST))
        for member in (hugo, kim):
            await set_xp(h, member, 90)
            await say(h.fake, h.app, member, at_ms=t)  # both reach level 1
        await drained(h)
        assert len(h.fake.requests_to("PUT", ROLE)) == roles_before  # not attempted
        notes = [p for p in posts(h, since, logs.id) if "Manage Roles" in p.json["content"]]
        assert len(notes) == 1  # once, whoever else levels up
        assert "I lack the Manage Roles permission" in notes[0].json["content"]

        await bot_permissions(granted)
        await h.run("config levels role-reward", h.admin, level=2, role=above)
        since = len(h.fake.requests_to("POST", POST))
        await set_xp(h, hugo, 250)
        await say(h.fake, h.app, hugo, at_ms=t + 60_000)  # level 2: a role above the bot
        await drained(h)
        assert above.id not in hugo.roles
        says = f"I can't give <@&{above.id}>: it is above my highest role"

        def notes_above() -> list[Any]:
            return [p for p in posts(h, since, logs.id) if says in p.json["content"]]

        assert len(notes_above()) == 1
        reply = await h.run("admin levels sync-roles", h.admin)  # told again, once, after it
        assert "1 roles could not be managed" in description(reply)
        await drained(h)
        assert len(notes_above()) == 2
    finally:
        await bot_permissions(granted)
        await h.run("config core reset", h.admin, setting="log_channel")
        await h.run("config levels role-reward", h.admin, level=0, role=level1)
        await h.run("config levels role-reward", h.admin, level=0, role=above)


# -- admin -------------------------------------------------------------------------------------


async def test_admin_xp_add_remove_set_and_reset_are_recorded_with_who_and_why(
    h: Harness,
) -> None:
    max_ = who(h, "max")
    added = await h.run("admin xp add", h.admin, member=max_, amount=300, reason="event winner")
    assert description(added).startswith("XP changed\nAdded 300 XP to")
    assert "300 XP now, level 2. Level 0 → 2; level roles updated." in description(added)
    assert "Reason: event winner" in description(added)
    removed = await h.run("admin xp remove", h.admin, member=max_, amount=1_000)
    assert "Removed 300 XP from" in description(removed)
    await h.run("admin xp set", h.owner, member=max_, xp=1_234)
    assert (row(h, max_)["xp"], row(h, max_)["level"]) == (1_234, 5)
    reset = await h.run("admin xp reset", h.admin, member=max_, reason="cheating")
    assert "XP is reset to 0 (level 0)" in description(reset)
    assert [(s, x, a, r) for s, x, _m, _v, _r, a, r in log_rows(h, max_)] == [
        ("admin", 300, h.admin.id, "event winner"),
        ("admin", -300, h.admin.id, ""),
        ("admin", 1_234, h.owner.id, ""),
        ("admin", -1_234, h.admin.id, "cheating"),
    ]
    assert (await h.app.audit(h.guild_id, max_.id)).clean


@pytest.mark.parametrize(
    ("command", "options", "says"),
    [
        ("admin xp add", {"amount": 0}, "from 1 to 1,000,000,000,000"),
        ("admin xp remove", {"amount": -3}, "from 1 to 1,000,000,000,000"),
        ("admin xp set", {"xp": -1}, "from 0 to 1,000,000,000,000"),
        ("admin xp add", {"amount": 10**13}, "from 1 to 1,000,000,000,000"),
    ],
)
async def test_admin_xp_refuses_bad_amounts_and_changes_nothing(
    h: Harness, command: str, options: dict[str, int], says: str
) -> None:
    noe = who(h, "noe")
    await set_xp(h, noe, 500)
    before = (row(h, noe), log_rows(h, noe))
    reply = await h.run(command, h.admin, member=noe, **options)
    assert reply["ephemeral"] and says in description(reply)
    assert (row(h, noe), log_rows(h, noe)) == before


async def test_admin_xp_on_a_bot_is_refused_and_changes_nothing(h: Harness) -> None:
    reply = await h.run("admin xp add", h.admin, member=h.other_bot, amount=5)
    assert reply["ephemeral"] and "Bots don't earn XP" in description(reply)
    assert member_row(h.app, h.guild_id, h.other_bot.id) is None


async def test_admin_xp_changes_re_evaluate_level_roles_and_copy_to_the_log_channel(
    h: Harness,
) -> None:
    paul = who(h, "paul")
    level1, logs = h.guild.role("Level 1"), h.guild.channel("logs")
    await h.run("config levels role-reward", h.admin, level=1, role=level1)
    await h.run("config core set", h.admin, log_channel=logs)
    try:
        since = len(h.fake.requests_to("POST", POST))
        await h.run("admin xp add", h.admin, member=paul, amount=150, reason="helped")
        await drained(h)
        assert level1.id in paul.roles
        [copy] = posts(h, since, logs.id)
        assert (
            "Added 150 XP to" in copy.json["content"]
            and f"By <@{h.admin.id}>." in (copy.json["content"])
        )
        await h.run("admin xp reset", h.admin, member=paul)
        await drained(h)
        assert level1.id not in paul.roles
    finally:
        await h.run("config core reset", h.admin, setting="log_channel")
        await h.run("config levels role-reward", h.admin, level=0, role=level1)


async def test_sync_roles_puts_level_roles_right_and_a_member_who_rejoins_gets_them_back(
    h: Harness,
) -> None:
    lea, rose = who(h, "lea"), who(h, "rose")
    level1, level2 = h.guild.role("Level 1"), h.guild.role("Level 2")
    await h.run("config levels role-reward", h.admin, level=1, role=level1)
    await h.run("config levels role-reward", h.admin, level=2, role=level2)
    try:
        await set_xp(h, lea, 150)
        await drained(h)
        assert level1.id in lea.roles
        lea.roles.remove(level1.id)  # taken by hand
        rose.roles.append(level2.id)  # given by hand, without the level
        for member in (lea, rose):
            data = payloads.guild_member_add(h.guild, member)
            await h.fake.dispatch("GUILD_MEMBER_UPDATE", data)
        cache = h.bot.bot.cache
        await until(
            lambda: level2.id in cache.get_member(h.guild_id, rose.id).role_ids, "the cache"
        )
        humans = sum(1 for m in h.guild.members if not m.user.bot)
        reply = await h.run("admin levels sync-roles", h.admin)
        assert reply["ephemeral"]
        assert f"Level roles checked for {humans} members" in description(reply)
        assert "roles given, 1 taken back." in description(reply)
        await drained(h)
        assert level1.id in lea.roles and level2.id not in rose.roles

        before = service(h.app).events["join"]
        await h.fake.remove_member(lea.id)
        back = await h.fake.add_member(lea.user)
        await handled(h.app, "join", before)
        await drained(h)
        assert back.roles == [level1.id]
    finally:
        await h.run("config levels role-reward", h.admin, level=0, role=level1)
        await h.run("config levels role-reward", h.admin, level=0, role=level2)


async def test_a_reward_is_given_once_ever_even_when_the_level_is_lost_and_reached_again(
    h: Harness,
) -> None:
    kim = who(h, "jules")
    await h.run("config levels point-reward", h.admin, level=1, points=500)
    shown = await h.run("config levels item-reward", h.admin, level=1, item="vip pass")
    assert "level 1: 500 points, once" in description(shown)
    assert "level 1: 1 × vip pass, once" in description(shown)
    try:
        t = now_ms()
        balance = await h.balance(kim)
        await set_xp(h, kim, 90)
        await say(h.fake, h.app, kim, at_ms=t)
        assert await h.balance(kim) == balance + 500
        await h.run("admin xp reset", h.admin, member=kim)
        await set_xp(h, kim, 90)
        await say(h.fake, h.app, kim, at_ms=t + 60_000)  # level 1 again
        assert row(h, kim)["level"] == 1 and await h.balance(kim) == balance + 500
        history = await h.app.points.member(h.guild_id, kim.id).history(1, 25)
        assert [e.delta for e in history.entries if e.kind == "level_reward"] == [500]
        # The item is in the inventory, from the level-up's own operation, once.
        assert await h.app.services["shop"].quantity(h.guild_id, kim.id, "vip-pass") == 1
        assert await service(h.app).item_rewards(h.guild_id, kim.id) == []
        [given] = await service(h.app).item_rewards(h.guild_id, kim.id, status="delivered")
        assert (given.item, given.quantity, given.level) == ("vip pass", 1, 1)
    finally:
        await h.run("config levels point-reward", h.admin, level=1, points=0)
        await h.run("config levels item-reward", h.admin, level=1, item="vip pass", quantity=0)


# -- games -------------------------------------------------------------------------------------


async def test_a_games_xp_commits_with_its_settlement_and_levels_up_right_after(
    h: Harness,
) -> None:
    rose = who(h, "rose")
    svc = service(h.app)
    general = h.guild.text_channel
    await set_xp(h, rose, 95)
    changes = await svc.game_xp_changes(
        h.guild_id, rose.id, won=True, game_id="bj-1", channel_id=general.id
    )
    op = Op(
        guild_id=h.guild_id,
        user_id=rose.id,
        reference="game:bj-1",
        name="games.settle",
        changes=changes,
    )
    since = len(h.fake.requests_to("POST", POST))
    first = await h.app.actors.games.get((h.guild_id, "bj-1")).submit(op)
    await until(lambda: svc._settling == set(), "the settle")
    await drained(h)
    assert (row(h, rose)["xp"], row(h, rose)["pending_xp"], row(h, rose)["level"]) == (110, 0, 1)
    [post] = posts(h, since, general.id)
    assert "reached level 1" in post.json["content"]
    again = await h.app.actors.games.get((h.guild_id, "bj-1")).submit(op)
    assert again.duplicate and again.seq == first.seq
    cached = h.app.actors.members.peek((h.guild_id, rose.id)).state["levels"]
    assert (cached.xp, cached.pending_xp) == (110, 0)  # the replay's old rows change no cache
    lost = await svc.game_xp_changes(h.guild_id, rose.id, won=False, game_id="bj-2")
    await h.app.actors.games.get((h.guild_id, "bj-2")).submit(
        Op(
            guild_id=h.guild_id,
            user_id=rose.id,
            reference="game:bj-2",
            name="games.settle",
            changes=lost,
        )
    )
    await drained(h)
    await until(lambda: row(h, rose)["pending_xp"] == 0, "the settle")
    assert row(h, rose)["xp"] == 115
    assert (
        await svc.game_xp_changes(
            h.guild_id, h.other_bot.id, won=True, game_id=3, member_is_bot=True
        )
        == ()
    )
    assert (await h.app.audit(h.guild_id, rose.id)).clean


# -- /level and /levels ------------------------------------------------------------------------


async def test_level_answers_with_a_rank_card_png_and_the_same_facts_in_words(
    h: Harness,
) -> None:
    alice = who(h, "alice")
    mine = await service(h.app).profile(h.guild_id, alice.id)
    since = len(h.fake.requests_to("POST", CALLBACK))
    reply = await h.run("level", alice)
    text = description(reply)
    assert not reply["ephemeral"]
    assert f"**alice**: level {mine.level}, rank #{mine.rank}." in text
    assert f"{mine.into} / {mine.needed} XP into this level" in text
    assert "2 messages, no time in voice, 0 reactions received." in text
    [callback] = h.fake.requests_to("POST", CALLBACK)[since:]
    assert callback.files == [f"rank-{alice.id}.png"]
    [png] = callback.attachments.values()
    assert png.startswith(b"\x89PNG") and 5_000 < len(png) < 150_000
    with Image.open(io.BytesIO(png)) as card:
        assert (card.format, card.size) == ("PNG", (900, 250))
    assert reply["embeds"][0]["image"]["url"] == f"attachment://rank-{alice.id}.png"


async def test_level_speaks_french_and_is_named_niveau_there(h: Harness) -> None:
    command = h.fake.registered_command("level", h.guild_id)
    assert command["name_localizations"]["fr"] == "niveau"
    interaction = await h.fake.slash("level", user=who(h, "alice"), locale="fr")
    text = description(await h.fake.interaction_reply(interaction))
    assert "**alice** : niveau" in text and "XP au total" in text


async def test_level_of_a_bot_or_a_member_without_xp(h: Harness) -> None:
    reply = await h.run("level", h.member, member=h.other_bot)
    assert reply["ephemeral"] and "Bots don't earn XP" in description(reply)
    fresh = await h.run("level", h.member)
    assert "**Member**: level 0, not ranked yet. 0 / 100 XP" in description(fresh)


async def test_levels_lists_a_page_with_the_askers_rank_and_refuses_a_page_past_the_end(
    h: Harness,
) -> None:
    svc = service(h.app)
    top = await svc.top(h.guild_id, who(h, "alice").id)
    reply = await h.run("levels", who(h, "alice"))
    text = description(reply)
    assert text.startswith(
        f"XP leaderboard\nLeaderboard: page 1 of {max(1, -(-top.members // 10))}"
    )
    assert f"Your rank: #{top.asker_rank}" in text
    first = top.entries[0]
    assert f"**#1** <@{first.user_id}>: level" in text
    refused = await h.run("levels", who(h, "alice"), page=99)
    assert refused["ephemeral"] and "past the end of the leaderboard" in description(refused)


# -- /config levels ----------------------------------------------------------------------------


async def test_config_levels_refuses_settings_that_do_not_hold_together_and_saves_nothing(
    h: Harness,
) -> None:
    before = settings_rows(h)
    reply = await h.run("config levels set", h.admin, message_xp_min=30, message_xp_max=20)
    assert reply["ephemeral"] and "The lowest message XP (30) is above the highest (20)." in (
        description(reply)
    )
    both = await h.run(
        "config levels multiplier",
        h.admin,
        percent=150,
        role=h.guild.role("Booster"),
        channel=h.guild.channel("memes"),
    )
    assert both["ephemeral"] and "Pick a role or a channel, not both." in description(both)
    assert settings_rows(h) == before


async def test_config_levels_set_shows_the_settings_and_the_curve_moves_levels(
    h: Harness,
) -> None:
    max_ = who(h, "max")
    await set_xp(h, max_, 1_000)
    assert row(h, max_)["level"] == 4
    shown = await h.run("config levels set", h.admin, curve_quadratic=0, curve_linear=0)
    assert "curve_quadratic\n0" in description(shown)
    await until(lambda: row(h, max_)["level"] == 10, "the levels to follow the curve")
    assert (await h.app.audit(h.guild_id)).clean
    await h.run("config levels reset", h.admin, setting="curve_quadratic")
    await h.run("config levels reset", h.admin, setting="curve_linear")
    await until(lambda: row(h, max_)["level"] == 4, "the levels to follow the curve back")
