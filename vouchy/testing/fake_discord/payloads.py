"""Builders of the JSON Discord sends: REST objects (users, members, messages, invites) and
gateway dispatch payloads (READY, GUILD_CREATE, INTERACTION_CREATE, MESSAGE_CREATE, ...)."""

from __future__ import annotations

import copy
import datetime
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .models import (
    DM,
    GUILD_CATEGORY,
    GUILD_TEXT,
    GUILD_VOICE,
    Channel,
    Guild,
    Member,
    Role,
    User,
    iso,
    next_snowflake,
    snowflake_time,
)

# Application command option types.
SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
STRING = 3
INTEGER = 4
BOOLEAN = 5
USER = 6
CHANNEL = 7
ROLE = 8
MENTIONABLE = 9
NUMBER = 10
ATTACHMENT = 11

# Interaction types.
APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3

# Component types.
ACTION_ROW = 1
BUTTON = 2

Json = dict[str, Any]
UserLike = User | Member | int


def new_token() -> str:
    """An interaction token: unique, URL-safe, as long as Discord's."""
    return "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(128)


# ---------------------------------------------------------------- entities


def user(u: User) -> Json:
    return {
        "id": str(u.id),
        "username": u.username,
        "discriminator": "0",
        "global_name": u.global_name,
        "avatar": u.avatar,
        "public_flags": 0,
        "flags": 0,
        "bot": u.bot,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "primary_guild": None,
    }


def own_user(u: User) -> Json:
    """The bot's own user (GET /users/@me, READY.user)."""
    return {
        **user(u),
        "mfa_enabled": False,
        "locale": "en-US",
        "verified": True,
        "email": None,
        "premium_type": 0,
    }


def role(r: Role) -> Json:
    out: Json = {
        "id": str(r.id),
        "name": r.name,
        "permissions": str(r.permissions),
        "position": r.position,
        "color": r.color,
        "colors": {"primary_color": r.color, "secondary_color": None, "tertiary_color": None},
        "hoist": r.hoist,
        "managed": r.managed,
        "mentionable": r.mentionable,
        "icon": None,
        "unicode_emoji": None,
        "flags": 0,
    }
    if r.bot_id is not None:
        out["tags"] = {"bot_id": str(r.bot_id)}
    return out


def member(m: Member, *, with_user: bool = True) -> Json:
    out: Json = {
        "avatar": None,
        "banner": None,
        "communication_disabled_until": None,
        "flags": 0,
        "joined_at": iso(m.joined_at),
        "nick": m.nick,
        "pending": m.pending,
        "premium_since": None,
        "roles": [str(r) for r in m.roles],
        "mute": False,
        "deaf": False,
    }
    if with_user:
        out["user"] = user(m.user)
    return out


def interaction_member(guild: Guild, m: Member, *, channel_id: int | None) -> Json:
    """A member as interactions carry it: with their permissions in the channel."""
    return {**member(m), "permissions": str(guild.permissions_in(m.user.id, channel_id))}


def channel(c: Channel, guild_id: int | None) -> Json:
    out: Json = {
        "id": str(c.id),
        "type": c.type,
        "name": c.name,
        "position": c.position,
        "flags": 0,
        "parent_id": str(c.parent_id) if c.parent_id else None,
        "permission_overwrites": copy.deepcopy(c.permission_overwrites),
        "nsfw": False,
    }
    if guild_id is not None:
        out["guild_id"] = str(guild_id)
    if c.type == GUILD_TEXT:
        out.update(topic=c.topic, last_message_id=None, rate_limit_per_user=0)
    elif c.type == GUILD_VOICE:
        out.update(bitrate=64000, user_limit=0, rtc_region=None, last_message_id=None)
    elif c.type != GUILD_CATEGORY:
        out.update(topic=c.topic, last_message_id=None)
    return out


def _partial_channel(guild: Guild | None, channel_id: int, user_id: int | None) -> Json:
    """The `channel` of an interaction."""
    if guild is None:
        return {"id": str(channel_id), "type": DM, "flags": 0}
    found = next((c for c in guild.channels if c.id == channel_id), None)
    out = channel(found, guild.id) if found else {"id": str(channel_id), "type": GUILD_TEXT}
    if user_id is not None:
        out["permissions"] = str(guild.permissions_in(user_id, channel_id))
    return out


