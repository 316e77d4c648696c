"""XP and levels on Discord: the gateway events that earn XP (messages, reactions, voice
states), the rejoin that gives level roles back, ``/level``, ``/levels``, ``/admin xp``,
``/admin levels sync-roles`` and ``/config levels``. Each listener and command turns hikari
objects into plain values, calls the levels service and renders; no rule lives here.

What the service needs to know of Discord (a member's roles, whether the bot may give a role,
the guild's owner) it asks the gateway's cache through ``GatewayView``.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Callable, Coroutine
from typing import Any

import hikari
import lightbulb
import msgspec

from vouchy.app import Vouchy
from vouchy.bot.extension import GUILD_ONLY, Extension
from vouchy.bot.localization import locale_for, option
from vouchy.bot.respond import asker, guild_of, reference, send, settle, user_id
from vouchy.bot.settings_commands import TEXT_CHANNELS, Setting, config_commands
from vouchy.core.errors import Busy, InvalidInput
from vouchy.core.logs import get_logger
from vouchy.core.validation import MAX_PAGE
from vouchy.features.levels import render
from vouchy.features.levels.card import card_facts, render_card
from vouchy.features.levels.changes import MISSING_MANAGE_ROLES, ROLE_ABOVE_BOT
from vouchy.features.levels.curve import MAX_COEFFICIENT, MAX_XP
from vouchy.features.levels.rules import AdminAction, MessageFacts
from vouchy.features.levels.service import VOICE_TICK_S, LevelsService
from vouchy.features.levels.settings import (
    MAX_COOLDOWN_S,
    MAX_EVENT_XP,
    MAX_ITEM_CHARS,
    MAX_MESSAGE_XP,
    MAX_MULTIPLIER_PERCENT,
    MAX_REWARD_LEVEL,
    MAX_REWARD_POINTS,
    MAX_REWARD_QUANTITY,
    MAX_TEMPLATE_CHARS,
    MAX_VOICE_XP_PER_MINUTE,
    ItemReward,
    LevelSettings,
    Multiplier,
    PointReward,
    RoleReward,
    check_settings,
)
from vouchy.features.levels.voice import VoiceFacts, VoiceMember, guild_voice_facts
from vouchy.store.settings import SettingsStore

log = get_logger("vouchy.levels")

DISCORD_EPOCH_MS = 1_420_070_400_000
AVATAR_TIMEOUT_S = 2.0

SETTINGS = (
    Setting("message_xp_min", "int", 0, MAX_MESSAGE_XP),
    Setting("message_xp_max", "int", 0, MAX_MESSAGE_XP),
    Setting("message_cooldown_s", "int", 0, MAX_COOLDOWN_S),
    Setting("voice_xp_per_minute", "int", 0, MAX_VOICE_XP_PER_MINUTE),
    Setting("reaction_xp", "int", 0, MAX_EVENT_XP),
    Setting("game_win_xp", "int", 0, MAX_EVENT_XP),
    Setting("game_lose_xp", "int", 0, MAX_EVENT_XP),
    Setting("announce", "bool"),
    Setting("announce_channel_id", "channel"),
    Setting("announce_template", "text", 1, MAX_TEMPLATE_CHARS),
    Setting("stack_roles", "bool"),
    Setting("restore_roles_on_rejoin", "bool"),
    Setting("curve_quadratic", "int", 0, MAX_COEFFICIENT),
    Setting("curve_linear", "int", 0, MAX_COEFFICIENT),
    Setting("curve_constant", "int", 1, MAX_COEFFICIENT),
    Setting("no_xp_channels", "channels"),
    Setting("no_xp_roles", "roles"),
)
# Where multipliers may apply: messages' channels and categories, voice channels.
MULTIPLIER_CHANNELS = [*TEXT_CHANNELS, hikari.ChannelType.GUILD_CATEGORY]


def snowflake_ms(snowflake: int) -> int:
    """When Discord made an id (a message's own time), in unix milliseconds."""
    return (int(snowflake) >> 22) + DISCORD_EPOCH_MS


NO_ROLES: frozenset[int] = frozenset()


def role_ids(member: hikari.Member | None) -> frozenset[int]:
    if member is None:
        return NO_ROLES
    ids = member.role_ids
    return frozenset(map(int, ids)) if ids else NO_ROLES


def parents_of(cache: hikari.api.Cache, channel_id: int) -> tuple[int, ...]:
    """A thread's parent channel and a channel's category (rules set on them apply)."""
    found: list[int] = []
    channel: hikari.GuildChannel | None = cache.get_guild_channel(channel_id) or cache.get_thread(
        channel_id
    )
    while channel is not None and channel.parent_id is not None and len(found) < 2:
        found.append(int(channel.parent_id))
        channel = cache.get_guild_channel(channel.parent_id)
    return tuple(found)


def gateway(app: hikari.RESTAware) -> hikari.GatewayBotAware:
    """The bot behind an event (the gateway's events come from a GatewayBot)."""
    assert isinstance(app, hikari.GatewayBotAware)
    return app


class GatewayView:
    """What the levels service may ask of Discord, answered from the gateway's cache."""

    def __init__(self, app: hikari.GatewayBotAware) -> None:
        self.app = app

    def member_roles(self, guild_id: int, user_id: int) -> frozenset[int] | None:
        member = self.app.cache.get_member(guild_id, user_id)
        return None if member is None else role_ids(member)

    def guild_owner(self, guild_id: int) -> int | None:
        guild = self.app.cache.get_guild(guild_id)
        return None if guild is None else int(guild.owner_id)

    def role_problem(self, guild_id: int, role_id: int) -> str | None:
        """Why the bot cannot give or take ``role_id`` (no Manage Roles; the role is not below
        its highest role), or None (also when the cache cannot tell: Discord then decides)."""
        cache = self.app.cache
        me = self.app.get_me()
        role = cache.get_role(role_id)
        mine = cache.get_member(guild_id, me.id) if me is not None else None
        everyone = cache.get_role(guild_id)
        if role is None or mine is None or everyone is None:
            return None
        roles = [r for r in (cache.get_role(x) for x in mine.role_ids) if r is not None]
        permissions = everyone.permissions
        for r in roles:
            permissions |= r.permissions
        if permissions & hikari.Permissions.ADMINISTRATOR:
            permissions = hikari.Permissions.all_permissions()
        if not permissions & hikari.Permissions.MANAGE_ROLES:
            return MISSING_MANAGE_ROLES
        top = max((r.position for r in roles), default=0)
        if role.is_managed or role.position >= top:
            return ROLE_ABOVE_BOT
        return None


class Authors:
    """Who wrote the messages seen lately (for reactions: the gateway does not say whose
    message was reacted to); older ones are asked of Discord."""

    def __init__(self, keep: int = 100_000) -> None:
        self.keep = keep
        self._seen: collections.OrderedDict[int, tuple[int, bool, int | None]] = (
            collections.OrderedDict()
        )

    def remember(self, message_id: int, author_id: int, is_bot: bool, webhook: int | None) -> None:
        self._seen[message_id] = (author_id, is_bot, webhook)
        if len(self._seen) > self.keep:
            self._seen.popitem(last=False)

    async def of(
        self, rest: hikari.api.RESTClient, channel_id: int, message_id: int
    ) -> tuple[int, bool, int | None] | None:
        found = self._seen.get(message_id)
        if found is not None:
            return found
        try:
            message = await rest.fetch_message(channel_id, message_id)
        except hikari.HTTPError as e:
            log.info("levels_reaction_message_unknown", message_id=message_id, error=repr(e))
            return None
        webhook = int(message.webhook_id) if message.webhook_id is not None else None
        found = (int(message.author.id), message.author.is_bot, webhook)
        self.remember(message_id, *found)
        return found


class Avatars:
    """Members' avatars as bytes for the rank card, fetched with a short timeout (a card
    without one shows initials), the last few kept."""

    def __init__(self, keep: int = 256) -> None:
        self.keep = keep
        self._cache: collections.OrderedDict[str, bytes] = collections.OrderedDict()

    async def of(self, user: hikari.User) -> bytes | None:
        if user.avatar_hash is None:
            return None
        url = user.make_avatar_url(file_format="PNG", size=256)
        if url is None:
            return None
        key = str(url)
        if key in self._cache:
            return self._cache[key]
        try:
            async with asyncio.timeout(AVATAR_TIMEOUT_S):
                data = await url.read()
        except Exception as e:  # the card is made anyway, with initials
            log.info("levels_avatar_unavailable", user_id=int(user.id), error=repr(e))
            return None
        self._cache[key] = data
        if len(self._cache) > self.keep:
            self._cache.popitem(last=False)
        return data


def voice_facts(
    app: hikari.GatewayBotAware, guild_id: int, channels: set[int] | None = None
) -> dict[int, VoiceFacts]:
    """The voice facts of the humans in ``channels`` (every voice channel: None), from the
    gateway's cache of voice states."""
    cache = app.cache
    states = cache.get_voice_states_view_for_guild(guild_id)
    members = []
    for state in states.values():
        if state.channel_id is None:
            continue
        member = state.member or cache.get_member(guild_id, state.user_id)
        members.append(
            VoiceMember(
                member_id=int(state.user_id),
                channel_id=int(state.channel_id),
                # Muted or deafened by the server counts as by oneself: nobody hears them.
                self_mute=state.is_self_muted or state.is_guild_muted,
                self_deaf=state.is_self_deafened or state.is_guild_deafened,
                is_bot=member is not None and member.is_bot,
                role_ids=role_ids(member),
            )
        )
    guild = cache.get_guild(guild_id)
    afk = int(guild.afk_channel_id) if guild is not None and guild.afk_channel_id else None
    parents = {m.channel_id: parents_of(cache, m.channel_id) for m in members}
    found = guild_voice_facts(members, afk, parents)
    return {
        u: f
        for u, f in found.items()
        if not f.is_bot and (channels is None or f.channel_id in channels)
    }


def message_listener(
    levels: LevelsService, authors: Authors, cache: hikari.api.Cache
) -> Callable[[hikari.GuildMessageCreateEvent], Coroutine[Any, Any, None]]:
    """The listener of every message in every guild: the hot path. It is subscribed
    directly, bound to the service, rather than through lightbulb's dependency injection,
    which resolves its dependencies again on each event (measured: a fifth of the events a
    second, ``bench events``). A message its author is known to be in the cooldown for
    costs a lookup and no job."""

    async def on_message(event: hikari.GuildMessageCreateEvent) -> None:
        message = event.message
        webhook = int(message.webhook_id) if message.webhook_id is not None else None
        authors.remember(int(message.id), int(event.author_id), event.is_bot, webhook)
        if not event.is_bot and webhook is None:
            guild_id = int(event.guild_id)
            facts = MessageFacts(
                guild_id=guild_id,
                channel_id=int(event.channel_id),
                author_id=int(event.author_id),
                created_at_ms=snowflake_ms(message.id),
                message_id=int(message.id),
                role_ids=role_ids(event.member),
                parent_ids=parents_of(cache, int(event.channel_id)),
            )
            queued = levels.message(facts, await levels.settings_for(guild_id))
            if queued is not None:
                levels.keep(queued, "message")
        levels.events["message"] += 1

    return on_message


async def tick_forever(levels: LevelsService) -> None:
    """Credit open voice sessions every ``VOICE_TICK_S`` until the bot stops."""
    while True:
        await asyncio.sleep(VOICE_TICK_S)
        try:
            await levels.voice_tick()
        except Busy:
            return
        except Exception as e:
            log.error("levels_voice_tick_failed", error=repr(e), exc_info=e)


async def check_levels(ctx: lightbulb.Context, app: Vouchy, values: dict[str, Any]) -> None:
    """The settings as they would stand after the change hold together (the message range,
    a role rewarded twice...): refused naming what is wrong, before anything is saved."""
    current = await app.settings.get(guild_of(ctx), "levels", LevelSettings)
    default = app.settings.default("levels")
    merged = msgspec.structs.asdict(current)
    merged.update({k: getattr(default, k) if v is None else v for k, v in values.items()})
    try:
        candidate = msgspec.convert(merged, LevelSettings)
    except msgspec.ValidationError as e:
        raise InvalidInput("settings.bad_value", feature="levels", detail=str(e)) from None
    check_settings(candidate)


def setup(ext: Extension) -> None:
    loader = ext.loader
    authors = Authors()
    avatars = Avatars()
    running: dict[str, asyncio.Task[None]] = {}
    live: dict[str, hikari.GatewayBotAware] = {}  # the bot, once starting

    # -- the gateway ---------------------------------------------------------------------------

    @loader.listener(hikari.StartingEvent)
    async def starting(event: hikari.StartingEvent, levels: LevelsService) -> None:
        live["bot"] = bot = gateway(event.app)
        levels.discord = GatewayView(bot)
        bot.event_manager.subscribe(
            hikari.GuildMessageCreateEvent, message_listener(levels, authors, bot.cache)
        )

    @loader.listener(hikari.StartedEvent)
    async def started(_event: hikari.StartedEvent, levels: LevelsService) -> None:
        await levels.settle_pending()
        running["tick"] = asyncio.create_task(tick_forever(levels), name="vouchy-levels-voice")

    @loader.listener(hikari.StoppingEvent)
    async def stopping(_event: hikari.StoppingEvent) -> None:
        task = running.pop("tick", None)
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    @loader.listener(hikari.GuildReactionAddEvent)
    async def on_reaction(event: hikari.GuildReactionAddEvent, levels: LevelsService) -> None:
        author = await authors.of(event.app.rest, int(event.channel_id), int(event.message_id))
        if author is None:
            levels.events["reaction"] += 1
            return
        author_id, author_is_bot, webhook = author
        guild_id = int(event.guild_id)
        try:
            await levels.reaction(
                guild_id=guild_id,
                channel_id=int(event.channel_id),
                message_id=int(event.message_id),
                reactor_id=int(event.user_id),
                reactor_is_bot=event.member.is_bot if event.member is not None else False,
                author_id=author_id,
                author_is_bot=author_is_bot,
                author_role_ids=levels.discord.member_roles(guild_id, author_id),
                webhook_id=webhook,
                parent_ids=parents_of(live["bot"].cache, int(event.channel_id)),
            )
        except Busy:
            pass  # stopping: the reaction is not credited (it was never acknowledged)
        levels.events["reaction"] += 1

    @loader.listener(hikari.VoiceStateUpdateEvent)
    async def on_voice(event: hikari.VoiceStateUpdateEvent, levels: LevelsService) -> None:
        state, old = event.state, event.old_state
        guild_id = int(state.guild_id)
        channels = {
            int(c) for c in (state.channel_id, old.channel_id if old else None) if c is not None
        }
        facts = voice_facts(live["bot"], guild_id, channels)
        if state.channel_id is None and not (state.member is not None and state.member.is_bot):
            facts[int(state.user_id)] = VoiceFacts()  # left voice
        if facts:
            levels.keep(asyncio.ensure_future(levels.voice_update(guild_id, facts)), "voice")
        levels.events["voice"] += 1

    @loader.listener(hikari.GuildAvailableEvent)
    async def on_guild(event: hikari.GuildAvailableEvent, levels: LevelsService) -> None:
        guild_id = int(event.guild_id)
        facts = voice_facts(live["bot"], guild_id)
        levels.keep(asyncio.ensure_future(levels.voice_resume(guild_id, facts)), "voice")
        levels.events["guild"] += 1

    @loader.listener(hikari.MemberCreateEvent)
    async def on_join(event: hikari.MemberCreateEvent, levels: LevelsService) -> None:
        member = event.member
        levels.events["join"] += 1
        if member.is_bot:
            return
        joined = member.joined_at
        joined_ms = int(joined.timestamp() * 1000) if joined is not None else 0
        levels.keep(
            asyncio.ensure_future(levels.rejoin(int(event.guild_id), int(member.id), joined_ms)),
            "rejoin",
        )

    # -- /level and /levels --------------------------------------------------------------------

    @loader.command
    class Level(
        lightbulb.SlashCommand,
        name="levels.cmd.level",
        description="levels.cmd.level.desc",
        localize=True,
        contexts=GUILD_ONLY,
    ):
        member = lightbulb.user(*option("levels.opt.member"), default=None, localize=True)

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, levels: LevelsService, settings: SettingsStore
        ) -> None:
            who: hikari.User = self.member or ctx.member or ctx.user
            if who.is_bot:
                raise InvalidInput("levels.bot_has_no_level")
            guild_id = guild_of(ctx)
            locale = await locale_for(ctx.interaction, settings)
            profile = await levels.profile(guild_id, user_id(who))
            current = await levels.settings_for(guild_id)
            name = getattr(who, "display_name", None) or who.global_name or who.username
            facts = card_facts(
                display_name=name,
                username=who.username,
                xp=profile.xp,
                rank=profile.rank,
                curve=current.curve,
                counters=profile.counters,
            )
            avatar = await avatars.of(who)
            try:  # CPU work of a few milliseconds: off the event loop
                card: bytes | None = await asyncio.to_thread(render_card, facts, avatar, locale)
            except Exception as e:
                log.error("levels_card_failed", user_id=user_id(who), error=repr(e), exc_info=e)
                card = None
            shown = render.level(
                facts, locale=locale, card=card, file_name=f"rank-{user_id(who)}.png"
            )
            await send(ctx, shown)

    @loader.command
    class Levels(
        lightbulb.SlashCommand,
        name="levels.cmd.levels",
        description="levels.cmd.levels.desc",
        localize=True,
        contexts=GUILD_ONLY,
    ):
        page = lightbulb.integer(
            *option("levels.opt.page"), default=1, min_value=1, max_value=MAX_PAGE, localize=True
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, levels: LevelsService, settings: SettingsStore
        ) -> None:
            guild_id = guild_of(ctx)
            page = await levels.top(guild_id, asker(ctx), self.page)
            current = await levels.settings_for(guild_id)
            locale = await locale_for(ctx.interaction, settings)
            await send(ctx, render.top(page, curve=current.curve, locale=locale))

    # -- /admin xp and /admin levels -----------------------------------------------------------

    xp = ext.admin.subgroup("levels.admin.xp", "levels.admin.xp.desc", localize=True)

    async def change(
        ctx: lightbulb.Context,
        app: Vouchy,
        action: AdminAction,
        member: hikari.User,
        amount: int,
        reason: str | None,
    ) -> None:
        levels = app.service(LevelsService)
        if member.is_bot:
            raise InvalidInput("levels.bot_has_no_level")
        guild_id = guild_of(ctx)
        core: msgspec.Struct = await app.settings.get(guild_id, "core")
        roles = (
            role_ids(member) if isinstance(member, hikari.Member) else None
        ) or levels.discord.member_roles(guild_id, user_id(member))
        result = await settle(
            ctx,
            levels.admin_change(
                guild_id,
                user_id(member),
                action,
                amount,
                reference(ctx),
                acting_user_id=asker(ctx),
                reason=reason or "",
                member_role_ids=roles,
                log_channel_id=getattr(core, "log_channel", None),
            ),
            ephemeral=False,
        )
        current = await levels.settings_for(guild_id)
        locale = await locale_for(ctx.interaction, app.settings)
        await send(
            ctx,
            render.admin_changed(
                result,
                user_id=user_id(member),
                reason=reason or "",
                curve=current.curve,
                locale=locale,
            ),
        )

    def admin_command(action: AdminAction, amount_key: str | None, low: int) -> None:
        namespace: dict[str, Any] = {
            "member": lightbulb.user(*option("levels.admin.opt.member"), localize=True),
            "reason": lightbulb.string(
                *option("levels.admin.opt.reason"), default=None, max_length=200, localize=True
            ),
        }
        if amount_key is not None:
            namespace["amount"] = lightbulb.integer(
                *option(amount_key), min_value=low, max_value=MAX_XP, localize=True
            )

        async def invoke(self: Any, ctx: lightbulb.Context, app: Vouchy) -> None:
            amount = getattr(self, "amount", 0) if amount_key is not None else 0
            await change(ctx, app, action, self.member, amount, self.reason)

        namespace["invoke"] = lightbulb.invoke(invoke)
        xp.register(
            type(
                f"Xp{action.title()}",
                (lightbulb.SlashCommand,),
                namespace,
                name=f"levels.admin.xp.{action}",
                description=f"levels.admin.xp.{action}.desc",
                localize=True,
            )
        )

    admin_command("add", "levels.admin.opt.amount", 1)
    admin_command("remove", "levels.admin.opt.amount", 1)
    admin_command("set", "levels.admin.opt.total", 0)
    admin_command("reset", None, 0)

    roles_group = ext.admin.subgroup(
        "levels.admin.levels", "levels.admin.levels.desc", localize=True
    )

    @roles_group.register
    class SyncRoles(
        lightbulb.SlashCommand,
        name="levels.admin.sync_roles",
        description="levels.admin.sync_roles.desc",
        localize=True,
    ):
        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, levels: LevelsService, settings: SettingsStore
        ) -> None:
            guild_id = guild_of(ctx)
            locale = await locale_for(ctx.interaction, settings)
            bot = ctx.client.app
            assert isinstance(bot, hikari.CacheAware)  # the GatewayBot
            members = [
                (int(m.id), role_ids(m), m.is_bot)
                for m in bot.cache.get_members_view_for_guild(guild_id).values()
            ]
            result = await settle(
                ctx,
                levels.sync_roles(guild_id, members, reference(ctx), acting_user_id=asker(ctx)),
                ephemeral=True,
            )
            await send(ctx, render.synced(result, locale=locale), ephemeral=True)

    # -- /config levels ------------------------------------------------------------------------

    group = config_commands(ext, "levels", SETTINGS, check=check_levels)

    async def save_pairs(ctx: lightbulb.Context, app: Vouchy, values: dict[str, Any]) -> None:
        await check_levels(ctx, app, values)
        current = await app.update_settings(
            guild_of(ctx), "levels", values, updated_by=asker(ctx), reference=reference(ctx)
        )
        locale = await locale_for(ctx.interaction, app.settings)
        await send(ctx, render.pairs(current, locale=locale), ephemeral=True)

    async def current_of(ctx: lightbulb.Context, app: Vouchy) -> LevelSettings:
        return await app.settings.get(guild_of(ctx), "levels", LevelSettings)

    @group.register
    class MultiplierCommand(
        lightbulb.SlashCommand,
        name="levels.config.multiplier",
        description="levels.config.multiplier.desc",
        localize=True,
    ):
        percent = lightbulb.integer(
            *option("levels.config.opt.percent"),
            min_value=0,
            max_value=MAX_MULTIPLIER_PERCENT,
            localize=True,
        )
        role = lightbulb.role(*option("levels.config.opt.role"), default=None, localize=True)
        channel = lightbulb.channel(
            *option("levels.config.opt.channel"),
            default=None,
            channel_types=MULTIPLIER_CHANNELS,
            localize=True,
        )

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            if (self.role is None) == (self.channel is None):
                raise InvalidInput("levels.config.pick_role_or_channel")
            picked = self.role if self.role is not None else self.channel
            assert picked is not None
            field = "role_multipliers" if self.role is not None else "channel_multipliers"
            target = int(picked.id)
            current = await current_of(ctx, app)
            items = [m for m in getattr(current, field) if m.id != target]
            if self.percent != 100:
                items.append(Multiplier(id=target, percent=self.percent))
            await save_pairs(ctx, app, {field: items})

    @group.register
    class RoleRewardCommand(
        lightbulb.SlashCommand,
        name="levels.config.role_reward",
        description="levels.config.role_reward.desc",
        localize=True,
    ):
        level = lightbulb.integer(
            *option("levels.config.opt.level"),
            min_value=0,
            max_value=MAX_REWARD_LEVEL,
            localize=True,
        )
        role = lightbulb.role(*option("levels.config.opt.role"), localize=True)

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            role = int(self.role.id)
            if role == guild_of(ctx):
                raise InvalidInput("levels.config.not_an_id", name="role")
            current = await current_of(ctx, app)
            items = [r for r in current.role_rewards if r.role_id != role]
            if self.level > 0:
                items.append(RoleReward(level=self.level, role_id=role))
            await save_pairs(ctx, app, {"role_rewards": sorted(items, key=lambda r: r.level)})

    @group.register
    class PointRewardCommand(
        lightbulb.SlashCommand,
        name="levels.config.point_reward",
        description="levels.config.point_reward.desc",
        localize=True,
    ):
        level = lightbulb.integer(
            *option("levels.config.opt.level"),
            min_value=1,
            max_value=MAX_REWARD_LEVEL,
            localize=True,
        )
        points = lightbulb.integer(
            *option("levels.config.opt.points"),
            min_value=0,
            max_value=MAX_REWARD_POINTS,
            localize=True,
        )

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            current = await current_of(ctx, app)
            key = PointReward(level=self.level, points=1).key
            items = [r for r in current.rewards if r.key != key]
            if self.points > 0:
                items.append(PointReward(level=self.level, points=self.points))
            await save_pairs(ctx, app, {"rewards": sorted(items, key=lambda r: (r.level, r.key))})

    @group.register
    class ItemRewardCommand(
        lightbulb.SlashCommand,
        name="levels.config.item_reward",
        description="levels.config.item_reward.desc",
        localize=True,
    ):
        level = lightbulb.integer(
            *option("levels.config.opt.level"),
            min_value=1,
            max_value=MAX_REWARD_LEVEL,
            localize=True,
        )
        item = lightbulb.string(
            *option("levels.config.opt.item"),
            min_length=1,
            max_length=MAX_ITEM_CHARS,
            localize=True,
        )
        quantity = lightbulb.integer(
            *option("levels.config.opt.quantity"),
            default=1,
            min_value=0,
            max_value=MAX_REWARD_QUANTITY,
            localize=True,
        )

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            current = await current_of(ctx, app)
            name = self.item.strip()
            key = ItemReward(level=self.level, item=name).key
            items = [r for r in current.rewards if r.key != key]
            if self.quantity > 0:
                items.append(ItemReward(level=self.level, item=name, quantity=self.quantity))
            await save_pairs(ctx, app, {"rewards": sorted(items, key=lambda r: (r.level, r.key))})
