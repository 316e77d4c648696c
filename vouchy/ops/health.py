"""``python -m vouchy health``: is the running bot alive, saving, and being backed up?

Healthy means all three: the bot's heartbeat (``<data dir>/heartbeat.json``) is younger than
``health.stale_after_seconds``, it says the writer is alive, and the newest verified snapshot
is younger than two snapshot intervals. Anything else is a list of problems, one line each,
that an operator can act on. It only reads files, so it runs beside the bot (the container's
HEALTHCHECK) without touching the database or its lock.
"""

from __future__ import annotations

import time
from datetime import datetime

import msgspec

from vouchy.core.config import Config
from vouchy.ops.heartbeat import heartbeat_path, read_heartbeat
from vouchy.store.durability.recovery import database_owner
from vouchy.store.durability.snapshots import SnapshotInfo, list_snapshots


class HealthReport(msgspec.Struct, kw_only=True):
    healthy: bool
    problems: list[str]
    pid: int | None = None
    heartbeat_age_s: float | None = None
    writer_alive: bool | None = None
    last_ledger_id: int | None = None
    gateway_latency_ms: float | None = None
    snapshot: str | None = None  # the newest verified snapshot's file name
    snapshot_age_s: float | None = None


def human_age(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    if seconds < 172_800:
        return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d {seconds % 86400 // 3600}h"


# -- snapshots ----------------------------------------------------------------------------------


def newest_snapshots(config: Config) -> tuple[SnapshotInfo | None, SnapshotInfo | None]:
    """(the newest snapshot of this data directory, its newest verified snapshot).

    From the manifests (``list_snapshots`` without re-hashing: ``verify`` proves the bytes;
    this only asks whether snapshots keep coming and keep passing their checks).
    """
    owner = database_owner(config.db_path, config.journal_dir)
    found = list_snapshots(config.snapshot_dir, owner=owner, check_sha=False)
    newest = found[0] if found else None
    verified = next((s for s in found if s.verified), None)
    return newest, verified


def _being_written(snapshot: SnapshotInfo, now: float) -> bool:
    """A snapshot is renamed into place a moment before its manifest is."""
    return snapshot.problem == "no readable manifest" and now - taken_at(snapshot) < 60


def taken_at(snapshot: SnapshotInfo) -> float:
    """A snapshot's time as unix seconds."""
    return datetime.fromisoformat(snapshot.created_at).timestamp()


# -- the check ----------------------------------------------------------------------------------


def check(config: Config, now: float | None = None) -> HealthReport:
    """Every problem found, one line each; healthy when there are none."""
    now = time.time() if now is None else now
    problems: list[str] = []
    report = HealthReport(healthy=False, problems=problems)

    path = heartbeat_path(config.data_dir)
    beat = read_heartbeat(config.data_dir)
    stale_after = config.health.stale_after_seconds
    if beat is None:
        if path.exists():
            problems.append(f"heartbeat {path} is unreadable: the bot is not writing it properly")
        else:
            problems.append(
                f"no heartbeat at {path}: the bot is not running (or has not finished starting)"
            )
    else:
        age = beat.age(now)
        report.pid = beat.pid
        report.heartbeat_age_s = round(age, 1)
        report.writer_alive = beat.writer_alive
        report.last_ledger_id = beat.last_ledger_id
        report.gateway_latency_ms = beat.gateway_latency_ms
        if age > stale_after:
            problems.append(
                f"heartbeat is {human_age(age)} old (stale after {human_age(stale_after)}): "
                f"the bot (pid {beat.pid}) has stopped or is stuck"
            )
        elif age < -stale_after:
            problems.append(
                f"heartbeat is dated {human_age(-age)} in the future: check the machine's clock"
            )
        if not beat.writer_alive:
            problems.append(
                f"the writer of the bot (pid {beat.pid}) has stopped: nothing can be saved; "
                "restart the bot and look for writer_* events in its log"
            )

    interval = config.snapshots.interval_minutes * 60
    newest, verified = newest_snapshots(config)
    if verified is None:
        problems.append(
            f"no verified snapshot in {config.snapshot_dir} (the newest, {newest.name}: "
            f"{newest.problem})"
            if newest
            else f"no verified snapshot yet in {config.snapshot_dir} (the bot takes its first "
            "a few seconds after it starts)"
        )
    else:
        age = now - taken_at(verified)
        report.snapshot = verified.name
        report.snapshot_age_s = round(age, 1)
        if age > 2 * interval:
            problems.append(
                f"newest verified snapshot {verified.name} is {human_age(age)} old "
                f"(one is taken every {human_age(interval)}): see snapshot_* events in the log"
            )
        if newest is not None and newest is not verified and not _being_written(newest, now):
            problems.append(
                f"newest snapshot {newest.name} failed: {newest.problem}; see snapshot_* "
                "events in the log"
            )
    report.healthy = not problems
    return report


def summary(report: HealthReport) -> str:
    """The one line printed when healthy."""
    parts = [
        f"heartbeat {human_age(report.heartbeat_age_s or 0)} old (pid {report.pid})",
        "writer alive",
        f"last ledger id {report.last_ledger_id}",
    ]
    if report.gateway_latency_ms is not None:
        parts.append(f"gateway {report.gateway_latency_ms:.0f} ms")
    if report.snapshot is not None:
        parts.append(
            f"newest verified snapshot {human_age(report.snapshot_age_s or 0)} old "
            f"({report.snapshot})"
        )
    return "healthy: " + ", ".join(parts)
