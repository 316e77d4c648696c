"""State of the fake Discord (users, roles, channels, members, guilds) as plain dataclasses,
plus snowflakes and permission arithmetic; `payloads.py` turns them into Discord JSON."""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import threading
import time
from collections.abc import Iterable
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000

# Permission bits (https://discord.com/developers/docs/topics/permissions).
CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
CHANGE_NICKNAME = 1 << 26
MANAGE_ROLES = 1 << 28
USE_APPLICATION_COMMANDS = 1 << 31
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = 8584986789675007  # every bit hikari 2.6 knows of

DEFAULT_EVERYONE_PERMISSIONS = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CONNECT
    | SPEAK
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)

# Channel types.
GUILD_TEXT = 0
DM = 1
GUILD_VOICE = 2
GUILD_CATEGORY = 4


class SnowflakeFactory:
    """Monotonic, unique snowflakes whose timestamp part is the current time."""

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def __call__(self) -> int:
        with self._lock:
            now = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
            self._last = max(self._last + 1, now)
            return self._last


next_snowflake = SnowflakeFactory()
_discriminators = itertools.count(1)
_increments = itertools.count(1)


def snowflake_at(moment: datetime.datetime) -> int:
    """A unique snowflake whose timestamp part is ``moment`` (a user id for an account made
    then: Discord tells an account's age from its id)."""
    ms = int(moment.timestamp() * 1000) - DISCORD_EPOCH_MS
    return (ms << 22) | (next(_increments) & 0x3FFFFF)


