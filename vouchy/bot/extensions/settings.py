"""Server settings: /config show, /config set, /config clear (Manage Server only)."""

from __future__ import annotations

import hikari
import lightbulb

from vouchy.app import Vouchy
from vouchy.bot import render
from vouchy.bot.extensions import GUILD_ONLY
from vouchy.bot.respond import asker, guild_of, reference, send
from vouchy.core.config import Config
from vouchy.core.errors import InvalidInput
from vouchy.features.admin.rules import CoreSettings
from vouchy.store.settings import SettingsStore

TEXT_CHANNELS = [hikari.ChannelType.GUILD_TEXT, hikari.ChannelType.GUILD_NEWS]


def make_loader(_config: Config) -> lightbulb.Loader:
    loader = lightbulb.Loader()
    group = lightbulb.Group(
        "config",
        "Vouchy's settings for this server",
        default_member_permissions=hikari.Permissions.MANAGE_GUILD,
        contexts=GUILD_ONLY,
    )

    @group.register
    class Show(lightbulb.SlashCommand, name="show", description="Show this server's settings"):
        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, settings: SettingsStore) -> None:
            current = await settings.get(guild_of(ctx), "core", CoreSettings)
            await send(ctx, render.settings(current), ephemeral=True)

    @group.register
    class SetSettings(
        lightbulb.SlashCommand,
        name="set",
        description="Set the log channel or admin role",
    ):
        log_channel = lightbulb.channel(
            "log_channel",
            "Where Vouchy posts admin actions",
            default=None,
            channel_types=TEXT_CHANNELS,
        )
        admin_role = lightbulb.role(
            "admin_role", "Members with this role may use /admin", default=None
        )

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            guild_id = guild_of(ctx)
            changes: dict[str, int | None] = {}
            if self.log_channel is not None:
                changes["log_channel"] = int(self.log_channel.id)
            if self.admin_role is not None:
                if int(self.admin_role.id) == guild_id:
                    raise InvalidInput("@everyone can't be the admin role: pick a role.")
                changes["admin_role"] = int(self.admin_role.id)
            if not changes:
                raise InvalidInput("Pick at least one of log_channel or admin_role to set.")
            current = await app.update_settings(
                guild_id, "core", changes, updated_by=asker(ctx), reference=reference(ctx)
            )
            await send(ctx, render.settings(current), ephemeral=True)

    @group.register
    class Clear(lightbulb.SlashCommand, name="clear", description="Unset one setting"):
        setting = lightbulb.string(
            "setting",
            "Which setting",
            choices=[lightbulb.Choice(label, key) for key, label in render.SETTING_LABELS.items()],
        )

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            current = await app.update_settings(
                guild_of(ctx),
                "core",
                {self.setting: None},
                updated_by=asker(ctx),
                reference=reference(ctx),
            )
            await send(ctx, render.settings(current), ephemeral=True)

    loader.command(group)
    return loader