def guild_create(
    guild: Guild, *, members: Iterable[Member] | None = None, unavailable: bool | None = False
) -> Json:
    """GUILD_CREATE data; `members` defaults to every member of the guild."""
    members = list(guild.members if members is None else members)
    now = datetime.datetime.now(datetime.UTC)
    bot_member = next((m for m in guild.members if m.user.bot), None)
    out: Json = {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(guild.owner_id),
        "afk_channel_id": str(guild.afk_channel_id) if guild.afk_channel_id else None,
        "afk_timeout": 300,
        "widget_enabled": False,
        "widget_channel_id": None,
        "verification_level": 1,
        "default_message_notifications": 1,
        "explicit_content_filter": 2,
        "features": ["VANITY_URL"] if guild.vanity_url_code else [],
        "mfa_level": 0,
        "application_id": None,
        "system_channel_id": str(guild.text_channel.id) if guild.channels else None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "max_presences": None,
        "max_members": 500000,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "home_header": None,
        "region": "deprecated",
        "vanity_url_code": guild.vanity_url_code,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": guild.preferred_locale,
        "nsfw_level": 0,
        "nsfw": False,
        "premium_progress_bar_enabled": False,
        "incidents_data": None,
        "roles": [role(r) for r in guild.roles],
        "emojis": [],
        "stickers": [],
        "joined_at": iso(bot_member.joined_at if bot_member else now),
        "large": False,
        "member_count": len(guild.members),
        "members": [member(m) for m in members],
        "channels": [channel(c, None) for c in guild.channels],
        "threads": [],
        "presences": [],
        "voice_states": [
            {k: v for k, v in state.items() if k not in ("member", "guild_id")}
            for state in guild.voice_states.values()
        ],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }
    if unavailable is not None:
        out["unavailable"] = unavailable
    return out


def rest_guild_invite(
    guild: Guild,
    code: str,
    *,
    channel_id: int | None = None,
    inviter: UserLike | None = None,
    uses: int = 0,
    max_uses: int = 0,
    max_age: int = 0,
    temporary: bool = False,
    created_at: datetime.datetime | None = None,
) -> Json:
    """An invite as GET /guilds/{id}/invites returns it (set `guild.invites` to a list of these)."""
    created_at = created_at or datetime.datetime.now(datetime.UTC)
    chan = guild.channel(channel_id) if channel_id else guild.text_channel
    expires_at = iso(created_at + datetime.timedelta(seconds=max_age)) if max_age else None
    out: Json = {
        "type": 0,
        "code": code,
        "expires_at": expires_at,
        "guild_id": str(guild.id),
        "guild": {
            "id": str(guild.id),
            "name": guild.name,
            "splash": None,
            "banner": None,
            "description": None,
            "icon": None,
            "features": [],
            "verification_level": 1,
            "vanity_url_code": None,
            "nsfw_level": 0,
            "nsfw": False,
            "premium_subscription_count": 0,
        },
        "channel": {"id": str(chan.id), "type": chan.type, "name": chan.name},
        "uses": uses,
        "max_uses": max_uses,
        "max_age": max_age,
        "temporary": temporary,
        "created_at": iso(created_at),
        "flags": 0,
    }
    if inviter is not None:
        out["inviter"] = user(_as_user(guild, inviter))
    return out


invite = rest_guild_invite


# ---------------------------------------------------------------- gateway dispatches


def ready(
    *,
    bot_user: User,
    application_id: int,
    guild_ids: Iterable[int],
    session_id: str,
    resume_gateway_url: str,
    shard: tuple[int, int] = (0, 1),
) -> Json:
    return {
        "v": 10,
        "user": own_user(bot_user),
        "guilds": [{"id": str(g), "unavailable": True} for g in guild_ids],
        "session_id": session_id,
        "session_type": "normal",
        "resume_gateway_url": resume_gateway_url,
        "shard": list(shard),
        "application": {"id": str(application_id), "flags": 0},
        "private_channels": [],
        "presences": [],
        "relationships": [],
        "guild_join_requests": [],
        "geo_ordered_rtc_regions": ["us-east"],
        "user_settings": {},
        "auth_session_id_hash": secrets.token_hex(16),
        "_trace": ['["fake-discord",{"micros":0}]'],
    }


def guild_member_add(guild: Guild, m: Member) -> Json:
    return {**member(m), "guild_id": str(guild.id)}


