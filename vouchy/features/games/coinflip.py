"""Coinflip: call heads or tails; a right call pays ``payout_bp`` basis points of the bet back
(20000 by default: double or nothing, a return to player of exactly 100%).

Draw: one draw in [0, 2): 0 is heads, 1 is tails.
"""

from __future__ import annotations

from typing import Annotated, Final

import msgspec

from vouchy.core.errors import InvalidInput
from vouchy.features.games.fair import Draws
from vouchy.features.games.results import CoinflipSeen, GameResult, result, scaled
from vouchy.features.games.rules import GameLimits

SIDES: Final = ("heads", "tails")
BP: Final = 10_000


class CoinflipConfig(GameLimits, frozen=True, kw_only=True, forbid_unknown_fields=True):
    # What a right call pays back, in basis points of the bet: from x1.0001 to x2 (100%).
    payout_bp: Annotated[int, msgspec.Meta(ge=BP + 1, le=2 * BP)] = 2 * BP


def check_call(call: object) -> str:
    if call not in SIDES:
        raise InvalidInput("games.coinflip.bad_call")
    return str(call)


def flip(draws: Draws) -> str:
    return SIDES[draws.below(2)]


def settle(bet: int, call: str, side: str, config: CoinflipConfig) -> GameResult:
    payout = scaled(bet, config.payout_bp, BP) if side == call else 0
    return result("coinflip", bet, payout, CoinflipSeen(call=call, side=side))


def play(draws: Draws, bet: int, call: str, config: CoinflipConfig | None = None) -> GameResult:
    return settle(bet, check_call(call), flip(draws), config or CoinflipConfig())
