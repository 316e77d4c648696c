"""The fake's websocket gateway: zlib-stream transport, HELLO/IDENTIFY/READY, heartbeats,
RESUME with replay, member chunking, and intent-filtered dispatch of events to sessions."""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import json
import logging
import secrets
import time
import zlib
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from . import payloads

if TYPE_CHECKING:
    from .server import FakeDiscord

_LOGGER = logging.getLogger(__name__)

# Gateway opcodes.
DISPATCH = 0
HEARTBEAT = 1
IDENTIFY = 2
PRESENCE_UPDATE = 3
VOICE_STATE_UPDATE = 4
RESUME = 6
RECONNECT = 7
REQUEST_GUILD_MEMBERS = 8
INVALID_SESSION = 9
HELLO = 10
HEARTBEAT_ACK = 11

# Intents.
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_MODERATION = 1 << 2
GUILD_INVITES = 1 << 6
GUILD_VOICE_STATES = 1 << 7
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
GUILD_MESSAGE_REACTIONS = 1 << 10
DM_MESSAGES = 1 << 12
DM_MESSAGE_REACTIONS = 1 << 13
MESSAGE_CONTENT = 1 << 15
PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT

_EVENT_INTENTS: dict[str, int] = {
    **dict.fromkeys(
        (
            "GUILD_CREATE",
            "GUILD_UPDATE",
            "GUILD_DELETE",
            "GUILD_ROLE_CREATE",
            "GUILD_ROLE_UPDATE",
            "GUILD_ROLE_DELETE",
            "CHANNEL_CREATE",
            "CHANNEL_UPDATE",
            "CHANNEL_DELETE",
            "THREAD_CREATE",
            "THREAD_UPDATE",
            "THREAD_DELETE",
        ),
        GUILDS,
    ),
    **dict.fromkeys(
        ("GUILD_MEMBER_ADD", "GUILD_MEMBER_UPDATE", "GUILD_MEMBER_REMOVE"), GUILD_MEMBERS
    ),
    **dict.fromkeys(
        ("GUILD_BAN_ADD", "GUILD_BAN_REMOVE", "GUILD_AUDIT_LOG_ENTRY_CREATE"), GUILD_MODERATION
    ),
    **dict.fromkeys(("INVITE_CREATE", "INVITE_DELETE"), GUILD_INVITES),
    "VOICE_STATE_UPDATE": GUILD_VOICE_STATES,
    "PRESENCE_UPDATE": GUILD_PRESENCES,
}
_MESSAGE_EVENTS = {"MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE", "MESSAGE_DELETE_BULK"}
_REACTION_EVENTS = {
    "MESSAGE_REACTION_ADD",
    "MESSAGE_REACTION_REMOVE",
    "MESSAGE_REACTION_REMOVE_ALL",
    "MESSAGE_REACTION_REMOVE_EMOJI",
}


def required_intent(event: str, data: dict[str, Any]) -> int:
    """The intent a session needs to receive `event` (0 when none is needed)."""
    if event in _MESSAGE_EVENTS:
        return GUILD_MESSAGES if "guild_id" in data else DM_MESSAGES
    if event in _REACTION_EVENTS:
        return GUILD_MESSAGE_REACTIONS if "guild_id" in data else DM_MESSAGE_REACTIONS
    return _EVENT_INTENTS.get(event, 0)


def _frame(op: int, d: Any, *, t: str | None = None, s: int | None = None) -> dict[str, Any]:
    return {"op": op, "d": d, "s": s, "t": t}


