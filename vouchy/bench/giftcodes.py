"""``bench giftcodes``: 1,000 players x 5 codes redeemed through the whole gift-code actor (each
transition journaled and committed before its request leaves) against the fake publisher at
its rate limit, with a little noise (1% of redemptions get a temporary fault).

Prints ``seconds`` (from the codes being listed to every (code, player) settled), ``requests``
(every request the publisher saw), ``wasted_requests`` (requests beyond one per (code, player)
that needed one: retries after faults, 429s, lookups) and ``max_requests_per_s`` (the most
requests the publisher saw within any one second, sliding). Targets: ``max_requests_per_s`` at
most the publisher's limit, ``wasted_requests`` at most 5% of ``requests``.
"""

from __future__ import annotations

import asyncio
import collections
import os
import time
from pathlib import Path
from typing import Any

from vouchy.app import Vouchy, load_config
from vouchy.features.giftcodes import sources
from vouchy.features.giftcodes.fake_provider import Counters, FakeCode, FakePlayer, FakeProvider
from vouchy.features.giftcodes.rules import PlayerInfo
from vouchy.features.giftcodes.runner import counts
from vouchy.features.giftcodes.service import GiftCodeService

SECRET_ENV = "GIFTCODE_BENCH_SECRET"
SECRET = "bench-secret"
GUILD = 111_111_111_111_111_111
ADMIN = 222_222_222_222_222_222
RATE_LIMIT = 30  # the fake publisher's requests per second before it answers 429
CLIENT_RATE = 27.0  # what Vouchy is told to send: 90% of the limit, for the network's jitter
NOISE = 0.01


def _codes(players: int) -> list[FakeCode]:
    return [
        FakeCode(code="SPRING25"),
        FakeCode(code="SUMMER25"),
        FakeCode(code="VIPONLY", min_vip=3),  # most players fail it: permanent for them
        FakeCode(code="FIRSTCOME", claim_limit=players * 3 // 5),  # runs out: claim limit
        FakeCode(code="LASTYEAR", state="expired"),  # dead: only its canary is asked
    ]


async def run(quick: bool, workdir: Path) -> dict[str, Any]:
    players = 100 if quick else 1_000
    fids = [10_000_000 + i for i in range(players)]
    fake = FakeProvider(
        secret=SECRET,
        players=[FakePlayer(fid=f, nickname=f"p{f}", kid=245, vip=f % 10) for f in fids],
        codes=_codes(players),
        captcha=False,
        rate_limit=RATE_LIMIT,
        retry_after_s=1,
        noise=NOISE,
        seed=7,
    )
    await fake.start()
    env = {
        "VOUCHY_DATA_DIR": str(workdir / "data"),
        "VOUCHY_SNAPSHOTS_DIR": str(workdir / "snapshots"),
        "VOUCHY_GIFTCODES_BASE_URL": fake.base_url,
        "VOUCHY_GIFTCODES_SECRET_ENV": SECRET_ENV,
        "VOUCHY_GIFTCODES_REQUESTS_PER_SECOND": str(CLIENT_RATE),
        "VOUCHY_GIFTCODES_RETRY_BASE_S": "1",
    }
    os.environ[SECRET_ENV] = SECRET
    try:
        app = await Vouchy(load_config(env=env)).start()
        try:
            return await _measure(app, fake, fids)
        finally:
            await app.close()
    finally:
        os.environ.pop(SECRET_ENV, None)
        await fake.close()


async def _measure(app: Vouchy, fake: FakeProvider, fids: list[int]) -> dict[str, Any]:
    service = app.service(GiftCodeService)
    await app.update_settings(
        GUILD, "giftcodes", {"auto_redeem": True}, updated_by=ADMIN, reference="bench-setup"
    )
    for fid in fids:  # as the lookup would describe them (lookups are not what is measured)
        info = PlayerInfo(fid=fid, nickname=f"p{fid}", kid=245, furnace_level=30)
        await service.register(GUILD, info, by=ADMIN, reference=f"bench-add-{fid}")
    await service.take_list(sources.CodeList())  # the first read marks nothing
    await app.start_background()
    fake.counters = Counters()
    started = time.monotonic()
    listed = ", ".join(f'"{c}"' for c in fake.codes)
    await service.take_list(sources.parse_code_list(f'{{"codes": [{listed}]}}'.encode()))
    redeemer = await service.redeemer()
    while True:
        found = counts(redeemer.state)
        if not (found["pending"] or found["waiting"] or found["redeeming"]):
            break
        await asyncio.sleep(0.05)
    seconds = time.monotonic() - started
    c = fake.counters
    pairs = len(c.pair_requests)
    wasted = c.requests - pairs
    outcomes = collections.Counter(
        f"{a.status}:{a.reason}" for a in redeemer.state.attempts.values()
    )
    per_second = c.per_second()
    return {
        "players": len(fids),
        "codes": len(fake.codes),
        "pairs": len(redeemer.state.attempts),
        "seconds": round(seconds, 1),
        "requests": c.requests,
        "wasted_requests": wasted,
        "wasted_share": round(wasted / c.requests, 4) if c.requests else 0.0,
        "max_requests_per_s": c.max_in_window(1.0),
        "max_requests_in_a_whole_second": max(per_second.values(), default=0),
        "provider_limit_per_s": RATE_LIMIT,
        "client_rate_per_s": CLIENT_RATE,
        "rate_limited_429": c.rate_limited,
        "noise_faults_share": NOISE,
        "successes_per_pair_max": max(c.successes.values(), default=0),
        "runner": redeemer.state.runner.status,
        "outcomes": dict(sorted(outcomes.items())),
        "answers": dict(sorted(c.answers.items())),
        "targets_met": c.max_in_window(1.0) <= RATE_LIMIT and wasted <= 0.05 * c.requests,
    }
