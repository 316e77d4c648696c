"""Every refusal the games can raise has its text in English and French, and every text of
the games fills in the same values in both languages."""

from __future__ import annotations

import argparse
import random
import re
import string
from collections.abc import Callable
from pathlib import Path

import pytest

from vouchy.core import i18n
from vouchy.core.config import Config
from vouchy.core.errors import VouchyError
from vouchy.features.games import (
    blackjack,
    coinflip,
    dice,
    fair,
    roulette,
    rps,
    rules,
    verify,
)
from vouchy.features.games import cli as games_cli
from vouchy.features.games.blackjack import BlackjackConfig
from vouchy.features.games.coinflip import CoinflipConfig
from vouchy.features.games.config import GamesSettings, check_settings, with_values
from vouchy.features.games.dice import DiceConfig
from vouchy.features.games.discord import roulette_choice
from vouchy.features.games.rps import RpsConfig
from vouchy.features.games.rules import GameLimits
from vouchy.features.games.service import check_channel
from vouchy.features.games.slots import SlotsConfig, SlotsLine

PACKAGE = Path(fair.__file__).parent
LIMITS = GameLimits(min_bet=10, max_bet=100, cooldown_s=5, daily_loss_limit=50)
SEED = "ab" * 32


def _hand(*ranks: str) -> blackjack.BlackjackHand:
    deck = tuple(blackjack.RANKS.index(r) for r in ranks)
    return blackjack.deal(1, 10, deck, now_ms=0)


def _challenge() -> rps.RpsChallenge:
    return rps.challenge(1, 2, 10, "rock", now_ms=0)


def _bad_line() -> GamesSettings:
    return GamesSettings(slots=SlotsConfig(paytable=(SlotsLine(symbols=("x",), pays=1),)))


def _generous() -> GamesSettings:
    return GamesSettings(slots=SlotsConfig(paytable=(SlotsLine(symbols=("*", "*", "*"), pays=3),)))


# One way to meet each refusal the package can raise.
REFUSALS: list[Callable[[], object]] = [
    lambda: rules.check_bet(1.5, LIMITS),
    lambda: rules.check_bet(1, LIMITS),
    lambda: rules.check_bet(1_000, LIMITS),
    lambda: rules.check_cooldown("slots", 0, 1_000, LIMITS),
    lambda: rules.check_daily_loss(40, 20, LIMITS),
    lambda: verify.outcome("poker", SEED, "c", 0),
    lambda: coinflip.check_call("edge"),
    lambda: roulette.check_bet_on("split", "1"),
    *[(lambda kind=kind: roulette.check_bet_on(kind, "nope")) for kind in roulette.KINDS],
    lambda: dice.check_target(0, dice.DiceConfig()),
    lambda: rps.check_choice("lizard"),
    lambda: rps.challenge(1, 1, 10, "rock", now_ms=0),
    lambda: rps.challenge(1, 2, 10, "rock", now_ms=0, opponent_is_bot=True),
    lambda: rps.answer(_challenge(), 3, "rock", now_ms=1),
    lambda: rps.answer(rps.answer(_challenge(), 2, "rock", now_ms=1)[0], 2, "rock", now_ms=2),
    lambda: rps.answer(rps.decline(_challenge(), 2, now_ms=1), 2, "rock", now_ms=2),
    lambda: rps.answer(rps.decline(_challenge(), 1, now_ms=1), 2, "rock", now_ms=2),
    lambda: rps.answer(_challenge(), 2, "rock", now_ms=10**9),
    lambda: rps.expire(_challenge(), now_ms=1),
    lambda: blackjack.hit(_hand("10", "10", "6", "7"), 2, now_ms=1),
    lambda: blackjack.stand(_hand("A", "10", "K", "7"), 1, now_ms=1),
    lambda: blackjack.double(
        blackjack.hit(_hand("2", "10", "3", "7", "4"), 1, now_ms=1), 1, now_ms=2
    ),
    lambda: blackjack.act(_hand("10", "10", "6", "7"), "split", 1, now_ms=1),
    lambda: fair.check_client_seed("no spaces"),
    lambda: fair.check_server_seed("xyz"),
    lambda: fair.check_nonce(-1),
    lambda: fair.rotate(fair.new_seeds(random.Random(0).randbytes), open_games=2),
    lambda: check_settings(GamesSettings(dice=DiceConfig(min_bet=0))),
    lambda: check_settings(GamesSettings(coinflip=CoinflipConfig(payout_bp=1))),
    lambda: check_settings(GamesSettings(dice=DiceConfig(edge_bp=9_999))),
    lambda: check_settings(GamesSettings(slots=SlotsConfig(reels=((),)))),
    lambda: check_settings(_bad_line()),
    lambda: check_settings(_generous()),
    lambda: check_settings(GamesSettings(blackjack=BlackjackConfig(timeout_s=0))),
    lambda: check_settings(GamesSettings(rps=RpsConfig(challenge_timeout_s=0))),
    lambda: with_values("coinflip", CoinflipConfig(), {"decks": 2}),
    lambda: check_channel(GamesSettings(channels=[5]), 6),
    lambda: roulette_choice("red", 3),
    lambda: games_cli.games_rtp(
        argparse.Namespace(game="dice", rounds=1, seed=0, json=False), Config()
    ),
]


