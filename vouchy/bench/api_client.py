"""The load generator of ``bench api``, run as its own process (``python -m
vouchy.bench.api_client '<json>'``) so that the server's figures do not pay for the client.

A minimal HTTP/1.1 client on asyncio streams: each connection is kept alive and sends one
request at a time (no pipelining), as a shop's backend would. Each request is an earn of 1
point with its own Idempotency-Key, for one of ``members`` members.

- ``saturate``: ``connections`` connections, each sending its next request as soon as the
  previous one is answered, for ``seconds``.
- ``rate``: requests scheduled every ``1 / rate`` seconds (open loop) over a pool of
  ``connections``; a request's latency counts from its scheduled time, so a stall shows in the
  figures instead of slowing the schedule (no coordinated omission).

Prints one JSON object: requests answered, statuses, seconds, requests per second, latency
percentiles in milliseconds.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def call(self, request: bytes) -> tuple[int, bytes]:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        at = lower.find(b"\r\ncontent-length:")
        if at < 0:
            raise RuntimeError("an answer without Content-Length")
        end = lower.find(b"\r\n", at + 2)
        length = int(head[at + 17 : end].strip())
        body = await self.reader.readexactly(length)
        return status, body


class Load:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.host: str = spec["host"]
        self.port: int = spec["port"]
        self.key: str = spec["key"]
        self.guild: int = spec["guild"]
        self.members: int = spec["members"]
        self.prefix: str = spec["prefix"]
        self.n = 0
        self.statuses: dict[int, int] = {}
        self.latencies: list[float] = []

    def request(self) -> bytes:
        n = self.n
        self.n += 1
        user = 10**17 + n % self.members
        body = b'{"points":1,"reason":"bench"}'
        return (
            f"POST /v1/guilds/{self.guild}/members/{user}/earn HTTP/1.1\r\n"
            f"Host: {self.host}:{self.port}\r\n"
            f"Authorization: Bearer {self.key}\r\n"
            f"Idempotency-Key: {self.prefix}-{n}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body

    async def connect(self) -> Connection:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        return Connection(reader, writer)

    def record(self, status: int, latency_s: float) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.latencies.append(latency_s * 1000)

    async def saturate(self, connections: int, seconds: float) -> float:
        pool = [await self.connect() for _ in range(connections)]
        started = time.perf_counter()
        deadline = started + seconds

        async def loop(conn: Connection) -> None:
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                status, _ = await conn.call(self.request())
                self.record(status, time.perf_counter() - sent)

        await asyncio.gather(*(loop(c) for c in pool))
        elapsed = time.perf_counter() - started
        for c in pool:
            c.writer.close()
        return elapsed

    async def rate(self, connections: int, seconds: float, rate: float) -> float:
        idle: asyncio.Queue[Connection] = asyncio.Queue()
        for _ in range(connections):
            idle.put_nowait(await self.connect())
        total = int(seconds * rate)
        started = time.perf_counter()
        tasks = []

        async def one(due: float) -> None:
            conn = await idle.get()
            status, _ = await conn.call(self.request())
            self.record(status, time.perf_counter() - due)
            idle.put_nowait(conn)

        for i in range(total):
            due = started + i / rate
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            tasks.append(asyncio.ensure_future(one(due)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
        while not idle.empty():
            idle.get_nowait().writer.close()
        return elapsed


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))], 3)


async def main(spec: dict[str, Any]) -> dict[str, Any]:
    load = Load(spec)
    if spec["mode"] == "saturate":
        elapsed = await load.saturate(spec["connections"], spec["seconds"])
    else:
        elapsed = await load.rate(spec["connections"], spec["seconds"], spec["rate"])
    answered = len(load.latencies)
    return {
        "requests": answered,
        "ok": load.statuses.get(200, 0),
        "statuses": {str(k): v for k, v in sorted(load.statuses.items())},
        "seconds": round(elapsed, 3),
        "per_s": round(answered / elapsed, 1),
        "p50_ms": _percentile(load.latencies, 50),
        "p99_ms": _percentile(load.latencies, 99),
        "max_ms": round(max(load.latencies), 3) if load.latencies else float("nan"),
    }


if __name__ == "__main__":
    result = asyncio.run(main(json.loads(sys.argv[1])))
    sys.stdout.write(json.dumps(result) + "\n")
