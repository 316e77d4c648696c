"""The owners of rows: an actor per member, per guild, per game, per gift code, each handing
its operations to the writer in the order they were told (invariant 5).

An owner's next operation reaches the writer only when the one before it is answered, so an
owner that checks its own rows before writing (a cooldown in memory, a game's state) never
races with itself. Rows shared between owners (a shop's stock, a challenge between two
members) are checked in the writer's plan instead, with bounds and preconditions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from vouchy.actors.runtime import Actor, Router
from vouchy.core.logs import get_logger
from vouchy.store.operations import Op, Receipt
from vouchy.store.writer import Writer

log = get_logger("vouchy.actors")

T = TypeVar("T")


class Owner(Actor):
    """An actor that owns rows: ``submit`` an operation, or ``tell`` any job, in order.
    ``state`` holds what the owner keeps in memory between operations (a cache of its own
    rows, exact because it is their only writer); it is rebuilt from the database when the
    actor is evicted or the process restarts. State that cannot be rebuilt from the database
    (what Discord told, like a guild's invite cache) sets ``keep`` so that idling never
    evicts it; a restart still loses it."""

    __slots__ = ("writer", "state")

    def __init__(self, key: Hashable, router: Router[Any], writer: Writer) -> None:
        super().__init__(key, router)
        self.writer = writer
        self.state: dict[str, Any] = {}

    def submit(self, op: Op) -> asyncio.Future[Receipt]:
        """Queue ``op`` behind every job told before it; its receipt arrives on the future."""
        return self.tell(lambda: self._submit(op))

    def _submit(self, op: Op) -> asyncio.Future[Receipt]:
        future = self.writer.try_submit(op)
        if future is None:  # the writer's queue is full: wait for room (back-pressure)
            return asyncio.ensure_future(self.writer.submit(op))
        return future

    def run(self, job: Callable[[Owner], Awaitable[T]]) -> asyncio.Future[T]:
        """Run ``job(self)`` in this owner's turn (it may read, decide, then submit)."""
        return self.tell(lambda: job(self))


class Owners(Router[Owner]):
    """One router of owners, keyed as its kind wants: (guild, user), guild, game id..."""

    def __init__(self, writer: Writer, idle_seconds: float = 300.0) -> None:
        super().__init__(lambda key, router: Owner(key, router, writer), idle_seconds)


class Actors:
    """Every kind of owner the features use, started and drained together."""

    def __init__(self, writer: Writer, idle_seconds: float = 300.0) -> None:
        self.members = Owners(writer, idle_seconds)  # (guild id, user id)
        self.guilds = Owners(writer, idle_seconds)  # guild id
        self.games = Owners(writer, idle_seconds)  # (guild id, game id)
        self.giftcodes = Owners(writer, idle_seconds)  # code
        self._all = (self.members, self.guilds, self.games, self.giftcodes)

    def member(self, guild_id: int, user_id: int) -> Owner:
        return self.members.get((int(guild_id), int(user_id)))

    def guild(self, guild_id: int) -> Owner:
        return self.guilds.get(int(guild_id))

    def start(self) -> None:
        for router in self._all:
            router.start()

    async def close(self) -> None:
        """Refuse new jobs, then wait until every owner's mailbox is empty."""
        for router in self._all:
            await router.close()
        log.info("actors_drained", actors=len(self))

    def __len__(self) -> int:
        return sum(len(r) for r in self._all)
