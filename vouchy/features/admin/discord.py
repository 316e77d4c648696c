"""Admin commands: /admin points add|remove|set, /admin backup, /admin audit, /admin repair,
/config show and /config core. Who may run them is decided on the server by
``vouchy.bot.checks``; copies to the log channel go through the outbox with the change."""

from __future__ import annotations

from typing import Any, Literal

import hikari
import lightbulb
import msgspec

from vouchy.app import Vouchy
from vouchy.bot.checks import require_manage_server
from vouchy.bot.extension import Extension
from vouchy.bot.localization import locale_for, option
from vouchy.bot.outbox import embed_payload
from vouchy.bot.respond import asker, guild_of, reference, send, settle, user_id
from vouchy.bot.settings_commands import REGISTRY, Setting, config_commands, settings_embed
from vouchy.core.errors import InsufficientFunds, InvalidInput, VouchyError
from vouchy.core.server_settings import CoreSettings
from vouchy.core.validation import MAX_BALANCE, check_member
from vouchy.features.admin import render
from vouchy.features.points import rules as points_rules
from vouchy.store.operations import Effect, Receipt
from vouchy.store.settings import SettingsStore

SETTINGS = (
    Setting("log_channel", "channel"),
    Setting("admin_role", "role"),
    Setting("locale", "choice", choices=(("core.locale.en", "en"), ("core.locale.fr", "fr"))),
)


async def check_core(ctx: lightbulb.Context, _app: Vouchy, values: dict[str, Any]) -> None:
    """Choosing the admin role needs Manage Server, and @everyone is not a role to choose."""
    if "admin_role" in values:
        require_manage_server(ctx)
        if values["admin_role"] is not None and values["admin_role"] == guild_of(ctx):
            raise InvalidInput("core.everyone_not_admin")


def setup(ext: Extension) -> None:
    max_amount = ext.config.limits.max_amount
    points = ext.admin.subgroup("admin.points", "admin.points.desc", localize=True)

    async def adjust(
        ctx: lightbulb.Context,
        app: Vouchy,
        mode: Literal["add", "remove", "set"],
        member: hikari.User,
        amount: int,
        reason: str | None,
    ) -> None:
        guild_id = guild_of(ctx)
        target = check_member(user_id(member), is_bot=member.is_bot)
        op = points_rules.adjust(
            guild_id,
            target,
            mode,
            amount,
            reference(ctx),
            max_amount=max_amount,
            acting_user_id=asker(ctx),
            reason=reason or "",
        )
        core = await app.settings.get(guild_id, "core", CoreSettings)
        if core.log_channel is not None:
            copy = render.log_copy(
                mode=mode,
                user_id=target,
                amount_=amount,
                reason=reason or "",
                actor_id=asker(ctx),
                locale=core.locale,
            )
            payload = {"channel_id": core.log_channel, "embed": embed_payload(copy)}
            op = msgspec.structs.replace(
                op, effects=(Effect(kind="discord.post", payload=payload),)
            )
        locale = await locale_for(ctx.interaction, app.settings)
        try:
            receipt: Receipt = await settle(ctx, app.points.submit(op), ephemeral=False)
        except InsufficientFunds as e:
            raise e.for_someone_else() from None  # the member's balance, said to the admin
        await send(ctx, render.adjusted(receipt, mode=mode, reason=reason or "", locale=locale))

    @points.register
    class Add(
        lightbulb.SlashCommand,
        name="admin.points.add",
        description="admin.points.add.desc",
        localize=True,
    ):
        member = lightbulb.user(*option("admin.opt.member"), localize=True)
        amount = lightbulb.integer(
            *option("admin.opt.amount"), min_value=1, max_value=max_amount, localize=True
        )
        reason = lightbulb.string(
            *option("admin.opt.reason"), default=None, max_length=200, localize=True
        )

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            await adjust(ctx, app, "add", self.member, self.amount, self.reason)

    @points.register
    class Remove(
        lightbulb.SlashCommand,
        name="admin.points.remove",
        description="admin.points.remove.desc",
        localize=True,
    ):
        member = lightbulb.user(*option("admin.opt.member"), localize=True)
        amount = lightbulb.integer(
            *option("admin.opt.amount"), min_value=1, max_value=max_amount, localize=True
        )
        reason = lightbulb.string(
            *option("admin.opt.reason"), default=None, max_length=200, localize=True
        )

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            await adjust(ctx, app, "remove", self.member, self.amount, self.reason)

    @points.register
    class Set(
        lightbulb.SlashCommand,
        name="admin.points.set",
        description="admin.points.set.desc",
        localize=True,
    ):
        member = lightbulb.user(*option("admin.opt.member"), localize=True)
        # A balance has no cap but the schema's (limits.max_amount bounds one movement).
        amount = lightbulb.integer(
            *option("admin.opt.balance"), min_value=0, max_value=MAX_BALANCE, localize=True
        )
        reason = lightbulb.string(
            *option("admin.opt.reason"), default=None, max_length=200, localize=True
        )

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            await adjust(ctx, app, "set", self.member, self.amount, self.reason)

    @ext.admin.register
    class Backup(
        lightbulb.SlashCommand, name="admin.backup", description="admin.backup.desc", localize=True
    ):
        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            guild_id = guild_of(ctx)
            locale = await locale_for(ctx.interaction, app.settings)
            await ctx.defer(ephemeral=True)  # a snapshot of a large database takes seconds
            try:
                snapshot = await app.snapshot_now()
            except VouchyError as e:
                await send(ctx, render.backup_failed(e.message, locale=locale), ephemeral=True)
                return
            here = await app.audit(guild_id)
            report = await app.storage_report()
            await send(ctx, render.backup(snapshot, here, report, locale=locale), ephemeral=True)

    @ext.admin.register
    class Audit(
        lightbulb.SlashCommand, name="admin.audit", description="admin.audit.desc", localize=True
    ):
        member = lightbulb.user(*option("admin.opt.audit_member"), default=None, localize=True)

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            member_id = user_id(self.member) if self.member is not None else None
            report = await app.audit(guild_of(ctx), member_id)
            locale = await locale_for(ctx.interaction, app.settings)
            await send(
                ctx, render.audit(report, member_id=member_id, locale=locale), ephemeral=True
            )

    @ext.admin.register
    class Repair(
        lightbulb.SlashCommand, name="admin.repair", description="admin.repair.desc", localize=True
    ):
        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            guild_id = guild_of(ctx)
            receipts = await app.repair(guild_id, acting_user_id=asker(ctx))
            report = await app.audit(guild_id)
            locale = await locale_for(ctx.interaction, app.settings)
            await send(ctx, render.repaired(receipts, report, locale=locale), ephemeral=True)

    @ext.settings.register
    class Show(
        lightbulb.SlashCommand,
        name="admin.config_show",
        description="admin.config_show.desc",
        localize=True,
    ):
        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, settings: SettingsStore) -> None:
            guild_id = guild_of(ctx)
            locale = await locale_for(ctx.interaction, settings)
            cards: list[hikari.Embed] = []
            for feature, described in list(REGISTRY.items())[:10]:  # Discord: 10 embeds a message
                current: msgspec.Struct = await settings.get(guild_id, feature)
                overrides = await settings.overrides(guild_id, feature)
                cards.append(
                    settings_embed(feature, current, overrides, described.settings, locale)
                )
            await ctx.respond(
                embeds=cards, ephemeral=True, user_mentions=False, role_mentions=False
            )

    config_commands(ext, "core", SETTINGS, check=check_core)
