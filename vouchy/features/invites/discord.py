"""Invite attribution on Discord: the gateway listeners that keep each guild's invite cache and
record joins and leaves, the ``/invites`` commands, ``/admin invites bonus`` and ``/config
invites``. Each parses, calls the invites service and renders; no rule lives here.

Who may run what: ``/invites top`` is for everyone; the other ``/invites`` commands show who
invited whom and the referral details, so they need Manage Server or the admin role (checked
here, on the server); ``/admin`` and ``/config`` are protected by ``vouchy.bot.checks``.
"""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import Sequence

import aiohttp
import hikari
import lightbulb

from vouchy.bot import embeds
from vouchy.bot.checks import is_admin
from vouchy.bot.extension import GUILD_ONLY, Extension
from vouchy.bot.localization import command, locale_for, option
from vouchy.bot.respond import asker, guild_of, reference, send, settle, user_id
from vouchy.bot.settings_commands import Setting, config_commands
from vouchy.core import i18n
from vouchy.core.errors import InvalidInput, PermissionDenied
from vouchy.core.logs import get_logger
from vouchy.core.validation import MAX_PAGE
from vouchy.features.invites import render
from vouchy.features.invites.attribution import NO_PERMISSION, CachedInvite, NoPermission, Vanity
from vouchy.features.invites.counts import MAX_BONUS
from vouchy.features.invites.service import InvitesService, MemberJoin, SourceUnavailable
from vouchy.store.settings import SettingsStore

log = get_logger("vouchy.invites")

SETTINGS = (
    Setting("fake_account_days", "int", 0, 3650),
    Setting("leave_window_days", "int", 0, 3650),
)

# A bot's upload limit on a server without boosts; a larger export is zipped.
MAX_ATTACHMENT = 8 * 1024 * 1024
FETCH_TIMEOUT_S = 15.0


def cached_invite(invite: hikari.InviteWithMetadata) -> CachedInvite:
    inviter = invite.inviter
    expires = invite.expires_at
    return CachedInvite(
        code=invite.code,
        uses=invite.uses,
        max_uses=invite.max_uses or 0,
        inviter_id=None if inviter is None else int(inviter.id),
        inviter_name=None if inviter is None else inviter.username,
        channel_id=None if invite.channel_id is None else int(invite.channel_id),
        expires_at_ms=None if expires is None else int(expires.timestamp() * 1000),
        temporary=invite.is_temporary,
    )


class HikariInvites:
    """``InviteSource`` over hikari's REST client: a 403 is "no permission"; a server error
    or a timeout is ``SourceUnavailable``."""

    def __init__(self, rest: hikari.api.RESTClient) -> None:
        self.rest = rest

    async def invites(self, guild_id: int) -> Sequence[CachedInvite] | NoPermission:
        try:
            async with asyncio.timeout(FETCH_TIMEOUT_S):
                found = await self.rest.fetch_guild_invites(guild_id)
        except hikari.ForbiddenError:
            return NO_PERMISSION
        except (hikari.HTTPError, aiohttp.ClientError, OSError, TimeoutError) as e:
            raise SourceUnavailable(repr(e)) from None
        listed = []
        for invite in found:
            if not isinstance(invite, hikari.InviteWithMetadata):
                return NO_PERMISSION  # Discord leaves the uses out without Manage Server
            listed.append(cached_invite(invite))
        return listed

    async def vanity(self, guild_id: int) -> Vanity | NoPermission | None:
        try:
            async with asyncio.timeout(FETCH_TIMEOUT_S):
                found = await self.rest.fetch_vanity_url(guild_id)
        except hikari.ForbiddenError:
            return NO_PERMISSION
        except hikari.NotFoundError:
            return None
        except (hikari.HTTPError, aiohttp.ClientError, OSError, TimeoutError) as e:
            raise SourceUnavailable(repr(e)) from None
        return Vanity(code=found.code, uses=found.uses) if found.code else None


def _ms(moment: object) -> int:
    return int(moment.timestamp() * 1000)  # type: ignore[attr-defined]  # a datetime


