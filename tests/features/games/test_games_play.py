"""Coinflip, roulette, dice, slots and rock-paper-scissors, played on chosen draws."""

from __future__ import annotations

import msgspec
import pytest

from vouchy.core.errors import InvalidInput, Refused
from vouchy.features.games import coinflip, dice, roulette, rps, slots
from vouchy.features.games.fair import BytesStream
from vouchy.features.games.results import GameResult


def words(*values: int) -> BytesStream:
    """Draws whose words are ``values`` (each below every limit, so each is one draw)."""
    return BytesStream(b"".join(v.to_bytes(4, "big") for v in values))


def test_a_right_call_doubles_the_bet_and_a_wrong_one_loses_it() -> None:
    won = coinflip.play(words(0), 50, "heads")
    assert (won.payout, won.outcome, won.seen.side) == (100, "win", "heads")
    lost = coinflip.play(words(1), 50, "heads")
    assert (lost.payout, lost.outcome, lost.seen.side) == (0, "lose", "tails")


def test_coinflip_refuses_a_call_that_is_not_heads_or_tails() -> None:
    with pytest.raises(InvalidInput) as refused:
        coinflip.play(words(0), 50, "edge")
    assert refused.value.key == "games.coinflip.bad_call"


@pytest.mark.parametrize(
    ("kind", "choice", "pockets"),
    [
        ("colour", "red", 18),
        ("colour", "black", 18),
        ("parity", "even", 18),
        ("parity", "odd", 18),
        ("half", "low", 18),
        ("half", "high", 18),
        ("dozen", "2", 12),
        ("column", "3", 12),
        ("number", "0", 1),
        ("number", "36", 1),
    ],
)
def test_each_roulette_bet_covers_its_pockets(kind: str, choice: str, pockets: int) -> None:
    on = roulette.check_bet_on(kind, choice)
    assert roulette.winning_pockets(on) == pockets


def test_the_zero_loses_every_outside_bet() -> None:
    for kind in ("colour", "parity", "half", "dozen", "column"):
        for choice in roulette.KINDS[kind]:
            assert not roulette.covers(roulette.RouletteBet(kind=kind, choice=choice), 0)


def test_roulette_pays_standard_odds() -> None:
    red = roulette.play(words(1), 10, roulette.check_bet_on("colour", "red"))
    assert (red.payout, red.seen.pocket, red.seen.colour) == (20, 1, "red")
    dozen = roulette.play(words(13), 10, roulette.check_bet_on("dozen", "2"))
    assert dozen.payout == 30
    column = roulette.play(words(4), 10, roulette.check_bet_on("column", "1"))
    assert column.payout == 30
    number = roulette.play(words(17), 10, roulette.check_bet_on("number", 17))
    assert number.payout == 360
    lost = roulette.play(words(0), 10, roulette.check_bet_on("colour", "black"))
    assert (lost.payout, lost.seen.colour) == (0, "green")


