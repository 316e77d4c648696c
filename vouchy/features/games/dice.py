"""Dice: roll under a chosen target. The roll is a whole number in [0, 10000), shown as 00.00 to
99.99; a target ``t`` (a whole number) wins when ``roll < t * 100``, with probability exactly
``t / 100``. A win pays ``(1 - edge) / p`` times the bet, so the return to player is exactly
``1 - edge`` (99% with the default edge of 1%) whatever the target, before rounding down.

Draw: one draw in [0, 10000): the roll.
"""

from __future__ import annotations

from typing import Annotated, Final

import msgspec

from vouchy.core.errors import InvalidInput
from vouchy.features.games.fair import Draws
from vouchy.features.games.results import DiceSeen, GameResult, result, scaled
from vouchy.features.games.rules import GameLimits

BP: Final = 10_000
FACES: Final = 10_000  # the roll is in [0, FACES)

Target = Annotated[int, msgspec.Meta(ge=1, le=98)]


class DiceConfig(GameLimits, frozen=True, kw_only=True, forbid_unknown_fields=True):
    edge_bp: Annotated[int, msgspec.Meta(ge=0, le=5_000)] = 100  # the house edge: 100 = 1%
    min_target: Target = 2
    max_target: Target = 90


def check_target(target: object, config: DiceConfig) -> int:
    if (
        isinstance(target, bool)
        or not isinstance(target, int)
        or not config.min_target <= target <= config.max_target
    ):
        raise InvalidInput(
            "games.dice.bad_target", minimum=config.min_target, maximum=config.max_target
        )
    return target


def multiplier_bp(target: int, config: DiceConfig) -> int:
    """What a win pays back in basis points of the bet: ``(10000 - edge_bp) * 100 / target``,
    rounded down (target 50, edge 1%: 19800, x1.98)."""
    return (BP - config.edge_bp) * 100 // target


def win_chance(target: int) -> tuple[int, int]:
    """The exact chance of a win as a fraction: ``target * 100 / 10000``."""
    return target * 100, FACES


def roll(draws: Draws) -> int:
    return draws.below(FACES)


def settle(bet: int, target: int, rolled: int, config: DiceConfig) -> GameResult:
    mult = multiplier_bp(target, config)
    payout = scaled(bet, mult, BP) if rolled < target * 100 else 0
    return result("dice", bet, payout, DiceSeen(roll=rolled, target=target, multiplier_bp=mult))


def play(draws: Draws, bet: int, target: int, config: DiceConfig | None = None) -> GameResult:
    config = config or DiceConfig()
    return settle(bet, check_target(target, config), roll(draws), config)