def guild_member_remove(guild: Guild | int, u: User) -> Json:
    guild_id = guild.id if isinstance(guild, Guild) else guild
    return {"guild_id": str(guild_id), "user": user(u)}


def guild_members_chunk(
    guild: Guild,
    members: Sequence[Member],
    *,
    nonce: str | None = None,
    not_found: Sequence[int] = (),
) -> Json:
    out: Json = {
        "guild_id": str(guild.id),
        "members": [member(m) for m in members],
        "chunk_index": 0,
        "chunk_count": 1,
        "not_found": [str(i) for i in not_found],
    }
    if nonce is not None:
        out["nonce"] = nonce
    return out


def voice_state_update(
    guild: Guild,
    who: UserLike,
    channel_id: int | None,
    *,
    session_id: str | None = None,
    self_mute: bool = False,
    self_deaf: bool = False,
    mute: bool = False,
    deaf: bool = False,
    self_video: bool = False,
    self_stream: bool = False,
    suppress: bool = False,
) -> Json:
    """VOICE_STATE_UPDATE; `channel_id=None` means the user left voice."""
    u = _as_user(guild, who)
    m = guild.find_member(u.id)
    out: Json = {
        "guild_id": str(guild.id),
        "channel_id": str(channel_id) if channel_id is not None else None,
        "user_id": str(u.id),
        "session_id": session_id or secrets.token_hex(16),
        "deaf": deaf,
        "mute": mute,
        "self_deaf": self_deaf,
        "self_mute": self_mute,
        "self_stream": self_stream,
        "self_video": self_video,
        "suppress": suppress,
        "request_to_speak_timestamp": None,
    }
    if m is not None:
        out["member"] = member(m)
    return out


def _emoji(emoji: str | tuple[str, int]) -> Json:
    if isinstance(emoji, tuple):
        name, emoji_id = emoji
        return {"id": str(emoji_id), "name": name, "animated": False}
    return {"id": None, "name": emoji}


def reaction_add(
    guild: Guild | None,
    who: UserLike,
    *,
    channel_id: int,
    message_id: int,
    emoji: str | tuple[str, int] = "👍",
    message_author_id: int | None = None,
    burst: bool = False,
) -> Json:
    """MESSAGE_REACTION_ADD; `emoji` is a unicode string or (name, id) for a custom emoji."""
    u = _as_user(guild, who)
    out: Json = {
        "user_id": str(u.id),
        "channel_id": str(channel_id),
        "message_id": str(message_id),
        "emoji": _emoji(emoji),
        "burst": burst,
        "burst_colors": [],
        "type": 1 if burst else 0,
    }
    if guild is not None:
        out["guild_id"] = str(guild.id)
        m = guild.find_member(u.id)
        if m is not None:
            out["member"] = member(m)
    if message_author_id is not None:
        out["message_author_id"] = str(message_author_id)
    return out


def reaction_remove(
    guild: Guild | None,
    who: UserLike,
    *,
    channel_id: int,
    message_id: int,
    emoji: str | tuple[str, int] = "👍",
    burst: bool = False,
) -> Json:
    u = _as_user(guild, who)
    out: Json = {
        "user_id": str(u.id),
        "channel_id": str(channel_id),
        "message_id": str(message_id),
        "emoji": _emoji(emoji),
        "burst": burst,
        "type": 1 if burst else 0,
    }
    if guild is not None:
        out["guild_id"] = str(guild.id)
    return out


def invite_create(
    guild: Guild,
    code: str,
    *,
    channel_id: int | None = None,
    inviter: UserLike | None = None,
    uses: int = 0,
    max_uses: int = 0,
    max_age: int = 0,
    temporary: bool = False,
    created_at: datetime.datetime | None = None,
) -> Json:
    created_at = created_at or datetime.datetime.now(datetime.UTC)
    chan = guild.channel(channel_id) if channel_id else guild.text_channel
    out: Json = {
        "channel_id": str(chan.id),
        "guild_id": str(guild.id),
        "code": code,
        "created_at": iso(created_at),
        "expires_at": iso(created_at + datetime.timedelta(seconds=max_age)) if max_age else None,
        "max_age": max_age,
        "max_uses": max_uses,
        "temporary": temporary,
        "uses": uses,
        "type": 0,
        "flags": 0,
    }
    if inviter is not None:
        out["inviter"] = user(_as_user(guild, inviter))
    return out


