"""FakeDiscord: aiohttp server on 127.0.0.1 serving the REST API (recorded, OpenAPI-validated)
and the gateway websocket, with guild state, interaction replies and helpers to wait on them."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import datetime
import inspect
import itertools
import json
import re
import secrets
import time
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

from aiohttp import BodyPartReader, web

from . import payloads
from .gateway import PRIVILEGED, Gateway, GatewaySession, Undelivered
from .models import MANAGE_GUILD, Guild, Member, User, default_guild, iso, next_snowflake
from .openapi import OpenAPIValidator, PathTemplates

API_PREFIX = "/api/v10"
CDN_PREFIX = "/attachments"  # where the fake serves attachment bytes, as Discord's CDN does
EPHEMERAL = 1 << 6
LOADING = 1 << 7

# Interaction callback types.
PONG = 1
CHANNEL_MESSAGE_WITH_SOURCE = 4
DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
APPLICATION_COMMAND_AUTOCOMPLETE_RESULT = 8
MODAL = 9


@dataclasses.dataclass
class RecordedRequest:
    """One REST request the bot made, as the fake saw and answered it."""

    method: str
    path: str  # relative to /api/v10, e.g. "/channels/123/messages"
    template: str | None  # OpenAPI template matched, e.g. "/channels/{channel_id}/messages"
    params: dict[str, str]
    query: dict[str, list[str]]
    json: Any  # the JSON body, or the multipart payload_json; None without a body
    files: list[str]  # file names of multipart attachments
    reason: str | None  # X-Audit-Log-Reason
    time: float
    violations: list[str] = dataclasses.field(default_factory=list)
    status: int = 0
    response: Any = None
    # The bytes of each multipart attachment, by file name (an export's CSV, an image).
    attachments: dict[str, bytes] = dataclasses.field(default_factory=dict)

    def q(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def __repr__(self) -> str:
        return f"<{self.method} {self.path} -> {self.status}>"


@dataclasses.dataclass
class Reply:
    """What a route handler answers: a status and a JSON body (None for no body)."""

    status: int = 200
    body: Any = None


def error(status: int, code: int, message: str) -> Reply:
    return Reply(status, {"code": code, "message": message})


Handler = Callable[[RecordedRequest], Any]


@dataclasses.dataclass
class InteractionRecord:
    """An interaction the fake dispatched, and what the bot did with it."""

    id: int
    token: str
    payload: dict[str, Any]
    callback_type: int | None = None
    callback_body: Any = None
    original_message_id: int | None = None
    replies: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    followup_ids: list[int] = dataclasses.field(default_factory=list)

    @property
    def acknowledged(self) -> bool:
        return self.callback_type is not None


class _RequestWaiter:
    def __init__(self, match: Callable[[RecordedRequest], bool]) -> None:
        self.match = match
        self.future: asyncio.Future[RecordedRequest] = asyncio.get_running_loop().create_future()


def _reply_view(kind: str, callback_type: int | None, data: Any, msg: Any) -> dict[str, Any]:
    """What an interaction reply says: the request's fields, else the resulting message's."""
    data = data if isinstance(data, dict) else {}
    shown = msg if isinstance(msg, dict) else {}

    def field(name: str, default: Any) -> Any:
        value = data[name] if name in data else shown.get(name)
        return default if value is None else value

    flags = int(field("flags", 0))
    return {
        "kind": kind,  # "callback" | "followup" | "edit"
        "type": callback_type,
        "content": field("content", None),
        "embeds": field("embeds", []),
        "flags": flags,
        "ephemeral": bool(flags & EPHEMERAL),
        "components": field("components", []),
        "data": data,
        "message": msg,
    }


def _query_multi(request: web.Request) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in request.query.items():
        out.setdefault(key, []).append(value)
    return out


class FakeDiscord:
    """A fake Discord (REST + gateway) on 127.0.0.1 for the real hikari GatewayBot.

    ```
    fake = FakeDiscord()
    await fake.start()
    bot = hikari.GatewayBot(fake.token, rest_url=fake.rest_url, intents=...)
    ```
    Every REST request is recorded in `requests` and checked against Discord's OpenAPI
    description; problems land in `violations` (the pytest fixture fails the test on them).

    Options: `validate` (check requests), `reject_invalid` (answer an invalid request 400
    Invalid Form Body, as Discord would, instead of serving it), `check_responses` (also check
    the fake's own answers against the documented response schemas), `echo_messages` (send
    MESSAGE_CREATE/UPDATE for messages the bot posts, as Discord does), `heartbeat_interval`
    (seconds, sent in HELLO).
    """

    def __init__(
        self,
        *,
        guilds: Sequence[Guild] | None = None,
        application_id: int | None = None,
        bot_user_id: int | None = None,
        bot_username: str = "Vouchy",
        validate: bool = True,
        reject_invalid: bool = False,
        check_responses: bool = False,
        echo_messages: bool = True,
        heartbeat_interval: float = 41.25,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.application_id = application_id or next_snowflake()
        self.bot_user_id = bot_user_id or self.application_id
        self.bot_user = User(self.bot_user_id, bot_username, bot=True)
        self.owner_user = User(next_snowflake(), "app-owner")
        self.guilds: list[Guild] = (
            list(guilds) if guilds is not None else [default_guild(self.bot_user)]
        )
        self.token = ".".join(
            (
                base64.b64encode(str(self.bot_user_id).encode()).decode(),
                base64.urlsafe_b64encode(int(time.time()).to_bytes(4, "big")).decode().rstrip("="),
                secrets.token_urlsafe(27),
            )
        )
        self.validate = validate
        self.reject_invalid = reject_invalid
        self.check_responses = check_responses
        self.echo_messages = echo_messages
        # Privileged intents switched on in the developer portal (all of them unless a test
        # turns some off: an IDENTIFY asking for another is closed with 4014).
        self.privileged_intents = PRIVILEGED
        self.requests: list[RecordedRequest] = []
        self.violations: list[str] = []
        self.messages: dict[int, dict[str, Any]] = {}
        self.dm_channels: dict[int, int] = {}  # DM channel id -> the user it is with
        self._nonces: dict[tuple[int, str], dict[str, Any]] = {}  # enforce_nonce
        self.commands: dict[int | None, list[dict[str, Any]]] = {}  # by guild id, None = global
        self.interactions: dict[int, InteractionRecord] = {}
        self._by_token: dict[str, InteractionRecord] = {}
        self._reply_waiters: dict[int, list[asyncio.Future[dict[str, Any]]]] = {}
        self._request_waiters: list[_RequestWaiter] = []
        self._custom_routes: dict[str, PathTemplates] = {}
        self._custom_handlers: dict[tuple[str, str], Handler] = {}
        self._validator = OpenAPIValidator.default()
        self._builtin: dict[tuple[str, str], Handler] = self._builtin_routes()
        self._command_versions = itertools.count(next_snowflake())
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self.gateway = Gateway(self, heartbeat_interval=heartbeat_interval)
        # The CDN: bytes of attachments made with `attachment()`, by id; and the ids fetched.
        self.files: dict[int, tuple[bytes, str | None]] = {}
        self.cdn_fetches: list[int] = []

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._handle_rest)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway-resume", self.gateway.handle)
        app.router.add_get(CDN_PREFIX + "/{attachment_id}/{filename}", self._serve_attachment)
        app.router.add_route("*", "/{tail:.*}", self._handle_outside_api)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        for waiter in self._request_waiters:
            waiter.future.cancel()
        for futures in self._reply_waiters.values():
            for future in futures:
                future.cancel()

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self._port}"

    @property
    def rest_url(self) -> str:
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://{self._host}:{self._port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://{self._host}:{self._port}/gateway-resume"

    # ------------------------------------------------------------ state helpers

    @property
    def guild(self) -> Guild:
        """The first configured guild."""
        return self.guilds[0]

    def find_guild(self, guild_id: int) -> Guild | None:
        return next((g for g in self.guilds if g.id == guild_id), None)

    def _guild_of_channel(self, channel_id: int) -> Guild | None:
        for guild in self.guilds:
            if any(c.id == channel_id for c in guild.channels):
                return guild
        return None

    def _find_user(self, user_id: int) -> User | None:
        if user_id == self.bot_user.id:
            return self.bot_user
        for guild in self.guilds:
            if (m := guild.find_member(user_id)) is not None:
                return m.user
        return None

    @property
    def identify(self) -> dict[str, Any] | None:
        """The last IDENTIFY payload the bot sent (token, intents, shard, properties...)."""
        return self.gateway.identifies[-1] if self.gateway.identifies else None

    @property
    def intents(self) -> int | None:
        return self.identify["intents"] if self.identify else None

    @property
    def sessions(self) -> list[GatewaySession]:
        return list(self.gateway.sessions.values())

    @property
    def heartbeat_acks(self) -> int:
        return self.gateway.heartbeat_acks

    @property
    def undelivered(self) -> list[Undelivered]:
        """Events a session did not get because it lacked the needed intent."""
        return self.gateway.undelivered

    def channel_messages(self, channel_id: int) -> list[dict[str, Any]]:
        return [m for m in self.messages.values() if int(m["channel_id"]) == channel_id]

    def direct_messages(self, user_id: int) -> list[dict[str, Any]]:
        """Messages the bot sent to ``user_id`` in a direct message."""
        return [
            m
            for m in self.messages.values()
            if self.dm_channels.get(int(m["channel_id"])) == user_id
        ]

    # ------------------------------------------------------------ the CDN

    def attachment(
        self,
        data: bytes,
        filename: str = "image.png",
        *,
        content_type: str | None = "image/png",
        width: int | None = 64,
        height: int | None = 64,
    ) -> dict[str, Any]:
        """An attachment object (for `payloads.message_create`) whose `url` this fake serves:
        GET it and get `data` back, as from Discord's CDN. Fetches are counted in
        `cdn_fetches` (by attachment id)."""
        out = payloads.attachment(
            filename, size=len(data), content_type=content_type, width=width, height=height
        )
        url = f"{self.base_url}{CDN_PREFIX}/{out['id']}/{urllib.parse.quote(filename)}"
        out["url"] = out["proxy_url"] = url
        self.files[int(out["id"])] = (data, content_type)
        return out

    async def _serve_attachment(self, request: web.Request) -> web.Response:
        raw = request.match_info["attachment_id"]
        attachment_id = int(raw) if raw.isdigit() else 0
        self.cdn_fetches.append(attachment_id)
        found = self.files.get(attachment_id)
        if found is None:
            return web.Response(status=404, text="Not Found")
        data, content_type = found
        return web.Response(body=data, content_type=content_type or "application/octet-stream")

    # ------------------------------------------------------------ gateway API

    async def dispatch(self, event: str, data: Any) -> int:
        """Send a dispatch to every connected session allowed to get it (by intents).

        Sessions whose connection dropped get it on RESUME. Returns how many sessions got it.
        """
        return await self.gateway.dispatch(event, data)

    async def disconnect_gateway(self, *, code: int = 4000, abrupt: bool = False) -> None:
        """Drop the gateway connection(s); the bot should reconnect and RESUME."""
        await self.gateway.disconnect(code=code, abrupt=abrupt)

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT to the connected sessions."""
        await self.gateway.send_reconnect()

    async def invalidate_sessions(self, *, resumable: bool = False) -> None:
        await self.gateway.invalidate_sessions(resumable=resumable)

    async def wait_for_ready(self, timeout: float = 5.0) -> GatewaySession:  # noqa: ASYNC109
        """Wait until a session has been sent READY and its GUILD_CREATEs."""
        session: GatewaySession = await self.gateway.wait_until(
            lambda: next((s for s in self.sessions if s.ready.is_set()), None),
            timeout,
            "a session to get READY",
        )
        return session

    async def wait_for_resume(self, count: int = 1, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has RESUMEd `count` times in total."""
        await self.gateway.wait_until(
            lambda: self.gateway.resumes >= count, timeout, f"{count} RESUME(s)"
        )

    async def wait_for_heartbeat_ack(self, count: int = 1, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        await self.gateway.wait_until(
            lambda: self.gateway.heartbeat_acks >= count, timeout, f"{count} heartbeat ack(s)"
        )

    # ------------------------------------------------------------ interactions

    def _register_interaction(self, payload: dict[str, Any]) -> InteractionRecord:
        record = InteractionRecord(int(payload["id"]), payload["token"], payload)
        self.interactions[record.id] = record
        self._by_token[record.token] = record
        return record

    async def dispatch_interaction(self, payload: dict[str, Any]) -> int:
        """Dispatch an INTERACTION_CREATE built by `payloads`; return the interaction id."""
        record = self._register_interaction(payload)
        message = payload.get("message")
        if isinstance(message, dict) and int(message["id"]) not in self.messages:
            self.messages[int(message["id"])] = message
        await self.dispatch("INTERACTION_CREATE", payload)
        return record.id

    def registered_command(self, name: str, guild_id: int | None = None) -> dict[str, Any] | None:
        """A command the bot PUT/POSTed: guild commands of `guild_id` first, then global ones."""
        for scope in (guild_id, None) if guild_id is not None else (None,):
            for command in self.commands.get(scope, ()):
                if command["name"] == name and command.get("type", 1) == 1:
                    return command
        return None

    async def slash(
        self,
        command: str,
        *,
        user: payloads.UserLike,
        options: Sequence[dict[str, Any]] | None = None,
        guild: Guild | None = None,
        channel_id: int | None = None,
        users: Iterable[User] = (),
        locale: str = "en-US",
        **values: Any,
    ) -> int:
        """Invoke a registered slash command as `user`; return the interaction id.

        `command` may name a subcommand ("vouch give"). Option values come as keyword
        arguments and get their types from the command the bot registered (User/Member/Role/
        Channel objects or ids for those option types), or pass `options` built with
        `payloads.opt_*` to skip that lookup.
        """
        guild = guild or (self.guild if self.guilds else None)
        root, *path = command.split()
        registered = self.registered_command(root, guild.id if guild else None)
        if registered is None:
            raise LookupError(
                f"slash command {root!r} has not been registered by the bot (no PUT seen); "
                f"registered: {self._registered_names()}"
            )
        if options is None:
            options = self._build_options(registered, path, values)
        elif values:
            raise TypeError("pass option values either as keywords or as options, not both")
        payload = payloads.slash_command_interaction(
            application_id=self.application_id,
            guild=guild,
            invoker=user,
            name=root,
            options=options,
            command_id=int(registered["id"]),
            command_guild_id=int(registered["guild_id"]) if registered.get("guild_id") else None,
            channel_id=channel_id,
            users=users,
            locale=locale,
        )
        return await self.dispatch_interaction(payload)

    def _registered_names(self) -> list[str]:
        return sorted({c["name"] for cmds in self.commands.values() for c in cmds})

    @staticmethod
    def _build_options(
        registered: dict[str, Any], path: list[str], values: dict[str, Any]
    ) -> list[dict[str, Any]]:
        specs = registered.get("options") or []
        chain: list[dict[str, Any]] = []
        for name in path:
            sub = next(
                (o for o in specs if o["name"] == name and o["type"] in (1, 2)),
                None,
            )
            if sub is None:
                raise LookupError(f"{registered['name']} has no subcommand (group) {name!r}")
            chain.append(sub)
            specs = sub.get("options") or []
        if specs and specs[0]["type"] in (1, 2):
            raise LookupError(
                f"{registered['name']} needs a subcommand: {[o['name'] for o in specs]}"
            )
        leaf: list[dict[str, Any]] = []
        by_name = {o["name"]: o for o in specs}
        for name, value in values.items():
            spec = by_name.get(name)
            if spec is None:
                raise LookupError(f"{' '.join([registered['name'], *path])} has no option {name!r}")
            leaf.append(payloads.option(name, spec["type"], value))
        for spec in specs:
            if spec.get("required") and spec["name"] not in values:
                raise TypeError(f"missing required option {spec['name']!r}")
        for sub in reversed(chain):
            leaf = [{"name": sub["name"], "type": sub["type"], "options": leaf}]
        return leaf

    async def click(
        self,
        custom_id: str,
        *,
        user: payloads.UserLike,
        message: dict[str, Any] | int | None = None,
        guild: Guild | None = None,
        values: Sequence[str] | None = None,
        component_type: int = payloads.BUTTON,
        locale: str = "en-US",
    ) -> int:
        """Click a button (or pick select `values`) on `message` (dict or id of a stored message)."""
        guild = guild or (self.guild if self.guilds else None)
        if isinstance(message, int):
            message = self.messages[message]
        channel_id = int(message["channel_id"]) if message else None
        payload = payloads.button_interaction(
            application_id=self.application_id,
            guild=guild,
            invoker=user,
            custom_id=custom_id,
            message=message,
            bot_user=self.bot_user,
            channel_id=channel_id,
            component_type=component_type,
            values=values,
            locale=locale,
        )
        return await self.dispatch_interaction(payload)

    async def interaction_reply(self, interaction_id: int, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        """The first reply to an interaction.

        A dict with `content`, `embeds`, `flags`, `ephemeral`, `components`, `kind`
        ("callback", "followup" or "edit"), `type` (callback type), `data` and `message`.
        A deferral is not a reply: for deferred interactions this is the follow-up or edit.
        """
        record = self.interactions.get(interaction_id)
        if record is None:
            raise LookupError(f"interaction {interaction_id} was not dispatched by this fake")
        if record.replies:
            return record.replies[0]
        future = asyncio.get_running_loop().create_future()
        self._reply_waiters.setdefault(interaction_id, []).append(future)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            state = (
                f"acknowledged with type {record.callback_type}"
                if record.acknowledged
                else "never acknowledged"
            )
            raise TimeoutError(
                f"no reply to interaction {interaction_id} within {timeout}s ({state}); "
                f"last requests: {self.requests[-5:]}"
            ) from None
        finally:
            waiters = self._reply_waiters.get(interaction_id, [])
            if future in waiters:
                waiters.remove(future)

    def interaction_replies(self, interaction_id: int) -> list[dict[str, Any]]:
        return list(self.interactions[interaction_id].replies)

    def _add_reply(self, record: InteractionRecord, reply: dict[str, Any]) -> None:
        record.replies.append(reply)
        if len(record.replies) == 1:
            for future in self._reply_waiters.pop(record.id, []):
                if not future.done():
                    future.set_result(reply)

    # ------------------------------------------------------------ requests

    def route(self, method: str, path_template: str, handler: Handler) -> None:
        """Answer `method path_template` with `handler(request)` (sync or async).

        The handler gets a RecordedRequest and returns a JSON-able body (200), a Reply, or
        None (204). Overrides built-in routes; the request is still validated and recorded.
        """
        method = method.upper()
        templates = self._custom_routes.setdefault(method, PathTemplates())
        templates.add(path_template)
        self._custom_handlers[(method, path_template)] = handler

    def requests_to(self, method: str | None, path: str | re.Pattern[str]) -> list[RecordedRequest]:
        """Recorded requests matching a method (None = any) and a template or regex."""
        match = self._matcher(method, path)
        return [r for r in self.requests if match(r)]

    @staticmethod
    def _matcher(
        method: str | None,
        path: str | re.Pattern[str],
        predicate: Callable[[RecordedRequest], bool] | None = None,
    ) -> Callable[[RecordedRequest], bool]:
        method = method.upper() if method and method != "*" else None
        if isinstance(path, str) and "{" in path:
            templates = PathTemplates([path])

            def path_ok(r: RecordedRequest) -> bool:
                return r.template == path or templates.match(r.path) is not None
        else:
            pattern = re.compile(path) if isinstance(path, str) else path

            def path_ok(r: RecordedRequest) -> bool:
                return pattern.fullmatch(r.path) is not None

        def match(r: RecordedRequest) -> bool:
            return (
                (method is None or r.method == method)
                and path_ok(r)
                and (predicate is None or bool(predicate(r)))
            )

        return match

    async def wait_for_request(
        self,
        method: str | None,
        path: str | re.Pattern[str],
        predicate: Callable[[RecordedRequest], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        since: int = 0,
    ) -> RecordedRequest:
        """The first request (from index `since` of `requests` on) matching, waiting if needed.

        `path` is an OpenAPI-style template ("/channels/{channel_id}/messages") or a regex
        matched against the whole path relative to /api/v10. Pass `since=len(fake.requests)`
        to only accept requests made from now on.
        """
        match = self._matcher(method, path, predicate)
        for recorded in self.requests[since:]:
            if match(recorded):
                return recorded
        waiter = _RequestWaiter(match)
        self._request_waiters.append(waiter)
        try:
            return await asyncio.wait_for(waiter.future, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"no {method or '*'} {path} request within {timeout}s; "
                f"last requests: {self.requests[-8:]}"
            ) from None
        finally:
            if waiter in self._request_waiters:
                self._request_waiters.remove(waiter)

    def _record(self, recorded: RecordedRequest) -> None:
        self.requests.append(recorded)
        for waiter in list(self._request_waiters):
            if not waiter.future.done() and waiter.match(recorded):
                waiter.future.set_result(recorded)

    async def _handle_outside_api(self, request: web.Request) -> web.Response:
        self.violations.append(f"{request.method} {request.path}: not under {API_PREFIX}")
        return web.json_response({"message": "404: Not Found", "code": 0}, status=404)

    async def _read_body(
        self, request: web.Request
    ) -> tuple[bool, Any, list[str], str, dict[str, bytes]]:
        if not request.can_read_body:
            return False, None, [], "", {}
        content_type = request.content_type
        if content_type == "multipart/form-data":
            body: Any = None
            files: list[str] = []
            data: dict[str, bytes] = {}
            reader = await request.multipart()
            async for part in reader:
                assert isinstance(part, BodyPartReader)  # Discord's bodies do not nest
                if part.name == "payload_json":
                    body = json.loads(await part.text())
                else:
                    name = part.filename or part.name or ""
                    files.append(name)
                    data[name] = bytes(await part.read())
            return True, body, files, content_type, data
        raw = await request.read()
        if not raw:
            return False, None, [], content_type, {}
        if content_type == "application/json":
            try:
                return True, json.loads(raw), [], content_type, {}
            except ValueError:
                return True, raw, [], content_type, {}
        return True, raw, [], content_type, {}

    async def _handle_rest(self, request: web.Request) -> web.Response:
        raw_path = request.raw_path.split("?", 1)[0][len(API_PREFIX) :] or "/"
        path = "/".join(urllib.parse.unquote(s) for s in raw_path.split("/"))
        method = request.method.upper()
        has_body, body, files, content_type, attachments = await self._read_body(request)
        query = _query_multi(request)
        problems: list[str] = []
        if self.validate:
            found, problems = self._validator.validate_request(
                method,
                raw_path,
                query=query,
                body=body,
                has_body=has_body,
                content_type=content_type,
            )
        else:
            found = self._validator.templates.match(raw_path)
        template = found.template if found is not None else None
        params = {k: urllib.parse.unquote(v) for k, v in found.params.items()} if found else {}
        recorded = RecordedRequest(
            method=method,
            path=path,
            template=template,
            params=params,
            query=query,
            json=body,
            files=files,
            reason=urllib.parse.unquote(request.headers.get("X-Audit-Log-Reason", "")) or None,
            time=time.time(),
            violations=problems,
            attachments=attachments,
        )
        auth_problem = self._check_auth(request, template)
        if auth_problem:
            problems.append(f"{method} {path}: {auth_problem}")
        self.violations.extend(problems)
        if auth_problem:
            reply = Reply(401, {"message": "401: Unauthorized", "code": 0})
        elif problems and self.reject_invalid:
            reply = Reply(400, {"code": 50035, "message": "Invalid Form Body", "errors": {}})
        else:
            reply = await self._route(recorded)
        recorded.status, recorded.response = reply.status, reply.body
        if self.check_responses and template is not None:
            self.violations.extend(
                self._validator.validate_response(method, template, reply.status, reply.body)
            )
        self._record(recorded)
        if reply.body is None:
            return web.Response(status=reply.status)
        return web.json_response(
            reply.body, status=reply.status, dumps=lambda o: json.dumps(o, ensure_ascii=False)
        )

    def _check_auth(self, request: web.Request, template: str | None) -> str | None:
        if template is not None and (
            "{interaction_token}" in template or "{webhook_token}" in template
        ):
            return None
        header = request.headers.get("Authorization")
        if header != f"Bot {self.token}":
            return "missing or wrong Authorization header (expected 'Bot <token>')"
        return None

    async def _route(self, recorded: RecordedRequest) -> Reply:
        handler: Handler | None = None
        custom = self._custom_routes.get(recorded.method)
        if custom is not None and (found := custom.match(recorded.path)) is not None:
            handler = self._custom_handlers[(recorded.method, found.template)]
            recorded.params = {**found.params, **recorded.params}
        elif recorded.template is not None:
            handler = self._builtin.get((recorded.method, recorded.template))
        if handler is None:
            return Reply(404, {"message": "404: Not Found", "code": 0})
        try:
            result = handler(recorded)
            if inspect.isawaitable(result):
                result = await result
        except Exception as exc:
            if not recorded.violations:  # a valid request broke the fake: a harness bug
                self.violations.append(
                    f"{recorded.method} {recorded.path}: fake Discord failed to handle it: {exc!r}"
                )
            return Reply(400, {"code": 50035, "message": f"Invalid Form Body ({exc!r})"})
        if isinstance(result, Reply):
            return result
        if isinstance(result, web.Response):
            body = json.loads(result.text) if result.text else None
            return Reply(result.status, body)
        return Reply(204, None) if result is None else Reply(200, result)

    # ------------------------------------------------------------ built-in routes

    def _builtin_routes(self) -> dict[tuple[str, str], Handler]:
        app = "/applications/{application_id}"
        hook = "/webhooks/{webhook_id}/{webhook_token}"
        routes: dict[tuple[str, str], Handler] = {
            ("GET", "/gateway/bot"): self._get_gateway_bot,
            ("GET", "/gateway"): lambda r: {"url": self.gateway_url},
            ("GET", "/oauth2/applications/@me"): self._get_application,
            ("GET", "/applications/@me"): self._get_application,
            ("GET", "/users/@me"): lambda r: payloads.own_user(self.bot_user),
            ("GET", "/users/{user_id}"): self._get_user,
            ("POST", "/users/@me/channels"): self._create_dm,
            ("GET", app + "/commands"): self._get_commands,
            ("PUT", app + "/commands"): self._put_commands,
            ("POST", app + "/commands"): self._post_command,
            ("DELETE", app + "/commands/{command_id}"): self._delete_command,
            ("GET", app + "/guilds/{guild_id}/commands"): self._get_commands,
            ("PUT", app + "/guilds/{guild_id}/commands"): self._put_commands,
            ("POST", app + "/guilds/{guild_id}/commands"): self._post_command,
            ("DELETE", app + "/guilds/{guild_id}/commands/{command_id}"): self._delete_command,
            (
                "POST",
                "/interactions/{interaction_id}/{interaction_token}/callback",
            ): self._interaction_callback,
            ("POST", hook): self._execute_webhook,
            ("GET", hook + "/messages/@original"): self._get_webhook_message,
            ("PATCH", hook + "/messages/@original"): self._edit_webhook_message,
            ("DELETE", hook + "/messages/@original"): self._delete_webhook_message,
            ("GET", hook + "/messages/{message_id}"): self._get_webhook_message,
            ("PATCH", hook + "/messages/{message_id}"): self._edit_webhook_message,
            ("DELETE", hook + "/messages/{message_id}"): self._delete_webhook_message,
            ("GET", "/channels/{channel_id}"): self._get_channel,
            ("POST", "/channels/{channel_id}/messages"): self._create_message,
            ("GET", "/channels/{channel_id}/messages/{message_id}"): self._get_message,
            ("PATCH", "/channels/{channel_id}/messages/{message_id}"): self._edit_message,
            ("DELETE", "/channels/{channel_id}/messages/{message_id}"): self._delete_message,
            (
                "PUT",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me",
            ): lambda r: None,
            (
                "DELETE",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me",
            ): lambda r: None,
            ("GET", "/guilds/{guild_id}"): self._get_guild,
            ("GET", "/guilds/{guild_id}/invites"): self._get_invites,
            ("GET", "/guilds/{guild_id}/vanity-url"): self._get_vanity_url,
            ("GET", "/guilds/{guild_id}/roles"): self._get_roles,
            ("GET", "/guilds/{guild_id}/channels"): self._get_channels,
            ("GET", "/guilds/{guild_id}/members"): self._list_members,
            ("GET", "/guilds/{guild_id}/members/{user_id}"): self._get_member,
            ("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"): self._add_role,
            ("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"): self._remove_role,
        }
        return routes

    def _get_gateway_bot(self, r: RecordedRequest) -> Any:
        return {
            "url": self.gateway_url,
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 14_400_000,
                "max_concurrency": 1,
            },
        }

    def _get_application(self, r: RecordedRequest) -> Any:
        return {
            "id": str(self.application_id),
            "name": self.bot_user.username,
            "icon": None,
            "description": "",
            "type": None,
            "bot": payloads.user(self.bot_user),
            "summary": "",
            "bot_public": False,
            "bot_require_code_grant": False,
            "verify_key": secrets.token_hex(32),
            "flags": 0,
            "flags_new": "0",
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "owner": payloads.user(self.owner_user),
            "approximate_guild_count": len(self.guilds),
            "approximate_user_install_count": 0,
            "approximate_user_authorization_count": 0,
            "explicit_content_filter": 0,
            "team": None,
            "eligible_oauth2_scopes": [],
            "tags": [],
            "integration_types_config": {
                "0": {
                    "oauth2_install_params": {
                        "scopes": ["applications.commands", "bot"],
                        "permissions": "0",
                    }
                },
                "1": {},
            },
            "rpc_origins": [],
            "event_webhooks_url": None,
            "event_webhooks_status": 1,
            "event_webhooks_types": [],
        }

    def _get_user(self, r: RecordedRequest) -> Any:
        user = self._find_user(int(r.params["user_id"]))
        if user is None:
            return error(404, 10013, "Unknown User")
        return payloads.user(user)

    # -- application commands

    def _check_app(self, r: RecordedRequest) -> Reply | None:
        if int(r.params.get("application_id", self.application_id)) != self.application_id:
            return error(403, 50001, "Missing Access")
        guild_id = r.params.get("guild_id")
        if guild_id is not None and self.find_guild(int(guild_id)) is None:
            return error(403, 50001, "Missing Access")
        return None

    def _scope(self, r: RecordedRequest) -> int | None:
        guild_id = r.params.get("guild_id")
        return int(guild_id) if guild_id is not None else None

    def _store_command(self, scope: int | None, raw: dict[str, Any]) -> dict[str, Any]:
        existing = next(
            (
                c
                for c in self.commands.get(scope, [])
                if c["name"] == raw.get("name") and c["type"] == raw.get("type", 1)
            ),
            None,
        )
        command_type = raw.get("type", 1)
        command: dict[str, Any] = {
            "id": existing["id"] if existing else str(next_snowflake()),
            "application_id": str(self.application_id),
            "version": str(next(self._command_versions)),
            "type": command_type,
            "name": raw["name"],
            "name_localizations": raw.get("name_localizations") or None,
            "description": raw.get("description", "") if command_type == 1 else "",
            "description_localizations": raw.get("description_localizations") or None,
            "default_member_permissions": raw.get("default_member_permissions"),
            "nsfw": bool(raw.get("nsfw", False)),
        }
        if raw.get("options"):
            command["options"] = raw["options"]
        if scope is not None:
            command["guild_id"] = str(scope)
        else:
            command["integration_types"] = raw.get("integration_types") or [0]
            command["contexts"] = raw.get("contexts")
            command["dm_permission"] = raw.get("dm_permission", True)
        return command

    def _get_commands(self, r: RecordedRequest) -> Any:
        return self._check_app(r) or list(self.commands.get(self._scope(r), []))

    def _put_commands(self, r: RecordedRequest) -> Any:
        if (problem := self._check_app(r)) is not None:
            return problem
        scope = self._scope(r)
        stored = [self._store_command(scope, raw) for raw in (r.json or [])]
        self.commands[scope] = stored
        return stored

    def _post_command(self, r: RecordedRequest) -> Any:
        if (problem := self._check_app(r)) is not None:
            return problem
        scope = self._scope(r)
        command = self._store_command(scope, r.json or {})
        commands = [c for c in self.commands.get(scope, []) if c["id"] != command["id"]]
        self.commands[scope] = [*commands, command]
        return Reply(201, command)

    def _delete_command(self, r: RecordedRequest) -> Any:
        scope = self._scope(r)
        before = self.commands.get(scope, [])
        after = [c for c in before if c["id"] != r.params["command_id"]]
        if len(after) == len(before):
            return error(404, 10063, "Unknown application command")
        self.commands[scope] = after
        return None

    # -- messages

    def _new_message(
        self,
        *,
        channel_id: int,
        body: dict[str, Any],
        message_type: int = 0,
        webhook: bool = False,
        flags: int | None = None,
    ) -> dict[str, Any]:
        guild = self._guild_of_channel(channel_id)
        content = body.get("content")
        content = "" if content is None else str(content)
        mentions = []
        for match in re.finditer(r"<@!?(\d+)>", content):
            user = self._find_user(int(match.group(1)))
            if user is not None and user not in mentions:
                mentions.append(user)
        msg = payloads.message(
            channel_id=channel_id,
            author=self.bot_user,
            content=content,
            guild=guild,
            embeds=body.get("embeds") or [],
            components=body.get("components") or [],
            mentions=mentions,
            mention_roles=[int(m) for m in re.findall(r"<@&(\d+)>", content)],
            flags=int(body.get("flags") or 0) if flags is None else flags,
            tts=bool(body.get("tts", False)),
            message_type=message_type,
            webhook_id=self.application_id if webhook else None,
            application_id=self.application_id if webhook else None,
            message_reference=self._reference(body.get("message_reference"), channel_id, guild),
        )
        if guild is not None:
            msg["guild_id"] = str(guild.id)
        self.messages[int(msg["id"])] = msg
        return msg

    @staticmethod
    def _reference(
        reference: dict[str, Any] | None, channel_id: int, guild: Guild | None
    ) -> dict[str, Any] | None:
        """A reply's reference as Discord stores it: the bot may send only the message id;
        the message names its channel and guild too."""
        if not reference:
            return None
        stored = {"type": 0, "channel_id": str(channel_id), **reference}
        if guild is not None:
            stored.setdefault("guild_id", str(guild.id))
        return stored

    async def _echo(self, msg: dict[str, Any], event: str = "MESSAGE_CREATE") -> None:
        if self.echo_messages and not int(msg.get("flags") or 0) & (EPHEMERAL | LOADING):
            await self.dispatch(event, msg)

    def _edit(self, msg: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        for key in ("content", "flags"):
            if key in body and body[key] is not None:
                msg[key] = body[key]
        if "embeds" in body:
            msg["embeds"] = [{"type": "rich", **e} for e in body["embeds"] or []]
        if "components" in body:
            msg["components"] = payloads.number_components(body["components"] or [])
        if "flags" not in body:
            msg["flags"] = int(msg.get("flags") or 0) & ~LOADING
        msg["edited_timestamp"] = iso(datetime.datetime.now(datetime.UTC))
        return msg

    def _get_channel(self, r: RecordedRequest) -> Any:
        channel_id = int(r.params["channel_id"])
        guild = self._guild_of_channel(channel_id)
        if guild is None:
            return error(404, 10003, "Unknown Channel")
        return payloads.channel(guild.channel(channel_id), guild.id)

    def _create_dm(self, r: RecordedRequest) -> Any:
        user = self._find_user(int((r.json or {}).get("recipient_id") or 0))
        if user is None:
            return error(400, 50033, "Invalid Recipient(s)")
        channel_id = next((c for c, u in self.dm_channels.items() if u == user.id), None)
        if channel_id is None:
            channel_id = next_snowflake()
            self.dm_channels[channel_id] = user.id
        return {
            "id": str(channel_id),
            "type": 1,
            "last_message_id": None,
            "flags": 0,
            "recipients": [payloads.user(user)],
        }

    async def _create_message(self, r: RecordedRequest) -> Any:
        channel_id = int(r.params["channel_id"])
        if self._guild_of_channel(channel_id) is None and channel_id not in self.dm_channels:
            return error(404, 10003, "Unknown Channel")
        body = r.json or {}
        if (
            not any(body.get(k) for k in ("content", "embeds", "components", "sticker_ids", "poll"))
            and not r.files
        ):
            return error(400, 50006, "Cannot send an empty message")
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            # Discord: the same nonce in the same channel within a few minutes is the same
            # message, answered again rather than created twice.
            earlier = self._nonces.get((channel_id, str(nonce)))
            if earlier is not None and int(earlier["id"]) in self.messages:
                return earlier
        msg = self._new_message(channel_id=channel_id, body=body)
        if nonce is not None and body.get("enforce_nonce"):
            self._nonces[(channel_id, str(nonce))] = msg
        await self._echo(msg)
        return msg

    def _channel_message(self, r: RecordedRequest) -> dict[str, Any] | None:
        msg = self.messages.get(int(r.params["message_id"]))
        if msg is None or msg["channel_id"] != r.params["channel_id"]:
            return None
        return msg

    def _get_message(self, r: RecordedRequest) -> Any:
        return self._channel_message(r) or error(404, 10008, "Unknown Message")

    async def _edit_message(self, r: RecordedRequest) -> Any:
        msg = self._channel_message(r)
        if msg is None:
            return error(404, 10008, "Unknown Message")
        self._edit(msg, r.json or {})
        await self._echo(msg, "MESSAGE_UPDATE")
        return msg

    def _delete_message(self, r: RecordedRequest) -> Any:
        msg = self._channel_message(r)
        if msg is None:
            return error(404, 10008, "Unknown Message")
        del self.messages[int(msg["id"])]
        return None

    # -- interactions and their webhooks

    async def _interaction_callback(self, r: RecordedRequest) -> Any:
        record = self.interactions.get(int(r.params["interaction_id"]))
        if record is None or record.token != r.params["interaction_token"]:
            return error(404, 10062, "Unknown interaction")
        if record.acknowledged:
            return error(400, 40060, "Interaction has already been acknowledged.")
        body = r.json or {}
        callback_type = int(body.get("type", 0))
        data = body.get("data") or {}
        record.callback_type, record.callback_body = callback_type, body
        channel_id = int(record.payload["channel_id"])
        interaction_type = record.payload["type"]
        resource: dict[str, Any] | None = None
        msg: dict[str, Any] | None = None
        if callback_type == CHANNEL_MESSAGE_WITH_SOURCE:
            msg = self._new_message(
                channel_id=channel_id,
                body=data,
                message_type=20 if interaction_type == 2 else 0,
                webhook=True,
            )
            record.original_message_id = int(msg["id"])
            resource = {"type": callback_type, "message": msg}
            self._add_reply(record, _reply_view("callback", callback_type, data, msg))
            await self._echo(msg)
        elif callback_type == DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE:
            flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
            msg = self._new_message(
                channel_id=channel_id,
                body={},
                message_type=20 if interaction_type == 2 else 0,
                webhook=True,
                flags=flags,
            )
            record.original_message_id = int(msg["id"])
            # No `resource` for a deferral: the spec only documents one for types 4, 7 and 12.
        elif callback_type in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE):
            original = record.payload.get("message")
            if original is None:
                return error(400, 40060, "Interaction has no message to update")
            record.original_message_id = int(original["id"])
            stored = self.messages.setdefault(record.original_message_id, original)
            if callback_type == UPDATE_MESSAGE:
                msg = self._edit(stored, data)
                resource = {"type": callback_type, "message": msg}
                self._add_reply(record, _reply_view("callback", callback_type, data, msg))
                await self._echo(msg, "MESSAGE_UPDATE")
        elif callback_type in (APPLICATION_COMMAND_AUTOCOMPLETE_RESULT, MODAL):
            self._add_reply(record, _reply_view("callback", callback_type, data, None))
        else:
            return error(
                400, 50035, f"Invalid Form Body: unsupported callback type {callback_type}"
            )
        if r.q("with_response") != "true":
            return None
        interaction: dict[str, Any] = {"id": str(record.id), "type": interaction_type}
        if msg is not None:
            interaction.update(
                response_message_id=msg["id"],
                response_message_loading=bool(int(msg["flags"]) & LOADING),
                response_message_ephemeral=bool(int(msg["flags"]) & EPHEMERAL),
            )
        out: dict[str, Any] = {"interaction": interaction}
        if resource is not None:
            out["resource"] = resource
        return out

    def _webhook_record(self, r: RecordedRequest) -> InteractionRecord | Reply:
        record = self._by_token.get(r.params["webhook_token"])
        if record is None or int(r.params["webhook_id"]) != self.application_id:
            return error(404, 10015, "Unknown Webhook")
        return record

    async def _execute_webhook(self, r: RecordedRequest) -> Any:
        record = self._webhook_record(r)
        if isinstance(record, Reply):
            return record
        if not record.acknowledged:
            return error(404, 10015, "Unknown Webhook")
        body = r.json or {}
        msg = self._new_message(
            channel_id=int(record.payload["channel_id"]), body=body, webhook=True
        )
        record.followup_ids.append(int(msg["id"]))
        self._add_reply(record, _reply_view("followup", None, body, msg))
        await self._echo(msg)
        return msg if r.q("wait") == "true" else None

    def _webhook_message(
        self, r: RecordedRequest, record: InteractionRecord
    ) -> dict[str, Any] | None:
        message_id = r.params.get("message_id")
        if message_id is None:  # @original
            if record.original_message_id is None:
                return None
            return self.messages.get(record.original_message_id)
        mid = int(message_id)
        if mid != record.original_message_id and mid not in record.followup_ids:
            return None
        return self.messages.get(mid)

    def _get_webhook_message(self, r: RecordedRequest) -> Any:
        record = self._webhook_record(r)
        if isinstance(record, Reply):
            return record
        return self._webhook_message(r, record) or error(404, 10008, "Unknown Message")

    async def _edit_webhook_message(self, r: RecordedRequest) -> Any:
        record = self._webhook_record(r)
        if isinstance(record, Reply):
            return record
        msg = self._webhook_message(r, record)
        if msg is None:
            return error(404, 10008, "Unknown Message")
        body = r.json or {}
        was_loading = bool(int(msg.get("flags") or 0) & LOADING)
        self._edit(msg, body)
        self._add_reply(record, _reply_view("edit", None, {**body, "flags": msg["flags"]}, msg))
        await self._echo(msg, "MESSAGE_CREATE" if was_loading else "MESSAGE_UPDATE")
        return msg

    def _delete_webhook_message(self, r: RecordedRequest) -> Any:
        record = self._webhook_record(r)
        if isinstance(record, Reply):
            return record
        msg = self._webhook_message(r, record)
        if msg is None:
            return error(404, 10008, "Unknown Message")
        self.messages.pop(int(msg["id"]), None)
        return None

    # -- guilds

    def _guild(self, r: RecordedRequest) -> Guild | Reply:
        guild = self.find_guild(int(r.params["guild_id"]))
        return guild if guild is not None else error(404, 10004, "Unknown Guild")

    def _get_guild(self, r: RecordedRequest) -> Any:
        guild = self._guild(r)
        if isinstance(guild, Reply):
            return guild
        out = payloads.guild_create(guild, unavailable=None)
        for key in (
            "members",
            "channels",
            "threads",
            "presences",
            "voice_states",
            "joined_at",
            "large",
            "member_count",
            "stage_instances",
            "guild_scheduled_events",
            "soundboard_sounds",
        ):
            out.pop(key, None)
        if r.q("with_counts") == "true":
            out.update(approximate_member_count=len(guild.members), approximate_presence_count=0)
        return out

    def _get_invites(self, r: RecordedRequest) -> Any:
        guild = self._guild(r)
        if isinstance(guild, Reply):
            return guild
        if not guild.bot_can(MANAGE_GUILD):  # Discord: listing invites needs Manage Server
            return error(403, 50013, "Missing Permissions")
        return [dict(invite) for invite in guild.invites]

    def _get_vanity_url(self, r: RecordedRequest) -> Any:
        guild = self._guild(r)
        if isinstance(guild, Reply):
            return guild
        if not guild.bot_can(MANAGE_GUILD):
            return error(403, 50013, "Missing Permissions")
        return {"code": guild.vanity_url_code, "uses": guild.vanity_uses}

    def _get_roles(self, r: RecordedRequest) -> Any:
        guild = self._guild(r)
        return guild if isinstance(guild, Reply) else [payloads.role(x) for x in guild.roles]

    def _get_channels(self, r: RecordedRequest) -> Any:
        guild = self._guild(r)
        if isinstance(guild, Reply):
            return guild
        return [payloads.channel(c, guild.id) for c in guild.channels]

    def _list_members(self, r: RecordedRequest) -> Any:
        guild = self._guild(r)
        if isinstance(guild, Reply):
            return guild
        after = int(r.q("after") or 0)
        limit = int(r.q("limit") or 1)
        members = sorted((m for m in guild.members if m.user.id > after), key=lambda m: m.user.id)
        return [payloads.member(m) for m in members[:limit]]

    def _get_member(self, r: RecordedRequest) -> Any:
        guild = self._guild(r)
        if isinstance(guild, Reply):
            return guild
        member = guild.find_member(int(r.params["user_id"]))
        return payloads.member(member) if member else error(404, 10007, "Unknown Member")

    async def _member_role(self, r: RecordedRequest, add: bool) -> Any:
        guild = self._guild(r)
        if isinstance(guild, Reply):
            return guild
        member = guild.find_member(int(r.params["user_id"]))
        if member is None:
            return error(404, 10007, "Unknown Member")
        role_id = int(r.params["role_id"])
        if not any(x.id == role_id for x in guild.roles):
            return error(404, 10011, "Unknown Role")
        if add and role_id not in member.roles:
            member.roles.append(role_id)
        elif not add and role_id in member.roles:
            member.roles.remove(role_id)
        else:
            return None
        await self.dispatch("GUILD_MEMBER_UPDATE", payloads.guild_member_add(guild, member))
        return None

    async def _add_role(self, r: RecordedRequest) -> Any:
        return await self._member_role(r, True)

    async def _remove_role(self, r: RecordedRequest) -> Any:
        return await self._member_role(r, False)

    # ------------------------------------------------------------ guild state changes

    async def add_member(
        self,
        user: User,
        *,
        guild: Guild | None = None,
        via_invite: str | None = None,
        roles: Sequence[int] = (),
        used_up_delete: Literal["before", "after"] | None = "after",
        dispatch: bool = True,
    ) -> Member:
        """A user joins: add them to the guild, bump the invite's uses (the vanity URL's when
        ``via_invite`` is its code), dispatch GUILD_MEMBER_ADD (unless ``dispatch`` is False:
        send it later with ``member_add_event``).

        A limited invite that reaches its ``max_uses`` leaves the list, as Discord does, and
        its INVITE_DELETE is sent ``used_up_delete`` the join's event ("before", "after", or
        None: not at all)."""
        guild = guild or self.guild
        member = Member(user, roles=list(roles))
        guild.members.append(member)
        used_up: dict[str, Any] | None = None
        if via_invite is not None and via_invite == guild.vanity_url_code:
            guild.vanity_uses += 1
        elif via_invite is not None:
            invite = next((i for i in guild.invites if i["code"] == via_invite), None)
            if invite is None:
                raise LookupError(f"guild {guild.id} has no invite {via_invite!r}")
            invite["uses"] = int(invite.get("uses", 0)) + 1
            if invite.get("max_uses") and invite["uses"] >= invite["max_uses"]:
                guild.invites.remove(invite)
                used_up = invite
        deleted = None
        if used_up is not None and used_up_delete is not None:
            channel_id = int(used_up["channel"]["id"])
            deleted = payloads.invite_delete(guild, used_up["code"], channel_id=channel_id)
        if deleted is not None and used_up_delete == "before":
            await self.dispatch("INVITE_DELETE", deleted)
        if dispatch:
            await self.member_add_event(member, guild=guild)
        if deleted is not None and used_up_delete == "after":
            await self.dispatch("INVITE_DELETE", deleted)
        return member

    async def member_add_event(self, member: Member, *, guild: Guild | None = None) -> None:
        """Dispatch GUILD_MEMBER_ADD for a member already added (a late or repeated event)."""
        guild = guild or self.guild
        await self.dispatch("GUILD_MEMBER_ADD", payloads.guild_member_add(guild, member))

    async def remove_member(self, user_id: int, *, guild: Guild | None = None) -> None:
        """A member leaves: remove them and dispatch GUILD_MEMBER_REMOVE."""
        guild = guild or self.guild
        member = guild.member(user_id)
        guild.members.remove(member)
        guild.voice_states.pop(user_id, None)
        await self.dispatch("GUILD_MEMBER_REMOVE", payloads.guild_member_remove(guild, member.user))

    async def set_voice_channel(
        self, user_id: int, channel_id: int | None, *, guild: Guild | None = None, **flags: bool
    ) -> None:
        """Move a member into a voice channel (None: leave) and dispatch VOICE_STATE_UPDATE."""
        guild = guild or self.guild
        previous = guild.voice_states.get(user_id)
        state = payloads.voice_state_update(
            guild,
            user_id,
            channel_id,
            session_id=previous["session_id"] if previous else None,
            **flags,
        )
        if channel_id is None:
            guild.voice_states.pop(user_id, None)
        else:
            guild.voice_states[user_id] = state
        await self.dispatch("VOICE_STATE_UPDATE", state)

    async def create_invite(
        self,
        code: str,
        *,
        inviter: payloads.UserLike | None = None,
        guild: Guild | None = None,
        dispatch: bool = True,
        **fields: Any,
    ) -> dict[str, Any]:
        """Add an invite (listed by GET /guilds/{id}/invites) and dispatch INVITE_CREATE."""
        guild = guild or self.guild
        invite = payloads.rest_guild_invite(guild, code, inviter=inviter, **fields)
        guild.invites.append(invite)
        if dispatch:
            await self.dispatch(
                "INVITE_CREATE", payloads.invite_create(guild, code, inviter=inviter, **fields)
            )
        return invite

    async def delete_invite(self, code: str, *, guild: Guild | None = None) -> None:
        guild = guild or self.guild
        invite = next(i for i in guild.invites if i["code"] == code)
        guild.invites.remove(invite)
        await self.dispatch(
            "INVITE_DELETE",
            payloads.invite_delete(guild, code, channel_id=int(invite["channel"]["id"])),
        )
