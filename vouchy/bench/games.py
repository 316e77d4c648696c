"""``bench games``: bets settled through the games service and the whole write path (each game
two operations in its member's turn: the stake with the game's row, then the payout with the
XP; the group-commit writer, ``synchronous=FULL``, the journal). Many members play the house
games as fast as they are answered (the throughput; latency there is mostly waiting in line);
then bets offered at a steady rate below it (the latency a member sees); then blackjack hands
dealt and stood; then one member's 1,000 bets at once (their owner plays them one after
another); then the audit, which checks every stake and payout against its game.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import time
from pathlib import Path

import msgspec

from vouchy.app import Vouchy, load_config
from vouchy.bench import percentile, rss_mb
from vouchy.core.errors import VouchyError
from vouchy.features.games.service import GamesService

GUILD = 1_000
ADMIN = 1
PLAYS = (
    ("coinflip", "heads"),
    ("roulette", "colour:red"),
    ("roulette", "number:17"),
    ("dice", "50"),
    ("slots", ""),
    ("rps", "rock"),
)


async def _setup(app: Vouchy, members: list[int]) -> GamesService:
    games = app.service(GamesService)
    current = await games.settings_for(GUILD)
    values = {
        g: {**msgspec.to_builtins(getattr(current, g)), "cooldown_s": 0}
        for g in ("coinflip", "roulette", "slots", "dice", "rps", "blackjack")
    }
    await app.update_settings(GUILD, "games", values, updated_by=ADMIN, reference="bench:setup")
    await asyncio.gather(
        *(app.points.member(GUILD, u).earn(9_000, f"bench:fund:{u}") for u in members)
    )
    return games


async def run(quick: bool, workdir: Path) -> dict[str, object]:
    members = 200 if quick else 1_000
    bets_each = 25 if quick else 50
    hands = 1_000 if quick else 5_000
    rate, steady_s = (300, 5) if quick else (600, 20)  # bets offered per second, for how long
    config = load_config(env={"VOUCHY_DATA_DIR": str(workdir / "data")})
    app = await Vouchy(config).start()
    ids = itertools.count(1)
    rng = random.Random(7)
    try:
        people = [10**15 + m for m in range(members)]
        games = await _setup(app, [*people, 10**16])
        latencies: list[float] = []
        refused = 0

        async def member(user: int) -> None:
            nonlocal refused
            for _ in range(bets_each):
                game, choice = rng.choice(PLAYS)
                n = next(ids)
                started = time.perf_counter()
                try:
                    await games.play(GUILD, user, game, 10, choice, game_id=n, reference=f"b:{n}")
                except VouchyError:
                    refused += 1
                latencies.append((time.perf_counter() - started) * 1000)

        settled_before = games.settled
        started = time.perf_counter()
        await asyncio.gather(*(member(u) for u in people))
        bets_s = time.perf_counter() - started
        bets_settled = games.settled - settled_before

        steady_ms: list[float] = []
        offered = rate * steady_s
        started = time.perf_counter()

        async def one(user: int) -> None:
            game, choice = rng.choice(PLAYS)
            n = next(ids)
            began = time.perf_counter()
            with contextlib.suppress(VouchyError):
                await games.play(GUILD, user, game, 10, choice, game_id=n, reference=f"s:{n}")
            steady_ms.append((time.perf_counter() - began) * 1000)

        pending = []
        for i in range(offered):
            delay = started + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            pending.append(asyncio.ensure_future(one(people[i % members])))
        await asyncio.gather(*pending)
        steady_took = time.perf_counter() - started

        hand_ms: list[float] = []

        async def hand(user: int, count: int) -> None:
            for _ in range(count):
                n = next(ids)
                started = time.perf_counter()
                dealt = await games.play(
                    GUILD, user, "blackjack", 10, game_id=n, reference=f"h:{n}"
                )
                if dealt.game.status == "open":
                    await games.act(GUILD, user, n, "stand", dealt.game.version)
                hand_ms.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(hand(u, hands // members) for u in people))
        hands_s = time.perf_counter() - started

        lone = 10**16
        started = time.perf_counter()
        results = await asyncio.gather(
            *(
                games.play(
                    GUILD, lone, "coinflip", 10, "heads", game_id=next(ids), reference=f"o:{i}"
                )
                for i in range(1_000)
            ),
            return_exceptions=True,
        )
        one_s = time.perf_counter() - started
        started = time.perf_counter()
        report = await app.audit()
        audit_s = time.perf_counter() - started
    finally:
        await app.close()
    ordered, hands_sorted = sorted(latencies), sorted(hand_ms)
    return {
        "bets": {
            "members": members,
            "bets": len(latencies),
            "settled": bets_settled,
            "refused": refused,
            "seconds": round(bets_s, 3),
            "settled_per_s": round(bets_settled / bets_s),
            "p50_ms": percentile(ordered, 50),
            "p99_ms": percentile(ordered, 99),
        },
        "steady": {
            "offered_per_s": rate,
            "bets": len(steady_ms),
            "achieved_per_s": round(len(steady_ms) / steady_took),
            "p50_ms": percentile(sorted(steady_ms), 50),
            "p99_ms": percentile(sorted(steady_ms), 99),
        },
        "blackjack": {
            "hands": len(hand_ms),
            "hands_per_s": round(len(hand_ms) / hands_s),
            "p50_ms": percentile(hands_sorted, 50),
            "p99_ms": percentile(hands_sorted, 99),
        },
        "one_member_1000_at_once": {
            "played": sum(1 for r in results if not isinstance(r, BaseException)),
            "seconds": round(one_s, 3),
        },
        "audit_clean": report.clean,
        "audit_s": round(audit_s, 3),
        "rss_mb": rss_mb(),
    }
