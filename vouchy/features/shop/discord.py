"""The shop on Discord: /inventory (/sac) with its Use buttons, /shop, /buy, /rewards, /redeem,
/redemptions; /admin items give|take, /admin shop add|edit|remove, /admin rewards
add|edit|remove, /admin redemption use|list; /config shop; and the periodic refund of expired
codes. Each parses, calls the shop service and renders; no rule lives here.

A Use button's custom id names the member, the item and the version of the inventory row
shown (``shop:use:<user>.<item>.<version>``): it works after a restart (the state is read from
the database), another member's click is refused, and a second click on the same button finds
the row changed and changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib

import hikari
import lightbulb

from vouchy.app import Vouchy
from vouchy.bot.components import Click
from vouchy.bot.extension import GUILD_ONLY, Extension
from vouchy.bot.localization import locale_for, option
from vouchy.bot.respond import asker, guild_of, reference, send, settle, user_id
from vouchy.bot.settings_commands import Setting, config_commands
from vouchy.core.errors import InvalidInput, VouchyError
from vouchy.core.logs import get_logger
from vouchy.core.validation import MAX_PAGE, check_member
from vouchy.features.shop import render
from vouchy.features.shop.listings import ListingChange
from vouchy.features.shop.rules import (
    MAX_DAYS,
    MAX_LIMIT,
    MAX_PRICE,
    MAX_QUANTITY,
    MAX_STOCK,
    GuildRole,
    parse_end,
    role_problem,
)
from vouchy.features.shop.service import ShopService
from vouchy.store.settings import SettingsStore

log = get_logger("vouchy.shop")

SETTINGS = (
    Setting("jackpot_min", "int", 0, 1_000_000),
    Setting("jackpot_max", "int", 1, 1_000_000),
    Setting("multiplier_games", "int", 1, 100),
    Setting("redemption_days", "int", 1, MAX_DAYS),
    Setting("refund_expired", "bool"),
)
# How often the refund job looks for expired, unused, refundable codes.
REFUND_EVERY_S = 600.0


async def givable_role(ctx: lightbulb.Context, role: hikari.Role | None) -> int | None:
    """The role's id if the bot can give it (Manage Roles, and the role below its highest),
    read from the guild's roles and the bot's member over REST; else refused with why."""
    if role is None:
        return None
    guild_id = guild_of(ctx)
    rest = ctx.client.rest
    app = ctx.client.app
    me = app.get_me() if isinstance(app, hikari.GatewayBot) else None
    bot_id = int(me.id) if me is not None else int(ctx.interaction.application_id)
    roles = await rest.fetch_roles(guild_id)
    member = await rest.fetch_member(guild_id, bot_id)
    problem = role_problem(
        int(role.id),
        guild_id,
        [GuildRole(int(r.id), r.position, int(r.permissions), r.is_managed) for r in roles],
        [int(r) for r in member.role_ids],
    )
    if problem is not None:
        raise InvalidInput(problem, role_id=int(role.id))
    return int(role.id)


def text_choice(key: str, value: str) -> lightbulb.Choice[str]:
    """A localized choice of a string option."""
    return lightbulb.Choice(key, value, localize=True)


def _change(
    ctx: lightbulb.Context,
    *,
    description: str | None,
    price: int | None,
    stock: int | None,
    unlimited: bool | None,
    role: int | None,
    required_role: hikari.Role | None,
    limit: int | None,
    ends: str | None,
    name: str | None = None,
    clear: str | None = None,
) -> ListingChange:
    now = int(ctx.interaction.created_at.timestamp() * 1000)
    return ListingChange(
        name=name,
        description=description,
        price=price,
        stock=stock,
        unlimited=bool(unlimited),
        role_id=role,
        required_role_id=int(required_role.id) if required_role is not None else None,
        member_limit=limit,
        ends_at=parse_end(ends, now) if ends else None,
        clear=(clear,) if clear else (),
    )


def setup(ext: Extension) -> None:
    loader = ext.loader

    async def show_inventory(ctx: lightbulb.Context, shop: ShopService, locale: str) -> None:
        guild_id = guild_of(ctx)
        view = await shop.inventory(guild_id, asker(ctx))
        settings = await shop.shop_settings(guild_id)
        await ctx.respond(
            embed=render.inventory(view, settings, locale),
            components=render.use_buttons(view, locale),
            user_mentions=False,
            role_mentions=False,
        )

    @loader.command
    class Inventory(
        lightbulb.SlashCommand,
        name="shop.cmd.inventory",
        description="shop.cmd.inventory.desc",
        localize=True,
        contexts=GUILD_ONLY,
    ):
        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, shop: ShopService, settings: SettingsStore
        ) -> None:
            await show_inventory(ctx, shop, await locale_for(ctx.interaction, settings))

    async def use(click: Click) -> None:
        parsed = render.parse_use_row(click.row)
        if parsed is None:
            await click.refuse("component.unknown")
            return
        owner, item, seen = parsed
        if owner != click.user_id:
            await click.refuse("component.not_yours")
            return
        shop = click.app.service(ShopService)
        used = await shop.use(click.guild_id, owner, item, click.reference, seen=seen)
        view = await shop.inventory(click.guild_id, owner)
        settings = await shop.shop_settings(click.guild_id)
        await click.update(
            render.inventory(view, settings, click.locale, used=used),
            render.use_buttons(view, click.locale),
        )

    ext.components.register(render.CODEC, render.USE, use)

    @loader.command
    class Shop(
        lightbulb.SlashCommand,
        name="shop.cmd.shop",
        description="shop.cmd.shop.desc",
        localize=True,
        contexts=GUILD_ONLY,
    ):
        page = lightbulb.integer(
            *option("shop.opt.page"), default=1, min_value=1, max_value=MAX_PAGE, localize=True
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, shop: ShopService, settings: SettingsStore
        ) -> None:
            guild_id = guild_of(ctx)
            page = await shop.shop(guild_id, self.page)
            locale = await locale_for(ctx.interaction, settings)
            await send(ctx, render.shop(page, await shop.shop_settings(guild_id), locale))

    @loader.command
    class Buy(
        lightbulb.SlashCommand,
        name="shop.cmd.buy",
        description="shop.cmd.buy.desc",
        localize=True,
        contexts=GUILD_ONLY,
    ):
        item = lightbulb.string(*option("shop.opt.item"), max_length=100, localize=True)
        quantity = lightbulb.integer(
            *option("shop.opt.quantity"),
            default=1,
            min_value=1,
            max_value=MAX_QUANTITY,
            localize=True,
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, shop: ShopService, settings: SettingsStore
        ) -> None:
            guild_id = guild_of(ctx)
            item = await shop.resolve_item(guild_id, self.item)
            roles = ctx.member.role_ids if ctx.member is not None else ()
            result = await settle(
                ctx,
                shop.buy(guild_id, asker(ctx), item, self.quantity, reference(ctx), role_ids=roles),
                ephemeral=False,
            )
            locale = await locale_for(ctx.interaction, settings)
            await send(ctx, render.bought(result, locale))

    @loader.command
    class Rewards(
        lightbulb.SlashCommand,
        name="shop.cmd.rewards",
        description="shop.cmd.rewards.desc",
        localize=True,
        contexts=GUILD_ONLY,
    ):
        page = lightbulb.integer(
            *option("shop.opt.page"), default=1, min_value=1, max_value=MAX_PAGE, localize=True
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, shop: ShopService, settings: SettingsStore
        ) -> None:
            guild_id = guild_of(ctx)
            page = await shop.rewards(guild_id, self.page)
            locale = await locale_for(ctx.interaction, settings)
            await send(ctx, render.rewards(page, await shop.shop_settings(guild_id), locale))

    @loader.command
    class Redeem(
        lightbulb.SlashCommand,
        name="shop.cmd.redeem",
        description="shop.cmd.redeem.desc",
        localize=True,
        contexts=GUILD_ONLY,
    ):
        reward = lightbulb.string(*option("shop.opt.reward"), max_length=100, localize=True)

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, shop: ShopService, settings: SettingsStore
        ) -> None:
            result = await settle(
                ctx,
                shop.redeem(guild_of(ctx), asker(ctx), self.reward, reference(ctx)),
                ephemeral=True,
            )
            locale = await locale_for(ctx.interaction, settings)
            # The code is the member's alone: only they see it.
            await send(ctx, render.redeemed(result, locale), ephemeral=True)

    @loader.command
    class Redemptions(
        lightbulb.SlashCommand,
        name="shop.cmd.redemptions",
        description="shop.cmd.redemptions.desc",
        localize=True,
        contexts=GUILD_ONLY,
    ):
        page = lightbulb.integer(
            *option("shop.opt.page"), default=1, min_value=1, max_value=MAX_PAGE, localize=True
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, shop: ShopService, settings: SettingsStore
        ) -> None:
            page = await shop.redemptions(guild_of(ctx), user_id=asker(ctx), page=self.page)
            locale = await locale_for(ctx.interaction, settings)
            await send(ctx, render.redemptions(page, locale), ephemeral=True)

    # -- /admin items -----------------------------------------------------------------------

    items = ext.admin.subgroup("shop.admin.items", "shop.admin.items.desc", localize=True)

    async def change_items(
        ctx: lightbulb.Context,
        app: Vouchy,
        member: hikari.User,
        text: str,
        quantity: int,
        reason: str | None,
        *,
        give: bool,
    ) -> None:
        shop = app.service(ShopService)
        guild_id = guild_of(ctx)
        target = check_member(user_id(member), is_bot=member.is_bot)
        item = await shop.resolve_item(guild_id, text)
        receipt, held = await settle(
            ctx,
            shop.change_items(
                guild_id,
                target,
                item,
                quantity,
                reference(ctx),
                give=give,
                admin_id=asker(ctx),
                reason=reason or "",
            ),
            ephemeral=False,
        )
        locale = await locale_for(ctx.interaction, app.settings)
        names = await shop.item_names(guild_id, [item])
        await send(
            ctx,
            render.admin_done(
                "shop.admin.given" if give else "shop.admin.taken",
                locale,
                quantity=quantity,
                name=render.item_name(item, names.get(item, ""), locale),
                user_id=target,
                held=held,
            ),
        )

    def items_command(give: bool) -> type[lightbulb.SlashCommand]:
        key = "shop.admin.items.give" if give else "shop.admin.items.take"

        class Command(lightbulb.SlashCommand, name=key, description=f"{key}.desc", localize=True):
            member = lightbulb.user(*option("shop.opt.member"), localize=True)
            item = lightbulb.string(*option("shop.opt.item"), max_length=100, localize=True)
            quantity = lightbulb.integer(
                *option("shop.opt.quantity"),
                default=1,
                min_value=1,
                max_value=MAX_QUANTITY,
                localize=True,
            )
            reason = lightbulb.string(
                *option("shop.opt.reason"), default=None, max_length=200, localize=True
            )

            @lightbulb.invoke
            async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
                await change_items(
                    ctx, app, self.member, self.item, self.quantity, self.reason, give=give
                )

        return Command

    items.register(items_command(True))
    items.register(items_command(False))

    # -- /admin shop ------------------------------------------------------------------------

    listing = ext.admin.subgroup("shop.admin.shop", "shop.admin.shop.desc", localize=True)

    def stock_option() -> int | None:
        return lightbulb.integer(
            *option("shop.opt.stock"),
            default=None,
            min_value=0,
            max_value=MAX_STOCK,
            localize=True,
        )

    def limit_option() -> int | None:
        return lightbulb.integer(
            *option("shop.opt.limit"),
            default=None,
            min_value=1,
            max_value=MAX_LIMIT,
            localize=True,
        )

    async def named(shop: ShopService, guild_id: int, item: str, locale: str) -> str:
        names = await shop.item_names(guild_id, [item])
        return render.item_name(item, names.get(item, ""), locale)

    @listing.register
    class ShopAdd(
        lightbulb.SlashCommand,
        name="shop.admin.shop.add",
        description="shop.admin.shop.add.desc",
        localize=True,
    ):
        name = lightbulb.string(*option("shop.opt.name"), max_length=100, localize=True)
        price = lightbulb.integer(
            *option("shop.opt.price"), min_value=0, max_value=MAX_PRICE, localize=True
        )
        description = lightbulb.string(
            *option("shop.opt.description"), default=None, max_length=300, localize=True
        )
        stock = stock_option()
        role = lightbulb.role(*option("shop.opt.role"), default=None, localize=True)
        required_role = lightbulb.role(
            *option("shop.opt.required_role"), default=None, localize=True
        )
        limit = limit_option()
        ends = lightbulb.string(
            *option("shop.opt.ends"), default=None, max_length=40, localize=True
        )

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            shop = app.service(ShopService)
            guild_id = guild_of(ctx)
            change = _change(
                ctx,
                description=self.description,
                price=self.price,
                stock=self.stock,
                unlimited=None,
                role=await givable_role(ctx, self.role),
                required_role=self.required_role,
                limit=self.limit,
                ends=self.ends,
            )
            item = await settle(
                ctx,
                shop.add_listing(guild_id, asker(ctx), self.name, change, reference(ctx)),
                ephemeral=False,
            )
            locale = await locale_for(ctx.interaction, app.settings)
            name = await named(shop, guild_id, item, locale)
            await send(ctx, render.admin_done("shop.admin.listed", locale, name=name))

    @listing.register
    class ShopEdit(
        lightbulb.SlashCommand,
        name="shop.admin.shop.edit",
        description="shop.admin.shop.edit.desc",
        localize=True,
    ):
        item = lightbulb.string(*option("shop.opt.item"), max_length=100, localize=True)
        new_name = lightbulb.string(
            *option("shop.opt.new_name"), default=None, max_length=100, localize=True
        )
        description = lightbulb.string(
            *option("shop.opt.description"), default=None, max_length=300, localize=True
        )
        price = lightbulb.integer(
            *option("shop.opt.price"),
            default=None,
            min_value=0,
            max_value=MAX_PRICE,
            localize=True,
        )
        stock = stock_option()
        unlimited = lightbulb.boolean(*option("shop.opt.unlimited"), default=None, localize=True)
        role = lightbulb.role(*option("shop.opt.role"), default=None, localize=True)
        required_role = lightbulb.role(
            *option("shop.opt.required_role"), default=None, localize=True
        )
        limit = limit_option()
        ends = lightbulb.string(
            *option("shop.opt.ends"), default=None, max_length=40, localize=True
        )
        clear = lightbulb.string(
            *option("shop.opt.clear"),
            default=None,
            choices=[
                text_choice("shop.clear.role", "role"),
                text_choice("shop.clear.required_role", "required_role"),
                text_choice("shop.clear.limit", "limit"),
                text_choice("shop.clear.end", "end"),
            ],
            localize=True,
        )

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            shop = app.service(ShopService)
            guild_id = guild_of(ctx)
            change = _change(
                ctx,
                name=self.new_name,
                description=self.description,
                price=self.price,
                stock=self.stock,
                unlimited=self.unlimited,
                role=await givable_role(ctx, self.role),
                required_role=self.required_role,
                limit=self.limit,
                ends=self.ends,
                clear=self.clear,
            )
            item = await settle(
                ctx,
                shop.edit_listing(guild_id, asker(ctx), self.item, change, reference(ctx)),
                ephemeral=False,
            )
            locale = await locale_for(ctx.interaction, app.settings)
            name = await named(shop, guild_id, item, locale)
            await send(ctx, render.admin_done("shop.admin.edited", locale, name=name))

    @listing.register
    class ShopRemove(
        lightbulb.SlashCommand,
        name="shop.admin.shop.remove",
        description="shop.admin.shop.remove.desc",
        localize=True,
    ):
        item = lightbulb.string(*option("shop.opt.item"), max_length=100, localize=True)

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            shop = app.service(ShopService)
            guild_id = guild_of(ctx)
            item = await settle(
                ctx,
                shop.remove_listing(guild_id, asker(ctx), self.item, reference(ctx)),
                ephemeral=False,
            )
            locale = await locale_for(ctx.interaction, app.settings)
            name = await named(shop, guild_id, item, locale)
            await send(ctx, render.admin_done("shop.admin.unlisted", locale, name=name))

    # -- /admin rewards ---------------------------------------------------------------------

    reward_group = ext.admin.subgroup(
        "shop.admin.rewards", "shop.admin.rewards.desc", localize=True
    )

    def days_option() -> int | None:
        return lightbulb.integer(
            *option("shop.opt.days"),
            default=None,
            min_value=1,
            max_value=MAX_DAYS,
            localize=True,
        )

    async def reward_name(shop: ShopService, guild_id: int, key: str) -> str:
        found = await shop.reward(guild_id, key)
        return found.name if found is not None else key

    @reward_group.register
    class RewardAdd(
        lightbulb.SlashCommand,
        name="shop.admin.rewards.add",
        description="shop.admin.rewards.add.desc",
        localize=True,
    ):
        name = lightbulb.string(*option("shop.opt.name"), max_length=100, localize=True)
        cost = lightbulb.integer(
            *option("shop.opt.cost"), min_value=0, max_value=MAX_PRICE, localize=True
        )
        description = lightbulb.string(
            *option("shop.opt.description"), default=None, max_length=300, localize=True
        )
        days = days_option()

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            shop = app.service(ShopService)
            guild_id = guild_of(ctx)
            key = await settle(
                ctx,
                shop.add_reward(
                    guild_id,
                    asker(ctx),
                    self.name,
                    reference(ctx),
                    cost=self.cost,
                    description=self.description,
                    valid_days=self.days,
                ),
                ephemeral=False,
            )
            locale = await locale_for(ctx.interaction, app.settings)
            name = await reward_name(shop, guild_id, key)
            await send(ctx, render.admin_done("shop.admin.reward_added", locale, name=name))

    @reward_group.register
    class RewardEdit(
        lightbulb.SlashCommand,
        name="shop.admin.rewards.edit",
        description="shop.admin.rewards.edit.desc",
        localize=True,
    ):
        reward = lightbulb.string(*option("shop.opt.reward"), max_length=100, localize=True)
        new_name = lightbulb.string(
            *option("shop.opt.new_name"), default=None, max_length=100, localize=True
        )
        description = lightbulb.string(
            *option("shop.opt.description"), default=None, max_length=300, localize=True
        )
        cost = lightbulb.integer(
            *option("shop.opt.cost"),
            default=None,
            min_value=0,
            max_value=MAX_PRICE,
            localize=True,
        )
        days = days_option()

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            shop = app.service(ShopService)
            guild_id = guild_of(ctx)
            key = await settle(
                ctx,
                shop.edit_reward(
                    guild_id,
                    asker(ctx),
                    self.reward,
                    reference(ctx),
                    name=self.new_name,
                    description=self.description,
                    cost=self.cost,
                    valid_days=self.days,
                ),
                ephemeral=False,
            )
            locale = await locale_for(ctx.interaction, app.settings)
            name = await reward_name(shop, guild_id, key)
            await send(ctx, render.admin_done("shop.admin.reward_edited", locale, name=name))

    @reward_group.register
    class RewardRemove(
        lightbulb.SlashCommand,
        name="shop.admin.rewards.remove",
        description="shop.admin.rewards.remove.desc",
        localize=True,
    ):
        reward = lightbulb.string(*option("shop.opt.reward"), max_length=100, localize=True)

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            shop = app.service(ShopService)
            guild_id = guild_of(ctx)
            found = await shop.resolve_reward(guild_id, self.reward)
            await settle(
                ctx,
                shop.remove_reward(guild_id, asker(ctx), found.reward, reference(ctx)),
                ephemeral=False,
            )
            locale = await locale_for(ctx.interaction, app.settings)
            await send(ctx, render.admin_done("shop.admin.reward_removed", locale, name=found.name))

    # -- /admin redemption ------------------------------------------------------------------

    redemption = ext.admin.subgroup(
        "shop.admin.redemption", "shop.admin.redemption.desc", localize=True
    )

    @redemption.register
    class RedemptionUse(
        lightbulb.SlashCommand,
        name="shop.admin.redemption.use",
        description="shop.admin.redemption.use.desc",
        localize=True,
    ):
        code = lightbulb.string(*option("shop.opt.code"), max_length=40, localize=True)

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            shop = app.service(ShopService)
            red = await settle(
                ctx,
                shop.use_redemption(guild_of(ctx), asker(ctx), self.code, reference(ctx)),
                ephemeral=False,
            )
            locale = await locale_for(ctx.interaction, app.settings)
            await send(
                ctx,
                render.admin_done(
                    "shop.admin.code_used",
                    locale,
                    code=red.code,
                    name=red.name,
                    user_id=red.user_id,
                ),
                ephemeral=True,
            )

    @redemption.register
    class RedemptionList(
        lightbulb.SlashCommand,
        name="shop.admin.redemption.list",
        description="shop.admin.redemption.list.desc",
        localize=True,
    ):
        status = lightbulb.string(
            *option("shop.opt.status"),
            default=None,
            choices=[
                text_choice(f"shop.status.{s}", s)
                for s in ("issued", "used", "expired", "refunded")
            ],
            localize=True,
        )
        page = lightbulb.integer(
            *option("shop.opt.page"), default=1, min_value=1, max_value=MAX_PAGE, localize=True
        )

        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            shop = app.service(ShopService)
            page = await shop.redemptions(guild_of(ctx), status=self.status, page=self.page)
            locale = await locale_for(ctx.interaction, app.settings)
            await send(ctx, render.redemptions(page, locale, admin=True), ephemeral=True)

    config_commands(ext, "shop", SETTINGS)

    # -- the refund job ---------------------------------------------------------------------

    jobs: dict[str, asyncio.Task[None]] = {}

    @loader.listener(hikari.StartedEvent)
    async def start_refunds(_event: hikari.StartedEvent, shop: ShopService) -> None:
        if "refunds" not in jobs:
            jobs["refunds"] = asyncio.create_task(refund_forever(shop), name="vouchy-shop-refunds")

    @loader.listener(hikari.StoppingEvent)
    async def stop_refunds(_event: hikari.StoppingEvent) -> None:
        task = jobs.pop("refunds", None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def refund_forever(shop: ShopService, every_s: float = REFUND_EVERY_S) -> None:
    """Refund expired, unused, refundable codes now and then every ``every_s``, through the
    write path (each once: a compare-and-set on its status, a reference per code)."""
    while True:
        try:
            refunded = await shop.refund_expired()
            if refunded:
                log.info("shop_redemptions_refunded", count=refunded)
        except VouchyError as e:  # restarting, storage: the next run tries again
            log.info("shop_refunds_deferred", code=e.code)
        except Exception as e:
            log.error("shop_refunds_failed", error=repr(e), exc_info=e)
        await asyncio.sleep(every_s)
