"""An optional Prometheus endpoint (``[metrics] enabled = true``): operations by kind and
outcome, the writer's batches, actors, snapshots, the journal and Discord's gateway latency.

Off by default and bound to 127.0.0.1 unless configured. It is served from prometheus-client's
own thread, so a scrape never waits on the event loop. Successes are counted from the
writer's listeners (after each COMMIT); refusals are counted where the bot renders a
``VouchyError``, by calling ``record_refusal(error, kind)``. Everything else is read when
Prometheus scrapes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vouchy.core.config import Config
from vouchy.core.errors import VouchyError
from vouchy.core.logs import get_logger
from vouchy.ops.health import newest_snapshots, taken_at
from vouchy.store.durability.snapshots import QUARANTINE, SnapshotInfo
from vouchy.store.operations import Receipt

if TYPE_CHECKING:
    from vouchy.app import Vouchy

log = get_logger("vouchy.ops.metrics")

# Batch sizes the writer commits: from a lone command to a full batch.
BATCH_SIZE_BUCKETS = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2000, 5000, 20000)
COMMIT_SECONDS_BUCKETS = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
)

_live: list[Metrics] = []


def record_refusal(error: VouchyError, kind: str = "command") -> None:
    """Count an operation refused with ``error`` (outcome = the error's ``code``).

    For the one place the bot renders a ``VouchyError``: ``kind`` is the command or ledger
    kind that was asked for. A no-op while no metrics endpoint runs.
    """
    for metrics in _live:
        metrics.operations.labels(kind=kind, outcome=error.code).inc()


class _Scraped:
    """Figures read at scrape time from the running app (prometheus-client's collector)."""

    def __init__(
        self, config: Config, app: Vouchy, gateway_latency: Callable[[], float | None]
    ) -> None:
        self.config = config
        self.app = app
        self.gateway_latency = gateway_latency

    def describe(self) -> Iterable[Any]:
        return []  # figures change every scrape: nothing to check at registration

    def collect(self) -> Iterable[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        writer = self.app.writer

        def gauge(name: str, doc: str, value: float | None) -> GaugeMetricFamily:
            family = GaugeMetricFamily(name, doc)
            if value is not None:
                family.add_metric([], value)
            return family

        yield CounterMetricFamily(
            "vouchy_writer_batches", "Batches committed by the writer.", value=writer.batches
        )
        yield CounterMetricFamily(
            "vouchy_writer_failed_batches",
            "Batches the database or journal refused (their operations were answered with an error).",
            value=writer.failed_batches,
        )
        yield gauge("vouchy_writer_queued", "Operations waiting for the writer.", writer.queued)
        yield gauge("vouchy_writer_alive", "1 while the writer's loop runs.", int(writer.alive))
        yield gauge(
            "vouchy_writer_last_batch_size", "Operations in the last batch.", writer.last_batch_size
        )
        yield gauge(
            "vouchy_writer_last_commit_seconds",
            "Time the last batch took from planning to COMMIT.",
            writer.last_commit_ms / 1000,
        )
        yield gauge(
            "vouchy_last_ledger_id", "The newest committed ledger row's id.", writer.last_ledger_id
        )
        yield gauge("vouchy_actors", "User actors in memory.", len(self.app.actors))
        yield gauge(
            "vouchy_journal_bytes",
            "Size of the journal directory's files.",
            _directory_bytes(self.config.journal_dir),
        )
        newest, verified = newest_snapshots(self.config)
        yield gauge(
            "vouchy_snapshot_age_seconds",
            "Age of the newest verified snapshot (absent when there is none).",
            None if verified is None else max(0.0, time.time() - taken_at(verified)),
        )
        yield gauge(
            "vouchy_snapshot_last_ok",
            "1 when the newest snapshot passed verification, 0 when it failed or was "
            "quarantined after it (absent: none yet).",
            _last_snapshot_ok(self.config.snapshot_dir, newest, verified),
        )
        schedule = getattr(self.app, "schedule", None)
        if schedule is not None:
            yield CounterMetricFamily(
                "vouchy_snapshot_runs", "Scheduled snapshot runs.", value=schedule.runs
            )
            yield CounterMetricFamily(
                "vouchy_snapshot_failures",
                "Scheduled snapshot runs that failed (snapshot_failed or quarantined).",
                value=schedule.failures,
            )
        latency = _safe(self.gateway_latency)
        yield gauge(
            "vouchy_gateway_latency_seconds",
            "Discord gateway heartbeat latency (absent until the gateway answered).",
            latency,
        )


def _last_snapshot_ok(
    snapshot_dir: Path, newest: SnapshotInfo | None, verified: SnapshotInfo | None
) -> int | None:
    """A failed snapshot is moved to ``quarantine/``: newer than the newest verified one means
    the last attempt failed."""
    if newest is None:
        return None
    if verified is None or newest is not verified:
        return 0
    try:
        quarantined = max(
            (p.stat().st_mtime for p in (snapshot_dir / QUARANTINE).glob("*.db")), default=None
        )
    except OSError:
        quarantined = None
    return 0 if quarantined is not None and quarantined > taken_at(verified) else 1


def _safe(fn: Callable[[], float | None]) -> float | None:
    try:
        value = fn()
    except Exception:
        return None
    if value is None or value != value or value in (float("inf"), float("-inf")):
        return None  # hikari reports NaN before the first heartbeat ack
    return float(value)


def _directory_bytes(path: Path) -> int:
    try:
        return sum(p.stat().st_size for p in path.iterdir() if p.is_file())
    except OSError:
        return 0


class Metrics:
    """A running endpoint; ``stop()`` closes it and unhooks it from the writer."""

    def __init__(
        self, config: Config, app: Vouchy, gateway_latency: Callable[[], float | None]
    ) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram

        self.config = config
        self.app = app
        self.registry = CollectorRegistry(auto_describe=True)
        self.operations = Counter(
            "vouchy_operations",
            "Ledger operations by kind and outcome: applied, duplicate (a repeated reference) "
            "or the refusal's error code.",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.batch_size = Histogram(
            "vouchy_writer_batch_size",
            "Operations per committed batch.",
            buckets=BATCH_SIZE_BUCKETS,
            registry=self.registry,
        )
        self.commit_seconds = Histogram(
            "vouchy_writer_commit_seconds",
            "Time from a batch's planning to its COMMIT.",
            buckets=COMMIT_SECONDS_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(_Scraped(config, app, gateway_latency))
        self._last_batch = app.writer.batches
        self._server: Any = None
        self._thread: Any = None

    def observe(self, receipts: list[Receipt]) -> None:
        """The writer's listener: runs after each COMMIT, on the event loop."""
        counts: dict[tuple[str, bool], int] = {}
        for receipt in receipts:
            key = (receipt.kind, receipt.duplicate)
            counts[key] = counts.get(key, 0) + 1
        for (kind, duplicate), n in counts.items():
            self.operations.labels(kind=kind, outcome="duplicate" if duplicate else "applied").inc(
                n
            )
        writer = self.app.writer
        if writer.batches != self._last_batch:  # a writer batch, not a bulk import
            self._last_batch = writer.batches
            self.batch_size.observe(writer.last_batch_size)
            self.commit_seconds.observe(writer.last_commit_ms / 1000)

    def start(self) -> Metrics:
        from prometheus_client import start_http_server

        host, port = self.config.metrics.host, self.config.metrics.port
        self._server, self._thread = start_http_server(port, addr=host, registry=self.registry)
        self.app.writer.listeners.append(self.observe)
        _live.append(self)
        log.info("metrics_started", url=f"http://{host}:{self.port}/metrics")
        return self

    @property
    def port(self) -> int:
        return self._server.server_port if self._server is not None else self.config.metrics.port

    def stop(self) -> None:
        if self.observe in self.app.writer.listeners:
            self.app.writer.listeners.remove(self.observe)
        if self in _live:
            _live.remove(self)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None
            log.info("metrics_stopped")


def start_metrics(
    config: Config, app: Vouchy, gateway_latency: Callable[[], float | None] = lambda: None
) -> Metrics:
    """Serve ``/metrics`` at ``config.metrics.host:port`` until ``stop()``.

    ``gateway_latency`` returns Discord's heartbeat latency in seconds (hikari's
    ``bot.heartbeat_latency``), or None. Call whether or not metrics are enabled: when
    ``config.metrics.enabled`` is false the handle is inert and serves nothing.
    """
    metrics = Metrics(config, app, gateway_latency)
    if not config.metrics.enabled:
        return metrics
    return metrics.start()
