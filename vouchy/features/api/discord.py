"""The web feature's commands: ``/admin api-key create|list|revoke`` and ``/config web``
(``set``/``reset`` of its settings, and ``leaderboard on|off``). Each parses, calls the
service and renders; the key's secret appears in one ephemeral reply and nowhere else."""

from __future__ import annotations

import lightbulb

from vouchy.app import Vouchy
from vouchy.bot.extension import Extension
from vouchy.bot.localization import locale_for, option
from vouchy.bot.respond import asker, guild_of, reference, send, settle
from vouchy.bot.settings_commands import Setting, config_commands
from vouchy.features.api import render
from vouchy.features.api.keys import NAME_MAX
from vouchy.features.api.rules import WebSettings
from vouchy.features.api.service import ApiService
from vouchy.store.settings import SettingsStore

SETTINGS = (Setting("leaderboard", "bool"),)


def setup(ext: Extension) -> None:
    server = ext.config.feature("web") or WebSettings()
    keys = ext.admin.subgroup("web.cmd.api_key", "web.cmd.api_key.desc", localize=True)

    @keys.register
    class Create(
        lightbulb.SlashCommand,
        name="web.cmd.create",
        description="web.cmd.create.desc",
        localize=True,
    ):
        label = lightbulb.string(*option("web.opt.name"), max_length=NAME_MAX, localize=True)
        scopes = lightbulb.string(*option("web.opt.scopes"), max_length=100, localize=True)

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, api: ApiService, settings: SettingsStore
        ) -> None:
            creating = api.create_key(
                guild_of(ctx),
                self.label,
                self.scopes,
                created_by=asker(ctx),
                reference=reference(ctx),
            )
            created = await settle(ctx, creating, ephemeral=True)
            locale = await locale_for(ctx.interaction, settings)
            await send(ctx, render.created(created, locale=locale), ephemeral=True)

    @keys.register
    class List(
        lightbulb.SlashCommand,
        name="web.cmd.list",
        description="web.cmd.list.desc",
        localize=True,
    ):
        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, api: ApiService, settings: SettingsStore
        ) -> None:
            records = await api.keys(guild_of(ctx))
            locale = await locale_for(ctx.interaction, settings)
            await send(ctx, render.listed(records, locale=locale), ephemeral=True)

    @keys.register
    class Revoke(
        lightbulb.SlashCommand,
        name="web.cmd.revoke",
        description="web.cmd.revoke.desc",
        localize=True,
    ):
        key = lightbulb.string(*option("web.opt.key"), max_length=100, localize=True)

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, api: ApiService, settings: SettingsStore
        ) -> None:
            revoking = api.revoke_key(
                guild_of(ctx), self.key, revoked_by=asker(ctx), reference=reference(ctx)
            )
            record = await settle(ctx, revoking, ephemeral=True)
            locale = await locale_for(ctx.interaction, settings)
            await send(ctx, render.revoked(record, locale=locale), ephemeral=True)

    group = config_commands(ext, "web", SETTINGS)

    @group.register
    class Leaderboard(
        lightbulb.SlashCommand,
        name="web.cmd.leaderboard",
        description="web.cmd.leaderboard.desc",
        localize=True,
    ):
        state = lightbulb.string(
            *option("web.opt.state"),
            choices=[
                lightbulb.Choice("web.choice.on", "on", localize=True),
                lightbulb.Choice("web.choice.off", "off", localize=True),
            ],
            localize=True,
        )

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            guild_id = guild_of(ctx)
            current = await app.update_settings(
                guild_id,
                "web",
                {"leaderboard": self.state == "on"},
                updated_by=asker(ctx),
                reference=reference(ctx),
            )
            assert isinstance(current, WebSettings)
            locale = await locale_for(ctx.interaction, app.settings)
            card = render.public_page(
                guild_id,
                on=current.leaderboard,
                public_url=server.public_url,
                server_on=server.enabled,
                locale=locale,
            )
            await send(ctx, card, ephemeral=True)
