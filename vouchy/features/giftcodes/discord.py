"""``/giftcode ...`` and ``/config giftcodes``: each command parses, checks who asks, calls the
gift-code service and renders; no rule lives here.

Who may run what: the commands that change something (``channel set``, ``autoredeem on|off``,
``players add|remove``, ``redeem``, ``add``) need an admin (Manage Server, or the server's
Vouchy admin role), checked on the server whatever the Discord client shows; the ones that only
read (``status``, ``codes``, ``players list``) are for every member. Every answer is ephemeral:
the announcements of new codes are what the channel sees.
"""

from __future__ import annotations

import hikari
import lightbulb

from vouchy.app import Vouchy  # resolved at run time: lightbulb injects it by this name
from vouchy.bot import embeds
from vouchy.bot.checks import is_admin
from vouchy.bot.extension import GUILD_ONLY, Extension
from vouchy.bot.localization import command, locale_for, option
from vouchy.bot.respond import asker, guild_of, reference, send, settle
from vouchy.bot.settings_commands import TEXT_CHANNELS, Setting, config_commands
from vouchy.core import i18n
from vouchy.core.errors import PermissionDenied
from vouchy.features.giftcodes import render
from vouchy.features.giftcodes.service import GiftCodeService
from vouchy.features.giftcodes.settings import GiftcodesSettings
from vouchy.features.giftcodes.sources import MAX_CODE_CHARS
from vouchy.store.settings import SettingsStore

SETTINGS = (Setting("channel", "channel"), Setting("auto_redeem", "bool"))
MAX_DESCRIPTION = 4_000  # Discord allows 4,096 characters in an embed's description


async def require_admin(ctx: lightbulb.Context, settings: SettingsStore) -> None:
    """A change needs an admin: Manage Server, or this server's Vouchy admin role."""
    guild_id = guild_of(ctx)
    if not await is_admin(ctx.member, guild_id, settings):
        raise PermissionDenied("check.admin")


def card(title_key: str, lines: list[str], locale: str, color: hikari.Color) -> hikari.Embed:
    text = "\n".join(lines)
    if len(text) > MAX_DESCRIPTION:
        text = text[: MAX_DESCRIPTION - 1].rsplit("\n", 1)[0] + "\n…"
    return embeds.embed(i18n.text(title_key, locale), text, color, locale)


