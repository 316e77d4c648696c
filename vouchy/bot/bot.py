"""The running bot: a ``hikari.GatewayBot``, the lightbulb client, the services put into
lightbulb's dependency injection, every extension, the heartbeat, and the one safe stop.

Stopping keeps the gateway open until the ledger has flushed: new commands are answered
"restarting", the commands in flight get their answers, the actors drain and the writer
commits (``Vouchy.close()``), a final snapshot is taken when the durability side offers one,
and only then is the gateway closed.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import time
from collections.abc import Sequence
from typing import Any

import hikari
import lightbulb

from vouchy import __version__
from vouchy.app import Vouchy
from vouchy.bot.checks import make_guard
from vouchy.bot.client import Gate, VouchyClient
from vouchy.bot.components import Components
from vouchy.bot.errors import on_command_failed
from vouchy.bot.extension import Extension, shared_groups
from vouchy.bot.outbox import OutboxWorker
from vouchy.core.config import Config
from vouchy.core.errors import ConfigError, VouchyError
from vouchy.core.logs import get_logger
from vouchy.features import extension_modules
from vouchy.ops.heartbeat import Heartbeat, beat_forever, heartbeat_path, latency_ms
from vouchy.store.settings import SettingsStore

log = get_logger("vouchy.bot")

# What the features need: commands and guilds; members (joins, invites); messages and their
# content (vouches, XP); voice states (voice XP); reactions; invites (attribution).
# GUILD_MEMBERS and MESSAGE_CONTENT are privileged: switch them on in the developer portal.
INTENTS = (
    hikari.Intents.GUILDS
    | hikari.Intents.GUILD_MEMBERS
    | hikari.Intents.GUILD_MESSAGES
    | hikari.Intents.MESSAGE_CONTENT
    | hikari.Intents.GUILD_VOICE_STATES
    | hikari.Intents.GUILD_MESSAGE_REACTIONS
    | hikari.Intents.GUILD_INVITES
)

# Events carry what the features read; caching every message and presence would only cost
# memory in a busy server.
CACHE = hikari.impl.CacheSettings(
    components=hikari.api.CacheComponents.ALL
    & ~(
        hikari.api.CacheComponents.MESSAGES
        | hikari.api.CacheComponents.PRESENCES
        | hikari.api.CacheComponents.DM_CHANNEL_IDS
        | hikari.api.CacheComponents.EMOJIS
        | hikari.api.CacheComponents.GUILD_STICKERS
    )
)

# Keep REST connections alive between requests: hikari's default closes the transport after
# every request (a workaround for Windows), which costs a new TCP and TLS handshake per answer.
# A request that meets a connection the server just closed is retried by hikari.
HTTP = hikari.impl.HTTPSettings(force_close_transports=False)

TOKEN_HELP = (
    "no Discord bot token: in the Discord developer portal "
    "(https://discord.com/developers/applications) open your application → Bot → Reset Token, "
    "then `export VOUCHY_DISCORD_TOKEN=<the token>` (or set discord.token in config.toml)"
)


class NoToken(ConfigError):
    code = "no_token"


def check_token(token: str) -> str:
    """A token in Discord's shape, before anything is opened (its id is the first part)."""
    token = token.strip()
    if not token:
        raise NoToken(TOKEN_HELP)
    try:
        hikari.applications.get_token_id(token)
    except ValueError:
        raise NoToken(
            "the bot token is not in Discord's format (three parts separated by dots): copy it "
            "again from the developer portal (your application → Bot → Reset Token)"
        ) from None
    return token


class StartFailed(VouchyError):
    code = "start_failed"


