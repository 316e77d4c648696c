"""``bench api``: earns over HTTP through the whole stack (aiohttp, the key check, the rate
limit, the member's owner, group commit with ``synchronous=FULL`` and the journal), with the
load sent by a separate process (``vouchy.bench.api_client``) over keep-alive connections.

- ``earn_requests_per_s``: saturation: ``SATURATE_CONNECTIONS`` connections, each sending its
  next earn as soon as the previous one is answered (``p50_ms``/``p99_ms`` beside it).
- ``p99_ms_at_500_per_s``: 500 earns a second, scheduled (open loop), latency from each
  request's scheduled time to its answer, measured after the warm-up and before the
  saturation; ``p99_ms_at_500_per_s_after_saturation`` is the same right after it (while the
  write-ahead log the burst left is checkpointed).

Every earn has its own Idempotency-Key, for one of ``MEMBERS`` members (their accounts opened
by a warm-up run first). Afterwards the ledger must hold exactly one row per earn answered
200 (``applied_once``) and the audit must be clean.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from vouchy.app import Vouchy, load_config
from vouchy.bench import rss_mb
from vouchy.features.api.service import ApiService
from vouchy.web.server import WebServer

GUILD = 424242424242424242
MEMBERS = 1_000
SATURATE_CONNECTIONS = 64
STEADY_RATE = 500
STEADY_CONNECTIONS = 32


async def client(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the load generator in its own process and return what it measured."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "vouchy.bench.api_client",
        json.dumps(spec),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"the load generator failed: {err.decode()[-2000:]}")
    result: dict[str, Any] = json.loads(out)
    return result


async def run(quick: bool, workdir: Path) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    seconds = 5.0 if quick else 15.0
    steady_seconds = 5.0 if quick else 20.0
    config = load_config(
        env={
            "VOUCHY_DATA_DIR": str(workdir / "data"),
            "VOUCHY_SNAPSHOTS_DIR": str(workdir / "snapshots"),
            "VOUCHY_LOGGING_LEVEL": "WARNING",
            "VOUCHY_WEB_RATE_PER_SECOND": "1000000",
            "VOUCHY_WEB_BURST": "1000000",
        }
    )
    app = await Vouchy(config).start()
    try:
        service = app.service(ApiService)
        created = await service.create_key(
            GUILD, "bench", "earn", created_by=0, reference="bench:key"
        )
        assert created.key is not None
        async with WebServer(app, host="127.0.0.1", port=0) as server:
            base = {
                "host": "127.0.0.1",
                "port": server.port,
                "key": created.key.reveal(),
                "guild": GUILD,
                "members": MEMBERS,
            }
            warm = await client(
                {**base, "mode": "saturate", "connections": 16, "seconds": 2.0, "prefix": "warm"}
            )
            steady_spec = {
                **base,
                "mode": "rate",
                "rate": STEADY_RATE,
                "connections": STEADY_CONNECTIONS,
                "seconds": steady_seconds,
            }
            steady = await client({**steady_spec, "prefix": "steady"})
            saturated = await client(
                {
                    **base,
                    "mode": "saturate",
                    "connections": SATURATE_CONNECTIONS,
                    "seconds": seconds,
                    "prefix": "sat",
                }
            )
            # The same rate right after the burst: the WAL it left is being checkpointed.
            after = await client({**steady_spec, "prefix": "after"})
        acknowledged = warm["ok"] + saturated["ok"] + steady["ok"] + after["ok"]
        applied = await app.reader.scalar(
            "SELECT COUNT(*) FROM ledger WHERE guild_id = ? AND kind = 'earn'", (GUILD,)
        )
        report = await app.audit(GUILD)
        batches = app.writer.batches
    finally:
        await app.close()
    return {
        "earn_requests_per_s": saturated["per_s"],
        "p50_ms": saturated["p50_ms"],
        "p99_ms": saturated["p99_ms"],
        "connections": SATURATE_CONNECTIONS,
        "p99_ms_at_500_per_s": steady["p99_ms"],
        "p50_ms_at_500_per_s": steady["p50_ms"],
        "max_ms_at_500_per_s": steady["max_ms"],
        "achieved_per_s_at_500": steady["per_s"],
        "p99_ms_at_500_per_s_after_saturation": after["p99_ms"],
        "statuses": {
            "saturate": saturated["statuses"],
            "steady": steady["statuses"],
            "after": after["statuses"],
        },
        "earns_acknowledged": acknowledged,
        "applied_once": applied == acknowledged,
        "audit_clean": report.clean,
        "mean_batch": round(acknowledged / max(1, batches), 1),
        "synchronous": config.data.synchronous,
        "server_rss_mb": rss_mb(),
        # The machine's other work competes for the same cores: the figures carry it.
        "load_average_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpus": os.cpu_count(),
    }
