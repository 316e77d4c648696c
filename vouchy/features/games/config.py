"""The games' settings: one row of settings per game (its bet bounds and its own values) and the
channels games may be played in.

``GamesSettings`` is what ``config.toml``'s ``[games]`` section holds (``[games.coinflip]``,
``[games.dice]``...) and what a guild overrides, one game's row at a time, with
``/config games set`` (the store keeps one ``settings`` row per game). Each value has its
``Annotated`` bounds, so a value out of bounds is refused when the file is read or before a
guild's change is saved; ``check_settings`` checks what spans values (``min_bet <= max_bet``,
the dice multiplier at its highest target, reels and paytable that fit, and no game returning
more than 100% to players), naming the setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from math import prod
from typing import Annotated, Final

import msgspec

from vouchy.core.errors import InvalidInput
from vouchy.features.games.blackjack import BlackjackConfig
from vouchy.features.games.coinflip import CoinflipConfig
from vouchy.features.games.dice import DiceConfig, multiplier_bp
from vouchy.features.games.results import GAMES
from vouchy.features.games.roulette import RouletteConfig
from vouchy.features.games.rps import RpsConfig
from vouchy.features.games.rules import GameLimits
from vouchy.features.games.slots import ANY, SlotsConfig, exact_return

# The exact return of slots enumerates every combination of distinct symbols on the payline:
# at most this many, so checking a paytable stays well under a second.
MAX_COMBINATIONS: Final = 200_000
MAX_CHANNELS: Final = 100

Snowflake = Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]

GameSettings = (
    CoinflipConfig | RouletteConfig | SlotsConfig | DiceConfig | RpsConfig | BlackjackConfig
)


class GamesSettings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Every game's row of settings, and where games are played (no channel: anywhere)."""

    channels: Annotated[list[Snowflake], msgspec.Meta(max_length=MAX_CHANNELS)] = []
    coinflip: CoinflipConfig = msgspec.field(default_factory=CoinflipConfig)
    roulette: RouletteConfig = msgspec.field(default_factory=RouletteConfig)
    slots: SlotsConfig = msgspec.field(default_factory=SlotsConfig)
    dice: DiceConfig = msgspec.field(default_factory=DiceConfig)
    rps: RpsConfig = msgspec.field(default_factory=RpsConfig)
    blackjack: BlackjackConfig = msgspec.field(default_factory=BlackjackConfig)


def game_settings(settings: GamesSettings, game: str) -> GameSettings:
    """The row of settings of ``game``."""
    if game not in GAMES:
        raise InvalidInput("games.unknown_game", game=game)
    found: GameSettings = getattr(settings, game)
    return found


def limits_for(settings: GamesSettings, game: str) -> GameLimits:
    """The bet bounds, cooldown and daily loss limit of ``game``."""
    return game_settings(settings, game)


def with_values(game: str, base: GameSettings, values: Mapping[str, object]) -> GameSettings:
    """``base`` (a game's row of settings) with ``values`` changed, checked: a name the game
    does not have, a value out of its bounds or a row that no longer holds together is
    refused before anything is saved (``/config games set``)."""
    fields = {f.name for f in msgspec.structs.fields(base)}
    for name in values:
        if name not in fields:
            raise InvalidInput("games.config.not_for_game", setting=name, game=game)
    try:
        changed = msgspec.convert({**msgspec.structs.asdict(base), **values}, type(base))
    except msgspec.ValidationError as e:
        raise InvalidInput("settings.bad_value", feature="games", detail=str(e)) from None
    return check_game(game, changed)


def check_settings(settings: GamesSettings) -> GamesSettings:
    """Every game playable and none returning more than 100%, or ``InvalidInput`` naming
    the setting. (A struct made in Python is not held to its ``Annotated`` bounds: the
    bounds a game needs are checked here again.)"""
    for game in GAMES:
        check_game(game, game_settings(settings, game))
    return settings


def check_game(game: str, values: GameSettings) -> GameSettings:
    """One game's row of settings holds together."""
    limits: GameLimits = values
    if not (
        1 <= limits.min_bet <= limits.max_bet
        and limits.cooldown_s >= 0
        and limits.daily_loss_limit >= 0
    ):
        raise InvalidInput("games.config.bad_limits", game=game)
    if isinstance(values, CoinflipConfig) and not 10_000 < values.payout_bp <= 20_000:
        raise InvalidInput("games.config.bad_coinflip", value=values.payout_bp)
    if isinstance(values, DiceConfig):
        _check_dice(values)
    if isinstance(values, SlotsConfig):
        _check_slots(values)
    if isinstance(values, BlackjackConfig) and not (
        1 <= values.decks <= 8 and values.timeout_s >= 10
    ):
        raise InvalidInput("games.config.bad_blackjack")
    if isinstance(values, RpsConfig) and values.challenge_timeout_s < 10:
        raise InvalidInput("games.config.bad_rps")
    return values


def _check_dice(dice: DiceConfig) -> None:
    ok = (
        0 <= dice.edge_bp <= 5_000
        and 1 <= dice.min_target <= dice.max_target <= 98
        and multiplier_bp(dice.max_target, dice) > 10_000
    )
    if not ok:
        raise InvalidInput("games.config.bad_dice")


def _check_slots(slots: SlotsConfig) -> None:
    reels = slots.reels
    if not 1 <= len(reels) <= 6 or not all(1 <= len(r) <= 100 for r in reels):
        raise InvalidInput("games.config.bad_reels")
    if prod(len(set(reel)) for reel in reels) > MAX_COMBINATIONS:
        raise InvalidInput("games.config.bad_reels")
    for number, line in enumerate(slots.paytable, start=1):
        fits = len(line.symbols) == len(reels) and all(
            symbol == ANY or symbol in reel
            for symbol, reel in zip(line.symbols, reels, strict=False)
        )
        if not fits or line.pays < 0:
            raise InvalidInput("games.config.bad_paytable_line", line=number)
    rtp = exact_return(slots)
    if rtp > 1:
        raise InvalidInput("games.config.slots_over_100", rtp=f"{float(rtp) * 100:.2f}")