def invite_delete(guild: Guild, code: str, *, channel_id: int | None = None) -> Json:
    chan = guild.channel(channel_id) if channel_id else guild.text_channel
    return {"channel_id": str(chan.id), "guild_id": str(guild.id), "code": code}


# ---------------------------------------------------------------- messages


def attachment(
    filename: str,
    *,
    size: int = 1024,
    content_type: str | None = "image/png",
    width: int | None = 64,
    height: int | None = 64,
    attachment_id: int | None = None,
) -> Json:
    aid = attachment_id or next_snowflake()
    url = f"https://cdn.discordapp.com/attachments/0/{aid}/{filename}"
    out: Json = {
        "id": str(aid),
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url.replace("cdn.discordapp.com", "media.discordapp.net"),
    }
    if content_type is not None:
        out["content_type"] = content_type
    if content_type and content_type.startswith("image/"):
        out.update(width=width, height=height)
    return out


def number_components(components: Sequence[Json]) -> list[Json]:
    """Give every component a numeric `id` as Discord does when it stores a message."""
    counter = iter(range(1, 10_000))
    used = set()

    def collect(items: Iterable[Json]) -> None:
        for item in items:
            if isinstance(item.get("id"), int):
                used.add(item["id"])
            collect(item.get("components", ()))
            if isinstance(item.get("accessory"), dict):
                collect([item["accessory"]])

    def fill(items: Iterable[Json]) -> list[Json]:
        out = []
        for item in items:
            item = dict(item)
            if not isinstance(item.get("id"), int):
                item["id"] = next(i for i in counter if i not in used)
            if "components" in item:
                item["components"] = fill(item["components"])
            if isinstance(item.get("accessory"), dict):
                item["accessory"] = fill([item["accessory"]])[0]
            out.append(item)
        return out

    collect(components)
    return fill(components)


def _embed(raw: Mapping[str, Any]) -> Json:
    return {"type": "rich", **raw}


def message(
    *,
    channel_id: int,
    author: User,
    content: str = "",
    guild: Guild | None = None,
    message_id: int | None = None,
    embeds: Sequence[Mapping[str, Any]] = (),
    components: Sequence[Json] = (),
    attachments: Sequence[Json] = (),
    mentions: Sequence[UserLike] = (),
    mention_roles: Sequence[int] = (),
    mention_everyone: bool = False,
    flags: int = 0,
    tts: bool = False,
    message_type: int = 0,
    webhook_id: int | None = None,
    application_id: int | None = None,
    edited_timestamp: datetime.datetime | None = None,
    message_reference: Json | None = None,
) -> Json:
    """A message object (REST responses). For the gateway use `message_create()`."""
    mid = message_id or next_snowflake()
    out: Json = {
        "type": message_type,
        "id": str(mid),
        "channel_id": str(channel_id),
        "author": user(author),
        "content": content,
        "timestamp": iso(snowflake_time(mid)),
        "edited_timestamp": iso(edited_timestamp) if edited_timestamp else None,
        "tts": tts,
        "mention_everyone": mention_everyone,
        "mentions": [user(_as_user(guild, m)) for m in mentions],
        "mention_roles": [str(r) for r in mention_roles],
        "attachments": [dict(a) for a in attachments],
        "embeds": [_embed(e) for e in embeds],
        "components": number_components(components),
        "pinned": False,
        "flags": flags,
    }
    if webhook_id is not None:
        out["webhook_id"] = str(webhook_id)
    if application_id is not None:
        out["application_id"] = str(application_id)
    if message_reference is not None:
        out["message_reference"] = message_reference
    return out


message_object = message


def message_create(
    guild: Guild | None,
    author: UserLike,
    content: str = "",
    *,
    channel_id: int | None = None,
    message_id: int | None = None,
    attachments: Sequence[Json] = (),
    mentions: Sequence[UserLike] = (),
    mention_roles: Sequence[int] = (),
    embeds: Sequence[Mapping[str, Any]] = (),
    components: Sequence[Json] = (),
    flags: int = 0,
) -> Json:
    """MESSAGE_CREATE from a user in `guild` (in its first text channel unless `channel_id`)."""
    u = _as_user(guild, author)
    if channel_id is None:
        if guild is None:
            raise ValueError("channel_id is required for a DM message")
        channel_id = guild.text_channel.id
    out = message(
        channel_id=channel_id,
        author=u,
        content=content,
        guild=guild,
        message_id=message_id,
        attachments=attachments,
        mentions=mentions,
        mention_roles=mention_roles,
        embeds=embeds,
        components=components,
        flags=flags,
    )
    if guild is not None:
        out["guild_id"] = str(guild.id)
        m = guild.find_member(u.id)
        if m is not None:
            out["member"] = member(m, with_user=False)
        for mention, raw in zip(mentions, out["mentions"], strict=True):
            mm = guild.find_member(_as_user(guild, mention).id)
            if mm is not None:
                raw["member"] = member(mm, with_user=False)
    return out


