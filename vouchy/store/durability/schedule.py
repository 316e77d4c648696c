"""The snapshot schedule: APScheduler's ``AsyncIOScheduler`` runs the snapshot job soon after
start (``first_after_seconds``: a fresh container is healthy in seconds, not one interval
later), then every ``snapshots.interval_minutes``, on the bot's event loop.

A failed run (disk full, permission, I/O error) has been logged by the job
(``snapshot_failed``) and is simply tried again at the next interval; the bot keeps serving.
Runs never overlap, missed runs collapse into one, and ``stop`` waits for a run in progress.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from vouchy.core.errors import VouchyError
from vouchy.core.logs import get_logger

log = get_logger("vouchy.snapshots")


class SnapshotSchedule:
    def __init__(
        self,
        job: Callable[[], Awaitable[object]],
        interval_minutes: float,
        *,
        first_after_seconds: float = 5.0,
    ) -> None:
        self.job = job
        self.interval_minutes = interval_minutes
        self.first_after_seconds = first_after_seconds
        self.runs = 0
        self.failures = 0
        self._scheduler: AsyncIOScheduler | None = None
        self._running = asyncio.Lock()

    @property
    def started(self) -> bool:
        return self._scheduler is not None

    def start(self) -> None:
        """The first snapshot ``first_after_seconds`` from now, then one every interval
        (call on the loop)."""
        if self._scheduler is not None:
            return
        scheduler = AsyncIOScheduler(timezone=UTC)
        scheduler.add_job(
            self.run_once,
            "interval",
            minutes=self.interval_minutes,
            next_run_time=datetime.now(UTC) + timedelta(seconds=self.first_after_seconds),
            id="vouchy-snapshot",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,  # late is better than skipped
        )
        scheduler.start()
        self._scheduler = scheduler
        log.info("snapshot_schedule_started", interval_minutes=self.interval_minutes)

    async def run_once(self) -> object | None:
        """One run; never raises, so a fault waits for the next interval."""
        async with self._running:
            self.runs += 1
            try:
                return await self.job()
            except VouchyError:
                self.failures += 1  # logged by the job: snapshot_failed / snapshot_quarantined
            except Exception as e:
                self.failures += 1
                log.error("snapshot_job_crashed", error=repr(e), exc_info=e)
            return None

    async def stop(self) -> None:
        """No more runs; waits for one in progress to finish."""
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
            log.info("snapshot_schedule_stopped", runs=self.runs, failures=self.failures)
        async with self._running:
            pass
