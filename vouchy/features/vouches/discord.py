"""Vouches on Discord: the listeners (a message in a vouch channel, a deleted message, a bulk
delete), ``/vouches show|top``, ``/admin vouch add|remove``, the review queue's buttons,
``/config vouches``, and the one place a vouch's screenshot is read: fetched once
(``ProofFetcher``) and hashed in a worker process (``ProofHasher``).

Each listener and command copies plain values out of hikari's objects, calls the service and
renders; no rule lives here. A listener never raises into hikari: a vouch that could not be
recorded is logged (``vouch_failed``) and, having no acknowledgement, changes nothing.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import urllib.parse
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import aiohttp
import hikari
import lightbulb
import msgspec

from vouchy.app import Vouchy
from vouchy.bot import embeds
from vouchy.bot.checks import is_admin
from vouchy.bot.components import Click, Codec
from vouchy.bot.extension import GUILD_ONLY, Extension
from vouchy.bot.localization import locale_for, option
from vouchy.bot.respond import asker, guild_of, send, settle, user_id
from vouchy.bot.settings_commands import Setting, config_commands
from vouchy.core import i18n
from vouchy.core.errors import VouchyError
from vouchy.core.logs import get_logger
from vouchy.core.validation import MAX_PAGE, check_member
from vouchy.features.vouches import review
from vouchy.features.vouches.detect import ProofImage, order_mentions
from vouchy.features.vouches.model import (
    MAX_POINTS,
    Attachment,
    Embed,
    Mention,
    VouchMessage,
)
from vouchy.features.vouches.proof import (
    MAX_BYTES,
    ProofUnreadable,
    hash_in_worker,
    prepare_worker,
)
from vouchy.features.vouches.render import render_summary, render_top, review_outcome
from vouchy.features.vouches.service import VouchesService, parse_vouch_id
from vouchy.features.vouches.settings import VouchesSettings, checked
from vouchy.store.settings import SettingsStore

log = get_logger("vouchy.vouches")

CODEC = Codec("vouches")  # review.encode makes the same ids: vouches:<action>:<message id>

SETTINGS = (
    Setting("channels", "channels"),
    Setting("provider_role", "role"),
    Setting("voucher_points", "int", 0, MAX_POINTS),
    Setting("provider_points", "int", 0, MAX_POINTS),
    Setting("cooldown_hours", "int", 0, 24 * 365),
    Setting("min_account_age_days", "int", 0, 3650),
    Setting("min_member_age_hours", "int", 0, 24 * 365),
    Setting("max_per_day", "int", 1, 1000),
    Setting("emoji", "text", high=64),
    Setting("reversal_window_days", "int", 0, 365),
    Setting("review_queue", "bool"),
    Setting("review_channel", "channel"),
)

# Discord's own hosts for attachments and proxied images; any other host is never fetched
# (a member's link could point anywhere, an internal address included).
DISCORD_MEDIA = ("cdn.discordapp.com", "media.discordapp.net")
DISCORD_PROXIES = (".discordapp.net",)


class ProofFetcher:
    """Reads a vouch's screenshot once, with aiohttp, from Discord's CDN (or the host the bot
    sends its REST calls to: a proxy, the tests' fake Discord). At most ``MAX_BYTES`` are read;
    a failure of the network is tried ``attempts`` times, then reads as unreadable."""

    def __init__(self, rest_url: str = "", *, timeout_s: float = 10.0, attempts: int = 2) -> None:
        own = urllib.parse.urlsplit(rest_url) if rest_url else None
        self.own_host = own.netloc if own is not None else None
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.attempts = attempts
        self._session: aiohttp.ClientSession | None = None
        self.fetches = 0

    def allowed(self, url: str) -> bool:
        parts = urllib.parse.urlsplit(url)
        if self.own_host is not None and parts.netloc == self.own_host:
            return parts.scheme in ("http", "https")
        host = parts.hostname or ""
        return parts.scheme == "https" and (host in DISCORD_MEDIA or host.endswith(DISCORD_PROXIES))

    async def fetch(self, image: ProofImage) -> bytes:
        if not self.allowed(image.url):
            raise ProofUnreadable("vouches.proof_unreadable", detail="not Discord's media")
        if image.size > MAX_BYTES:
            raise ProofUnreadable("vouches.proof_too_large", megabytes=MAX_BYTES // 2**20)
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        for attempt in range(1, self.attempts + 1):
            try:
                return await self._get(self._session, image.url)
            except (aiohttp.ClientError, TimeoutError, OSError) as e:
                if attempt == self.attempts:
                    raise ProofUnreadable(
                        "vouches.proof_unreadable", detail=type(e).__name__
                    ) from None
                await asyncio.sleep(0.2 * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _get(self, session: aiohttp.ClientSession, url: str) -> bytes:
        self.fetches += 1
        async with session.get(url) as response:
            if response.status >= 500:
                raise aiohttp.ClientResponseError(response.request_info, (), status=response.status)
            if response.status != 200:
                raise ProofUnreadable("vouches.proof_unreadable", detail=f"HTTP {response.status}")
            data = await response.content.read(MAX_BYTES + 1)
            while len(data) <= MAX_BYTES and not response.content.at_eof():
                more = await response.content.read(MAX_BYTES + 1 - len(data))
                if not more:
                    break
                data += more
            if len(data) > MAX_BYTES:
                raise ProofUnreadable("vouches.proof_too_large", megabytes=MAX_BYTES // 2**20)
            return data

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class ProofHasher:
    """Hashes screenshots in worker processes (one fewer than the machine's cores, at least
    one): decoding and reducing an image is CPU work that would stall the event loop, and a
    thread doing it holds the GIL from the loop as much. A hostile image that crashes or
    exhausts its worker takes only that process down: it reads as unreadable, and the next
    hash starts a new pool.

    The pool is the process's (one for every bot it runs, started on the first hash from a
    fork server that has the image code loaded, ended when the interpreter exits): starting
    one costs about half a second, as its worker imports the main module."""

    _pool: ProcessPoolExecutor | None = None
    workers = max(1, (os.cpu_count() or 2) - 1)

    @classmethod
    def _started(cls) -> ProcessPoolExecutor:
        if cls._pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["vouchy.features.vouches.proof"])
            cls._pool = ProcessPoolExecutor(
                cls.workers, mp_context=context, initializer=prepare_worker
            )
        return cls._pool

    async def hash(self, data: bytes) -> int:
        pool = self._started()
        try:
            found, key, params = await asyncio.get_running_loop().run_in_executor(
                pool, hash_in_worker, data
            )
        except BrokenProcessPool:
            if ProofHasher._pool is pool:
                ProofHasher._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise ProofUnreadable("vouches.proof_unreadable", detail="worker died") from None
        if found is None:
            raise ProofUnreadable(key, **params)
        return found


# -- a hikari message as the rules see it -----------------------------------------------------


def _attachments(message: hikari.Message) -> tuple[Attachment, ...]:
    return tuple(
        Attachment(
            id=int(a.id),
            filename=a.filename,
            url=a.url,
            content_type=a.media_type,
            size=a.size,
            width=a.width,
            height=a.height,
        )
        for a in message.attachments
    )


def _embeds(message: hikari.Message) -> tuple[Embed, ...]:
    """hikari keeps no embed type: an embed that is only a picture (what Discord makes of a
    posted image link) reads as an image embed, through Discord's proxy when it gave one."""
    out = []
    for e in message.embeds:
        picture = e.image or e.thumbnail
        bare = not (e.title or e.description or e.fields or e.author or e.footer)
        url = None
        if picture is not None:
            url = str(picture.proxy_url or picture.url)
        out.append(Embed(type="image" if bare and url else "rich", image_url=url))
    return tuple(out)


