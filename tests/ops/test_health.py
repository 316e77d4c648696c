"""``python -m vouchy health``: 0 when the bot's heartbeat is fresh, its writer alive and its
newest verified snapshot younger than two intervals; else 1 with one line per reason."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import pytest

from vouchy import __version__
from vouchy.app import Vouchy, load_config
from vouchy.cli import main
from vouchy.core.config import Config
from vouchy.ops.health import check
from vouchy.ops.heartbeat import Heartbeat, heartbeat_path, write_heartbeat
from vouchy.store.durability.snapshots import manifest_path, take_snapshot

INTERVAL_MIN = 5.0


def config_for(root: Path) -> Config:
    return load_config(
        env={
            "VOUCHY_DATA_DIR": str(root / "data"),
            "VOUCHY_SNAPSHOTS_DIR": str(root / "data" / "snapshots"),
            "VOUCHY_SNAPSHOTS_INTERVAL_MINUTES": str(INTERVAL_MIN),
            "VOUCHY_HEALTH_STALE_AFTER_SECONDS": "60",
        }
    )


def beat(config: Config, *, age: float = 0.0, writer_alive: bool = True, now: float | None = None):
    now = time.time() if now is None else now
    write_heartbeat(
        config.data_dir,
        Heartbeat(
            pid=os.getpid(),
            time=now - age,
            writer_alive=writer_alive,
            gateway_latency_ms=42.5,
            last_ledger_id=3,
            version=__version__,
        ),
    )


def database(config: Config) -> None:
    async def go() -> None:
        async with Vouchy(config) as app:
            await app.points.member(1, 2).earn(5, "interaction-1")

    asyncio.run(go())


def snapshot(config: Config) -> Path:
    return Path(take_snapshot(config.db_path, config.snapshot_dir, app_version=__version__).path)


@pytest.fixture
def running(tmp_path) -> Config:
    """A data directory as a running bot leaves it: a database, a fresh verified snapshot and
    a fresh heartbeat."""
    config = config_for(tmp_path)
    database(config)
    snapshot(config)
    beat(config)
    return config


def health(config: Config, capsys, *extra: str) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(["--data", str(config.data_dir), "health", *extra])
    return code, capsys.readouterr().out.splitlines()


@pytest.fixture(autouse=True)
def snapshot_dir_from_the_environment(tmp_path, monkeypatch):
    """``main()`` reads the snapshot directory from the environment, as the container sets it."""
    monkeypatch.setenv("VOUCHY_SNAPSHOTS_DIR", str(tmp_path / "data" / "snapshots"))
    monkeypatch.setenv("VOUCHY_SNAPSHOTS_INTERVAL_MINUTES", str(INTERVAL_MIN))
    monkeypatch.setenv("VOUCHY_HEALTH_STALE_AFTER_SECONDS", "60")


def test_health_answers_0_when_the_heartbeat_is_fresh_the_writer_alive_and_a_snapshot_recent(
    running, capsys
):
    code, lines = health(running, capsys)
    assert code == 0
    [line] = lines
    assert line.startswith("healthy: heartbeat ") and "writer alive" in line
    assert "gateway 42 ms" in line or "gateway 43 ms" in line
    assert "newest verified snapshot" in line


def test_health_answers_1_when_no_bot_has_written_a_heartbeat(running, capsys):
    heartbeat_path(running.data_dir).unlink()
    code, lines = health(running, capsys)
    assert code == 1
    assert lines == [
        f"unhealthy: no heartbeat at {heartbeat_path(running.data_dir)}: the bot is not running "
        "(or has not finished starting)"
    ]


def test_health_answers_1_when_the_heartbeat_is_stale(running, capsys):
    beat(running, age=61)
    code, lines = health(running, capsys)
    assert code == 1
    [line] = lines
    assert line.startswith("unhealthy: heartbeat is 61s old (stale after 60s)")
    assert f"pid {os.getpid()}" in line


def test_a_heartbeat_just_younger_than_the_limit_is_fresh(running, capsys):
    beat(running, age=50)
    assert health(running, capsys)[0] == 0


def test_health_answers_1_when_the_heartbeat_is_unreadable(running, capsys):
    heartbeat_path(running.data_dir).write_text("{half a heartb")
    code, lines = health(running, capsys)
    assert code == 1 and "is unreadable" in lines[0]


def test_health_answers_1_when_the_bot_says_its_writer_has_stopped(running, capsys):
    beat(running, writer_alive=False)
    code, lines = health(running, capsys)
    assert code == 1
    assert lines == [
        f"unhealthy: the writer of the bot (pid {os.getpid()}) has stopped: nothing can be "
        "saved; restart the bot and look for writer_* events in its log"
    ]


def test_health_answers_1_when_the_newest_verified_snapshot_is_older_than_two_intervals(running):
    later = time.time() + 2 * INTERVAL_MIN * 60 + 5
    beat(running, now=later)
    report = check(running, now=later)
    assert not report.healthy
    [problem] = report.problems
    assert (
        "newest verified snapshot vouchy-" in problem
        and "old (one is taken every 5m 00s)" in problem
    )


def test_a_snapshot_younger_than_two_intervals_is_recent_enough(running):
    later = time.time() + 2 * INTERVAL_MIN * 60 - 30
    beat(running, now=later)
    assert check(running, now=later).healthy


def test_health_answers_1_when_there_is_no_snapshot_at_all(tmp_path, capsys):
    config = config_for(tmp_path)
    database(config)
    beat(config)
    code, lines = health(config, capsys)
    assert code == 1
    assert lines == [  # a fresh install: said for a person, with what happens next
        f"unhealthy: no verified snapshot yet in {config.snapshot_dir} (the bot takes its "
        "first a few seconds after it starts)"
    ]


def test_a_snapshot_whose_manifest_records_a_failed_check_does_not_count(running, capsys):
    [taken] = running.snapshot_dir.glob("vouchy-*.db")
    manifest = json.loads(manifest_path(taken).read_bytes())
    manifest["verified"] = False
    manifest_path(taken).write_text(json.dumps(manifest))
    code, lines = health(running, capsys)
    assert code == 1
    assert lines[0].startswith("unhealthy: no verified snapshot in")
    assert "not verified" in lines[0]


def test_a_snapshot_of_another_data_directory_does_not_count(running, tmp_path, capsys):
    other = config_for(tmp_path / "other")
    database(other)
    beat(other)
    other.snapshot_dir.mkdir(parents=True, exist_ok=True)
    for path in running.snapshot_dir.glob("vouchy-*"):
        os.link(path, other.snapshot_dir / path.name)
    assert not check(other).healthy
    assert check(running).healthy


def test_every_problem_is_reported_one_line_each(tmp_path, capsys):
    config = config_for(tmp_path)
    database(config)
    beat(config, age=3600, writer_alive=False)
    code, lines = health(config, capsys)
    assert code == 1
    assert len(lines) == 3
    assert all(line.startswith("unhealthy: ") for line in lines)


def test_health_json_carries_the_figures(running, capsys):
    code, lines = health(running, capsys, "--json")
    report = json.loads("\n".join(lines))
    assert code == 0 and report["healthy"] is True and report["problems"] == []
    assert report["pid"] == os.getpid() and report["writer_alive"] is True
    assert report["snapshot"].startswith("vouchy-") and report["snapshot_age_s"] < 60


def test_health_neither_opens_nor_locks_the_database(running, capsys):
    """It runs beside the bot: reading files only, it never contends for the data lock."""
    from vouchy.store.durability.lock import DataLock

    lock = DataLock(running.data_dir).acquire()
    try:
        assert health(running, capsys)[0] == 0
    finally:
        lock.release()
