"""Names and pictures for the public page: members and the guild as Discord shows them.

``DiscordDirectory`` asks the running bot: its cache first (members arrive with the gateway),
then its REST client for a member the cache lacks (a member who left is shown as the user they
are), and remembers each answer for ``ttl_s`` so a page viewed often costs Discord nothing.
``IdsOnly`` is what ``python -m vouchy serve`` uses, with no bot to ask: ids as names.

A name is Discord's display name (the server nickname, else the global name, else the
username); a picture is the member's server avatar, else their avatar, else Discord's default
one. Nothing here writes: these are views, never stored.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Protocol

import hikari
import msgspec

from vouchy.core.logs import get_logger

log = get_logger("vouchy.web")

AVATAR_SIZE = 64  # pixels: the page draws 32 px avatars, twice that for dense screens
ICON_SIZE = 96
DISCORD_CDN = "https://cdn.discordapp.com"


class Person(msgspec.Struct, frozen=True):
    name: str
    avatar_url: str | None


class Place(msgspec.Struct, frozen=True):
    name: str
    icon_url: str | None


class Directory(Protocol):
    """Where the page gets names and pictures."""

    image_sources: tuple[str, ...]  # origins the page's Content-Security-Policy must allow

    async def guild(self, guild_id: int) -> Place: ...

    async def members(self, guild_id: int, user_ids: Iterable[int]) -> dict[int, Person]: ...


class IdsOnly:
    """No bot to ask: every member is their id, the guild its id, no pictures."""

    image_sources: tuple[str, ...] = ()

    async def guild(self, guild_id: int) -> Place:
        return Place(str(guild_id), None)

    async def members(self, guild_id: int, user_ids: Iterable[int]) -> dict[int, Person]:
        return {u: Person(str(u), None) for u in user_ids}


def _url(url: hikari.URL | None) -> str | None:
    return None if url is None else str(url)


def person_of(user: hikari.User | hikari.Member) -> Person:
    """A member (or a user who is no longer one) as Discord draws them."""
    avatar = None
    if isinstance(user, hikari.Member):
        avatar = _url(user.make_guild_avatar_url(size=AVATAR_SIZE))
    if avatar is None:
        avatar = _url(user.make_avatar_url(size=AVATAR_SIZE)) or str(user.default_avatar_url)
    shown = user.display_name
    return Person(shown if isinstance(shown, str) and shown else user.username, avatar)


class DiscordDirectory:
    """Names and avatars from the running bot (cache, then REST), remembered for ``ttl_s``."""

    image_sources: tuple[str, ...] = (DISCORD_CDN,)

    def __init__(
        self,
        bot: hikari.GatewayBot,
        *,
        ttl_s: float = 600.0,
        failed_ttl_s: float = 30.0,
        concurrency: int = 4,
        max_entries: int = 50_000,
    ) -> None:
        self.bot = bot
        self.ttl_s = ttl_s
        self.failed_ttl_s = failed_ttl_s  # an answer Discord could not give is asked again soon
        self.max_entries = max_entries
        self._limit = asyncio.Semaphore(concurrency)  # REST calls at once, per page view
        self._people: dict[tuple[int, int], tuple[float, Person]] = {}
        self._places: dict[int, tuple[float, Place]] = {}

    async def guild(self, guild_id: int) -> Place:
        now = time.monotonic()
        hit = self._places.get(guild_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        guild: hikari.Guild | hikari.RESTGuild | None = self.bot.cache.get_guild(guild_id)
        ttl = self.ttl_s
        if guild is None:
            try:
                guild = await self.bot.rest.fetch_guild(guild_id)
            except hikari.HikariError as e:
                log.warning("directory_guild_failed", guild_id=guild_id, error=repr(e))
                ttl = self.failed_ttl_s
        place = (
            Place(guild.name, _url(guild.make_icon_url(size=ICON_SIZE)))
            if guild is not None
            else Place(str(guild_id), None)
        )
        self._places[guild_id] = (now + ttl, place)
        return place

    async def members(self, guild_id: int, user_ids: Iterable[int]) -> dict[int, Person]:
        now = time.monotonic()
        found: dict[int, Person] = {}
        missing: list[int] = []
        for user_id in user_ids:
            hit = self._people.get((guild_id, user_id))
            if hit is not None and hit[0] > now:
                found[user_id] = hit[1]
                continue
            member = self.bot.cache.get_member(guild_id, user_id)
            if member is not None:
                found[user_id] = self._remember(guild_id, user_id, person_of(member), now)
            else:
                missing.append(user_id)
        if missing:
            fetched = await asyncio.gather(*(self._fetch(guild_id, u) for u in missing))
            for user_id, (person, ttl) in zip(missing, fetched, strict=True):
                found[user_id] = self._remember(guild_id, user_id, person, now, ttl)
        return found

    async def _fetch(self, guild_id: int, user_id: int) -> tuple[Person, float]:
        async with self._limit:
            try:
                return person_of(await self.bot.rest.fetch_member(guild_id, user_id)), self.ttl_s
            except hikari.NotFoundError:
                pass  # no longer a member: the user they are
            except hikari.HikariError as e:
                log.warning("directory_member_failed", guild_id=guild_id, error=repr(e))
                return Person(str(user_id), None), self.failed_ttl_s
            try:
                return person_of(await self.bot.rest.fetch_user(user_id)), self.ttl_s
            except hikari.NotFoundError:
                return Person(str(user_id), None), self.ttl_s
            except hikari.HikariError as e:
                log.warning("directory_member_failed", guild_id=guild_id, error=repr(e))
                return Person(str(user_id), None), self.failed_ttl_s

    def _remember(
        self, guild_id: int, user_id: int, person: Person, now: float, ttl: float | None = None
    ) -> Person:
        if len(self._people) >= self.max_entries:
            self._people.clear()  # rare and cheap to refill: simpler than an LRU
        self._people[(guild_id, user_id)] = (now + (self.ttl_s if ttl is None else ttl), person)
        return person