# ---------------------------------------------------------------- interactions


def option(name: str, type: int, value: Any) -> Json:
    """A command option value; `type` is one of the option type constants in this module."""
    if type in (USER, CHANNEL, ROLE, MENTIONABLE, ATTACHMENT):
        value = str(value.id if hasattr(value, "id") else value)
    return {"name": name, "type": type, "value": value}


def opt_str(name: str, value: str) -> Json:
    return option(name, STRING, value)


def opt_int(name: str, value: int) -> Json:
    return option(name, INTEGER, value)


def opt_bool(name: str, value: bool) -> Json:
    return option(name, BOOLEAN, value)


def opt_number(name: str, value: float) -> Json:
    return option(name, NUMBER, value)


def opt_user(name: str, value: UserLike) -> Json:
    return option(name, USER, value)


def opt_role(name: str, value: Role | int) -> Json:
    return option(name, ROLE, value)


def opt_channel(name: str, value: Channel | int) -> Json:
    return option(name, CHANNEL, value)


def subcommand(name: str, *options: Json) -> Json:
    return {"name": name, "type": SUB_COMMAND, "options": list(options)}


def subcommand_group(name: str, *subcommands: Json) -> Json:
    return {"name": name, "type": SUB_COMMAND_GROUP, "options": list(subcommands)}


def _as_user(guild: Guild | None, who: UserLike) -> User:
    if isinstance(who, User):
        return who
    if isinstance(who, Member):
        return who.user
    if guild is not None and (m := guild.find_member(int(who))) is not None:
        return m.user
    raise LookupError(f"unknown user {who!r}: pass a User object for users outside the guild")


def _walk_options(options: Iterable[Json]) -> Iterable[Json]:
    for opt in options:
        yield opt
        yield from _walk_options(opt.get("options", ()))


def resolved_for(
    guild: Guild | None, options: Sequence[Json], *, users: Iterable[User] = ()
) -> Json | None:
    """`data.resolved` for the user, role, channel and mentionable options in `options`."""
    extra = {u.id: u for u in users}
    out: dict[str, dict[str, Json]] = {}
    for opt in _walk_options(options):
        kind = opt["type"]
        if kind not in (USER, ROLE, CHANNEL, MENTIONABLE):
            continue
        target = int(opt["value"])
        if kind in (ROLE, MENTIONABLE) and guild is not None:
            found_role = next((r for r in guild.roles if r.id == target), None)
            if found_role is not None:
                out.setdefault("roles", {})[str(target)] = role(found_role)
                continue
        if kind == CHANNEL:
            if guild is None:
                raise LookupError("channel options need a guild")
            c = guild.channel(target)
            chan = channel(c, guild.id)
            chan["permissions"] = str(0)
            out.setdefault("channels", {})[str(target)] = chan
            continue
        m = guild.find_member(target) if guild is not None else None
        u = m.user if m is not None else extra.get(target)
        if u is None:
            raise LookupError(
                f"option {opt['name']!r}: user {target} is not a guild member; pass users=[User(...)]"
            )
        out.setdefault("users", {})[str(target)] = user(u)
        if m is not None and guild is not None:
            raw = member(m, with_user=False)
            raw["permissions"] = str(guild.base_permissions(m.user.id))
            out.setdefault("members", {})[str(target)] = raw
    return out or None


