"""Admin commands: /admin points add|remove|set, /admin backup, /admin audit, /admin repair.

Who may run them is decided on the server by ``vouchy.bot.checks`` (Manage Server or the
configured admin role); ``default_member_permissions`` only hides the group in the client.
"""

from __future__ import annotations

import hikari
import lightbulb

from vouchy.app import Vouchy
from vouchy.bot import durability, render
from vouchy.bot.extensions import GUILD_ONLY
from vouchy.bot.respond import asker, guild_of, reference, send, settle, user_id
from vouchy.core.config import Config
from vouchy.core.logs import get_logger
from vouchy.core.validation import check_member
from vouchy.features.admin.rules import CoreSettings
from vouchy.store.settings import SettingsStore

log = get_logger("vouchy.bot")


async def post_to_log(ctx: lightbulb.Context, settings: SettingsStore, embed: hikari.Embed) -> None:
    """A copy of an admin action in the guild's log channel, if one is set (best effort)."""
    channel_id = (await settings.get(guild_of(ctx), "core", CoreSettings)).log_channel
    if channel_id is None:
        return
    try:
        await ctx.client.rest.create_message(
            channel_id, embed=embed, user_mentions=False, role_mentions=False
        )
    except hikari.HTTPError as e:
        log.warning("log_channel_post_failed", channel_id=channel_id, error=str(e))


def make_loader(config: Config) -> lightbulb.Loader:
    loader = lightbulb.Loader()
    max_amount = config.limits.max_amount

    admin = lightbulb.Group(
        "admin",
        "Vouchy admin tools",
        default_member_permissions=hikari.Permissions.MANAGE_GUILD,
        contexts=GUILD_ONLY,
    )
    points = admin.subgroup("points", "Change a member's points")

    async def adjust(
        ctx: lightbulb.Context,
        app: Vouchy,
        settings: SettingsStore,
        mode: str,
        member: hikari.User,
        amount: int,
        reason: str | None,
    ) -> None:
        guild_id = guild_of(ctx)
        check_member(user_id(member), is_bot=member.is_bot)
        operation = app.points.member(guild_id, user_id(member)).adjust(
            mode,  # type: ignore[arg-type]
            amount,
            reference(ctx),
            acting_user_id=asker(ctx),
            reason=reason or "",
        )
        receipt = await settle(ctx, operation, ephemeral=False)
        embed = render.adjusted(receipt, mode=mode, reason=reason or "")
        await send(ctx, embed)
        await post_to_log(
            ctx,
            settings,
            render.admin_log(
                "Points changed",
                f"{mode} {render.amount(amount)} for {render.mention(user_id(member))} → balance "
                f"{render.amount(receipt.balance)}" + (f" ({reason})" if reason else ""),
                actor_id=asker(ctx),
            ),
        )

    @points.register
    class Add(lightbulb.SlashCommand, name="add", description="Give a member points"):
        member = lightbulb.user("member", "Who gets the points")
        amount = lightbulb.integer("amount", "How many points", min_value=1, max_value=max_amount)
        reason = lightbulb.string(
            "reason", "Why (kept in the ledger)", default=None, max_length=200
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, app: Vouchy, settings: SettingsStore
        ) -> None:
            await adjust(ctx, app, settings, "add", self.member, self.amount, self.reason)

    @points.register
    class Remove(lightbulb.SlashCommand, name="remove", description="Take points from a member"):
        member = lightbulb.user("member", "Whose points")
        amount = lightbulb.integer("amount", "How many points", min_value=1, max_value=max_amount)
        reason = lightbulb.string(
            "reason", "Why (kept in the ledger)", default=None, max_length=200
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, app: Vouchy, settings: SettingsStore
        ) -> None:
            await adjust(ctx, app, settings, "remove", self.member, self.amount, self.reason)

    @points.register
    class Set(lightbulb.SlashCommand, name="set", description="Set a member's balance"):
        member = lightbulb.user("member", "Whose balance")
        amount = lightbulb.integer("amount", "The new balance", min_value=0, max_value=max_amount)
        reason = lightbulb.string(
            "reason", "Why (kept in the ledger)", default=None, max_length=200
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, app: Vouchy, settings: SettingsStore
        ) -> None:
            await adjust(ctx, app, settings, "set", self.member, self.amount, self.reason)

    @admin.register
    class Backup(
        lightbulb.SlashCommand, name="backup", description="Snapshot now and show storage facts"
    ):
        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            snapshot, facts = await durability.backup_now(app, guild_of(ctx))
            await send(ctx, render.storage(facts, snapshot=snapshot), ephemeral=True)

    @admin.register
    class Audit(
        lightbulb.SlashCommand,
        name="audit",
        description="Check that every balance equals the sum of its ledger",
    ):
        member = lightbulb.user("member", "Only this member (default: everyone)", default=None)

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            member_id = user_id(self.member) if self.member is not None else None
            report = await app.audit(guild_of(ctx), member_id)
            await send(ctx, render.audit(report, member_id=member_id), ephemeral=True)

    @admin.register
    class Repair(
        lightbulb.SlashCommand,
        name="repair",
        description="Rebuild any balance that differs from its ledger",
    ):
        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, app: Vouchy, settings: SettingsStore
        ) -> None:
            guild_id = guild_of(ctx)
            receipts = await app.repair(guild_id, acting_user_id=asker(ctx))
            report = await app.audit(guild_id)
            await send(ctx, render.repaired(receipts, report), ephemeral=True)
            if receipts:
                await post_to_log(
                    ctx,
                    settings,
                    render.admin_log(
                        "Balances repaired",
                        f"{len(receipts):,} balance(s) rebuilt from the ledger.",
                        actor_id=asker(ctx),
                    ),
                )

    loader.command(admin)
    return loader
