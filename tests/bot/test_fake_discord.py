"""The offline fake Discord, driven by the real hikari GatewayBot and a lightbulb 3 client."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import hikari
import lightbulb
import pytest

from vouchy.testing.fake_discord import (
    FakeDiscord,
    OpenAPIValidator,
    RecordedRequest,
    Reply,
    User,
    next_snowflake,
    payloads,
    snowflake_at,
)
from vouchy.testing.fake_discord.models import MANAGE_GUILD

GUILD_COMMANDS = "/applications/{application_id}/guilds/{guild_id}/commands"
INTENTS = (
    hikari.Intents.ALL_UNPRIVILEGED | hikari.Intents.GUILD_MEMBERS | hikari.Intents.MESSAGE_CONTENT
)


class EventLog:
    """Every hikari event the bot dispatches, with a way to wait for one."""

    def __init__(self, bot: hikari.GatewayBot) -> None:
        self.events: list[hikari.Event] = []
        self._changed = asyncio.Event()
        bot.subscribe(hikari.Event, self._on_event)

    async def _on_event(self, event: hikari.Event) -> None:
        self.events.append(event)
        self._changed.set()

    def of(self, kind: type[hikari.Event]) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    async def wait_for(
        self,
        kind: type[hikari.Event],
        predicate: Callable[[Any], bool] = lambda e: True,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> Any:
        async with asyncio.timeout(timeout):
            while True:
                for event in self.of(kind):
                    if predicate(event):
                        return event
                self._changed.clear()
                await self._changed.wait()


@contextlib.asynccontextmanager
async def running_bot(
    fake: FakeDiscord, *commands: Any, intents: hikari.Intents = INTENTS
) -> AsyncIterator[tuple[hikari.GatewayBot, lightbulb.Client, EventLog]]:
    """A real GatewayBot + lightbulb client against `fake`, with its guild commands synced."""
    bot = hikari.GatewayBot(
        fake.token, rest_url=fake.rest_url, intents=intents, banner=None, logs=None
    )
    client = lightbulb.client_from_app(bot, default_enabled_guilds=[fake.guild.id])
    for command in commands:
        client.register(command)
    log = EventLog(bot)
    bot.subscribe(hikari.StartedEvent, client.start)
    await bot.start(check_for_updates=False)
    try:
        if commands:
            await fake.wait_for_request("PUT", GUILD_COMMANDS)
        await log.wait_for(hikari.GuildAvailableEvent)
        yield bot, client, log
    finally:
        await client.stop()
        await bot.close()


async def test_real_bot_receives_a_slash_command_and_its_reply_is_recorded(
    fake_discord: FakeDiscord,
) -> None:
    fake = fake_discord
    fake.check_responses = True
    guild = fake.guild
    admin, member = guild.member("admin"), guild.member("member")
    seen: list[tuple[int, int, int]] = []

    class Give(lightbulb.SlashCommand, name="give", description="Give points to someone"):
        amount = lightbulb.integer("amount", "How many points", min_value=1, max_value=1000)
        who = lightbulb.user("who", "Who gets them")

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context) -> None:
            assert ctx.member is not None
            seen.append((self.amount, self.who.id, ctx.member.id))
            await ctx.respond(f"{self.amount} points to {self.who.username}")

    async with running_bot(fake, Give) as (bot, _client, _log):
        assert fake.intents == int(INTENTS)
        assert bot.get_me() is not None and bot.get_me().id == fake.bot_user_id
        assert bot.cache.get_guild(guild.id) is not None
        assert bot.cache.get_role(guild.role("Admin").id) is not None

        put = await fake.wait_for_request("PUT", GUILD_COMMANDS)
        assert put.violations == []
        assert put.params["guild_id"] == str(guild.id)
        [command] = put.json
        assert command["name"] == "give"
        assert [(o["name"], o["type"]) for o in command["options"]] == [
            ("amount", payloads.INTEGER),
            ("who", payloads.USER),
        ]

        interaction_id = await fake.slash("give", user=admin, amount=7, who=member)
        reply = await fake.interaction_reply(interaction_id)
        assert reply["kind"] == "callback"
        assert reply["content"] == "7 points to member"
        assert not reply["ephemeral"]
        assert seen == [(7, member.id, admin.id)]
        callback = await fake.wait_for_request(
            "POST", "/interactions/{interaction_id}/{interaction_token}/callback"
        )
        assert callback.q("with_response") == "true" and callback.status == 200

        await fake.wait_for_heartbeat_ack()

        started = time.monotonic()
    assert time.monotonic() - started < 3.0
    assert fake.sessions == []  # the bot closed with 1001: its session is over
    assert [r.template for r in fake.requests[:2]] == ["/gateway/bot", "/oauth2/applications/@me"]


async def test_a_deferred_reply_from_a_subcommand_arrives_as_a_follow_up(
    fake_discord: FakeDiscord,
) -> None:
    fake = fake_discord
    fake.check_responses = True
    points = lightbulb.Group("points", "Manage points")
    admin_group = points.subgroup("admin", "Admin tools")

    @admin_group.register
    class Add(lightbulb.SlashCommand, name="add", description="Add points"):
        amount = lightbulb.integer("amount", "How many")
        note = lightbulb.string("note", "Why", default="none")

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context) -> None:
            await ctx.defer(ephemeral=True)
            await ctx.respond(
                f"added {self.amount} ({self.note})",
                ephemeral=True,
                attachment=hikari.Bytes(b"id,points\n1,3\n", "receipt.csv"),
            )

    async with running_bot(fake, points):
        interaction_id = await fake.slash(
            "points admin add", user=fake.guild.member("admin"), amount=3, note="helpful"
        )
        reply = await fake.interaction_reply(interaction_id)
        assert reply["kind"] == "followup"
        assert reply["content"] == "added 3 (helpful)"
        assert reply["ephemeral"]
        record = fake.interactions[interaction_id]
        assert record.callback_type == 5  # DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
        assert record.callback_body["data"]["flags"] == 64
        followup = fake.requests_to("POST", "/webhooks/{webhook_id}/{webhook_token}")[-1]
        assert followup.files == ["receipt.csv"]  # multipart: payload_json was validated
        assert followup.json["attachments"] == [{"id": 0, "filename": "receipt.csv"}]


async def test_a_button_on_a_message_the_bot_posted_reaches_a_component_listener(
    fake_discord: FakeDiscord,
) -> None:
    fake = fake_discord
    fake.check_responses = True
    guild = fake.guild
    clicks: list[tuple[str, int]] = []

    async with running_bot(fake) as (bot, _client, log):

        async def on_interaction(event: hikari.InteractionCreateEvent) -> None:
            interaction = event.interaction
            if isinstance(interaction, hikari.ComponentInteraction):
                clicks.append((interaction.custom_id, interaction.user.id))
                await interaction.create_initial_response(
                    hikari.ResponseType.MESSAGE_UPDATE, "Thanks for voting", components=[]
                )

        bot.subscribe(hikari.InteractionCreateEvent, on_interaction)
        row = bot.rest.build_message_action_row().add_interactive_button(
            hikari.ButtonStyle.PRIMARY, "vote:42", label="Vote"
        )
        posted = await bot.rest.create_message(guild.text_channel.id, "Vote now", components=[row])
        echoed = await log.wait_for(hikari.GuildMessageCreateEvent)
        assert echoed.message.id == posted.id and echoed.author_id == fake.bot_user_id

        voter = guild.member("member")
        interaction_id = await fake.click("vote:42", user=voter, message=int(posted.id))
        reply = await fake.interaction_reply(interaction_id)
        assert reply["type"] == 7  # UPDATE_MESSAGE
        assert reply["content"] == "Thanks for voting"
        assert clicks == [("vote:42", voter.id)]
        assert fake.messages[posted.id]["content"] == "Thanks for voting"


async def test_gateway_events_and_guild_rest_routes_reach_the_bot_as_hikari_objects(
    fake_discord: FakeDiscord,
) -> None:
    fake = fake_discord
    fake.check_responses = True
    guild = fake.guild
    member, admin = guild.member("member"), guild.member("admin")
    text, voice = guild.text_channel, guild.channel("Voice")

    async with running_bot(fake) as (bot, _client, log):
        await fake.create_invite("abc123", inviter=admin, max_uses=5)
        created = await log.wait_for(hikari.InviteCreateEvent)
        assert created.code == "abc123" and created.invite.inviter.id == admin.id

        newcomer = User(next_snowflake(), "newcomer")
        await fake.add_member(newcomer, via_invite="abc123")
        joined = await log.wait_for(hikari.MemberCreateEvent)
        assert joined.member.id == newcomer.id and joined.guild_id == guild.id
        [invite] = await bot.rest.fetch_guild_invites(guild.id)
        assert invite.code == "abc123" and invite.uses == 1 and invite.inviter.id == admin.id

        fetched = await bot.rest.fetch_member(guild.id, admin.id)
        assert guild.role("Admin").id in fetched.role_ids
        roles = await bot.rest.fetch_roles(guild.id)
        assert {r.name for r in roles} >= {"@everyone", "Admin"}

        attachment = payloads.attachment("proof.png", size=2048)
        await fake.dispatch(
            "MESSAGE_CREATE",
            payloads.message_create(
                guild, member, f"thanks <@{admin.id}>", attachments=[attachment], mentions=[admin]
            ),
        )
        message = (await log.wait_for(hikari.GuildMessageCreateEvent)).message
        assert message.content == f"thanks <@{admin.id}>"
        assert [a.filename for a in message.attachments] == ["proof.png"]
        assert list(message.user_mentions_ids) == [admin.id]

        await fake.dispatch(
            "MESSAGE_REACTION_ADD",
            payloads.reaction_add(guild, admin, channel_id=text.id, message_id=message.id),
        )
        reaction = await log.wait_for(hikari.GuildReactionAddEvent)
        assert reaction.user_id == admin.id and reaction.emoji_name == "👍"
        await fake.dispatch(
            "MESSAGE_REACTION_REMOVE",
            payloads.reaction_remove(guild, admin, channel_id=text.id, message_id=message.id),
        )
        await log.wait_for(hikari.GuildReactionDeleteEvent)

        await fake.set_voice_channel(member.id, voice.id)
        state = await log.wait_for(hikari.VoiceStateUpdateEvent)
        assert state.state.channel_id == voice.id and state.state.user_id == member.id

        await fake.remove_member(newcomer.id)
        left = await log.wait_for(hikari.MemberDeleteEvent)
        assert left.user_id == newcomer.id
        await fake.delete_invite("abc123")
        assert (await log.wait_for(hikari.InviteDeleteEvent)).code == "abc123"


async def test_used_up_invites_vanish_the_vanity_url_is_served_dms_and_attachments_are_kept(
    fake_discord: FakeDiscord,
) -> None:
    fake = fake_discord
    fake.check_responses = True
    guild = fake.guild
    guild.vanity_url_code = "vouchy"
    admin = guild.member("admin")
    async with running_bot(fake) as (bot, _client, log):
        available = log.of(hikari.GuildAvailableEvent)[0]
        assert available.guild.vanity_url_code == "vouchy"
        await fake.create_invite("once", inviter=admin, max_uses=1)
        await log.wait_for(hikari.InviteCreateEvent)

        first = User(next_snowflake(), "first")
        await fake.add_member(first, via_invite="once", used_up_delete="before")
        await log.wait_for(hikari.MemberCreateEvent, lambda e: e.user_id == first.id)
        kinds = [
            type(e)
            for e in log.events
            if isinstance(e, hikari.InviteDeleteEvent | hikari.MemberCreateEvent)
        ]
        assert kinds == [hikari.InviteDeleteEvent, hikari.MemberCreateEvent]
        assert await bot.rest.fetch_guild_invites(guild.id) == []

        second = User(next_snowflake(), "second")
        await fake.add_member(second, via_invite="vouchy")
        await log.wait_for(hikari.MemberCreateEvent, lambda e: e.user_id == second.id)
        vanity = await bot.rest.fetch_vanity_url(guild.id)
        assert (vanity.code, vanity.uses) == ("vouchy", 1)

        await bot.rest.create_message(
            guild.text_channel.id, "log", attachment=hikari.Bytes(b"a,b\r\n", "joins.csv")
        )
        [posted] = fake.requests_to("POST", f"/channels/{guild.text_channel.id}/messages")
        assert posted.attachments == {"joins.csv": b"a,b\r\n"}

        dm = await bot.rest.create_dm_channel(admin.id)
        await bot.rest.create_message(dm, "a direct note")
        assert [m["content"] for m in fake.direct_messages(admin.id)] == ["a direct note"]

        guild.role(fake.bot_user.username).permissions &= ~MANAGE_GUILD
        with pytest.raises(hikari.ForbiddenError):
            await bot.rest.fetch_guild_invites(guild.id)
        with pytest.raises(hikari.ForbiddenError):
            await bot.rest.fetch_vanity_url(guild.id)


def test_an_old_accounts_id_carries_its_creation_time() -> None:
    import datetime

    then = datetime.datetime(2020, 5, 17, 12, 0, tzinfo=datetime.UTC)
    first, second = snowflake_at(then), snowflake_at(then)
    assert first != second
    assert hikari.Snowflake(first).created_at == then


async def test_events_need_the_intents_the_bot_identified_with(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    guild = fake.guild
    intents = hikari.Intents.GUILDS | hikari.Intents.GUILD_MESSAGES
    async with running_bot(fake, intents=intents) as (_bot, _client, log):
        await fake.add_member(User(next_snowflake(), "quiet"))
        assert [u.event for u in fake.undelivered] == ["GUILD_MEMBER_ADD"]
        await fake.dispatch(
            "MESSAGE_CREATE", payloads.message_create(guild, guild.member("member"), "secret")
        )
        message = (await log.wait_for(hikari.GuildMessageCreateEvent)).message
        assert message.content is None  # no MESSAGE_CONTENT intent
        assert log.of(hikari.MemberCreateEvent) == []


async def test_the_validator_flags_requests_discord_would_reject(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    channel_id = fake.guild.text_channel.id
    headers = {"Authorization": f"Bot {fake.token}"}
    async with aiohttp.ClientSession() as http:
        wrong_type = await http.post(
            f"{fake.rest_url}/channels/{channel_id}/messages", json={"content": 5}, headers=headers
        )
        assert wrong_type.status == 200  # answered, but recorded as a violation
        unknown = await http.get(
            f"{fake.rest_url}/guilds/{fake.guild.id}/nonsense", headers=headers
        )
        assert unknown.status == 404 and (await unknown.json())["code"] == 0
        wrong_method = await http.delete(f"{fake.rest_url}/gateway/bot", headers=headers)
        assert wrong_method.status == 404
        bad_id = await http.get(f"{fake.rest_url}/guilds/None/roles", headers=headers)
        assert bad_id.status == 400  # Discord: 50035 'Value "None" is not snowflake.'
        no_auth = await http.get(f"{fake.rest_url}/users/@me")
        assert no_auth.status == 401
    problems = list(fake.violations)
    assert len(problems) == 5
    assert "body['content']: 5 is not of type 'string', 'null'" in problems[0]
    assert "no path in Discord's OpenAPI description matches" in problems[1]
    assert "/gateway/bot has no DELETE operation" in problems[2]
    assert "path parameter guild_id='None'" in problems[3]
    assert "Authorization" in problems[4]
    assert fake.requests[0].violations == [problems[0]]

    fake.violations.clear()
    async with running_bot(fake) as (bot, _client, _log):
        await bot.rest.create_message(channel_id, embed=hikari.Embed(title="x" * 300))
    assert len(fake.violations) == 1
    assert "body['embeds'][0]['title']" in fake.violations[0]
    assert "is too long" in fake.violations[0]
    fake.violations.clear()

    fake.reject_invalid = True
    async with running_bot(fake) as (bot, _client, _log):
        with pytest.raises(hikari.BadRequestError):
            await bot.rest.create_message(channel_id, embed=hikari.Embed(title="x" * 300))
    fake.violations.clear()


@pytest.mark.parametrize("abrupt", [False, True], ids=["close-frame", "tcp-drop"])
async def test_a_dropped_gateway_connection_is_resumed_and_later_dispatches_arrive(
    fake_discord: FakeDiscord, abrupt: bool
) -> None:
    fake = fake_discord
    guild, member = fake.guild, fake.guild.member("member")
    async with running_bot(fake) as (_bot, _client, log):
        await fake.disconnect_gateway(abrupt=abrupt)
        # Sent while the bot is away: replayed on RESUME.
        await fake.dispatch("MESSAGE_CREATE", payloads.message_create(guild, member, "during"))
        await fake.wait_for_resume()
        await fake.dispatch("MESSAGE_CREATE", payloads.message_create(guild, member, "after"))
        await log.wait_for(hikari.GuildMessageCreateEvent, lambda e: e.content == "after")
        contents = [e.content for e in log.of(hikari.GuildMessageCreateEvent)]
        assert contents == ["during", "after"]
        assert len(log.of(hikari.ShardResumedEvent)) == 1
        assert len(fake.gateway.identifies) == 1
        assert fake.gateway.connection_paths[-1].startswith("/gateway-resume?")


async def test_acknowledging_an_interaction_twice_is_refused_like_discord_does(
    fake_discord: FakeDiscord,
) -> None:
    fake = fake_discord
    outcome: list[type[BaseException]] = []

    class Twice(lightbulb.SlashCommand, name="twice", description="Answers twice"):
        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context) -> None:
            await ctx.respond("first")
            try:
                await ctx.interaction.create_initial_response(
                    hikari.ResponseType.MESSAGE_CREATE, "second"
                )
            except hikari.BadRequestError as exc:
                outcome.append(type(exc))

    async with running_bot(fake, Twice):
        interaction_id = await fake.slash("twice", user=fake.guild.member("member"))
        assert (await fake.interaction_reply(interaction_id))["content"] == "first"
        await fake.wait_for_request(
            "POST",
            "/interactions/{interaction_id}/{interaction_token}/callback",
            lambda r: r.status == 400,
        )
        await asyncio.sleep(0.05)
        assert outcome == [hikari.BadRequestError]
        assert len(fake.interaction_replies(interaction_id)) == 1


async def test_two_hundred_concurrent_slash_commands_are_all_answered(
    fake_discord: FakeDiscord,
) -> None:
    fake = fake_discord

    class Ping(lightbulb.SlashCommand, name="ping", description="Ping"):
        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context) -> None:
            await ctx.respond("pong")

    async with running_bot(fake, Ping):
        user = fake.guild.member("member")

        async def one() -> str:
            interaction_id = await fake.slash("ping", user=user)
            return (await fake.interaction_reply(interaction_id, timeout=30))["content"]

        started = time.perf_counter()
        replies = await asyncio.gather(*(one() for _ in range(200)))
        elapsed = time.perf_counter() - started
    assert replies == ["pong"] * 200
    assert (
        len({r.params["interaction_id"] for r in fake.requests_to("POST", r".*/callback")}) == 200
    )
    print(f"200 concurrent interactions in {elapsed:.2f}s ({200 / elapsed:.0f}/s)")


def test_payload_builders_deserialize_in_hikari_and_match_discord_schemas() -> None:
    bot = hikari.GatewayBot("MTIz.x.y", banner=None, logs=None)
    factory = bot.entity_factory
    spec = OpenAPIValidator.default()
    fake = FakeDiscord()
    guild = fake.guild
    admin, member = guild.member("admin"), guild.member("member")

    slash = payloads.slash_command_interaction(
        application_id=fake.application_id,
        guild=guild,
        invoker=admin,
        name="vouch",
        options=[
            payloads.subcommand_group(
                "admin",
                payloads.subcommand(
                    "give",
                    payloads.opt_user("who", member),
                    payloads.opt_int("amount", 5),
                    payloads.opt_role("role", guild.role("Admin")),
                ),
            )
        ],
        command_guild_id=guild.id,
    )
    interaction = factory.deserialize_interaction(slash)
    assert isinstance(interaction, hikari.CommandInteraction)
    assert interaction.member is not None and interaction.member.permissions == hikari.Permissions(
        hikari.Permissions.all_permissions()
    )
    assert interaction.registered_guild_id == guild.id
    assert interaction.resolved is not None and member.id in interaction.resolved.members
    [group] = interaction.options
    [give] = group.options or []
    assert [(o.name, o.value) for o in give.options or []] == [
        ("who", member.id),
        ("amount", 5),
        ("role", guild.role("Admin").id),
    ]
    assert (
        slash["token"]
        != payloads.slash_command_interaction(
            application_id=fake.application_id, guild=guild, invoker=admin, name="vouch"
        )["token"]
    )

    click = payloads.button_interaction(
        application_id=fake.application_id, guild=guild, invoker=member, custom_id="vote:1"
    )
    component = factory.deserialize_interaction(click)
    assert isinstance(component, hikari.ComponentInteraction)
    assert component.custom_id == "vote:1" and component.message.components

    msg = payloads.message_create(
        guild, member, "hi", attachments=[payloads.attachment("a.txt", content_type="text/plain")]
    )
    assert factory.deserialize_message(msg).attachments[0].filename == "a.txt"
    assert spec.validate_schema("MessageResponse", msg) == []
    assert spec.validate_schema("GuildMemberResponse", payloads.member(admin)) == []
    assert spec.validate_schema("GuildRoleResponse", payloads.role(guild.role("Admin"))) == []
    assert spec.validate_schema("UserPIIResponse", payloads.own_user(fake.bot_user)) == []
    invite = payloads.rest_guild_invite(guild, "xyz", inviter=admin, max_age=3600)
    assert spec.validate_schema("GuildInviteResponse", invite) == []
    assert factory.deserialize_invite_with_metadata(invite).expires_at is not None
    voice = payloads.voice_state_update(guild, member, guild.channel("Voice").id)
    assert factory.deserialize_voice_state(voice).channel_id == guild.channel("Voice").id
    assert spec.validate_schema("MessageResponse", {"id": "1"}) != []


def test_the_pytest_fixture_fails_a_test_whose_bot_broke_the_api(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
    )
    (tmp_path / "test_inner.py").write_text(
        textwrap.dedent(
            """
            import aiohttp

            async def test_bad_request(fake_discord):
                async with aiohttp.ClientSession() as http:
                    await http.get(fake_discord.rest_url + "/no/such/route")

            async def test_good_request(fake_discord):
                async with aiohttp.ClientSession() as http:
                    headers = {"Authorization": f"Bot {fake_discord.token}"}
                    await http.get(fake_discord.rest_url + "/users/@me", headers=headers)
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "vouchy.testing.fake_discord.pytest_plugin"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "2 passed, 1 error" in result.stdout  # the test body passed; its teardown failed
    assert "ERROR test_inner.py::test_bad_request - Failed: 2 Discord API violation(s)" in (
        result.stdout
    )
    assert "missing or wrong Authorization header" in result.stdout
    assert "GET /no/such/route: no path in Discord's OpenAPI description matches" in result.stdout


