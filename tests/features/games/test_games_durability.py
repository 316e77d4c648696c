"""Games across restarts and faults: a hand and a challenge continued (or resolved) by a new
process, a game a stop left unpaid settled once at the next start, everything back after a
lost database, the audit finding and repairing broken counters, and every outcome of a rotated
seed recomputed through ``python -m vouchy fair verify``."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import signal
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
from features.games.games_support import (
    ADMIN,
    ALICE,
    BOB,
    NO_COOLDOWN,
    G,
    configure,
    dump,
    fund,
    games_of,
    query,
)
from support import open_app
from support.bot import REPO

from vouchy.app import Vouchy
from vouchy.cli import main
from vouchy.features.games.service import GamesService


class Stopped(Exception):
    pass


async def open_hand(app: Vouchy, user: int, first_id: int) -> tuple[int, int]:
    """A blackjack hand that is not over at the deal: (its game id, its version)."""
    games = games_of(app)
    n = first_id
    while True:
        await app.points.member(G, user).adjust("set", 1_000, f"set:{n}", acting_user_id=ADMIN)
        dealt = await games.play(G, user, "blackjack", 100, game_id=n, reference=f"ix:{n}")
        if dealt.game.status == "open":
            return n, dealt.game.version
        n += 1


async def test_a_hand_continues_after_a_restart_and_pays_once(tmp_path: Path) -> None:
    app = await open_app(tmp_path)
    try:
        await configure(app, **NO_COOLDOWN)
        game_id, version = await open_hand(app, ALICE, 1)
    finally:
        await app.close()
    app = await open_app(tmp_path)  # a new process: nothing of the hand in memory
    try:
        games = games_of(app)
        done = await games.act(G, ALICE, game_id, "stand", version)
        assert done.game.status == "settled" and not done.moved_on
        again = await games.act(G, ALICE, game_id, "stand", version)  # a redelivered click
        assert again.moved_on and again.game == done.game
        assert (await app.audit()).clean
    finally:
        await app.close()


async def test_a_hand_left_alone_over_a_restart_stands_at_the_next_start(tmp_path: Path) -> None:
    app = await open_app(tmp_path)
    try:
        await configure(app, **NO_COOLDOWN)
        game_id, _ = await open_hand(app, ALICE, 1)
    finally:
        await app.close()
    app = await open_app(tmp_path)
    try:
        games = games_of(app)
        real = games.clock
        games.clock = lambda: real() + 121_000
        await games.start_background()  # what the bot does once connected: a sweep first
        await games.stop_background()
        row = await games.game(G, game_id)
        assert row is not None and row.status == "settled" and row.hand().timed_out
        assert (await app.audit()).clean
    finally:
        await app.close()


@pytest.mark.parametrize("answered", [True, False])
async def test_a_challenge_open_over_a_restart_is_accepted_or_refunded(
    tmp_path: Path, answered: bool
) -> None:
    app = await open_app(tmp_path)
    try:
        await fund(app, ALICE, 475)
        await fund(app, BOB, 475)
        await games_of(app).challenge(G, ALICE, BOB, 200, "rock", game_id=5, reference="ix:5")
    finally:
        await app.close()
    app = await open_app(tmp_path)
    try:
        games = games_of(app)
        if answered:
            done = await games.answer(G, BOB, 5, "scissors")
            assert (done.game.outcome, done.game.payout) == ("win", 400)
            assert await games.balance(G, ALICE) == 700 and await games.balance(G, BOB) == 300
        else:
            real = games.clock
            games.clock = lambda: real() + 301_000
            assert (await games.sweep()).expired == 1
            assert await games.balance(G, ALICE) == 500 and await games.balance(G, BOB) == 500
        assert (await app.audit()).clean
    finally:
        await app.close()


async def test_a_game_a_stop_left_unpaid_is_paid_once_at_the_next_start(tmp_path: Path) -> None:
    app = await open_app(tmp_path)
    try:
        games = games_of(app)

        async def stopped(*_args: Any, **_kwargs: Any) -> Any:
            raise Stopped("the process stopped between the start and the payout")

        games._settle_paid = stopped  # type: ignore[method-assign]
        with pytest.raises(Stopped):
            await games.play(G, ALICE, "coinflip", 20, "heads", game_id=9, reference="ix:9")
    finally:
        await app.close()
    assert query(tmp_path / "vouchy.db", "SELECT status FROM games") == [("ended",)]
    app = await open_app(tmp_path)
    try:
        games = games_of(app)
        report = await games.sweep()
        assert report.settled == 1
        assert (await games.sweep()).settled == 0  # once
        row = await games.game(G, 9)
        assert row is not None and row.status == "settled"
        paid = query(app.config.db_path, "SELECT COUNT(*) FROM ledger WHERE kind = 'game_win'")
        assert paid == [(1 if row.payout else 0,)]
        again = await games.play(G, ALICE, "coinflip", 20, "heads", game_id=9, reference="ix:9")
        assert again.duplicate and again.game == row  # the redelivered command, after
        assert (await app.audit()).clean
    finally:
        await app.close()


async def test_games_hands_challenges_and_seeds_survive_a_lost_database(tmp_path: Path) -> None:
    app = await open_app(tmp_path)
    try:
        await app.snapshot_now()  # the snapshot holds none of what follows
        await configure(app, **NO_COOLDOWN)
        await fund(app, ALICE, 975)
        games = games_of(app)
        for n, (game, choice) in enumerate([("coinflip", "tails"), ("dice", "40"), ("slots", "")]):
            await games.play(G, ALICE, game, 50, choice, game_id=n + 1, reference=f"ix:{n + 1}")
        await open_hand(app, ALICE, 10)
        await games.challenge(G, ALICE, BOB, 20, "paper", game_id=30, reference="ix:30")
        await games.set_client_seed(G, ALICE, "after-snapshot", "fair:1")
        await games.rotate(G, BOB, "fair:2")
        want = dump(app.config.db_path)
    finally:
        await app.close()
    for name in ("vouchy.db", "vouchy.db-wal", "vouchy.db-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    app = await open_app(tmp_path)
    try:
        assert app.recovery is not None and app.recovery.action != "ok"
        assert dump(app.config.db_path) == want
        assert (await app.audit()).clean
        challenge = await games_of(app).answer(G, BOB, 30, "rock")  # still answerable
        assert challenge.game.status == "settled"
    finally:
        await app.close()


def _break(db: Path, sql: str) -> None:
    conn = sqlite3.connect(db)
    try:
        conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


async def test_the_audit_finds_broken_game_counters_and_repair_rebuilds_them(
    tmp_path: Path,
) -> None:
    app = await open_app(tmp_path)
    try:
        await configure(app, **NO_COOLDOWN)
        await fund(app, ALICE, 975)
        games = games_of(app)
        for n in range(1, 4):
            await games.play(G, ALICE, "roulette", 10, "colour:red", game_id=n, reference=f"ix:{n}")
        want = dump(app.config.db_path, ("games_players", "games_daily", "games_seeds"))
    finally:
        await app.close()
    db = tmp_path / "vouchy.db"
    _break(db, "UPDATE games_players SET played = played + 5, paid = 0")
    _break(db, "UPDATE games_daily SET net = net - 100")
    _break(db, "UPDATE games_seeds SET nonce = 1")
    app = await open_app(tmp_path)
    try:
        found = (await app.audit()).discrepancies
        assert {(d.check, d.problem) for d in found} == {
            ("games.players", "counters_mismatch"),
            ("games.daily", "daily_mismatch"),
            ("games.seeds", "nonce_behind"),
        }
        await app.repair()
        assert (await app.audit()).clean
        after = dump(app.config.db_path, ("games_players", "games_daily", "games_seeds"))
        assert after["games_players"] == want["games_players"]
        assert after["games_daily"] == want["games_daily"]
        assert [r[5] for r in after["games_seeds"]] == [3]  # the next nonce after 0, 1, 2
    finally:
        await app.close()


async def test_the_audit_reports_a_game_paid_differently_from_its_row(tmp_path: Path) -> None:
    app = await open_app(tmp_path)
    try:
        await games_of(app).play(G, ALICE, "slots", 10, game_id=1, reference="ix:1")
    finally:
        await app.close()
    _break(tmp_path / "vouchy.db", "UPDATE games SET payout = payout + 7, bet = bet + 1")
    app = await open_app(tmp_path)
    try:
        found = (await app.audit()).discrepancies
        problems = {(d.check, d.problem) for d in found if d.check == "games.money"}
        assert problems == {("games.money", "stake_mismatch"), ("games.money", "payout_mismatch")}
    finally:
        await app.close()


def verify_cli(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["fair", "verify", *args, "--json"]) == 0
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


async def test_after_a_rotation_the_revealed_seed_reproduces_every_game_through_the_cli(
    tmp_path: Path,
) -> None:
    app = await open_app(tmp_path)
    try:
        await configure(app, **NO_COOLDOWN)
        await fund(app, ALICE, 975)
        games: GamesService = games_of(app)
        shown = await games.seeds(G, ALICE, "fair:show")
        plays = [
            ("coinflip", "heads"),
            ("roulette", "number:17"),
            ("roulette", "column:2"),
            ("slots", ""),
            ("dice", "37"),
            ("rps", "paper"),
        ]
        for n, (game, choice) in enumerate(plays, start=1):
            await games.play(G, ALICE, game, 10, choice, game_id=n, reference=f"ix:{n}")
        n = len(plays) + 1
        actions: dict[int, list[str]] = {}
        while True:  # a blackjack hand played with a hit, then a stand if it is still open
            dealt = await games.play(G, ALICE, "blackjack", 10, game_id=n, reference=f"ix:{n}")
            actions[n] = []
            if dealt.game.status == "open":
                hit = await games.act(G, ALICE, n, "hit", dealt.game.version)
                actions[n].append("hit")
                if hit.game.status == "open":
                    await games.act(G, ALICE, n, "stand", hit.game.version)
                    actions[n].append("stand")
                break
            n += 1
        revealed, _fresh = await games.rotate(G, ALICE, "fair:rotate")
        rows = (await games.history(G, ALICE, 1)).games
    finally:
        await app.close()
    assert revealed.server_seed_hash == shown.server_seed_hash
    assert revealed.games == len(rows) == n
    for row in rows:
        assert row.server_seed_hash == revealed.server_seed_hash
        recorded = row.game_result()
        assert recorded is not None
        args = [
            "--game", row.game,
            "--server-seed", revealed.server_seed,
            "--client-seed", row.client_seed,
            "--nonce", str(row.nonce),
        ]  # fmt: skip
        if row.game == "blackjack":
            moves = ",".join(actions[row.game_id])
            replay = verify_cli(*args, "--bet", "10", "--actions", moves)["replay"]
        else:
            replay = verify_cli(*args, "--bet", str(row.bet), "--choice", row.choice)["replay"]
        assert replay["payout"] == recorded.payout and replay["outcome"] == recorded.outcome
        assert replay["seen"] == json.loads(json.dumps(msgspec_builtins(recorded.seen)))


def msgspec_builtins(value: Any) -> Any:
    import msgspec

    return msgspec.to_builtins(value)


async def test_a_sigkill_mid_game_loses_no_bet_and_pays_none_twice(tmp_path: Path) -> None:
    worker = Path(__file__).with_name("games_crash_worker.py")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOUCHY_")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "tests"), str(REPO)])
    log = tmp_path / "worker.log"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(worker), str(tmp_path),
        env=env, stdout=asyncio.subprocess.PIPE, stderr=log.open("ab"),
    )  # fmt: skip
    acked: dict[int, str] = {}
    try:
        assert proc.stdout is not None
        first = await asyncio.wait_for(proc.stdout.readline(), 30)
        assert first.strip() == b"READY", log.read_text()[-2000:]
        while len(acked) < 60:
            line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode().split()
            acked[int(line[1])] = line[2]
        proc.send_signal(signal.SIGKILL)
        assert await asyncio.wait_for(proc.wait(), 10) == -signal.SIGKILL
    finally:
        if proc.returncode is None:
            proc.kill()
    db = tmp_path / "vouchy.db"
    app = await open_app(tmp_path)
    try:
        games = games_of(app)
        real = games.clock
        games.clock = lambda: real() + 200_000  # open hands time out too
        await games.start_background()  # the start's sweep
        await games.stop_background()
        assert query(db, "SELECT COUNT(*) FROM games WHERE status != 'settled'") == [(0,)]
        for game_id in acked:  # every game answered before the kill was settled then
            assert (await games.game(G, game_id)).settle_ref == f"games:{game_id}:settle"  # type: ignore[union-attr]
        stakes = query(db, "SELECT COUNT(DISTINCT reference) FROM ledger WHERE kind = 'game_bet'")
        (games_played,) = query(db, "SELECT COUNT(*) FROM games")[0]
        assert stakes[0][0] == games_played >= len(acked)
        report = await app.audit()  # each stake and payout against its game, none astray
        assert report.clean, report.discrepancies[:5]
    finally:
        await app.close()