def test_roulette_refuses_an_unknown_kind_or_choice() -> None:
    with pytest.raises(InvalidInput) as refused:
        roulette.check_bet_on("corner", "1")
    assert refused.value.key == "games.roulette.bad_kind"
    for kind, bad in [
        ("colour", "green"),
        ("parity", "3"),
        ("half", "mid"),
        ("dozen", "4"),
        ("column", "0"),
        ("number", "37"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            roulette.check_bet_on(kind, bad)
        assert refused.value.key == f"games.roulette.bad_choice.{kind}"


def test_dice_wins_under_the_target_and_pays_from_the_exact_chance() -> None:
    config = dice.DiceConfig(edge_bp=100)
    assert dice.multiplier_bp(50, config) == 19_800
    assert dice.multiplier_bp(10, config) == 99_000
    won = dice.play(words(4_999), 100, 50, config)
    assert (won.payout, won.seen.roll) == (198, 4_999)
    lost = dice.play(words(5_000), 100, 50, config)
    assert lost.payout == 0


def test_dice_refuses_a_target_out_of_range() -> None:
    config = dice.DiceConfig()
    for bad in (config.min_target - 1, config.max_target + 1, "50", True):
        with pytest.raises(InvalidInput) as refused:
            dice.check_target(bad, config)
        assert refused.value.key == "games.dice.bad_target"


def test_slots_pay_the_first_matching_line() -> None:
    config = slots.SlotsConfig()
    reel = config.reels[0]
    seven = reel.index("seven")
    cherry = reel.index("cherry")
    jackpot = slots.play(words(seven, seven, seven), 10, config)
    assert (jackpot.payout, jackpot.seen.symbols) == (2_000, ("seven",) * 3)
    # cherry, cherry, cherry matches three lines; the first (x12) pays.
    cherries = slots.play(words(cherry, cherry, cherry), 10, config)
    assert cherries.payout == 120
    one = slots.play(words(cherry, seven, seven), 10, config)
    assert one.payout == 20
    nothing = slots.play(words(seven, cherry, cherry), 10, config)
    assert (nothing.payout, nothing.seen.line) == (0, -1)


def test_the_default_slots_return_less_than_they_take() -> None:
    assert slots.exact_return(slots.SlotsConfig()) < 1


def test_rps_against_the_bot_wins_double_draws_refund_losses_lose() -> None:
    # the bot plays 0 rock, 1 paper, 2 scissors
    assert rps.play(words(2), 10, "rock").payout == 20
    assert rps.play(words(0), 10, "rock").payout == 10
    assert rps.play(words(1), 10, "rock").payout == 0
    assert rps.play(words(0), 10, "rock").outcome == "push"


def test_rps_refuses_an_unknown_move() -> None:
    with pytest.raises(InvalidInput) as refused:
        rps.play(words(0), 10, "lizard")
    assert refused.value.key == "games.rps.bad_choice"


def open_challenge(now_ms: int = 0) -> rps.RpsChallenge:
    return rps.challenge(1, 2, 100, "rock", now_ms=now_ms, config=rps.RpsConfig())


def test_a_challenge_pays_the_winner_both_stakes() -> None:
    settled, challenger, opponent = rps.answer(open_challenge(), 2, "scissors", now_ms=1_000)
    assert settled.status == rps.SETTLED
    assert (challenger.payout, challenger.outcome) == (200, "win")
    assert (opponent.payout, opponent.outcome) == (0, "lose")
    assert challenger.seen.opponent_id == 2 and opponent.seen.opponent_id == 1
    assert challenger.payout + opponent.payout == challenger.bet + opponent.bet


def test_a_drawn_challenge_refunds_both() -> None:
    _, challenger, opponent = rps.answer(open_challenge(), 2, "rock", now_ms=1_000)
    assert (challenger.payout, opponent.payout) == (100, 100)
    assert challenger.outcome == opponent.outcome == "push"


def test_only_the_named_member_answers_a_challenge_and_only_once() -> None:
    ch = open_challenge()
    with pytest.raises(Refused) as refused:
        rps.answer(ch, 3, "paper", now_ms=1_000)
    assert refused.value.key == "games.rps.not_your_challenge"
    settled, _, _ = rps.answer(ch, 2, "paper", now_ms=1_000)
    with pytest.raises(Refused) as refused:
        rps.answer(settled, 2, "paper", now_ms=2_000)
    assert refused.value.key == "games.rps.challenge_settled"


def test_a_challenge_to_oneself_or_a_bot_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        rps.challenge(1, 1, 100, "rock", now_ms=0)
    assert refused.value.key == "games.rps.self_challenge"
    with pytest.raises(InvalidInput) as refused:
        rps.challenge(1, 2, 100, "rock", now_ms=0, opponent_is_bot=True)
    assert refused.value.key == "games.rps.challenge_bot"


def test_a_declined_withdrawn_or_expired_challenge_refunds_the_challenger() -> None:
    ch = open_challenge(now_ms=0)
    declined = rps.decline(ch, 2, now_ms=1_000)
    withdrawn = rps.decline(ch, 1, now_ms=1_000)
    expired = rps.expire(ch, now_ms=ch.expires_at_ms)
    assert (declined.status, withdrawn.status, expired.status) == (
        "declined",
        "withdrawn",
        "expired",
    )
    assert rps.refund(declined) == rps.refund(withdrawn) == rps.refund(expired) == 100
    settled, _, _ = rps.answer(ch, 2, "paper", now_ms=1_000)
    assert rps.refund(settled) == 0
    with pytest.raises(Refused) as refused:
        rps.answer(declined, 2, "paper", now_ms=1_000)
    assert refused.value.key == "games.rps.challenge_declined"
    with pytest.raises(Refused) as refused:
        rps.decline(withdrawn, 1, now_ms=1_000)
    assert refused.value.key == "games.rps.challenge_withdrawn"
    with pytest.raises(Refused) as refused:
        rps.decline(ch, 3, now_ms=1_000)
    assert refused.value.key == "games.rps.not_your_challenge"


def test_an_expired_challenge_can_no_longer_be_answered() -> None:
    ch = open_challenge(now_ms=0)
    with pytest.raises(Refused) as refused:
        rps.answer(ch, 2, "paper", now_ms=ch.expires_at_ms)
    assert refused.value.key == "games.rps.challenge_expired"
    with pytest.raises(Refused) as refused:
        rps.expire(ch, now_ms=ch.expires_at_ms - 1)
    assert refused.value.key == "games.rps.challenge_still_open"
    expired = rps.expire(ch, now_ms=ch.expires_at_ms)
    with pytest.raises(Refused) as refused:
        rps.expire(expired, now_ms=ch.expires_at_ms)
    assert refused.value.key == "games.rps.challenge_expired"


def test_a_challenge_round_trips_through_json() -> None:
    ch = open_challenge()
    assert msgspec.json.decode(msgspec.json.encode(ch), type=rps.RpsChallenge) == ch


def test_every_result_round_trips_through_json() -> None:
    played = [
        coinflip.play(words(0), 10, "tails"),
        roulette.play(words(5), 10, roulette.check_bet_on("parity", "odd")),
        dice.play(words(1234), 10, 20),
        slots.play(words(1, 2, 3), 10),
        rps.play(words(1), 10, "scissors"),
    ]
    for result in played:
        assert msgspec.json.decode(msgspec.json.encode(result), type=GameResult) == result