def setup(ext: Extension) -> None:
    group = lightbulb.Group(
        **command("giftcodes.cmd.giftcode"),
        contexts=GUILD_ONLY,
    )
    channel = group.subgroup("giftcodes.cmd.channel", "giftcodes.cmd.channel.desc", localize=True)
    auto = group.subgroup(
        "giftcodes.cmd.autoredeem", "giftcodes.cmd.autoredeem.desc", localize=True
    )
    players = group.subgroup("giftcodes.cmd.players", "giftcodes.cmd.players.desc", localize=True)

    @channel.register
    class ChannelSet(lightbulb.SlashCommand, **command("giftcodes.cmd.channel.set")):
        where = lightbulb.channel(
            *option("giftcodes.opt.channel"), channel_types=TEXT_CHANNELS, localize=True
        )

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            await require_admin(ctx, app.settings)
            guild_id = guild_of(ctx)
            channel_id = int(self.where.id)
            await app.update_settings(
                guild_id,
                "giftcodes",
                {"channel": channel_id},
                updated_by=asker(ctx),
                reference=reference(ctx),
            )
            locale = await locale_for(ctx.interaction, app.settings)
            text = i18n.text("giftcodes.reply.channel_set", locale, channel=str(channel_id))
            await send(ctx, card("giftcodes.title", [text], locale, embeds.SUCCESS), ephemeral=True)

    async def set_auto(
        ctx: lightbulb.Context, app: Vouchy, gifts: GiftCodeService, on: bool
    ) -> None:
        await require_admin(ctx, app.settings)
        guild_id = guild_of(ctx)
        await app.update_settings(
            guild_id,
            "giftcodes",
            {"auto_redeem": on},
            updated_by=asker(ctx),
            reference=reference(ctx),
        )
        locale = await locale_for(ctx.interaction, app.settings)
        if on:
            count = len(await gifts.guild_players(guild_id))
            lines = [i18n.text("giftcodes.reply.autoredeem_on", locale, count=count)]
            if not gifts.configured:
                lines.append(i18n.text("giftcodes.reply.not_configured", locale))
        else:
            lines = [i18n.text("giftcodes.reply.autoredeem_off", locale)]
        await send(ctx, card("giftcodes.title", lines, locale, embeds.SUCCESS), ephemeral=True)

    @auto.register
    class AutoOn(lightbulb.SlashCommand, **command("giftcodes.cmd.autoredeem.on")):
        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy, gifts: GiftCodeService) -> None:
            await set_auto(ctx, app, gifts, True)

    @auto.register
    class AutoOff(lightbulb.SlashCommand, **command("giftcodes.cmd.autoredeem.off")):
        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy, gifts: GiftCodeService) -> None:
            await set_auto(ctx, app, gifts, False)

    @players.register
    class PlayersAdd(lightbulb.SlashCommand, **command("giftcodes.cmd.players.add")):
        player_id = lightbulb.string(
            *option("giftcodes.opt.player_id"), min_length=1, max_length=20, localize=True
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, gifts: GiftCodeService, settings: SettingsStore
        ) -> None:
            await require_admin(ctx, settings)
            guild_id = guild_of(ctx)
            added = await settle(
                ctx,
                gifts.add_player(guild_id, self.player_id, by=asker(ctx), reference=reference(ctx)),
                ephemeral=True,
            )
            locale = await locale_for(ctx.interaction, settings)
            text = i18n.text(
                "giftcodes.reply.player_added",
                locale,
                nickname=added.nickname,
                fid=str(added.fid),
                kid=str(added.kid),
                level=added.furnace_level,
            )
            await send(
                ctx, card("giftcodes.title.players", [text], locale, embeds.SUCCESS), ephemeral=True
            )

    @players.register
    class PlayersRemove(lightbulb.SlashCommand, **command("giftcodes.cmd.players.remove")):
        player_id = lightbulb.string(
            *option("giftcodes.opt.player_id"), min_length=1, max_length=20, localize=True
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, gifts: GiftCodeService, settings: SettingsStore
        ) -> None:
            await require_admin(ctx, settings)
            guild_id = guild_of(ctx)
            await settle(
                ctx,
                gifts.remove_player(
                    guild_id, self.player_id, by=asker(ctx), reference=reference(ctx)
                ),
                ephemeral=True,
            )
            locale = await locale_for(ctx.interaction, settings)
            fid = str(int(self.player_id.strip())) if self.player_id.strip().isdigit() else ""
            text = i18n.text("giftcodes.reply.player_removed", locale, fid=fid)
            await send(
                ctx, card("giftcodes.title.players", [text], locale, embeds.SUCCESS), ephemeral=True
            )

    @players.register
    class PlayersList(lightbulb.SlashCommand, **command("giftcodes.cmd.players.list")):
        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, gifts: GiftCodeService, settings: SettingsStore
        ) -> None:
            found = await gifts.players(guild_of(ctx))
            locale = await locale_for(ctx.interaction, settings)
            lines = render.players_lines(found, locale)
            await send(
                ctx, card("giftcodes.title.players", lines, locale, embeds.INFO), ephemeral=True
            )

    @group.register
    class Redeem(lightbulb.SlashCommand, **command("giftcodes.cmd.redeem")):
        code = lightbulb.string(
            *option("giftcodes.opt.code"),
            min_length=1,
            max_length=MAX_CODE_CHARS + 8,
            localize=True,
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, gifts: GiftCodeService, settings: SettingsStore
        ) -> None:
            await require_admin(ctx, settings)
            queued = await settle(
                ctx,
                gifts.redeem(guild_of(ctx), self.code, by=asker(ctx), reference=reference(ctx)),
                ephemeral=True,
            )
            locale = await locale_for(ctx.interaction, settings)
            text = i18n.text(
                "giftcodes.reply.redeem",
                locale,
                code=queued.code,
                queued=queued.queued,
                players=queued.players,
                done=queued.done,
                busy=queued.busy,
            )
            await send(ctx, card("giftcodes.title", [text], locale, embeds.SUCCESS), ephemeral=True)

    @group.register
    class Status(lightbulb.SlashCommand, **command("giftcodes.cmd.status")):
        code = lightbulb.string(
            *option("giftcodes.opt.status_code"),
            default=None,
            min_length=1,
            max_length=MAX_CODE_CHARS + 8,
            localize=True,
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, gifts: GiftCodeService, settings: SettingsStore
        ) -> None:
            status = await gifts.status(guild_of(ctx), self.code)
            locale = await locale_for(ctx.interaction, settings)
            lines = render.status_lines(status.runner, status.codes, locale)
            if not status.configured:
                lines.insert(0, i18n.text("giftcodes.reply.status_off", locale))
            await send(
                ctx, card("giftcodes.title.status", lines, locale, embeds.INFO), ephemeral=True
            )

    @group.register
    class Codes(lightbulb.SlashCommand, **command("giftcodes.cmd.codes")):
        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, gifts: GiftCodeService, settings: SettingsStore
        ) -> None:
            found = await gifts.codes(guild_of(ctx))
            locale = await locale_for(ctx.interaction, settings)
            lines = render.codes_lines([c.state for c in found], locale)
            await send(
                ctx, card("giftcodes.title.codes", lines, locale, embeds.INFO), ephemeral=True
            )

    @group.register
    class AddCode(lightbulb.SlashCommand, **command("giftcodes.cmd.add")):
        code = lightbulb.string(
            *option("giftcodes.opt.code"),
            min_length=1,
            max_length=MAX_CODE_CHARS + 8,
            localize=True,
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, gifts: GiftCodeService, settings: SettingsStore
        ) -> None:
            await require_admin(ctx, settings)
            added = await settle(
                ctx,
                gifts.add_code(guild_of(ctx), self.code, by=asker(ctx), reference=reference(ctx)),
                ephemeral=True,
            )
            locale = await locale_for(ctx.interaction, settings)
            lines = [i18n.text("giftcodes.reply.code_added", locale, code=added.code)]
            if added.channel_id is not None:
                lines.append(
                    i18n.text("giftcodes.reply.code_posted", locale, channel=str(added.channel_id))
                )
            if added.queued:
                lines.append(i18n.text("giftcodes.reply.code_queued", locale, count=added.queued))
            await send(ctx, card("giftcodes.title", lines, locale, embeds.SUCCESS), ephemeral=True)

    ext.loader.command(group)
    config_commands(ext, "giftcodes", SETTINGS)


__all__ = ["GiftcodesSettings", "setup"]
