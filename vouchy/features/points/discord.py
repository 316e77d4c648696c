"""Members' points commands: /points, /leaderboard, /give, /daily, /history, and
``/config points``. Each parses, calls the points service and renders; no rule lives here."""

from __future__ import annotations

import lightbulb

from vouchy.bot.extension import GUILD_ONLY, Extension
from vouchy.bot.localization import locale_for, option
from vouchy.bot.respond import asker, guild_of, reference, send, settle, user_id
from vouchy.bot.settings_commands import Setting, config_commands
from vouchy.core.validation import MAX_PAGE, check_member
from vouchy.features.points import render
from vouchy.features.points.rules import PointsSettings
from vouchy.features.points.service import PointsService
from vouchy.store.settings import SettingsStore

SETTINGS = (
    Setting("daily_amount", "int", 1, 1_000_000),
    Setting("daily_cooldown_hours", "number", 0, 24 * 365),
)


def setup(ext: Extension) -> None:
    loader = ext.loader
    max_amount = ext.config.limits.max_amount

    @loader.command
    class Points(
        lightbulb.SlashCommand,
        name="points.cmd.points",
        description="points.cmd.points.desc",
        localize=True,
        contexts=GUILD_ONLY,
    ):
        member = lightbulb.user(*option("points.opt.member"), default=None, localize=True)

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, points: PointsService, settings: SettingsStore
        ) -> None:
            who = self.member or ctx.user
            check_member(user_id(who), is_bot=who.is_bot)
            view = await points.account(guild_of(ctx), user_id(who))
            locale = await locale_for(ctx.interaction, settings)
            await send(ctx, render.points(view, asker_id=asker(ctx), locale=locale))

    @loader.command
    class LeaderboardCommand(
        lightbulb.SlashCommand,
        name="points.cmd.leaderboard",
        description="points.cmd.leaderboard.desc",
        localize=True,
        contexts=GUILD_ONLY,
    ):
        page = lightbulb.integer(
            *option("points.opt.page"), default=1, min_value=1, max_value=MAX_PAGE, localize=True
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, points: PointsService, settings: SettingsStore
        ) -> None:
            board = await points.leaderboard(guild_of(ctx), asker(ctx), self.page)
            locale = await locale_for(ctx.interaction, settings)
            await send(ctx, render.leaderboard(board, asker_id=asker(ctx), locale=locale))

    @loader.command
    class Give(
        lightbulb.SlashCommand,
        name="points.cmd.give",
        description="points.cmd.give.desc",
        localize=True,
        contexts=GUILD_ONLY,
    ):
        member = lightbulb.user(*option("points.opt.receiver"), localize=True)
        amount = lightbulb.integer(
            *option("points.opt.amount"), min_value=1, max_value=max_amount, localize=True
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, points: PointsService, settings: SettingsStore
        ) -> None:
            operation = points.member(guild_of(ctx), asker(ctx)).transfer(
                user_id(self.member),
                self.amount,
                reference(ctx),
                receiver_is_bot=self.member.is_bot,
            )
            receipt = await settle(ctx, operation, ephemeral=False)
            locale = await locale_for(ctx.interaction, settings)
            await send(ctx, render.gave(receipt, locale=locale))

    @loader.command
    class Daily(
        lightbulb.SlashCommand,
        name="points.cmd.daily",
        description="points.cmd.daily.desc",
        localize=True,
        contexts=GUILD_ONLY,
    ):
        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, points: PointsService, settings: SettingsStore
        ) -> None:
            guild_id = guild_of(ctx)
            receipt = await settle(
                ctx, points.member(guild_id, asker(ctx)).daily(reference(ctx)), ephemeral=False
            )
            current = await settings.get(guild_id, "points", PointsSettings)
            locale = await locale_for(ctx.interaction, settings)
            await send(
                ctx,
                render.daily(receipt, cooldown_hours=current.daily_cooldown_hours, locale=locale),
            )

    @loader.command
    class History(
        lightbulb.SlashCommand,
        name="points.cmd.history",
        description="points.cmd.history.desc",
        localize=True,
        contexts=GUILD_ONLY,
    ):
        page = lightbulb.integer(
            *option("points.opt.page"), default=1, min_value=1, max_value=MAX_PAGE, localize=True
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, points: PointsService, settings: SettingsStore
        ) -> None:
            page = await points.history(guild_of(ctx), asker(ctx), self.page)
            locale = await locale_for(ctx.interaction, settings)
            await send(ctx, render.history(page, locale=locale), ephemeral=True)

    config_commands(ext, "points", SETTINGS)