async def test_custom_routes_answer_what_the_fake_does_not_know(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    guild, member = fake.guild, fake.guild.member("member")

    async def ban(request: RecordedRequest) -> Reply:
        return Reply(200, {"user": payloads.user(member.user), "reason": request.params["user_id"]})

    fake.route("GET", "/guilds/{guild_id}/bans/{user_id}", ban)
    async with running_bot(fake) as (bot, _client, _log):
        fetched = await bot.rest.fetch_ban(guild.id, member.id)
        assert fetched.user.id == member.id and fetched.reason == str(member.id)
        with pytest.raises(hikari.NotFoundError):
            await bot.rest.fetch_guild_preview(guild.id)
    [preview] = fake.requests_to("GET", "/guilds/{guild_id}/preview")
    assert preview.status == 404 and preview.violations == []


async def test_the_cdn_serves_the_bytes_of_an_attachment_and_counts_each_fetch(
    fake_discord: FakeDiscord,
) -> None:
    fake = fake_discord
    posted = fake.attachment(b"\x89PNG fake bytes", "proof one.png", width=10, height=20)
    message = payloads.message_create(fake.guild, fake.guild.member("member"), attachments=[posted])
    assert message["attachments"][0]["url"].startswith(fake.base_url)
    assert posted["size"] == 15 and posted["width"] == 10 and posted["content_type"] == "image/png"
    async with aiohttp.ClientSession() as session:
        async with session.get(posted["url"]) as response:
            assert response.status == 200 and response.content_type == "image/png"
            assert await response.read() == b"\x89PNG fake bytes"
        async with session.get(f"{fake.base_url}/attachments/1/gone.png") as response:
            assert response.status == 404
    assert fake.cdn_fetches == [int(posted["id"]), 1]
    assert fake.violations == []


async def test_a_reply_the_bot_posts_is_echoed_with_a_whole_message_reference(
    fake_discord: FakeDiscord,
) -> None:
    fake = fake_discord
    channel = fake.guild.text_channel.id
    async with running_bot(fake) as (bot, _client, log):
        first = await bot.rest.create_message(channel, "first")
        await bot.rest.create_message(channel, "a reply", reply=first.id)
        event = await log.wait_for(
            hikari.GuildMessageCreateEvent, lambda e: e.message.content == "a reply"
        )
    reference = event.message.message_reference
    assert reference is not None and reference.id == first.id
    assert reference.channel_id == channel and reference.guild_id == fake.guild.id
    assert fake.violations == []


async def test_a_guilds_afk_channel_and_the_bytes_of_an_uploaded_file_are_kept(
    fake_discord: FakeDiscord,
) -> None:
    fake = fake_discord
    guild = fake.guild
    guild.afk_channel_id = guild.channel("Voice").id
    async with running_bot(fake) as (bot, _client, _log):
        cached = bot.cache.get_guild(guild.id)
        assert cached is not None and cached.afk_channel_id == guild.afk_channel_id
        await bot.rest.create_message(
            guild.text_channel.id, "a file", attachment=hikari.Bytes(b"\x89PNG...", "card.png")
        )
    [post] = fake.requests_to("POST", "/channels/{channel_id}/messages")
    assert post.files == ["card.png"] and post.attachments == {"card.png": b"\x89PNG..."}