def raised(trigger: Callable[[], object]) -> VouchyError:
    with pytest.raises(VouchyError) as caught:
        trigger()
    return caught.value


def keys_in_source() -> tuple[set[str], list[re.Pattern[str]]]:
    """Refusal keys written in the package: plain ones, and f-string ones as patterns."""
    call = re.compile(
        r"(?:Refused|InvalidInput|ConfigError|super\(\).__init__)\(\s*(f?)\"(games\.[^\"]+)\""
    )
    plain: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for path in PACKAGE.glob("*.py"):
        for is_f, key in call.findall(path.read_text(encoding="utf-8")):
            if is_f:
                parts = re.split(r"\{[^}]+\}", key)
                patterns.append(re.compile("[a-z_0-9]+".join(re.escape(p) for p in parts)))
            else:
                plain.add(key)
    return plain, patterns


def test_every_refusal_in_the_code_is_met_by_this_test() -> None:
    met = {raised(trigger).key for trigger in REFUSALS}
    plain, patterns = keys_in_source()
    assert len(plain) > 30 and len(patterns) == 3
    assert plain <= met, plain - met
    for pattern in patterns:
        assert any(pattern.fullmatch(key) for key in met), pattern.pattern
    # the keys built from a value: every value is met
    for kind in roulette.KINDS:
        assert f"games.roulette.bad_choice.{kind}" in met
    for status in (rps.SETTLED, rps.DECLINED, rps.WITHDRAWN, rps.EXPIRED):
        assert f"games.rps.challenge_{status}" in met


@pytest.mark.parametrize("index", range(len(REFUSALS)))
def test_every_refusal_reads_in_english_and_in_french(index: int) -> None:
    error = raised(REFUSALS[index])
    assert i18n.has(error.key), error.key
    english, french = error.text("en"), error.text("fr")
    assert english and french and english != french
    assert "{" not in english and "{" not in french
    assert error.key not in english and error.key not in french


def test_every_games_text_fills_the_same_values_in_both_languages() -> None:
    fields = string.Formatter()
    games_keys = [k for k in i18n.keys() if k.startswith("games.")]
    assert len(games_keys) > 100
    for key in games_keys:
        texts = i18n.localizations(key)
        names = {lang: {f for _, f, _, _ in fields.parse(texts[lang]) if f} for lang in texts}
        assert names["en"] == names["fr"], key


def test_every_choice_and_game_name_has_a_text() -> None:
    for game in ("coinflip", "roulette", "slots", "dice", "rps", "blackjack"):
        assert i18n.has(f"games.name.{game}")
        assert i18n.has(f"games.cmd.{game}.name") and i18n.has(f"games.cmd.{game}.description")
    for side in coinflip.SIDES:
        assert i18n.has(f"games.coinflip.{side}")
    for kind in roulette.KINDS:
        assert i18n.has(f"games.roulette.kind.{kind}")
    for choice in ("red", "black", "even", "odd", "low", "high", "dozen", "column", "number"):
        assert i18n.has(f"games.roulette.choice.{choice}")
    for colour in ("green", "red", "black"):
        assert i18n.has(f"games.roulette.colour.{colour}")
    for move in rps.CHOICES:
        assert i18n.has(f"games.rps.{move}")
    for action in blackjack.ACTIONS:
        assert i18n.has(f"games.blackjack.{action}")
    for outcome in ("win", "lose", "push"):
        assert i18n.has(f"games.outcome.{outcome}") and i18n.has(f"games.outcome.{outcome}_text")


def test_the_rps_command_is_pfc_in_french() -> None:
    assert i18n.localizations("games.cmd.rps.name") == {"en": "rps", "fr": "pfc"}
