"""The running bot's heartbeat: ``<data dir>/heartbeat.json``, rewritten atomically every
``health.heartbeat_seconds`` so that ``python -m vouchy health`` (another process) can tell a
live bot from a hung or dead one.

Written as a temporary file and renamed over the old one, so a reader sees the previous beat
or the new one, never half of either. ``read_heartbeat`` never raises: a missing or unreadable
file is ``None`` (no bot has written one, or it is being replaced by hand).
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

from vouchy.core.logs import get_logger

log = get_logger("vouchy.ops.heartbeat")

FILENAME = "heartbeat.json"


class Heartbeat(msgspec.Struct, frozen=True, kw_only=True):
    pid: int
    time: float  # unix seconds when written
    writer_alive: bool
    gateway_latency_ms: float | None  # None until the gateway has answered a heartbeat
    last_ledger_id: int
    version: str

    def age(self, now: float | None = None) -> float:
        """Seconds since this beat was written."""
        return (time.time() if now is None else now) - self.time


def heartbeat_path(data_dir: Path | str) -> Path:
    return Path(data_dir) / FILENAME


def write_heartbeat(data_dir: Path | str, beat: Heartbeat) -> Path:
    """Replace ``heartbeat.json`` atomically (temporary file + rename in the same directory)."""
    path = heartbeat_path(data_dir)
    tmp = path.with_name(f".{FILENAME}.{os.getpid()}.tmp")
    tmp.write_bytes(msgspec.json.encode(beat) + b"\n")
    os.replace(tmp, path)
    return path


def read_heartbeat(data_dir: Path | str) -> Heartbeat | None:
    """The last beat written in ``data_dir``, or None when there is none or it is unreadable."""
    try:
        raw = heartbeat_path(data_dir).read_bytes()
    except OSError:
        return None
    try:
        return msgspec.json.decode(raw, type=Heartbeat)
    except msgspec.DecodeError:
        return None


def latency_ms(seconds: float) -> float | None:
    """hikari's heartbeat latency (seconds, NaN before the first ack) as milliseconds."""
    if seconds is None or math.isnan(seconds) or math.isinf(seconds):
        return None
    return round(seconds * 1000, 1)


async def beat_forever(
    data_dir: Path | str, interval_s: float, sample: Callable[[], Heartbeat]
) -> None:
    """Write ``sample()`` now and then every ``interval_s`` until cancelled.

    A failed write (disk full, directory gone) is logged and retried at the next beat: a
    missing heartbeat is exactly what ``health`` should then report.
    """
    failing = False
    while True:
        try:
            write_heartbeat(data_dir, sample())
            if failing:
                log.info("heartbeat_recovered", path=str(heartbeat_path(data_dir)))
            failing = False
        except OSError as e:
            if not failing:
                log.warning(
                    "heartbeat_write_failed", path=str(heartbeat_path(data_dir)), error=str(e)
                )
            failing = True
        await asyncio.sleep(interval_s)