def iso(dt: datetime.datetime) -> str:
    """Discord's timestamp format (ISO 8601 with microseconds and +00:00)."""
    return dt.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def snowflake_time(snowflake: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(
        ((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, tz=datetime.UTC
    )


@dataclasses.dataclass(eq=False)
class User:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None
    avatar: str | None = None


@dataclasses.dataclass(eq=False)
class Role:
    id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    managed: bool = False
    mentionable: bool = False
    bot_id: int | None = None  # set for a bot's managed role


@dataclasses.dataclass(eq=False)
class Channel:
    id: int
    name: str
    type: int = GUILD_TEXT
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    # Discord overwrite objects: {"id": str, "type": 0 role | 1 member, "allow": str, "deny": str}
    permission_overwrites: list[dict[str, Any]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(eq=False)
class Member:
    user: User
    roles: list[int] = dataclasses.field(default_factory=list)
    joined_at: datetime.datetime = dataclasses.field(
        default_factory=lambda: datetime.datetime.now(datetime.UTC)
    )
    nick: str | None = None
    pending: bool = False

    @property
    def id(self) -> int:
        return self.user.id


@dataclasses.dataclass(eq=False)
class Guild:
    id: int
    name: str
    owner_id: int
    roles: list[Role] = dataclasses.field(default_factory=list)
    channels: list[Channel] = dataclasses.field(default_factory=list)
    members: list[Member] = dataclasses.field(default_factory=list)
    # Invite objects as GET /guilds/{id}/invites returns them (see payloads.invite()).
    invites: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    # VOICE_STATE objects of members currently in a voice channel, by user id.
    voice_states: dict[int, dict[str, Any]] = dataclasses.field(default_factory=dict)
    preferred_locale: str = "en-US"
    # The vanity invite (GET /guilds/{id}/vanity-url) and how many joined through it.
    vanity_url_code: str | None = None
    vanity_uses: int = 0
    afk_channel_id: int | None = None  # the voice channel Discord moves idle members to

    def __post_init__(self) -> None:
        if not any(role.id == self.id for role in self.roles):
            self.roles.insert(
                0, Role(id=self.id, name="@everyone", permissions=DEFAULT_EVERYONE_PERMISSIONS)
            )

    @property
    def everyone(self) -> Role:
        return self.role(self.id)

    def role(self, key: int | str) -> Role:
        for role in self.roles:
            if role.id == key or role.name == key:
                return role
        raise LookupError(f"guild {self.id} has no role {key!r}")

    def channel(self, key: int | str) -> Channel:
        for channel in self.channels:
            if channel.id == key or channel.name == key:
                return channel
        raise LookupError(f"guild {self.id} has no channel {key!r}")

    @property
    def text_channel(self) -> Channel:
        """The first text channel (where interactions and messages happen by default)."""
        return next(c for c in self.channels if c.type == GUILD_TEXT)

    def member(self, key: int | str) -> Member:
        """A member by user id, username or nickname."""
        for member in self.members:
            if key in (member.user.id, member.user.username) or (
                member.nick is not None and member.nick == key
            ):
                return member
        raise LookupError(f"guild {self.id} has no member {key!r}")

    def find_member(self, user_id: int) -> Member | None:
        return next((m for m in self.members if m.user.id == user_id), None)

    def bot_can(self, permission: int) -> bool:
        """Whether the guild's bot member (its first bot member) has ``permission``."""
        bot = next((m for m in self.members if m.user.bot), None)
        return bot is not None and bool(self.base_permissions(bot.user.id) & permission)

    @property
    def owner(self) -> Member:
        return self.member(self.owner_id)

    def base_permissions(self, user_id: int) -> int:
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        perms = self.everyone.permissions
        member = self.find_member(user_id)
        if member is not None:
            for role in self.roles:
                if role.id in member.roles:
                    perms |= role.permissions
        return ALL_PERMISSIONS if perms & ADMINISTRATOR else perms

    def permissions_in(self, user_id: int, channel_id: int | None) -> int:
        """Permissions after channel overwrites, as Discord computes them for interactions."""
        perms = self.base_permissions(user_id)
        if perms & ADMINISTRATOR or channel_id is None:
            return perms
        channel = next((c for c in self.channels if c.id == channel_id), None)
        if channel is None:
            return perms
        member = self.find_member(user_id)
        role_ids = set(member.roles) if member else set()
        overwrites = {int(o["id"]): o for o in channel.permission_overwrites}

        def apply(perms: int, overwrite: dict[str, Any] | None) -> int:
            if overwrite is None:
                return perms
            return (perms & ~int(overwrite.get("deny", 0))) | int(overwrite.get("allow", 0))

        perms = apply(perms, overwrites.get(self.id))
        allow = deny = 0
        for role_id in role_ids:
            if (o := overwrites.get(role_id)) is not None and int(o.get("type", 0)) == 0:
                allow |= int(o.get("allow", 0))
                deny |= int(o.get("deny", 0))
        perms = (perms & ~deny) | allow
        member_overwrite = overwrites.get(user_id)
        if member_overwrite is not None and int(member_overwrite.get("type", 1)) == 1:
            perms = apply(perms, member_overwrite)
        return perms


def default_guild(
    bot_user: User,
    *,
    guild_id: int | None = None,
    name: str = "Vouchy Test Server",
    extra_members: Iterable[str] = (),
) -> Guild:
    """A guild with an owner, an `admin` (Administrator role), a plain `member` and the bot.

    Usernames: "owner", "admin", "member" (plus `extra_members`); roles: "@everyone", "Admin",
    the bot's managed role; channels: "general" (text), "Voice" (voice).
    """
    gid = guild_id or next_snowflake()
    owner = User(next_snowflake(), "owner", global_name="Owner")
    admin = User(next_snowflake(), "admin", global_name="Admin")
    member = User(next_snowflake(), "member", global_name="Member")
    admin_role = Role(next_snowflake(), "Admin", permissions=ADMINISTRATOR, position=2, hoist=True)
    bot_role = Role(
        next_snowflake(),
        bot_user.username,
        permissions=VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | ADD_REACTIONS
        | MANAGE_ROLES
        | MANAGE_GUILD
        | MANAGE_MESSAGES,
        position=1,
        managed=True,
        bot_id=bot_user.id,
    )
    guild = Guild(
        id=gid,
        name=name,
        owner_id=owner.id,
        roles=[admin_role, bot_role],
        channels=[
            Channel(next_snowflake(), "general", GUILD_TEXT, position=0),
            Channel(next_snowflake(), "Voice", GUILD_VOICE, position=1),
        ],
        members=[
            Member(owner),
            Member(admin, roles=[admin_role.id]),
            Member(member),
            Member(bot_user, roles=[bot_role.id]),
        ],
    )
    for username in extra_members:
        guild.members.append(Member(User(next_snowflake(), username)))
    return guild