async def _mentions(event: hikari.GuildMessageCreateEvent, need_roles: bool) -> tuple[Mention, ...]:
    """The mentioned users in text order, with their roles when a provider role is set (from
    the cache, else asked of Discord; empty for someone who is not a member)."""
    found = []
    mentioned = event.message.user_mentions
    cache: hikari.api.Cache | None = getattr(event.app, "cache", None)
    for user in mentioned.values() if mentioned is not hikari.UNDEFINED else ():
        roles: tuple[int, ...] = ()
        if need_roles:
            member = cache.get_member(event.guild_id, user.id) if cache is not None else None
            if member is None:
                try:
                    member = await event.app.rest.fetch_member(event.guild_id, user.id)
                except hikari.NotFoundError:
                    member = None
            roles = tuple(int(r) for r in member.role_ids) if member is not None else ()
        found.append(Mention(user_id=int(user.id), is_bot=user.is_bot, role_ids=roles))
    return order_mentions(event.message.content or "", found)


def _parent(event: hikari.GuildMessageCreateEvent) -> int | None:
    cache: hikari.api.Cache | None = getattr(event.app, "cache", None)
    thread = cache.get_thread(event.channel_id) if cache is not None else None
    parent = getattr(thread, "parent_id", None)
    return int(parent) if parent is not None else None