async def require_admin(ctx: lightbulb.Context, settings: SettingsStore) -> None:
    if not await is_admin(ctx.member, ctx.guild_id, settings):
        raise PermissionDenied("check.admin")


def card(text: str, locale: str) -> hikari.Embed:
    return embeds.embed(i18n.text("invites.title", locale), text, embeds.INFO, locale)


def export_file(data: bytes) -> tuple[hikari.Bytes, bool]:
    """The CSV as an attachment, zipped when Discord would refuse it as it is."""
    if len(data) <= MAX_ATTACHMENT:
        return hikari.Bytes(data, "invite_joins.csv"), False
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("invite_joins.csv", data)
    return hikari.Bytes(packed.getvalue(), "invite_joins.zip"), True


def setup(ext: Extension) -> None:
    loader = ext.loader

    # -- the gateway: the cache, joins and leaves ---------------------------------------------

    @loader.listener(hikari.StartingEvent)
    async def catch_up(
        _event: hikari.StartingEvent, invites: InvitesService = lightbulb.di.INJECTED
    ) -> None:
        try:
            await invites.catch_up_logs()
        except Exception as e:
            log.error("invite_log_catch_up_failed", error=repr(e), exc_info=e)

    async def fill(
        guild: hikari.GatewayGuild, rest: hikari.api.RESTClient, invites: InvitesService
    ) -> None:
        try:
            await invites.guild_available(
                int(guild.id), HikariInvites(rest), has_vanity=guild.vanity_url_code is not None
            )
        except Exception as e:
            log.error("invite_cache_fill_failed", guild_id=guild.id, error=repr(e), exc_info=e)

    @loader.listener(hikari.GuildAvailableEvent)
    async def guild_available(
        event: hikari.GuildAvailableEvent, invites: InvitesService = lightbulb.di.INJECTED
    ) -> None:
        await fill(event.guild, event.app.rest, invites)

    @loader.listener(hikari.GuildJoinEvent)
    async def guild_joined(
        event: hikari.GuildJoinEvent, invites: InvitesService = lightbulb.di.INJECTED
    ) -> None:
        await fill(event.guild, event.app.rest, invites)

    @loader.listener(hikari.InviteCreateEvent)
    async def invite_created(
        event: hikari.InviteCreateEvent, invites: InvitesService = lightbulb.di.INJECTED
    ) -> None:
        if event.guild_id is not None:
            await invites.invite_created(int(event.guild_id), cached_invite(event.invite))

    @loader.listener(hikari.InviteDeleteEvent)
    async def invite_deleted(
        event: hikari.InviteDeleteEvent, invites: InvitesService = lightbulb.di.INJECTED
    ) -> None:
        if event.guild_id is not None:
            await invites.invite_deleted(int(event.guild_id), event.code)

    @loader.listener(hikari.MemberCreateEvent)
    async def member_joined(
        event: hikari.MemberCreateEvent, invites: InvitesService = lightbulb.di.INJECTED
    ) -> None:
        member = event.member
        if member.is_bot:  # bots are added by an admin, never through an invite
            return
        app = event.app
        guild = app.cache.get_guild(event.guild_id) if isinstance(app, hikari.CacheAware) else None
        join = MemberJoin(
            guild_id=int(event.guild_id),
            member_id=int(member.id),
            name=member.username,
            display_name=member.display_name,
            joined_at_ms=_ms(member.joined_at),
            has_vanity=guild is not None and guild.vanity_url_code is not None,
            owner_id=None if guild is None else int(guild.owner_id),
        )
        try:
            await invites.member_joined(join, HikariInvites(event.app.rest))
        except Exception as e:
            log.error(
                "invite_join_failed",
                guild_id=join.guild_id,
                member_id=join.member_id,
                error=repr(e),
                exc_info=e,
            )

    @loader.listener(hikari.MemberDeleteEvent)
    async def member_left(
        event: hikari.MemberDeleteEvent, invites: InvitesService = lightbulb.di.INJECTED
    ) -> None:
        if event.user.is_bot:
            return
        try:
            await invites.member_left(int(event.guild_id), int(event.user_id))
        except Exception as e:
            log.error(
                "invite_leave_failed",
                guild_id=event.guild_id,
                member_id=event.user_id,
                error=repr(e),
                exc_info=e,
            )

    # -- /invites -----------------------------------------------------------------------------

    group = lightbulb.Group(**command("invites.cmd"), contexts=GUILD_ONLY)

    @group.register
    class Lookup(lightbulb.SlashCommand, **command("invites.cmd.lookup")):
        member = lightbulb.user(*option("invites.opt.member"), localize=True)

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, invites: InvitesService, settings: SettingsStore
        ) -> None:
            await require_admin(ctx, settings)
            who = user_id(self.member)
            record, staff = await invites.lookup(guild_of(ctx), who)
            locale = await locale_for(ctx.interaction, settings)
            text = render.render_lookup(who, record, staff, locale)
            await send(ctx, card(text, locale), ephemeral=True)

    @group.register
    class Logs(lightbulb.SlashCommand, **command("invites.cmd.logs")):
        member = lightbulb.user(*option("invites.opt.member"), default=None, localize=True)
        code = lightbulb.string(
            *option("invites.opt.code"), default=None, max_length=100, localize=True
        )
        page = lightbulb.integer(
            *option("invites.opt.page"), default=1, min_value=1, max_value=MAX_PAGE, localize=True
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, invites: InvitesService, settings: SettingsStore
        ) -> None:
            await require_admin(ctx, settings)
            found = await invites.logs(
                guild_of(ctx),
                member_id=None if self.member is None else user_id(self.member),
                code=self.code,
                page=self.page,
            )
            locale = await locale_for(ctx.interaction, settings)
            text = render.render_logs(found.records, found.page, found.pages, found.total, locale)
            await send(ctx, card(text, locale), ephemeral=True)

    @group.register
    class Export(lightbulb.SlashCommand, **command("invites.cmd.export")):
        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, invites: InvitesService, settings: SettingsStore
        ) -> None:
            await require_admin(ctx, settings)
            guild_id = guild_of(ctx)
            locale = await locale_for(ctx.interaction, settings)
            await ctx.defer(ephemeral=True)
            data, count = await invites.export_csv(guild_id)
            attachment, zipped = export_file(data)
            text = i18n.text("invites.export_done", locale, count=i18n.number(count, locale))
            if zipped:
                text += i18n.text("invites.export_zipped", locale)
            await ctx.respond(text, attachment=attachment, ephemeral=True, user_mentions=False)

    @group.register
    class Sync(lightbulb.SlashCommand, **command("invites.cmd.sync")):
        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, invites: InvitesService, settings: SettingsStore
        ) -> None:
            await require_admin(ctx, settings)
            guild_id = guild_of(ctx)
            locale = await locale_for(ctx.interaction, settings)
            await ctx.defer(ephemeral=True)
            report = await invites.sync(guild_id, HikariInvites(ctx.client.rest))
            await send(ctx, card(render.render_sync(report, locale), locale), ephemeral=True)

    @group.register
    class Top(lightbulb.SlashCommand, **command("invites.cmd.top")):
        page = lightbulb.integer(
            *option("invites.opt.page"), default=1, min_value=1, max_value=MAX_PAGE, localize=True
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, invites: InvitesService, settings: SettingsStore
        ) -> None:
            board = await invites.top(guild_of(ctx), asker(ctx), self.page)
            locale = await locale_for(ctx.interaction, settings)
            text = render.render_top(
                board.ranked, board.page, board.pages, asker(ctx), board.asker, board.count, locale
            )
            await send(ctx, card(text, locale))

    staff = group.subgroup(**command("invites.cmd.staff"))

    @staff.register
    class StaffSet(lightbulb.SlashCommand, **command("invites.cmd.staff_set")):
        member = lightbulb.user(*option("invites.opt.staff"), localize=True)
        code = lightbulb.string(
            *option("invites.opt.code"), default=None, max_length=100, localize=True
        )
        inviter = lightbulb.user(*option("invites.opt.inviter"), default=None, localize=True)
        referral_link = lightbulb.string(
            *option("invites.opt.referral_link"), default=None, max_length=600, localize=True
        )
        referral_code = lightbulb.string(
            *option("invites.opt.referral_code"), default=None, max_length=100, localize=True
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, invites: InvitesService, settings: SettingsStore
        ) -> None:
            await require_admin(ctx, settings)
            link = await settle(
                ctx,
                invites.staff_set(
                    guild_of(ctx),
                    staff_id=user_id(self.member),
                    staff_name=self.member.username,
                    code=self.code,
                    inviter_id=None if self.inviter is None else user_id(self.inviter),
                    referral_link=self.referral_link,
                    referral_code=self.referral_code,
                    by_id=asker(ctx),
                    reference=reference(ctx),
                ),
                ephemeral=True,
            )
            locale = await locale_for(ctx.interaction, settings)
            key = f"`{link.code}`" if link.code is not None else f"<@{link.inviter_id}>"
            text = i18n.text("invites.staff_saved", locale, key=key, staff=f"<@{link.staff_id}>")
            await send(ctx, card(text, locale), ephemeral=True)

    @staff.register
    class StaffRemove(lightbulb.SlashCommand, **command("invites.cmd.staff_remove")):
        code = lightbulb.string(
            *option("invites.opt.code"), default=None, max_length=100, localize=True
        )
        inviter = lightbulb.user(*option("invites.opt.inviter"), default=None, localize=True)

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, invites: InvitesService, settings: SettingsStore
        ) -> None:
            await require_admin(ctx, settings)
            shown = await settle(
                ctx,
                invites.staff_remove(
                    guild_of(ctx),
                    code=self.code,
                    inviter_id=None if self.inviter is None else user_id(self.inviter),
                    by_id=asker(ctx),
                    reference=reference(ctx),
                ),
                ephemeral=True,
            )
            locale = await locale_for(ctx.interaction, settings)
            text = i18n.text("invites.staff_removed", locale, key=shown)
            await send(ctx, card(text, locale), ephemeral=True)

    @staff.register
    class StaffList(lightbulb.SlashCommand, **command("invites.cmd.staff_list")):
        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, invites: InvitesService, settings: SettingsStore
        ) -> None:
            await require_admin(ctx, settings)
            mapping = await invites.staff_map(guild_of(ctx))
            locale = await locale_for(ctx.interaction, settings)
            await send(ctx, card(render.render_staff_list(mapping, locale), locale), ephemeral=True)

    loader.command(group)

    # -- /admin invites bonus -----------------------------------------------------------------

    admin = ext.admin.subgroup(**command("admin.invites"))

    @admin.register
    class Bonus(lightbulb.SlashCommand, **command("admin.invites.bonus")):
        member = lightbulb.user(*option("invites.opt.member"), localize=True)
        amount = lightbulb.integer(
            *option("invites.opt.amount"),
            min_value=-MAX_BONUS,
            max_value=MAX_BONUS,
            localize=True,
        )
        reason = lightbulb.string(
            *option("invites.opt.reason"), default=None, max_length=200, localize=True
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, invites: InvitesService, settings: SettingsStore
        ) -> None:
            if self.member.is_bot:
                raise InvalidInput("invites.bonus_bot")
            target = user_id(self.member)
            counts = await settle(
                ctx,
                invites.bonus(
                    guild_of(ctx),
                    target,
                    self.amount,
                    reason=self.reason or "",
                    by_id=asker(ctx),
                    reference=reference(ctx),
                ),
                ephemeral=False,
            )
            locale = await locale_for(ctx.interaction, settings)
            amount = ("+" if self.amount > 0 else "") + i18n.number(self.amount, locale)
            text = "\n".join(
                (
                    i18n.text("invites.bonus_done", locale, amount=amount, member=f"<@{target}>"),
                    render.render_counts(counts, locale),
                )
            )
            await send(ctx, card(text, locale))

    config_commands(ext, "invites", SETTINGS)
