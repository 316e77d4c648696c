"""Published odds: exact returns, and simulations of the real games that agree with them.

A simulation's mean return lies within 3 standard errors of the exact value (the standard
error from the measured variance of one round's return); with fixed seeds each check is
reproducible, and a wrong payout or a biased draw would move the mean by many errors.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from vouchy.features.games import blackjack, coinflip, dice, odds, roulette
from vouchy.features.games.config import GamesSettings
from vouchy.features.games.odds import DOUBLE, HIT, STAND
from vouchy.features.games.results import GAMES

SEED = "5f1d0c4b2a39e8d7c6b5a49382716f5e4d3c2b1a09f8e7d6c5b4a39281706f5e"

# The exact return of basic strategy under Vouchy's rules (one deck shuffled for each hand,
# dealer stands on soft 17, double on any first two cards, no split), by
# `odds.blackjack_exact(1)`: every card the player and the dealer can draw, enumerated with
# the cards already dealt removed (4.6 s, so not run here). Three simulations of 1,000,000
# hands each (seeds 11, 12, 13) average 0.99630 with a standard error of 0.00064.
BLACKJACK_EXACT = 0.9959926


def fraction(r: odds.ExactReturn) -> Fraction:
    return Fraction(r.numerator, r.denominator)


def test_every_european_roulette_bet_returns_exactly_36_37() -> None:
    returns = odds.roulette_returns()
    assert {r.variant for r in returns} == set(roulette.KINDS)
    for r in returns:
        assert fraction(r) == Fraction(36, 37)
        assert f"{r.rtp:.2%}" == "97.30%"


def test_the_exact_returns_of_the_other_games() -> None:
    assert fraction(odds.coinflip_return()) == 1
    assert fraction(odds.rps_return()) == 1
    assert fraction(odds.dice_return(50)) == Fraction(99, 100)
    assert fraction(odds.slots_return()) == Fraction(387, 400)
    assert all(r.rtp <= 0.99 for r in odds.dice_returns())


def test_the_standard_deviation_follows_from_the_payouts() -> None:
    # Coinflip pays 2 or 0 with a mean of 1: the deviation is exactly 1.
    assert odds.coinflip_return().sd == pytest.approx(1.0)
    number = next(r for r in odds.roulette_returns() if r.variant == "number")
    assert number.sd == pytest.approx((36**2 / 37 - (36 / 37) ** 2) ** 0.5)


@pytest.mark.parametrize(
    ("game", "variant", "rounds"),
    [
        ("coinflip", "", 30_000),
        ("roulette", "colour", 30_000),
        ("roulette", "dozen", 20_000),
        ("roulette", "number", 20_000),
        ("dice", "50", 20_000),
        ("dice", "10", 20_000),
        ("slots", "", 30_000),
        ("rps", "", 20_000),
    ],
)
def test_each_games_measured_return_is_within_3_standard_errors_of_the_exact(
    game: str, variant: str, rounds: int
) -> None:
    # Played with the fair stream, one nonce per round, exactly as members play.
    measured = odds.simulate(game, rounds, server_seed=SEED, variant=variant)
    if game == "roulette":
        exact = next(r for r in odds.roulette_returns() if r.variant == variant)
    elif game == "dice":
        exact = odds.dice_return(int(variant))
    else:
        (exact,) = odds.exact_returns(game)
    assert measured.rounds == rounds
    assert measured.sd == pytest.approx(exact.sd, rel=0.1)
    assert abs(measured.rtp - exact.rtp) <= 3 * measured.se


def test_basic_strategy_simulation_is_near_the_exact_blackjack_return() -> None:
    # 300,000 hands: the standard error is about 1.11 / sqrt(300,000) = 0.20%, so 3 of them
    # allow 0.61% around the exact 99.60%.
    measured = odds.blackjack_simulation(300_000, seed=2024)
    assert 1.05 < measured.sd < 1.2
    assert measured.se < 0.0021
    assert abs(measured.rtp - BLACKJACK_EXACT) <= 3 * measured.se
    assert 0.99 < measured.rtp < 1.002


def test_the_blackjack_simulation_plays_the_real_hands_from_the_fair_stream_too() -> None:
    measured = odds.simulate("blackjack", 20_000, server_seed=SEED)
    assert abs(measured.rtp - BLACKJACK_EXACT) <= 3 * measured.se


def test_a_short_deck_hand_that_runs_out_is_dealt_again_with_the_same_cards() -> None:
    # Twelve aces and twos in a row: more cards than the simulation's short deck holds.
    deck = tuple([0, 1, 13, 14, 26, 27, 39, 40] + list(range(2, 13)) + list(range(15, 26)))
    with pytest.raises(blackjack.DeckExhausted):
        odds.play_basic_strategy(deck[:6])
    assert odds.play_basic_strategy(deck).bet >= odds.UNIT


@pytest.mark.parametrize(
    ("player", "up", "can_double", "move"),
    [
        (("10", "6"), "10", True, HIT),
        (("10", "6"), "6", True, STAND),
        (("10", "2"), "3", True, HIT),
        (("10", "2"), "4", True, STAND),
        (("6", "5"), "10", True, DOUBLE),
        (("6", "5"), "A", True, HIT),
        (("5", "4"), "2", True, HIT),
        (("5", "4"), "3", True, DOUBLE),
        (("A", "7"), "3", True, DOUBLE),
        (("A", "7"), "3", False, STAND),
        (("A", "7"), "9", True, HIT),
        (("A", "7"), "8", True, STAND),
        (("A", "6"), "2", True, HIT),
        (("A", "8"), "6", True, STAND),
        (("8", "8"), "10", True, HIT),
        (("A", "A"), "6", True, HIT),
        (("6", "5"), "5", False, HIT),
    ],
)
def test_basic_strategy_spot_checks(
    player: tuple[str, str], up: str, can_double: bool, move: str
) -> None:
    def card(rank: str) -> int:
        return blackjack.RANKS.index(rank)

    hand = tuple(card(r) for r in player)
    assert odds.basic_strategy(hand, card(up), can_double) == move


def test_rtp_gives_plain_data_for_every_game() -> None:
    for game in GAMES:
        rows = odds.rtp(game, rounds=2_000)
        assert rows and all(r.game == game for r in rows)
    assert [type(r) for r in odds.rtp("blackjack", rounds=2_000)] == [odds.SimulatedReturn]
    assert all(isinstance(r, odds.ExactReturn) for r in odds.rtp("roulette"))
    with pytest.raises(ValueError):
        odds.rtp("poker")


def test_the_overview_has_one_line_per_game_in_the_settings() -> None:
    config = GamesSettings(dice=dice.DiceConfig(edge_bp=300))
    lines = odds.overview(config, blackjack_rounds=2_000)
    assert [line.game for line in lines] == [
        "coinflip", "roulette", "dice", "slots", "rps", "blackjack"
    ]  # fmt: skip
    dice_line = lines[2]
    assert isinstance(dice_line, odds.ExactReturn)
    assert dice_line.rtp <= 0.97
    assert isinstance(lines[-1], odds.SimulatedReturn) and lines[-1].rounds == 2_000


def test_the_settings_change_the_published_returns() -> None:
    generous = GamesSettings(coinflip=coinflip.CoinflipConfig(payout_bp=19_000))
    (line,) = odds.exact_returns("coinflip", generous)
    assert fraction(line) == Fraction(95, 100)
    measured = odds.simulate("coinflip", 20_000, seed=3, config=generous)
    assert abs(measured.rtp - 0.95) <= 3 * measured.se
