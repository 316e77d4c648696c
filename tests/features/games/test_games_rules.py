"""Money rules: bet bounds, cooldown, daily loss limit, multipliers, and the settings."""

from __future__ import annotations

import msgspec
import pytest

from vouchy.core.errors import InsufficientFunds, InvalidInput, Refused
from vouchy.features.games import rules
from vouchy.features.games.blackjack import BlackjackConfig
from vouchy.features.games.coinflip import CoinflipConfig
from vouchy.features.games.config import GamesSettings, check_settings, limits_for
from vouchy.features.games.dice import DiceConfig
from vouchy.features.games.results import GAMES, CoinflipSeen, result
from vouchy.features.games.roulette import RouletteConfig
from vouchy.features.games.rps import RpsConfig
from vouchy.features.games.rules import GameLimits
from vouchy.features.games.slots import SlotsConfig, SlotsLine

LIMITS = GameLimits(min_bet=10, max_bet=1_000, cooldown_s=5, daily_loss_limit=500)
NOW = 1_700_000_000_000


def seen() -> CoinflipSeen:
    return CoinflipSeen(call="heads", side="heads")


@pytest.mark.parametrize(
    ("bet", "key"),
    [(9, "games.bet_too_small"), (1_001, "games.bet_too_large"), (10.5, "games.bet_not_whole"),
     (True, "games.bet_not_whole"), ("100", "games.bet_not_whole")],
)  # fmt: skip
def test_a_bet_out_of_bounds_is_refused(bet: object, key: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        rules.check_bet(bet, LIMITS)
    assert refused.value.key == key


def test_the_bounds_themselves_are_accepted() -> None:
    assert rules.check_bet(10, LIMITS) == 10
    assert rules.check_bet(1_000, LIMITS) == 1_000


def test_a_game_too_soon_after_the_last_one_says_how_long_to_wait() -> None:
    with pytest.raises(rules.GameCooldown) as refused:
        rules.check_cooldown("dice", NOW - 2_000, NOW, LIMITS)
    assert refused.value.retry_after_s == 3
    assert refused.value.text("en") == "Easy! You can play Dice again in 3s."
    assert refused.value.text("fr") == "Doucement ! Tu pourras rejouer à Dés dans 3 s."
    rules.check_cooldown("dice", NOW - 5_000, NOW, LIMITS)
    rules.check_cooldown("dice", None, NOW, LIMITS)


def test_the_daily_loss_limit_counts_the_stake_as_possibly_lost() -> None:
    rules.check_daily_loss(lost_today=400, stake=100, limits=LIMITS)
    with pytest.raises(rules.DailyLossLimit) as refused:
        rules.check_daily_loss(lost_today=450, stake=100, limits=LIMITS)
    assert refused.value.params == {"limit": 500, "left": 50}
    rules.check_daily_loss(lost_today=10**9, stake=100, limits=GameLimits(daily_loss_limit=0))


def test_the_day_starts_at_midnight_utc() -> None:
    start = rules.day_start_ms(NOW)
    assert start % rules.DAY_MS == 0 and 0 <= NOW - start < rules.DAY_MS


def test_a_bet_larger_than_the_balance_is_refused() -> None:
    with pytest.raises(InsufficientFunds):
        rules.check_play("coinflip", 100, LIMITS, balance=99, now_ms=NOW)
    assert rules.check_play("coinflip", 100, LIMITS, balance=100, now_ms=NOW) == 100


def test_doubling_needs_the_second_stake_on_the_account_and_under_the_limit() -> None:
    with pytest.raises(InsufficientFunds):
        rules.check_extra_stake(100, LIMITS, balance=50, lost_today=100)
    with pytest.raises(rules.DailyLossLimit):
        rules.check_extra_stake(100, LIMITS, balance=1_000, lost_today=450)


def test_a_multiplier_multiplies_the_winnings_not_the_stake() -> None:
    won = rules.settle(result("coinflip", 100, 250, seen()), multiplier=3)
    assert (won.base_payout, won.payout, won.profit) == (250, 100 + 150 * 3, 450)
    assert won.multiplier_spent


def test_a_multiplier_leaves_a_loss_and_a_push_as_they_are() -> None:
    lost = rules.settle(result("coinflip", 100, 0, seen()), multiplier=2)
    assert (lost.payout, lost.profit, lost.outcome) == (0, -100, "lose")
    push = rules.settle(result("coinflip", 100, 100, seen()), multiplier=2)
    assert (push.payout, push.profit, push.outcome) == (100, 0, "push")
    assert lost.multiplier_spent and push.multiplier_spent


def test_no_multiplier_spends_nothing() -> None:
    plain = rules.settle(result("coinflip", 100, 200, seen()))
    assert (plain.payout, plain.multiplier, plain.multiplier_spent) == (200, 1, False)


def test_a_settlement_carries_the_xp_it_was_given() -> None:
    assert rules.settle(result("coinflip", 100, 200, seen()), xp=15).xp == 15
    assert rules.settle(result("coinflip", 100, 0, seen())).xp == 0


def test_the_default_settings_are_valid_and_every_game_has_limits() -> None:
    config = check_settings(GamesSettings())
    for game in GAMES:
        assert limits_for(config, game).min_bet >= 1


def test_settings_decode_from_plain_values() -> None:
    raw = {"dice": {"edge_bp": 200, "max_bet": 50_000}, "blackjack": {"decks": 6}}
    config = msgspec.convert(raw, type=GamesSettings)
    assert (config.dice.edge_bp, config.dice.max_bet, config.blackjack.decks) == (200, 50_000, 6)
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"dice": {"edge": 1}}, type=GamesSettings)


