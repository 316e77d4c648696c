"""The games' settings: one section per game (its bet bounds and its own values) and the XP.

``GamesConfig`` is a msgspec Struct that fits under ``[games]`` in ``config.toml`` (and holds a
guild's overrides the same way); ``check_config`` refuses a setting that would break a game or
return more than 100% to players, naming the setting, before any game is played with it.
"""

from __future__ import annotations

import msgspec

from vouchy.core.errors import ConfigError
from vouchy.features.games.blackjack import BlackjackConfig
from vouchy.features.games.coinflip import CoinflipConfig
from vouchy.features.games.dice import DiceConfig, multiplier_bp
from vouchy.features.games.results import GAMES
from vouchy.features.games.roulette import RouletteConfig
from vouchy.features.games.rps import RpsConfig
from vouchy.features.games.rules import GameLimits, XpRules
from vouchy.features.games.slots import ANY, SlotsConfig, exact_return

MAX_REELS = 6
MAX_STOPS = 100


class GamesConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    coinflip: CoinflipConfig = msgspec.field(default_factory=CoinflipConfig)
    roulette: RouletteConfig = msgspec.field(default_factory=RouletteConfig)
    slots: SlotsConfig = msgspec.field(default_factory=SlotsConfig)
    dice: DiceConfig = msgspec.field(default_factory=DiceConfig)
    rps: RpsConfig = msgspec.field(default_factory=RpsConfig)
    blackjack: BlackjackConfig = msgspec.field(default_factory=BlackjackConfig)
    xp: XpRules = msgspec.field(default_factory=XpRules)


def limits_for(config: GamesConfig, game: str) -> GameLimits:
    """The bet bounds, cooldown and daily loss limit of ``game``."""
    if game not in GAMES:
        raise ValueError(f"unknown game {game!r}")
    limits: GameLimits = getattr(config, game)
    return limits


def check_config(config: GamesConfig) -> GamesConfig:
    """Every game playable and none returning more than 100%, or a ``ConfigError``."""
    for game in GAMES:
        limits = limits_for(config, game)
        if not (
            1 <= limits.min_bet <= limits.max_bet
            and limits.cooldown_s >= 0
            and limits.daily_loss_limit >= 0
        ):
            raise ConfigError("games.config.bad_limits", game=game)
    if not 10_000 < config.coinflip.payout_bp <= 20_000:
        raise ConfigError("games.config.bad_coinflip", value=config.coinflip.payout_bp)
    _check_dice(config.dice)
    _check_slots(config.slots)
    if not (1 <= config.blackjack.decks <= 8 and config.blackjack.timeout_s >= 10):
        raise ConfigError("games.config.bad_blackjack")
    if config.rps.challenge_timeout_s < 10:
        raise ConfigError("games.config.bad_rps")
    if min(config.xp.win, config.xp.lose, config.xp.push) < 0:
        raise ConfigError("games.config.bad_xp")
    return config


def _check_dice(dice: DiceConfig) -> None:
    ok = (
        0 <= dice.edge_bp <= 5_000
        and 1 <= dice.min_target <= dice.max_target <= 98
        and multiplier_bp(dice.max_target, dice) > 10_000
    )
    if not ok:
        raise ConfigError("games.config.bad_dice")


def _check_slots(slots: SlotsConfig) -> None:
    reels = slots.reels
    if not 1 <= len(reels) <= MAX_REELS or not all(1 <= len(r) <= MAX_STOPS for r in reels):
        raise ConfigError("games.config.bad_reels")
    for number, line in enumerate(slots.paytable, start=1):
        fits = len(line.symbols) == len(reels) and all(
            symbol == ANY or symbol in reel
            for symbol, reel in zip(line.symbols, reels, strict=False)
        )
        if not fits or line.pays < 0:
            raise ConfigError("games.config.bad_paytable_line", line=number)
    rtp = exact_return(slots)
    if rtp > 1:
        raise ConfigError("games.config.slots_over_100", rtp=f"{float(rtp) * 100:.2f}")
