"""The actor runtime: a FIFO mailbox per actor, a router keyed by (guild, user), idle
eviction, and a shutdown that drains every mailbox.

No task per actor: an idle actor runs a job at once in the caller's turn of the event loop and
hands back the job's own future; only while a job is in flight do later ones wait in the
mailbox. That keeps the cost per operation to one future and a callback (see
``shared/notes/performance.md``). An exception answers its caller; the actor lives on.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Generic, TypeVar

from vouchy.core.errors import Busy
from vouchy.core.logs import get_logger

log = get_logger("vouchy.actors")

T = TypeVar("T")
Job = Callable[[], Awaitable[Any]]
A = TypeVar("A", bound="Actor")


class Actor:
    """Runs jobs one at a time, in the order they were told."""

    __slots__ = ("key", "_mailbox", "_busy", "_router", "last_used", "keep")

    def __init__(self, key: Hashable, router: Router[Any]) -> None:
        self.key = key
        self._router = router
        self._mailbox: deque[tuple[Job, asyncio.Future[Any]]] | None = None  # made when needed
        self._busy = False
        self.last_used = time.monotonic()
        # True: never evicted while idle (what it holds in memory cannot be read back from
        # the database, e.g. a guild's invite cache filled from Discord).
        self.keep = False

    @property
    def idle(self) -> bool:
        return not self._busy

    def tell(self, job: Callable[[], Awaitable[T]]) -> asyncio.Future[T]:
        """Run ``job`` after every job told before it; its result arrives on the future."""
        if self._router.closing:
            raise Busy()
        if not self._busy:
            self._busy = True
            self._router._busy += 1
            return self._start(job)
        if self._mailbox is None:
            self._mailbox = deque()
        outer: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._mailbox.append((job, outer))
        return outer

    def _start(self, job: Job) -> asyncio.Future[Any]:
        inner: asyncio.Future[Any]
        try:
            inner = asyncio.ensure_future(job())
        except BaseException as e:  # a job that fails before its first await
            inner = asyncio.get_running_loop().create_future()
            inner.set_exception(e)
        inner.add_done_callback(self._finished)
        return inner

    def _finished(self, _done: asyncio.Future[Any]) -> None:
        if self._mailbox:
            job, outer = self._mailbox.popleft()
            self._start(job).add_done_callback(lambda inner: _forward(inner, outer))
            return
        self._busy = False
        self.last_used = time.monotonic()
        self._router._became_idle()


def _forward(inner: asyncio.Future[Any], outer: asyncio.Future[Any]) -> None:
    if outer.done():
        return
    if inner.cancelled():
        outer.cancel()
    elif (error := inner.exception()) is not None:
        outer.set_exception(error)
    else:
        outer.set_result(inner.result())


class Router(Generic[A]):
    """Finds or makes the actor for a key; evicts idle ones; drains all on close."""

    def __init__(
        self, factory: Callable[[Hashable, Router[A]], A], idle_seconds: float = 300.0
    ) -> None:
        self._factory = factory
        self.idle_seconds = idle_seconds
        self._actors: dict[Hashable, A] = {}
        self._busy = 0
        self._drained = asyncio.Event()
        self._sweeper: asyncio.Task[None] | None = None
        self.closing = False

    def __len__(self) -> int:
        return len(self._actors)

    def get(self, key: Hashable) -> A:
        actor = self._actors.get(key)
        if actor is None:
            actor = self._actors[key] = self._factory(key, self)
        return actor

    def peek(self, key: Hashable) -> A | None:
        """The actor for ``key`` if it is in memory; never makes one."""
        return self._actors.get(key)

    def start(self) -> None:
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="vouchy-actor-sweeper")

    def evict_idle(self, now: float | None = None) -> int:
        """Drop actors idle for longer than ``idle_seconds``; their state lives in the database.
        An actor marked ``keep`` stays."""
        limit = (time.monotonic() if now is None else now) - self.idle_seconds
        stale = [
            k for k, a in self._actors.items() if not a._busy and not a.keep and a.last_used < limit
        ]
        for key in stale:
            del self._actors[key]
        if stale:
            log.debug("actors_evicted", count=len(stale), remaining=len(self._actors))
        return len(stale)

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(max(self.idle_seconds / 2, 0.5))
            self.evict_idle()

    def _became_idle(self) -> None:
        self._busy -= 1
        if self._busy == 0:
            self._drained.set()

    async def close(self) -> None:
        """Refuse new jobs, then wait until every mailbox is empty."""
        self.closing = True
        if self._sweeper is not None:
            self._sweeper.cancel()
        while self._busy:
            self._drained.clear()
            await self._drained.wait()
