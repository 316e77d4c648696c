"""Members' points commands: /points, /leaderboard, /give, /daily, /history."""

from __future__ import annotations

import lightbulb

from vouchy.app import Vouchy
from vouchy.bot import render
from vouchy.bot.extensions import GUILD_ONLY
from vouchy.bot.respond import asker, guild_of, reference, send, settle, user_id
from vouchy.core.config import Config
from vouchy.core.validation import check_member
from vouchy.features.points.rules import PointsSettings


def make_loader(config: Config) -> lightbulb.Loader:
    loader = lightbulb.Loader()
    max_amount = config.limits.max_amount

    @loader.command
    class Points(
        lightbulb.SlashCommand,
        name="points",
        description="Show your points, or another member's",
        contexts=GUILD_ONLY,
    ):
        member = lightbulb.user("member", "Whose points to show (default: yours)", default=None)

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            guild_id = guild_of(ctx)
            who = self.member or ctx.user
            check_member(user_id(who), is_bot=who.is_bot)
            view = await app.points.member(guild_id, user_id(who)).account()
            await send(ctx, render.points(view, asker_id=asker(ctx)))

    @loader.command
    class LeaderboardCommand(
        lightbulb.SlashCommand,
        name="leaderboard",
        description="The members with the most points, and your rank",
        contexts=GUILD_ONLY,
    ):
        page = lightbulb.integer("page", "Which page (default: the first)", default=1, min_value=1)

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            guild_id = guild_of(ctx)
            board = await app.points.member(guild_id, asker(ctx)).leaderboard(self.page)
            await send(ctx, render.leaderboard(board, asker_id=asker(ctx)))

    @loader.command
    class Give(
        lightbulb.SlashCommand,
        name="give",
        description="Give some of your points to another member",
        contexts=GUILD_ONLY,
    ):
        member = lightbulb.user("member", "Who gets the points")
        amount = lightbulb.integer("amount", "How many points", min_value=1, max_value=max_amount)

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            guild_id = guild_of(ctx)
            operation = app.points.member(guild_id, asker(ctx)).transfer(
                user_id(self.member),
                self.amount,
                reference(ctx),
                receiver_is_bot=self.member.is_bot,
            )
            receipt = await settle(ctx, operation, ephemeral=False)
            await send(ctx, render.gave(receipt))

    @loader.command
    class Daily(
        lightbulb.SlashCommand,
        name="daily",
        description="Claim your daily points",
        contexts=GUILD_ONLY,
    ):
        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            guild_id = guild_of(ctx)
            operation = app.points.member(guild_id, asker(ctx)).daily(reference(ctx))
            receipt = await settle(ctx, operation, ephemeral=False)
            settings = await app.settings.get(guild_id, "points", PointsSettings)
            hours = settings.daily_cooldown_hours
            await send(ctx, render.daily(receipt, cooldown_hours=hours))

    @loader.command
    class History(
        lightbulb.SlashCommand,
        name="history",
        description="Your points history, newest first (only you see it)",
        contexts=GUILD_ONLY,
    ):
        page = lightbulb.integer("page", "Which page (default: the first)", default=1, min_value=1)

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            guild_id = guild_of(ctx)
            page = await app.points.member(guild_id, asker(ctx)).history(self.page)
            await send(ctx, render.history(page), ephemeral=True)

    return loader