class GatewayConnection:
    """One websocket: serialises sends and compresses with one zlib stream per connection."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request, *, zlib_stream: bool):
        self.ws = ws
        self.request = request
        self.path = request.path
        self.query = dict(request.query)
        self.session: GatewaySession | None = None
        self.closed_by_server = False
        self._compressor = zlib.compressobj() if zlib_stream else None
        self._lock = asyncio.Lock()

    async def send(self, payload: dict[str, Any]) -> None:
        raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        async with self._lock:
            if self._compressor is not None:
                data = self._compressor.compress(raw) + self._compressor.flush(zlib.Z_SYNC_FLUSH)
                await self.ws.send_bytes(data)
            else:
                await self.ws.send_str(raw.decode())

    async def close(self, code: int, message: str, *, abrupt: bool = False) -> None:
        self.closed_by_server = True
        if abrupt:
            transport = self.request.transport
            if transport is not None:
                transport.abort()
            return
        try:
            await self.ws.close(code=code, message=message.encode())
        except ConnectionError:
            pass


@dataclasses.dataclass(eq=False)
class GatewaySession:
    """A gateway session: survives a dropped connection so that the bot can RESUME it."""

    session_id: str
    identify: dict[str, Any]
    intents: int
    shard: tuple[int, int]
    seq: int = 0
    connection: GatewayConnection | None = None
    buffer: collections.deque[dict[str, Any]] = dataclasses.field(
        default_factory=lambda: collections.deque(maxlen=10_000)
    )
    resumes: int = 0
    ready: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)
    lock: asyncio.Lock = dataclasses.field(default_factory=asyncio.Lock)

    @property
    def connected(self) -> bool:
        return self.connection is not None

    async def dispatch(self, event: str, data: Any) -> int:
        """Send (or buffer for replay when disconnected) one dispatch; return its sequence."""
        async with self.lock:
            return await self._dispatch_locked(event, data)

    async def _dispatch_locked(self, event: str, data: Any) -> int:
        self.seq += 1
        payload = _frame(DISPATCH, data, t=event, s=self.seq)
        self.buffer.append(payload)
        await self._send_locked(payload)
        return self.seq

    async def _send_locked(self, payload: dict[str, Any]) -> None:
        conn = self.connection
        if conn is None:
            return
        try:
            await conn.send(payload)
        except (ConnectionError, RuntimeError):
            if self.connection is conn:
                self.connection = None


@dataclasses.dataclass(frozen=True, slots=True)
class Undelivered:
    """An event a session did not get because it lacked the intent."""

    event: str
    session_id: str
    missing_intent: int


class Gateway:
    """All gateway sessions of one FakeDiscord."""

    def __init__(self, fake: FakeDiscord, *, heartbeat_interval: float) -> None:
        self._fake = fake
        self.heartbeat_interval = heartbeat_interval
        self.sessions: dict[str, GatewaySession] = {}
        self.connections: set[GatewayConnection] = set()
        self.received: list[dict[str, Any]] = []
        self.identifies: list[dict[str, Any]] = []
        self.connection_paths: list[str] = []
        self.heartbeat_acks = 0
        self.resumes = 0
        self.undelivered: list[Undelivered] = []
        self._changed = asyncio.Event()

    def _bump(self) -> None:
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    def _violation(self, message: str) -> None:
        self._fake.violations.append(f"gateway: {message}")

    # ------------------------------------------------------------ websocket handler

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        query = request.query
        compress = query.get("compress")
        conn = GatewayConnection(ws, request, zlib_stream=compress == "zlib-stream")
        self.connections.add(conn)
        self.connection_paths.append(request.path_qs)
        self._bump()
        try:
            if query.get("v") != "10":
                self._violation(f"connected with v={query.get('v')!r}, expected 10")
                await conn.close(4012, "Invalid API version")
                return ws
            if query.get("encoding", "json") != "json":
                self._violation(f"unsupported encoding {query.get('encoding')!r}")
                await conn.close(4002, "Error while decoding payload.")
                return ws
            if compress not in (None, "zlib-stream"):
                self._violation(f"unsupported transport compression {compress!r}")
                await conn.close(4000, "Unknown error")
                return ws
            await conn.send(
                _frame(
                    HELLO,
                    {
                        "heartbeat_interval": int(self.heartbeat_interval * 1000),
                        "_trace": ['["fake-discord-gateway",{"micros":0}]'],
                    },
                )
            )
            async for message in ws:
                if message.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    break
                try:
                    payload = json.loads(message.data)
                except ValueError:
                    self._violation(f"undecodable payload {message.data[:200]!r}")
                    await conn.close(4002, "Error while decoding payload.")
                    break
                await self._on_payload(conn, payload)
        finally:
            self.connections.discard(conn)
            session = conn.session
            if session is not None and session.connection is conn:
                session.connection = None
                # A client closing with 1000/1001 ends its session (Discord invalidates it).
                if not conn.closed_by_server and ws.close_code in (1000, 1001):
                    self.sessions.pop(session.session_id, None)
            self._bump()
        return ws

    async def _on_payload(self, conn: GatewayConnection, payload: dict[str, Any]) -> None:
        op = payload.get("op")
        d = payload.get("d")
        self.received.append({"op": op, "d": d, "time": time.time()})
        if op == HEARTBEAT:
            await conn.send(_frame(HEARTBEAT_ACK, None))
            self.heartbeat_acks += 1
            self._bump()
        elif op == IDENTIFY:
            await self._identify(conn, d or {})
        elif op == RESUME:
            await self._resume(conn, d or {})
        elif op == REQUEST_GUILD_MEMBERS:
            await self._request_members(conn, d or {})
        elif op in (PRESENCE_UPDATE, VOICE_STATE_UPDATE):
            pass
        else:
            self._violation(f"unknown opcode {op!r}")
            await conn.close(4001, "Unknown opcode.")

    async def _identify(self, conn: GatewayConnection, d: dict[str, Any]) -> None:
        if conn.session is not None:
            self._violation("IDENTIFY sent twice on one connection")
            await conn.close(4005, "Already authenticated.")
            return
        if d.get("token") != self._fake.token:
            self._violation("IDENTIFY with a wrong token")
            await conn.close(4004, "Authentication failed.")
            return
        intents = d.get("intents")
        if not isinstance(intents, int):
            self._violation(f"IDENTIFY without integer intents: {intents!r}")
            await conn.close(4013, "Invalid intent(s).")
            return
        if intents & PRIVILEGED & ~self._fake.privileged_intents:
            # What Discord does when the developer portal has not switched a privileged intent on.
            await conn.close(4014, "Disallowed intent(s).")
            return
        shard = tuple(d.get("shard") or (0, 1))
        session = GatewaySession(
            session_id=secrets.token_hex(16),
            identify=d,
            intents=intents,
            shard=(int(shard[0]), int(shard[1])),
        )
        self.identifies.append(d)
        self.sessions[session.session_id] = session
        conn.session = session
        fake = self._fake
        async with session.lock:
            session.connection = conn
            await session._dispatch_locked(
                "READY",
                payloads.ready(
                    bot_user=fake.bot_user,
                    application_id=fake.application_id,
                    guild_ids=[g.id for g in fake.guilds],
                    session_id=session.session_id,
                    resume_gateway_url=fake.resume_gateway_url,
                    shard=session.shard,
                ),
            )
            for guild in fake.guilds:
                if intents & GUILD_PRESENCES:
                    members = None
                else:
                    # Without GUILD_PRESENCES Discord only sends the bot and members in voice.
                    members = [
                        m for m in guild.members if m.user.bot or m.user.id in guild.voice_states
                    ]
                await session._dispatch_locked(
                    "GUILD_CREATE", payloads.guild_create(guild, members=members)
                )
        session.ready.set()
        self._bump()

    async def _resume(self, conn: GatewayConnection, d: dict[str, Any]) -> None:
        if d.get("token") != self._fake.token:
            self._violation("RESUME with a wrong token")
            await conn.close(4004, "Authentication failed.")
            return
        session = self.sessions.get(d.get("session_id") or "")
        seq = d.get("seq")
        if session is None or not isinstance(seq, int):
            await conn.send(_frame(INVALID_SESSION, False))
            return
        async with session.lock:
            replay = [p for p in session.buffer if p["s"] > seq]
            if seq < session.seq and (not replay or replay[0]["s"] != seq + 1):
                await conn.send(_frame(INVALID_SESSION, False))
                return
            old = session.connection
            if old is not None and old is not conn:
                await old.close(4000, "Session resumed elsewhere")
            session.connection = conn
            conn.session = session
            for payload in replay:
                await session._send_locked(payload)
            await session._dispatch_locked("RESUMED", {"_trace": ['["fake-discord",{}]']})
        session.resumes += 1
        self.resumes += 1
        self._bump()

    async def _request_members(self, conn: GatewayConnection, d: dict[str, Any]) -> None:
        session = conn.session
        if session is None:
            self._violation("REQUEST_GUILD_MEMBERS before IDENTIFY")
            await conn.close(4003, "Not authenticated.")
            return
        guild = self._fake.find_guild(int(d.get("guild_id", 0)))
        if guild is None:
            self._violation(f"REQUEST_GUILD_MEMBERS for unknown guild {d.get('guild_id')!r}")
            return
        query, limit = d.get("query"), d.get("limit", 0)
        user_ids = d.get("user_ids")
        not_found: list[int] = []
        if user_ids is not None:
            wanted = [int(u) for u in ([user_ids] if isinstance(user_ids, str | int) else user_ids)]
            members = [m for m in guild.members if m.user.id in wanted]
            found = {m.user.id for m in members}
            not_found = [u for u in wanted if u not in found]
        else:
            if not query and not session.intents & GUILD_MEMBERS:
                self._violation("REQUEST_GUILD_MEMBERS for all members without GUILD_MEMBERS")
                await conn.close(4013, "Invalid intent(s).")
                return
            members = [
                m
                for m in guild.members
                if not query or m.user.username.lower().startswith(str(query).lower())
            ]
            if limit:
                members = members[: int(limit)]
        await session.dispatch(
            "GUILD_MEMBERS_CHUNK",
            payloads.guild_members_chunk(guild, members, nonce=d.get("nonce"), not_found=not_found),
        )

    # ------------------------------------------------------------ API used by FakeDiscord

    def _filter(self, session: GatewaySession, event: str, data: Any) -> tuple[bool, Any]:
        if not isinstance(data, dict):
            return True, data
        needed = required_intent(event, data)
        if needed and not session.intents & needed:
            self.undelivered.append(Undelivered(event, session.session_id, needed))
            return False, data
        if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE") and "guild_id" in data:
            if not session.intents & MESSAGE_CONTENT:
                bot_id = str(self._fake.bot_user.id)
                own = (data.get("author") or {}).get("id") == bot_id
                mentioned = any(u.get("id") == bot_id for u in data.get("mentions", ()))
                if not own and not mentioned:
                    data = {
                        **data,
                        "content": "",
                        "embeds": [],
                        "attachments": [],
                        "components": [],
                    }
                    data.pop("poll", None)
        return True, data

    async def dispatch(self, event: str, data: Any) -> int:
        """Send an event to every session that may receive it; return how many got it."""
        delivered = 0
        for session in list(self.sessions.values()):
            ok, session_data = self._filter(session, event, data)
            if ok:
                await session.dispatch(event, session_data)
                delivered += 1
        return delivered

    async def disconnect(self, *, code: int = 4000, abrupt: bool = False) -> None:
        """Drop every connection; sessions stay resumable."""
        for conn in list(self.connections):
            await conn.close(code, "Fake Discord dropped the connection", abrupt=abrupt)

    async def send_reconnect(self) -> None:
        """Ask every connected session to reconnect and resume (op 7)."""
        for conn in list(self.connections):
            await conn.send(_frame(RECONNECT, None))

    async def invalidate_sessions(self, *, resumable: bool = False) -> None:
        """Send INVALID_SESSION; when not resumable the sessions are forgotten."""
        for conn in list(self.connections):
            await conn.send(_frame(INVALID_SESSION, resumable))
        if not resumable:
            self.sessions.clear()

    async def wait_until(self, check: Any, timeout: float, what: str) -> Any:  # noqa: ASYNC109
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            result = check()
            if result:
                return result
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"fake Discord gateway: timed out waiting for {what}")
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                pass

    async def close(self) -> None:
        for conn in list(self.connections):
            await conn.close(1001, "Fake Discord is shutting down")
