"""The games through their service and the real store (no gateway): every game's stake and
payout as two ledger rows with their own references, refusals that change nothing, the
multiplier and the XP in the settlement, blackjack moves and timeouts, challenges accepted,
declined, withdrawn and expired, the seeds, and 1,000 bets at once by one member."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from features.games.games_support import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    NO_COOLDOWN,
    G,
    configure,
    dump,
    fund,
    games_of,
    losing_call,
    query,
    winning_call,
)
from support import open_app

from vouchy.app import Vouchy
from vouchy.core.errors import InsufficientFunds, InvalidInput, ReferenceTaken, Refused
from vouchy.features.games import blackjack
from vouchy.features.games.rules import DailyLossLimit, GameCooldown
from vouchy.features.levels.service import LevelsService
from vouchy.features.shop.inventory import spend_one_game
from vouchy.features.shop.service import ShopService
from vouchy.store.operations import Op, Patch


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[Vouchy]:
    app = await open_app(tmp_path)
    await fund(app, ALICE, 975)  # 1,000 with the opening 25
    yield app
    await app.close()


def ledger(app: Vouchy, user: int) -> list[tuple[str, int, str]]:
    return [
        (kind, delta, reference)
        for kind, delta, reference in query(
            app.config.db_path,
            "SELECT kind, delta, reference FROM ledger WHERE user_id = ? AND kind LIKE 'game%'"
            " ORDER BY id",
            user,
        )
    ]


@pytest.mark.parametrize(
    ("game", "choice"),
    [
        ("coinflip", "heads"),
        ("roulette", "dozen:2"),
        ("slots", ""),
        ("dice", "50"),
        ("rps", "rock"),
    ],
)
async def test_a_game_takes_the_stake_then_pays_once_each_under_its_own_reference(
    app: Vouchy, game: str, choice: str
) -> None:
    played = await games_of(app).play(G, ALICE, game, 100, choice, game_id=7, reference="ix:7")
    row = played.game
    assert (row.status, row.bet, row.nonce, row.settle_ref) == ("settled", 100, 0, "games:7:settle")
    paid = [("game_win", row.payout, "games:7:settle")] if row.payout else []
    assert ledger(app, ALICE) == [("game_bet", -100, "ix:7"), *paid]
    assert played.balance == 1_000 - 100 + row.payout
    result = row.game_result()
    assert result is not None and (result.bet, result.payout) == (100, row.payout)
    assert (await app.audit()).clean


async def test_the_same_start_again_answers_the_same_game_and_changes_nothing(app: Vouchy) -> None:
    games = games_of(app)
    first = await games.play(G, ALICE, "coinflip", 50, "heads", game_id=8, reference="ix:8")
    before = dump(app.config.db_path)
    again = await games.play(G, ALICE, "coinflip", 50, "heads", game_id=8, reference="ix:8")
    assert again.duplicate and again.game == first.game
    assert dump(app.config.db_path) == before
    with pytest.raises(ReferenceTaken):  # another member naming the same game
        await games.play(G, BOB, "coinflip", 50, "heads", game_id=8, reference="ix:8")


@pytest.mark.parametrize(
    ("bet", "choice", "key"),
    [
        (5, "heads", "games.bet_too_small"),
        (5_001, "heads", "games.bet_too_large"),
        (50, "edge", "games.coinflip.bad_call"),
        (2_000, "heads", "error.insufficient_funds"),
    ],
)
async def test_a_bad_bet_or_choice_is_refused_and_changes_nothing(
    app: Vouchy, bet: int, choice: str, key: str
) -> None:
    before = dump(app.config.db_path)
    with pytest.raises((InvalidInput, Refused)) as refused:
        await games_of(app).play(G, ALICE, "coinflip", bet, choice, game_id=9, reference="ix:9")
    assert refused.value.key == key
    assert dump(app.config.db_path) == before


async def test_a_game_too_soon_after_the_last_says_how_long_to_wait_and_changes_nothing(
    app: Vouchy,
) -> None:
    games = games_of(app)
    await games.play(G, ALICE, "dice", 20, "50", game_id=10, reference="ix:10")
    before = dump(app.config.db_path)
    with pytest.raises(GameCooldown) as refused:
        await games.play(G, ALICE, "dice", 20, "50", game_id=11, reference="ix:11")
    assert 0 < refused.value.retry_after_s <= 3
    assert "You can play Dice again in" in refused.value.text("en")
    assert dump(app.config.db_path) == before
    await games.play(G, ALICE, "coinflip", 20, "heads", game_id=12, reference="ix:12")  # another


async def test_the_daily_loss_limit_counts_open_stakes_and_refuses_past_it(app: Vouchy) -> None:
    await configure(app, dice={"daily_loss_limit": 150, "cooldown_s": 0})
    games = games_of(app)
    lost = 0
    n = 0
    while lost + 100 <= 150:  # play until one more 100-point stake could pass the limit
        n += 1
        played = await games.play(G, ALICE, "dice", 100, "2", game_id=20 + n, reference=f"r{n}")
        lost += played.game.bet - played.game.payout
    before = dump(app.config.db_path)
    with pytest.raises(DailyLossLimit) as refused:
        await games.play(G, ALICE, "dice", 100, "2", game_id=99, reference="r99")
    assert refused.value.params == {"limit": 150, "left": max(0, 150 - lost)}
    assert dump(app.config.db_path) == before


async def test_an_active_multiplier_multiplies_the_winnings_and_is_used_by_any_game(
    app: Vouchy,
) -> None:
    shop = app.service(ShopService)
    await shop.change_items(G, ALICE, "x3", 1, "give-x3", give=True, admin_id=ADMIN)
    await shop.use(G, ALICE, "x3", "use-x3", seen=1)  # three times the winnings, 2 games
    await configure(app, **NO_COOLDOWN)
    games = games_of(app)
    call = await winning_call(app, ALICE)
    won = await games.play(G, ALICE, "coinflip", 100, call, game_id=30, reference="ix:30")
    assert (won.game.outcome, won.game.multiplier, won.game.payout) == ("win", 3, 100 + 300)
    call = await winning_call(app, ALICE)
    lost = await games.play(
        G, ALICE, "coinflip", 100, losing_call(call), game_id=31, reference="ix:31"
    )
    assert (lost.game.outcome, lost.game.multiplier, lost.game.payout) == ("lose", 3, 0)
    assert (await shop.inventory(G, ALICE)).multiplier is None  # both of its games used
    call = await winning_call(app, ALICE)
    plain = await games.play(G, ALICE, "coinflip", 100, call, game_id=32, reference="ix:32")
    assert (plain.game.multiplier, plain.game.payout) == (1, 200)
    assert (await app.audit()).clean


async def test_a_win_earns_15_xp_and_a_loss_5_with_the_settlement(app: Vouchy) -> None:
    await configure(app, **NO_COOLDOWN)
    games = games_of(app)
    call = await winning_call(app, ALICE)
    won = await games.play(G, ALICE, "coinflip", 10, call, game_id=40, reference="ix:40")
    call = await winning_call(app, ALICE)
    lost = await games.play(
        G, ALICE, "coinflip", 10, losing_call(call), game_id=41, reference="ix:41"
    )
    assert (won.game.xp, lost.game.xp) == (15, 5)
    logged = query(
        app.config.db_path,
        "SELECT reference, xp FROM levels_xp_log WHERE source = 'game' ORDER BY xp",
    )
    assert logged == [(f"levels:game:{G}:41:{ALICE}", 5), (f"levels:game:{G}:40:{ALICE}", 15)]
    for _ in range(100):  # the member's owner folds the pending XP in after the commit
        profile = await app.service(LevelsService).profile(G, ALICE)
        if profile.xp == 20:
            break
        await asyncio.sleep(0.01)
    assert profile.xp == 20


async def test_a_blackjack_hand_is_played_move_by_move_and_paid_once(app: Vouchy) -> None:
    await configure(app, **NO_COOLDOWN)
    games = games_of(app)
    n = 50
    while True:  # a hand that is not over at the deal
        dealt = await games.play(G, ALICE, "blackjack", 100, game_id=n, reference=f"ix:{n}")
        if dealt.game.status == "open":
            break
        n += 1
    row = dealt.game
    assert row.expires_at is not None and row.hand().status == blackjack.PLAYING
    assert ledger(app, ALICE)[-1] == ("game_bet", -100, f"ix:{n}")
    with pytest.raises(Refused) as refused:  # another member's click
        await games.act(G, BOB, n, "hit", row.version)
    assert refused.value.key == "games.blackjack.not_your_hand"
    stood = await games.act(G, ALICE, n, "stand", row.version)
    assert stood.game.status == "settled" and not stood.moved_on
    stale = await games.act(G, ALICE, n, "hit", row.version)  # the old buttons again
    assert stale.moved_on and stale.game == stood.game
    rows = [r for r in ledger(app, ALICE) if str(n) in r[2]]
    assert len([r for r in rows if r[0] == "game_bet"]) == 1
    assert len([r for r in rows if r[0] == "game_win"]) == (1 if stood.game.payout else 0)
    assert (await app.audit()).clean


async def test_doubling_takes_a_second_stake_and_a_double_without_the_points_is_refused(
    app: Vouchy,
) -> None:
    await configure(app, **NO_COOLDOWN)
    games = games_of(app)
    n = 60
    while True:  # a hand not over at the deal, with 200 points before it
        await app.points.member(G, BOB).adjust("set", 200, f"set:{n}", acting_user_id=ADMIN)
        dealt = await games.play(G, BOB, "blackjack", 150, game_id=n, reference=f"ix:{n}")
        if dealt.game.status == "open":
            break
        n += 1
    before = dump(app.config.db_path)
    with pytest.raises(InsufficientFunds):
        await games.act(G, BOB, n, "double", dealt.game.version)
    assert dump(app.config.db_path) == before
    await fund(app, BOB, 100)
    doubled = await games.act(G, BOB, n, "double", dealt.game.version)
    assert doubled.game.status == "settled" and doubled.game.bet == 300
    bets = [r for r in ledger(app, BOB) if r[0] == "game_bet" and str(n) in r[2]]
    assert bets == [("game_bet", -150, f"ix:{n}"), ("game_bet", -150, f"games:{n}:move0")]
    assert (await app.audit()).clean


async def test_a_hand_left_alone_stands_when_its_time_runs_out_and_says_so(app: Vouchy) -> None:
    await configure(app, **NO_COOLDOWN)
    games = games_of(app)
    n = 70
    while True:
        dealt = await games.play(
            G, ALICE, "blackjack", 100, game_id=n, reference=f"ix:{n}", channel_id=555
        )
        if dealt.game.status == "open":
            break
        n += 1
    assert (await games.sweep()).timed_out == 0  # not yet
    real = games.clock
    games.clock = lambda: real() + 121_000
    report = await games.sweep()
    assert (report.timed_out, report.settled) == (1, 1)
    row = await games.game(G, n)
    assert row is not None and row.status == "settled" and row.hand().timed_out
    posts = query(
        app.config.db_path,
        "SELECT kind, payload FROM outbox WHERE reference = ?",
        f"games:{n}:settle",
    )
    assert len(posts) == 1 and posts[0][0] == "discord.post"
    assert "left alone and stands" in posts[0][1] and '"channel_id":555' in posts[0][1]
    late = await games.act(G, ALICE, n, "hit", dealt.game.version)  # a click after it
    assert late.moved_on and late.game.status == "settled"
    assert (await games.sweep()).anything is False
    assert (await app.audit()).clean


async def test_a_click_after_the_deadline_stands_the_hand_even_before_the_sweep(
    app: Vouchy,
) -> None:
    await configure(app, **NO_COOLDOWN)
    games = games_of(app)
    n = 80
    while True:
        dealt = await games.play(G, ALICE, "blackjack", 100, game_id=n, reference=f"ix:{n}")
        if dealt.game.status == "open":
            break
        n += 1
    real = games.clock
    games.clock = lambda: real() + 121_000
    late = await games.act(G, ALICE, n, "hit", dealt.game.version)
    assert late.moved_on and late.game.hand().timed_out
    assert len(late.game.hand().player) == 2  # the hit did not happen


async def test_a_challenge_holds_both_stakes_and_pays_the_winner_both(app: Vouchy) -> None:
    await fund(app, BOB, 475)
    games = games_of(app)
    opened = await games.challenge(G, ALICE, BOB, 200, "rock", game_id=90, reference="ix:90")
    assert opened.game.status == "open" and opened.balance == 800
    with pytest.raises(Refused) as refused:
        await games.answer(G, CAROL, 90, "paper")  # not hers
    assert refused.value.key == "games.rps.not_your_challenge"
    with pytest.raises(Refused):
        await games.answer(G, ALICE, 90, "paper")  # the challenger cannot answer
    done = await games.answer(G, BOB, 90, "paper")
    row = done.game
    assert (row.status, row.outcome, row.payout, row.opponent_payout) == ("settled", "lose", 0, 400)
    assert row.outcome_for(BOB) == "win" and (row.xp, row.opponent_xp) == (5, 15)
    assert await games.balance(G, ALICE) == 800 and await games.balance(G, BOB) == 700
    again = await games.answer(G, BOB, 90, "rock")  # a second click
    assert again.moved_on and again.game == row
    assert (await app.audit()).clean


async def test_a_drawn_challenge_gives_each_their_stake_back(app: Vouchy) -> None:
    await fund(app, BOB, 475)
    games = games_of(app)
    await games.challenge(G, ALICE, BOB, 200, "rock", game_id=91, reference="ix:91")
    done = await games.answer(G, BOB, 91, "rock")
    assert (done.game.outcome, done.game.payout, done.game.opponent_payout) == ("push", 200, 200)
    assert await games.balance(G, ALICE) == 1_000 and await games.balance(G, BOB) == 500


@pytest.mark.parametrize(("who", "outcome"), [(BOB, "declined"), (ALICE, "withdrawn")])
async def test_a_challenge_declined_or_withdrawn_refunds_the_challenger(
    app: Vouchy, who: int, outcome: str
) -> None:
    games = games_of(app)
    await games.challenge(G, ALICE, BOB, 300, "scissors", game_id=92, reference="ix:92")
    with pytest.raises(Refused):
        await games.close_challenge(G, CAROL, 92)
    closed = await games.close_challenge(G, who, 92)
    assert (closed.game.status, closed.game.outcome, closed.game.payout) == (
        "settled",
        outcome,
        300,
    )
    assert ledger(app, ALICE)[-1] == ("game_refund", 300, "games:92:settle")
    assert await games.balance(G, ALICE) == 1_000
    late = await games.answer(G, BOB, 92, "rock")
    assert late.moved_on and await games.balance(G, BOB) == 25
    assert (await app.audit()).clean


async def test_a_challenge_nobody_answers_is_refunded_by_the_sweep(app: Vouchy) -> None:
    games = games_of(app)
    await games.challenge(
        G, ALICE, BOB, 300, "paper", game_id=93, reference="ix:93", channel_id=556
    )
    real = games.clock
    games.clock = lambda: real() + 301_000
    report = await games.sweep()
    assert (report.expired, report.settled) == (1, 1)
    assert await games.balance(G, ALICE) == 1_000
    posts = query(
        app.config.db_path, "SELECT payload FROM outbox WHERE reference = 'games:93:settle'"
    )
    assert len(posts) == 1 and "Nobody answered in time" in posts[0][0]
    late = await games.answer(G, BOB, 93, "rock")
    assert late.moved_on and late.game.outcome == "expired"
    assert (await app.audit()).clean


@pytest.mark.parametrize(
    ("opponent", "is_bot", "key"),
    [(ALICE, False, "games.rps.self_challenge"), (BOB, True, "games.rps.challenge_bot")],
)
async def test_a_challenge_to_oneself_or_to_a_bot_is_refused(
    app: Vouchy, opponent: int, is_bot: bool, key: str
) -> None:
    before = dump(app.config.db_path)
    with pytest.raises(InvalidInput) as refused:
        await games_of(app).challenge(
            G, ALICE, opponent, 50, "rock", game_id=94, reference="ix:94", opponent_is_bot=is_bot
        )
    assert refused.value.key == key
    assert dump(app.config.db_path) == before


async def test_an_opponent_without_the_points_cannot_accept_until_they_have_them(
    app: Vouchy,
) -> None:
    games = games_of(app)
    await games.challenge(G, ALICE, BOB, 500, "rock", game_id=95, reference="ix:95")
    before = dump(app.config.db_path)
    with pytest.raises(InsufficientFunds):
        await games.answer(G, BOB, 95, "paper")
    assert dump(app.config.db_path) == before
    await fund(app, BOB, 500)  # once Bob has the points, the same challenge can be accepted
    done = await games.answer(G, BOB, 95, "paper")
    assert done.game.status == "settled" and done.game.outcome == "lose"


async def test_seeds_are_shown_before_play_a_client_seed_applies_and_a_rotation_reveals(
    app: Vouchy,
) -> None:
    games = games_of(app)
    shown = await games.seeds(G, ALICE, "fair:1")
    assert shown.nonce == 0 and len(shown.server_seed_hash) == 64
    mine = await games.set_client_seed(G, ALICE, "my-lucky-seed", "fair:2")
    assert (mine.client_seed, mine.server_seed_hash) == ("my-lucky-seed", shown.server_seed_hash)
    played = await games.play(
        G, ALICE, "roulette", 10, "colour:red", game_id=100, reference="ix:100"
    )
    assert (played.game.client_seed, played.game.nonce) == ("my-lucky-seed", 0)
    assert played.game.server_seed_hash == shown.server_seed_hash
    revealed, fresh = await games.rotate(G, ALICE, "fair:3")
    assert revealed.server_seed_hash == shown.server_seed_hash and revealed.games == 1
    assert fresh.nonce == 0 and fresh.client_seed == "my-lucky-seed"
    assert (await games.revealed(G, ALICE)) == [revealed]
    with pytest.raises(InvalidInput):
        await games.set_client_seed(G, ALICE, "no spaces please", "fair:4")


async def test_rotation_is_refused_while_a_hand_dealt_from_the_seed_is_open(app: Vouchy) -> None:
    await configure(app, **NO_COOLDOWN)
    games = games_of(app)
    n = 110
    while True:
        dealt = await games.play(G, ALICE, "blackjack", 10, game_id=n, reference=f"ix:{n}")
        if dealt.game.status == "open":
            break
        n += 1
    with pytest.raises(Refused) as refused:
        await games.rotate(G, ALICE, "fair:rotate")
    assert refused.value.key == "games.fair.rotate_while_playing"
    await games.act(G, ALICE, n, "stand", dealt.game.version)
    await games.rotate(G, ALICE, "fair:rotate2")


async def test_games_only_in_the_guilds_game_channels(app: Vouchy) -> None:
    await app.update_settings(G, "games", {"channels": [777]}, updated_by=ADMIN, reference="ch")
    games = games_of(app)
    with pytest.raises(InvalidInput) as refused:
        await games.play(G, ALICE, "slots", 10, game_id=120, reference="ix:120", channel_id=778)
    assert refused.value.key == "games.wrong_channel" and "<#777>" in refused.value.message
    await games.play(G, ALICE, "slots", 10, game_id=121, reference="ix:121", channel_id=777)


async def test_history_lists_a_members_games_and_their_challenges(app: Vouchy) -> None:
    await configure(app, **NO_COOLDOWN)
    games = games_of(app)
    await games.play(G, ALICE, "coinflip", 10, "heads", game_id=130, reference="ix:130")
    await games.play(G, ALICE, "slots", 10, game_id=131, reference="ix:131")
    await games.challenge(G, BOB, ALICE, 10, "rock", game_id=132, reference="ix:132")
    page = await games.history(G, ALICE)
    assert [g.game_id for g in page.games] == [132, 131, 130] and page.total == 3
    stats = {s.game: s.played for s in await games.stats(G, ALICE)}
    assert stats == {"coinflip": 1, "slots": 1}


async def test_a_thousand_bets_at_once_by_one_member_never_go_below_zero_and_each_pays_once(
    app: Vouchy,
) -> None:
    await configure(app, coinflip={"cooldown_s": 0})
    await fund(app, CAROL, 475)  # 500: ten losses of 50 in a row would leave nothing
    games = games_of(app)
    results = await asyncio.gather(
        *(
            games.play(G, CAROL, "coinflip", 50, "heads", game_id=10_000 + i, reference=f"b{i}")
            for i in range(1_000)
        ),
        return_exceptions=True,
    )
    played = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(r, InsufficientFunds) for r in refused), refused[:3]
    assert played and len(played) + len(refused) == 1_000
    db = app.config.db_path
    assert query(db, "SELECT MIN(balance_after) FROM ledger WHERE user_id = ?", CAROL)[0][0] >= 0
    bets = query(db, "SELECT reference FROM ledger WHERE user_id = ? AND kind = 'game_bet'", CAROL)
    assert len(bets) == len(played)
    settled = query(
        db,
        "SELECT g.game_id, (SELECT COUNT(*) FROM ledger l WHERE l.reference = g.settle_ref)"
        " FROM games g WHERE g.user_id = ? AND g.status = 'settled'",
        CAROL,
    )
    assert len(settled) == len(played)  # every bet has its settlement
    wins = sum(1 for p in played if p.game.outcome == "win")
    assert sum(count for _, count in settled) == wins  # a win's payout row, once
    assert await games.balance(G, CAROL) == 500 - 50 * len(played) + 100 * wins
    assert (await app.audit()).clean


async def test_seeds_changed_behind_the_members_owner_refuse_once_then_are_read_again(
    app: Vouchy,
) -> None:
    await configure(app, **NO_COOLDOWN)
    games = games_of(app)
    await games.play(G, ALICE, "dice", 10, "50", game_id=140, reference="ix:140")
    moved = Op(
        guild_id=G,
        user_id=ADMIN,
        reference="repair:nonce",
        name="repair.games.seeds",
        changes=(Patch(table="games_seeds", key=(G, ALICE), values={"nonce": 7}),),
    )
    await app.actors.guild(G).submit(moved)  # another owner (a repair) moves the nonce on
    before = dump(app.config.db_path)
    with pytest.raises(Refused) as refused:
        await games.play(G, ALICE, "dice", 10, "50", game_id=141, reference="ix:141")
    assert refused.value.key == "games.seeds_moved"
    assert dump(app.config.db_path) == before
    played = await games.play(G, ALICE, "dice", 10, "50", game_id=142, reference="ix:142")
    assert played.game.nonce == 7


async def test_a_multiplier_used_up_between_its_read_and_the_payout_is_read_again(
    app: Vouchy,
) -> None:
    shop = app.service(ShopService)
    games = games_of(app)
    real = shop.multiplier_for_game
    reads = []

    async def stale_once(guild_id: int, user_id: int) -> tuple[int, tuple[Any, ...]]:
        reads.append(user_id)
        if len(reads) == 1:  # what a read just before another game used its last game sees
            return 2, spend_one_game(guild_id, user_id, 2)
        return await real(guild_id, user_id)

    games.shop = type("Stale", (), {"multiplier_for_game": staticmethod(stale_once)})()
    call = await winning_call(app, ALICE)
    won = await games.play(G, ALICE, "coinflip", 100, call, game_id=150, reference="ix:150")
    assert len(reads) == 2
    assert (won.game.multiplier, won.game.payout, won.game.settle_ref) == (
        1,
        200,
        "games:150:settle1",
    )
    assert ledger(app, ALICE)[-1] == ("game_win", 200, "games:150:settle1")
    assert (await app.audit()).clean