@pytest.mark.parametrize(
    "raw",
    [
        {"roulette": {"min_bet": 0}},
        {"coinflip": {"payout_bp": 20_001}},
        {"dice": {"edge_bp": -1}},
        {"dice": {"max_target": 99}},
        {"slots": {"reels": []}},
        {"blackjack": {"decks": 9}},
        {"blackjack": {"timeout_s": 0}},
        {"rps": {"challenge_timeout_s": 1}},
        {"channels": [0]},
    ],
)
def test_a_value_out_of_its_bounds_is_refused_when_read(raw: dict[str, object]) -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert(raw, type=GamesSettings)


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        (GamesSettings(slots=SlotsConfig(min_bet=100, max_bet=10)), "games.config.bad_limits"),
        (GamesSettings(roulette=RouletteConfig(min_bet=0)), "games.config.bad_limits"),
        (GamesSettings(coinflip=CoinflipConfig(payout_bp=1)), "games.config.bad_coinflip"),
        (GamesSettings(dice=DiceConfig(min_target=50, max_target=40)), "games.config.bad_dice"),
        (GamesSettings(dice=DiceConfig(edge_bp=5_000, max_target=98)), "games.config.bad_dice"),
        (GamesSettings(slots=SlotsConfig(reels=())), "games.config.bad_reels"),
        (GamesSettings(blackjack=BlackjackConfig(decks=9)), "games.config.bad_blackjack"),
        (GamesSettings(rps=RpsConfig(challenge_timeout_s=1)), "games.config.bad_rps"),
    ],
)
def test_settings_that_break_a_game_are_refused_by_name(settings: GamesSettings, key: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_settings(settings)
    assert refused.value.key == key


def test_reels_with_too_many_ways_to_line_up_are_refused_before_counting_them() -> None:
    reel = tuple(f"s{i}" for i in range(100))
    wide = SlotsConfig(reels=(reel, reel, reel), paytable=())
    with pytest.raises(InvalidInput) as refused:
        check_settings(GamesSettings(slots=wide))
    assert refused.value.key == "games.config.bad_reels"


def test_a_paytable_line_that_does_not_fit_the_reels_is_refused() -> None:
    for line in (
        SlotsLine(symbols=("seven", "seven"), pays=5),
        SlotsLine(symbols=("seven", "seven", "unicorn"), pays=5),
        SlotsLine(symbols=("*", "*", "*"), pays=-1),
    ):
        slots = SlotsConfig(paytable=(line,))
        with pytest.raises(InvalidInput) as refused:
            check_settings(GamesSettings(slots=slots))
        assert refused.value.key == "games.config.bad_paytable_line"


def test_slots_returning_more_than_they_take_are_refused() -> None:
    generous = SlotsConfig(paytable=(SlotsLine(symbols=("*", "*", "*"), pays=2),))
    with pytest.raises(InvalidInput) as refused:
        check_settings(GamesSettings(slots=generous))
    assert refused.value.key == "games.config.slots_over_100"
    assert "200.00" in refused.value.message


def test_refusals_are_refused_errors_with_codes() -> None:
    assert issubclass(rules.GameCooldown, Refused) and rules.GameCooldown.code == "games_cooldown"
    assert rules.DailyLossLimit.code == "games_daily_loss_limit"
