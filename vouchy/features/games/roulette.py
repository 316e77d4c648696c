"""European roulette: one zero, 37 pockets, and the standard bets and payouts.

Outside bets (colour, parity, low/high) pay 1 to 1, a dozen or a column 2 to 1, a single number
35 to 1; zero loses every outside bet. Each bet's return to player is exactly 36/37 (97.30%).

Draw: one draw in [0, 37): the pocket.
"""

from __future__ import annotations

from typing import Final

import msgspec

from vouchy.core.errors import InvalidInput
from vouchy.features.games.fair import Draws
from vouchy.features.games.results import GameResult, RouletteSeen, result
from vouchy.features.games.rules import GameLimits

POCKETS: Final = 37
RED: Final = frozenset({1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36})

# kind -> the choices it takes
KINDS: Final[dict[str, tuple[str, ...]]] = {
    "colour": ("red", "black"),
    "parity": ("even", "odd"),
    "half": ("low", "high"),
    "dozen": ("1", "2", "3"),
    "column": ("1", "2", "3"),
    "number": tuple(str(n) for n in range(POCKETS)),
}
# kind -> total paid back per point staked on a win (the stake included)
PAYS: Final[dict[str, int]] = {
    "colour": 2,
    "parity": 2,
    "half": 2,
    "dozen": 3,
    "column": 3,
    "number": 36,
}


class RouletteConfig(GameLimits, frozen=True, kw_only=True, forbid_unknown_fields=True):
    pass


class RouletteBet(msgspec.Struct, frozen=True, kw_only=True):
    kind: str
    choice: str


def check_bet_on(kind: object, choice: object) -> RouletteBet:
    """A bet kind and its choice (``colour``/``red``, ``dozen``/``2``, ``number``/``17``)."""
    if not isinstance(kind, str) or kind not in KINDS:
        raise InvalidInput("games.roulette.bad_kind")
    text = str(choice).strip().lower() if isinstance(choice, str | int) else ""
    if text.isdigit():
        text = str(int(text))
    if text not in KINDS[kind]:
        raise InvalidInput(f"games.roulette.bad_choice.{kind}")
    return RouletteBet(kind=kind, choice=text)


def colour_of(pocket: int) -> str:
    if pocket == 0:
        return "green"
    return "red" if pocket in RED else "black"


def covers(bet: RouletteBet, pocket: int) -> bool:
    """Whether ``pocket`` wins ``bet``."""
    if bet.kind == "number":
        return pocket == int(bet.choice)
    if pocket == 0:
        return False
    if bet.kind == "colour":
        return colour_of(pocket) == bet.choice
    if bet.kind == "parity":
        return (pocket % 2 == 0) == (bet.choice == "even")
    if bet.kind == "half":
        return (pocket <= 18) == (bet.choice == "low")
    if bet.kind == "dozen":
        return (pocket - 1) // 12 + 1 == int(bet.choice)
    return (pocket - 1) % 3 + 1 == int(bet.choice)  # column: 1, 4, 7... is column 1


def winning_pockets(bet: RouletteBet) -> int:
    return sum(covers(bet, p) for p in range(POCKETS))


def spin(draws: Draws) -> int:
    return draws.below(POCKETS)


def settle(bet: int, on: RouletteBet, pocket: int) -> GameResult:
    payout = bet * PAYS[on.kind] if covers(on, pocket) else 0
    seen = RouletteSeen(kind=on.kind, choice=on.choice, pocket=pocket, colour=colour_of(pocket))
    return result("roulette", bet, payout, seen)


def play(draws: Draws, bet: int, on: RouletteBet) -> GameResult:
    return settle(bet, on, spin(draws))