async def vouch_message(
    event: hikari.GuildMessageCreateEvent, *, parent_id: int | None, need_roles: bool
) -> VouchMessage:
    message = event.message
    joined = event.member.joined_at if event.member is not None else None
    return VouchMessage(
        message_id=int(message.id),
        guild_id=int(event.guild_id),
        channel_id=int(event.channel_id),
        author_id=int(message.author.id),
        parent_channel_id=parent_id,
        author_is_bot=message.author.is_bot,
        is_webhook=message.webhook_id is not None,
        member_joined_at_ms=int(joined.timestamp() * 1000) if joined is not None else None,
        attachments=_attachments(message),
        embeds=_embeds(message),
        mentions=await _mentions(event, need_roles),
    )


# -- the extension ----------------------------------------------------------------------------


def _card(text: str, locale: str, color: hikari.Color = embeds.POINTS) -> hikari.Embed:
    return embeds.embed(i18n.text("vouches.title", locale), text[:4000], color, locale)


async def check_settings(ctx: lightbulb.Context, app: Vouchy, values: dict[str, Any]) -> None:
    """The settings after this change must hold together (a review queue needs its channel, a
    sane emoji...); a value set back to its default counts as the default."""
    guild_id = guild_of(ctx)
    current = await app.settings.get(guild_id, "vouches", VouchesSettings)
    default = app.settings.default("vouches")
    merged = {k: getattr(default, k) if v is None else v for k, v in values.items()}
    checked(msgspec.convert({**msgspec.structs.asdict(current), **merged}, VouchesSettings))