class VouchyBot:
    """The Discord side of a started ``Vouchy``; ``stop()`` closes both, in the safe order."""

    def __init__(
        self,
        app: Vouchy,
        *,
        token: str | None = None,
        rest_url: str | None = None,
        hooks: Sequence[lightbulb.ExecutionHook] = (),
        heartbeat: bool = True,
    ) -> None:
        config = app.config
        token = check_token(token or config.discord.token)
        self.app = app
        self.config = config
        self.heartbeat = heartbeat
        self.settings = app.settings
        self.gate = Gate()
        self.bot = hikari.GatewayBot(
            token,
            intents=INTENTS,
            rest_url=rest_url or config.discord.rest_url or None,
            cache_settings=CACHE,
            http_settings=HTTP,
            banner=None,
            logs=None,  # hikari logs through vouchy.core.logs' handlers
            suppress_optimization_warning=True,
        )
        self.components = Components()
        self.client = VouchyClient(
            self.bot,
            self.gate,
            self.components,
            app,
            guild_ids=config.discord.guild_ids,
            hooks=[make_guard(app.settings), *hooks],
        )
        registry = self.client.di.registry_for(lightbulb.di.Contexts.DEFAULT)
        registry.register_value(Vouchy, app)
        registry.register_value(Config, config)
        registry.register_value(SettingsStore, app.settings)
        registry.register_value(Gate, self.gate)
        for service in app.services.values():  # each feature's service, injected by its type
            registry.register_value(type(service), service)
        self.outbox = OutboxWorker(app, self.bot.rest)
        self.client.error_handler(on_command_failed)
        self.bot.subscribe(hikari.StartingEvent, self._sync_commands)
        self._sync_error: BaseException | None = None
        self._beating: asyncio.Task[None] | None = None
        self._started_at = 0.0
        self._stopped = False

    # -- starting ---------------------------------------------------------------------------

    async def load_extensions(self) -> None:
        """Every feature's extension or none: a module that fails to import stops the start,
        loudly (lightbulb's own loader would skip it, silently losing its commands)."""
        admin, settings = shared_groups()
        shared = lightbulb.Loader()
        for path in extension_modules():
            module = importlib.import_module(path)
            ext = Extension(self.config, lightbulb.Loader(), admin, settings, self.components)
            module.setup(ext)
            await ext.loader.add_to_client(self.client)
        shared.command(admin)
        shared.command(settings)
        await shared.add_to_client(self.client)
        for command in self.client.registered_commands:
            prime_injection(command)

    async def _sync_commands(self, _event: hikari.StartingEvent) -> None:
        """Before the gateway connects: register the commands (guilds in the config, else
        global), so no interaction arrives before lightbulb knows its command."""
        try:
            await self.client.start()
        except Exception as e:  # said once, after the gateway's own start (see start())
            self._sync_error = e
            log.warning("command_sync_failed", error=repr(e))

    async def start(self) -> None:
        self._started_at = time.monotonic()
        await self.load_extensions()
        try:
            await self.bot.start(check_for_updates=False)
        except hikari.UnauthorizedError:
            await self._close_gateway()
            raise StartFailed(
                "Discord refused the bot token (401 Unauthorized): reset it in the developer "
                "portal (your application → Bot → Reset Token) and set VOUCHY_DISCORD_TOKEN again"
            ) from None
        except (hikari.HTTPError, hikari.ComponentStateConflictError) as e:
            await self._close_gateway()
            if isinstance(e, hikari.HTTPResponseError):
                raise
            where = self.config.discord.rest_url or "https://discord.com"
            raise StartFailed(
                f"could not reach Discord at {where} ({e}): check the network and DNS"
                + (", and discord.rest_url" if self.config.discord.rest_url else "")
            ) from None
        except hikari.GatewayServerClosedConnectionError as e:
            await self._close_gateway()
            if e.code == 4014:
                raise StartFailed(
                    "Discord refused the gateway intents (4014): in the developer portal, "
                    "your application → Bot → Privileged Gateway Intents, switch on Server "
                    "Members Intent and Message Content Intent"
                ) from None
            raise
        except BaseException:
            await self._close_gateway()
            raise
        if self._sync_error is not None:
            await self._close_gateway()
            raise StartFailed(f"could not register the slash commands: {self._sync_error!r}")
        # Background work first: the outbox then starts with nothing awaited after it, and
        # carries out at its first poll whatever the background work decided meanwhile.
        try:
            await self.app.start_background()
        except BaseException:
            await self._close_gateway()
            raise
        self.outbox.start()
        if self.heartbeat:
            self._beating = asyncio.create_task(
                beat_forever(
                    self.config.data_dir, self.config.health.heartbeat_seconds, self.sample
                ),
                name="vouchy-heartbeat",
            )
        log.info(
            "bot_started",
            version=__version__,
            pid=os.getpid(),
            guilds=len(self.bot.cache.get_guilds_view()),
            commands=sorted(self.command_names()),
            command_scope=list(self.config.discord.guild_ids) or "global",
            intents=int(INTENTS),
            seconds=round(time.monotonic() - self._started_at, 3),
        )

    def command_names(self) -> set[str]:
        """Every slash command path lightbulb can invoke, e.g. ``"admin points add"``."""
        return {
            " ".join(path)
            for mapping in self.client.invokable_commands.values()
            for path in mapping
        }

    def gateway_latency_s(self) -> float | None:
        """Discord's heartbeat round trip in seconds; None before the first one."""
        ms = latency_ms(self.bot.heartbeat_latency)
        return None if ms is None else ms / 1000

    def sample(self) -> Heartbeat:
        return Heartbeat(
            pid=os.getpid(),
            time=time.time(),
            writer_alive=self.app.writer.alive,
            gateway_latency_ms=latency_ms(self.bot.heartbeat_latency),
            last_ledger_id=self.app.writer.last_ledger_id,
            version=__version__,
        )

    # -- stopping ---------------------------------------------------------------------------

    async def stop(self, reason: str = "requested", drain_timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Stop taking commands, answer those in flight, drain the actors, flush the writer,
        take the final snapshot, then close the gateway. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        self.gate.stopping = True
        log.info("bot_stopping", reason=reason, in_flight=self.gate.in_flight)
        drained = await self.gate.drained(drain_timeout)
        if not drained:
            log.warning("bot_stop_drain_timeout", in_flight=self.gate.in_flight)
        snapshot = None
        try:
            await self.outbox.stop()
            await self.app.close()
            taken = await self.app.final_snapshot()
            snapshot = taken.manifest.file if taken is not None else None
        finally:
            await self.gate.drained(2.0)  # the "restarting" answers sent meanwhile
            if self._beating is not None:
                self._beating.cancel()
                await asyncio.gather(self._beating, return_exceptions=True)
                # Stopped on purpose: `health` should say "not running", not "stale".
                heartbeat_path(self.config.data_dir).unlink(missing_ok=True)
            await self._close_gateway()
            log.info(
                "bot_stopped",
                reason=reason,
                drained=drained,
                duplicates_dropped=self.gate.duplicates,
                final_snapshot=snapshot,
                last_ledger_id=self.app.writer.last_ledger_id,
            )

    async def _close_gateway(self) -> None:
        try:
            await self.client.stop()
        finally:
            if self.bot.is_alive:
                await self.bot.close()


def prime_injection(command: Any) -> None:
    """Generate each command's dependency-injection code once, at load.

    lightbulb makes a new command instance per invocation, and linkd's copy bound to it does
    not keep the resolver it generates, so without this every command re-parses its own
    signature and ``exec``s new code (measured: ~9% of the CPU per interaction). An internal of
    linkd 0.6: if it moves, injection still works, just slower.
    """
    if isinstance(command, lightbulb.Group | lightbulb.SubGroup):
        for sub in command.subcommands.values():
            prime_injection(sub)
        return
    method = command.__dict__.get(command._command_data.invoke_method)
    try:
        if method is not None and method._dependency_func is None:
            method._dependency_func = method._codegen_dependency_func()
    except AttributeError:
        log.debug("injection_not_primed", command=command._command_data.name)
