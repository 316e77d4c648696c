"""The optional Prometheus endpoint: counters move with the operations, gauges read the app."""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from vouchy import __version__
from vouchy.app import Vouchy, load_config
from vouchy.core.config import Config
from vouchy.core.errors import VouchyError
from vouchy.ops.metrics import record_refusal, start_metrics
from vouchy.store.durability.snapshots import take_snapshot

GUILD = 111_111_111_111_111_111
ALICE = 300_000_000_000_000_001
BOB = 300_000_000_000_000_002


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def config_for(root: Path, *, enabled: bool = True, port: int | None = None) -> Config:
    return load_config(
        env={
            "VOUCHY_DATA_DIR": str(root / "data"),
            "VOUCHY_SNAPSHOTS_DIR": str(root / "data" / "snapshots"),
            "VOUCHY_METRICS_ENABLED": "true" if enabled else "false",
            "VOUCHY_METRICS_PORT": str(port or free_port()),
        }
    )


async def scrape(port: int) -> dict[tuple[str, tuple], float]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/metrics") as response,
    ):
        assert response.status == 200
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def ops(samples: dict, kind: str, outcome: str) -> float:
    return samples.get(("vouchy_operations_total", (("kind", kind), ("outcome", outcome))), 0.0)


async def test_metrics_count_operations_by_kind_and_outcome_and_read_the_app(tmp_path):
    config = config_for(tmp_path)
    async with Vouchy(config) as app:
        metrics = start_metrics(config, app, gateway_latency=lambda: 0.0425)
        try:
            before = await scrape(config.metrics.port)
            assert ops(before, "earn", "applied") == 0
            alice = app.points.member(GUILD, ALICE)
            for n in range(3):
                await alice.earn(10, f"interaction-{n}")
            await alice.earn(10, "interaction-0")  # Discord redelivered it
            await alice.transfer(BOB, 5, "interaction-t")
            try:
                await app.points.member(GUILD, BOB).spend(1_000, "interaction-s")
            except VouchyError as e:
                record_refusal(e, "spend")
            else:
                raise AssertionError("a spend beyond the balance was applied")
            take_snapshot(config.db_path, config.snapshot_dir, app_version=__version__)

            after = await scrape(config.metrics.port)
        finally:
            metrics.stop()

    assert ops(after, "earn", "applied") == 3
    assert ops(after, "earn", "duplicate") == 1
    assert ops(after, "start", "applied") == 0  # an account's opening row is not an operation
    assert ops(after, "transfer_out", "applied") == 1
    assert ops(after, "spend", "insufficient_funds") == 1
    assert after[("vouchy_writer_batches_total", ())] >= 4
    assert after[("vouchy_writer_batch_size_count", ())] >= 4
    assert after[("vouchy_writer_commit_seconds_count", ())] >= 4
    assert after[("vouchy_writer_commit_seconds_sum", ())] > 0
    assert after[("vouchy_writer_failed_batches_total", ())] == 0
    assert after[("vouchy_writer_alive", ())] == 1
    assert after[("vouchy_writer_queued", ())] == 0
    assert after[("vouchy_last_ledger_id", ())] >= 7
    assert after[("vouchy_actors", ())] == 2
    assert after[("vouchy_gateway_latency_seconds", ())] == pytest.approx(0.0425)
    assert 0 <= after[("vouchy_snapshot_age_seconds", ())] < 60
    assert after[("vouchy_snapshot_last_ok", ())] == 1
    assert after[("vouchy_journal_bytes", ())] > 0


async def test_metrics_are_off_unless_enabled(tmp_path):
    config = config_for(tmp_path, enabled=False)
    async with Vouchy(config) as app:
        metrics = start_metrics(config, app)
        try:
            with pytest.raises(aiohttp.ClientConnectionError):
                await scrape(config.metrics.port)
            assert metrics.observe not in app.writer.listeners
        finally:
            metrics.stop()


async def test_metrics_bind_to_loopback_by_default(tmp_path):
    assert config_for(tmp_path).metrics.host == "127.0.0.1"


async def test_stopping_metrics_closes_the_port_and_unhooks_the_writer(tmp_path):
    config = config_for(tmp_path)
    async with Vouchy(config) as app:
        metrics = start_metrics(config, app)
        await scrape(config.metrics.port)
        metrics.stop()
        assert metrics.observe not in app.writer.listeners
        with pytest.raises(aiohttp.ClientConnectionError):
            await scrape(config.metrics.port)
        record_refusal(VouchyError("nothing listens"), "spend")  # a no-op, not an error


async def test_a_gateway_latency_that_is_not_known_yet_is_left_out(tmp_path):
    config = config_for(tmp_path)
    async with Vouchy(config) as app:
        metrics = start_metrics(config, app, gateway_latency=lambda: float("nan"))
        try:
            samples = await scrape(config.metrics.port)
        finally:
            metrics.stop()
    assert ("vouchy_gateway_latency_seconds", ()) not in samples
    assert ("vouchy_snapshot_age_seconds", ()) not in samples