def setup(ext: Extension) -> None:
    loader = ext.loader
    fetcher = ProofFetcher(ext.config.discord.rest_url)
    hasher = ProofHasher()

    async def read_proof(image: ProofImage) -> int:
        """The screenshot fetched once, hashed off the event loop."""
        return await hasher.hash(await fetcher.fetch(image))

    @loader.listener(hikari.GuildMessageCreateEvent)
    async def on_message(
        event: hikari.GuildMessageCreateEvent,
        vouches: VouchesService = lightbulb.di.INJECTED,
    ) -> None:
        message = event.message
        if message.author.is_bot or message.webhook_id is not None:
            return  # never a vouch; most of a busy guild's traffic ends here
        if not message.attachments and not message.embeds:
            return
        guild_id = int(event.guild_id)
        parent = _parent(event)
        if not await vouches.is_vouch_channel(guild_id, int(event.channel_id), parent):
            return
        try:
            rules = await vouches.rules_of(guild_id)
            found = await vouch_message(
                event, parent_id=parent, need_roles=rules.provider_role_id is not None
            )
            outcome = await vouches.on_message(found, read_proof)
            if outcome.result == "ignored":
                log.debug("vouch_ignored", message_id=int(message.id), reason=outcome.code)
        except Exception as e:
            _failed("vouch_failed", e, guild_id=guild_id, message_id=int(message.id))

    @loader.listener(hikari.GuildMessageDeleteEvent)
    async def on_deleted(
        event: hikari.GuildMessageDeleteEvent,
        vouches: VouchesService = lightbulb.di.INJECTED,
    ) -> None:
        await _reverse(vouches, int(event.guild_id), [int(event.message_id)])

    @loader.listener(hikari.GuildBulkMessageDeleteEvent)
    async def on_bulk_deleted(
        event: hikari.GuildBulkMessageDeleteEvent,
        vouches: VouchesService = lightbulb.di.INJECTED,
    ) -> None:
        await _reverse(vouches, int(event.guild_id), [int(m) for m in event.message_ids])

    @loader.listener(hikari.StoppingEvent)
    async def on_stopping(_event: hikari.StoppingEvent) -> None:
        await fetcher.close()

    group = lightbulb.Group("vouches.cmd", "vouches.cmd.desc", localize=True, contexts=GUILD_ONLY)

    @group.register
    class Show(
        lightbulb.SlashCommand,
        name="vouches.cmd.show",
        description="vouches.cmd.show.desc",
        localize=True,
    ):
        member = lightbulb.user(*option("vouches.opt.member"), default=None, localize=True)

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, vouches: VouchesService, settings: SettingsStore
        ) -> None:
            who = self.member or ctx.user
            check_member(user_id(who), is_bot=who.is_bot)
            summary = await vouches.summary(guild_of(ctx), user_id(who))
            locale = await locale_for(ctx.interaction, settings)
            await send(ctx, _card(render_summary(summary, locale), locale))

    @group.register
    class Top(
        lightbulb.SlashCommand,
        name="vouches.cmd.top",
        description="vouches.cmd.top.desc",
        localize=True,
    ):
        page = lightbulb.integer(
            *option("vouches.opt.page"), default=1, min_value=1, max_value=MAX_PAGE, localize=True
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, vouches: VouchesService, settings: SettingsStore
        ) -> None:
            page = await vouches.top(guild_of(ctx), asker(ctx), self.page)
            locale = await locale_for(ctx.interaction, settings)
            await send(ctx, _card(render_top(page, locale), locale))

    loader.command(group)

    admin = ext.admin.subgroup("vouches.admin", "vouches.admin.desc", localize=True)

    @admin.register
    class Add(
        lightbulb.SlashCommand,
        name="vouches.admin.add",
        description="vouches.admin.add.desc",
        localize=True,
    ):
        provider = lightbulb.user(*option("vouches.opt.provider"), localize=True)
        voucher = lightbulb.user(*option("vouches.opt.voucher"), localize=True)
        reason = lightbulb.string(
            *option("vouches.opt.reason"), default=None, max_length=200, localize=True
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, vouches: VouchesService, settings: SettingsStore
        ) -> None:
            guild_id = guild_of(ctx)
            voucher = check_member(user_id(self.voucher), is_bot=self.voucher.is_bot)
            operation = vouches.add(
                guild_id,
                provider_id=user_id(self.provider),
                provider_is_bot=self.provider.is_bot,
                voucher_id=voucher,
                interaction_id=int(ctx.interaction.id),
                admin_id=asker(ctx),
                reason=self.reason or "",
            )
            vouch, _receipt = await settle(ctx, operation, ephemeral=False)
            locale = await locale_for(ctx.interaction, settings)
            text = i18n.text(
                "vouches.added",
                locale,
                voucher_id=str(vouch.voucher_id),
                provider_id=str(vouch.provider_id),
                voucher_points=vouch.voucher_points,
                id=str(ctx.interaction.id),
            )
            await send(ctx, _card(text, locale, embeds.SUCCESS))

    @admin.register
    class Remove(
        lightbulb.SlashCommand,
        name="vouches.admin.remove",
        description="vouches.admin.remove.desc",
        localize=True,
    ):
        message_id = lightbulb.string(
            *option("vouches.opt.message_id"), max_length=200, localize=True
        )
        reason = lightbulb.string(
            *option("vouches.opt.reason"), default=None, max_length=200, localize=True
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, vouches: VouchesService, settings: SettingsStore
        ) -> None:
            vouch_id = parse_vouch_id(self.message_id)
            operation = vouches.remove(
                guild_of(ctx), vouch_id, admin_id=asker(ctx), reason=self.reason or ""
            )
            removal = await settle(ctx, operation, ephemeral=False)
            locale = await locale_for(ctx.interaction, settings)
            who = {
                "voucher_id": str(removal.vouch.voucher_id),
                "provider_id": str(removal.vouch.provider_id),
            }
            if removal.vouch.state == "pending":
                text = i18n.text("vouches.withdrawn", locale, **who)
            else:
                text = i18n.text(
                    "vouches.removed",
                    locale,
                    voucher_points=removal.voucher_taken,
                    provider_points=removal.provider_taken,
                    **who,
                )
                short = removal.voucher_short + removal.provider_short
                if short:
                    text += "\n" + i18n.text("vouches.removed_short", locale, short=short)
            await send(ctx, _card(text, locale, embeds.SUCCESS))

    async def decide(click: Click, action: review.ReviewAction) -> None:
        _action, message_id = review.decode(click.interaction.custom_id)
        vouches = click.app.service(VouchesService)
        moderator = await is_admin(
            click.interaction.member, click.interaction.guild_id, click.app.settings
        )
        _vouch, decision = await vouches.decide(
            click.guild_id,
            message_id,
            action,
            moderator_id=click.user_id,
            is_moderator=moderator,
        )
        locale = await vouches.locale(click.guild_id)  # the moderators' channel's language
        await click.update(_card(review_outcome(decision, locale), locale, embeds.SUCCESS))

    async def approve(click: Click) -> None:
        await decide(click, "approve")

    async def deny(click: Click) -> None:
        await decide(click, "deny")

    ext.components.register(CODEC, "approve", approve)
    ext.components.register(CODEC, "deny", deny)

    config_commands(ext, "vouches", SETTINGS, check=check_settings)


async def _reverse(vouches: VouchesService, guild_id: int, message_ids: Iterable[int]) -> None:
    ids = list(message_ids)
    try:
        await vouches.on_deleted(guild_id, ids)
    except Exception as e:
        _failed("vouch_reversal_failed", e, guild_id=guild_id, message_ids=ids[:20])


def _failed(event: str, error: Exception, **fields: Any) -> None:
    if isinstance(error, VouchyError):
        log.warning(event, code=error.code, reason=error.message, **fields)
    else:
        log.error(event, error=repr(error), exc_info=error, **fields)
