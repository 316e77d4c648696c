"""``bench shop``: purchases through the whole write path (the member's owner, the group-commit
writer, ``synchronous=FULL``, the journal): a rush on a limited item, where the stock decides
in the writer's plan, and a steady stream of purchases of an unlimited one; then the audit.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from vouchy.app import Vouchy, load_config
from vouchy.bench import percentile, rss_mb
from vouchy.core.errors import Refused
from vouchy.features.shop.listings import ListingChange
from vouchy.features.shop.service import ShopService

GUILD = 1_000
ADMIN = 1


async def _timed(shop: ShopService, user: int, item: str, ref: str, out: list[float]) -> bool:
    started = time.perf_counter()
    try:
        await shop.buy(GUILD, user, item, 1, ref)
        return True
    except Refused:
        return False
    finally:
        out.append((time.perf_counter() - started) * 1000)


async def run(quick: bool, workdir: Path) -> dict[str, object]:
    buyers = 2_000 if quick else 20_000
    stock = buyers // 4
    stream = 5_000 if quick else 50_000
    config = load_config(env={"VOUCHY_DATA_DIR": str(workdir / "data")})
    app = await Vouchy(config).start()
    try:
        shop = app.service(ShopService)
        rush = await shop.add_listing(
            GUILD, ADMIN, "Limited", ListingChange(price=5, stock=stock), "bench:rush"
        )
        plenty = await shop.add_listing(
            GUILD, ADMIN, "Plenty", ListingChange(price=1, member_limit=1_000), "bench:plenty"
        )
        rush_ms: list[float] = []
        started = time.perf_counter()
        results = await asyncio.gather(
            *(_timed(shop, 10**15 + u, rush, f"bench:r:{u}", rush_ms) for u in range(buyers))
        )
        rush_s = time.perf_counter() - started
        listing = await shop.listing(GUILD, rush)
        stream_ms: list[float] = []
        members = 100

        async def member(m: int) -> None:
            for n in range(stream // members):
                await _timed(shop, 10**15 + m, plenty, f"bench:s:{m}:{n}", stream_ms)

        started = time.perf_counter()
        await asyncio.gather(*(member(m) for m in range(members)))
        stream_s = time.perf_counter() - started
        started = time.perf_counter()
        report = await app.audit()
        audit_s = time.perf_counter() - started
    finally:
        await app.close()
    rush_sorted, stream_sorted = sorted(rush_ms), sorted(stream_ms)
    return {
        "rush": {
            "buyers": buyers,
            "stock": stock,
            "sold": sum(results),
            "stock_left": listing.stock if listing else None,
            "seconds": round(rush_s, 3),
            "answers_per_s": round(buyers / rush_s),
            "p50_ms": percentile(rush_sorted, 50),
            "p99_ms": percentile(rush_sorted, 99),
        },
        "stream": {
            "purchases": len(stream_ms),
            "members": members,
            "purchases_per_s": round(len(stream_ms) / stream_s),
            "p50_ms": percentile(stream_sorted, 50),
            "p99_ms": percentile(stream_sorted, 99),
        },
        "audit_clean": report.clean,
        "audit_s": round(audit_s, 3),
        "rss_mb": rss_mb(),
    }