def _interaction_base(
    *,
    interaction_type: int,
    application_id: int,
    guild: Guild | None,
    invoker: User,
    channel_id: int | None,
    app_permissions: int | None,
    locale: str,
    interaction_id: int | None,
    token: str | None,
) -> Json:
    if guild is not None and channel_id is None:
        channel_id = guild.text_channel.id
    if channel_id is None:
        raise ValueError("channel_id is required for a DM interaction")
    out: Json = {
        "id": str(interaction_id or next_snowflake()),
        "application_id": str(application_id),
        "type": interaction_type,
        "token": token or new_token(),
        "version": 1,
        "locale": locale,
        "channel_id": str(channel_id),
        "channel": _partial_channel(guild, channel_id, None),
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    if guild is not None:
        m = guild.find_member(invoker.id)
        if m is None:
            raise LookupError(
                f"{invoker.username} ({invoker.id}) is not a member of guild {guild.id}"
            )
        bot_member = next((bm for bm in guild.members if bm.user.id == application_id), None)
        bot_id = bot_member.user.id if bot_member else application_id
        out.update(
            guild_id=str(guild.id),
            guild_locale=guild.preferred_locale,
            guild={"id": str(guild.id), "locale": guild.preferred_locale, "features": []},
            member=interaction_member(guild, m, channel_id=channel_id),
            app_permissions=str(
                app_permissions
                if app_permissions is not None
                else guild.permissions_in(bot_id, channel_id)
            ),
            authorizing_integration_owners={"0": str(guild.id)},
            context=0,
        )
    else:
        out.update(
            user=user(invoker),
            app_permissions=str(app_permissions if app_permissions is not None else 0),
            authorizing_integration_owners={"1": str(invoker.id)},
            context=1,
        )
    return out


def slash_command_interaction(
    *,
    application_id: int,
    guild: Guild | None,
    invoker: UserLike,
    name: str,
    options: Sequence[Json] = (),
    command_id: int | None = None,
    command_guild_id: int | None = None,
    channel_id: int | None = None,
    users: Iterable[User] = (),
    app_permissions: int | None = None,
    locale: str = "en-US",
    interaction_id: int | None = None,
    token: str | None = None,
) -> Json:
    """INTERACTION_CREATE for a slash command.

    `options` are built with `opt_*`, `subcommand()`, `subcommand_group()`; `data.resolved` is
    filled for user/role/channel options from the guild (and `users` for non-members).
    `command_guild_id` is the guild the command is registered in (None for a global command):
    lightbulb routes on it.
    """
    u = _as_user(guild, invoker)
    out = _interaction_base(
        interaction_type=APPLICATION_COMMAND,
        application_id=application_id,
        guild=guild,
        invoker=u,
        channel_id=channel_id,
        app_permissions=app_permissions,
        locale=locale,
        interaction_id=interaction_id,
        token=token,
    )
    data: Json = {
        "id": str(command_id or next_snowflake()),
        "name": name,
        "type": 1,
        "options": [copy.deepcopy(o) for o in options],
    }
    if command_guild_id is not None:
        data["guild_id"] = str(command_guild_id)
    resolved = resolved_for(guild, options, users=users)
    if resolved is not None:
        data["resolved"] = resolved
    out["data"] = data
    return out


def button(custom_id: str, label: str = "OK", *, style: int = 1) -> Json:
    return {"type": BUTTON, "custom_id": custom_id, "label": label, "style": style}


def action_row(*components: Json) -> Json:
    return {"type": ACTION_ROW, "components": list(components)}


def button_interaction(
    *,
    application_id: int,
    guild: Guild | None,
    invoker: UserLike,
    custom_id: str,
    message: Json | None = None,
    bot_user: User | None = None,
    channel_id: int | None = None,
    component_type: int = BUTTON,
    values: Sequence[str] | None = None,
    app_permissions: int | None = None,
    locale: str = "en-US",
    interaction_id: int | None = None,
    token: str | None = None,
) -> Json:
    """INTERACTION_CREATE for a click on a component of `message`.

    Without `message`, a bot message holding one button with `custom_id` is made up (pass
    `bot_user` as its author).
    """
    u = _as_user(guild, invoker)
    out = _interaction_base(
        interaction_type=MESSAGE_COMPONENT,
        application_id=application_id,
        guild=guild,
        invoker=u,
        channel_id=channel_id,
        app_permissions=app_permissions,
        locale=locale,
        interaction_id=interaction_id,
        token=token,
    )
    if message is None:
        author = bot_user or User(application_id, "bot", bot=True)
        message = message_object(
            channel_id=int(out["channel_id"]),
            author=author,
            content="",
            components=[action_row(button(custom_id))],
            application_id=application_id,
        )
    data: Json = {"custom_id": custom_id, "component_type": component_type}
    if values is not None:
        data["values"] = list(values)
    out["data"] = data
    out["message"] = message
    return out
