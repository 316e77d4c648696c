"""What a settled game yields: the stake, the total paid back, the outcome, and what was seen.

Every game ends in a ``GameResult`` of plain values (a msgspec Struct that round-trips through
JSON), whatever the game: ``bet`` is everything the player staked (a doubled blackjack hand
staked twice its first bet), ``payout`` the total returned (0 when lost, ``bet`` on a push).
The outcome follows from those two alone, so it can never disagree with the money.
"""

from __future__ import annotations

from typing import Final

import msgspec

GAMES: Final = ("coinflip", "roulette", "slots", "dice", "rps", "blackjack")

WIN: Final = "win"
LOSE: Final = "lose"
PUSH: Final = "push"
OUTCOMES: Final = (WIN, LOSE, PUSH)


class CoinflipSeen(msgspec.Struct, frozen=True, kw_only=True, tag="coinflip"):
    call: str  # "heads" | "tails"
    side: str


class RouletteSeen(msgspec.Struct, frozen=True, kw_only=True, tag="roulette"):
    kind: str  # colour, parity, half, dozen, column, number
    choice: str  # red, even, low, 2 (a dozen or column), 17 (a number)...
    pocket: int  # 0..36
    colour: str  # "green" | "red" | "black"


class SlotsSeen(msgspec.Struct, frozen=True, kw_only=True, tag="slots"):
    stops: tuple[int, ...]  # the stop drawn on each reel
    symbols: tuple[str, ...]  # the symbols on the payline, one per reel
    line: int  # index of the paytable line that paid, -1 if none
    pays: int  # times the bet paid back (0 if none)


class DiceSeen(msgspec.Struct, frozen=True, kw_only=True, tag="dice"):
    roll: int  # 0..9999, shown as 00.00 .. 99.99
    target: int  # wins when roll < target * 100
    multiplier_bp: int  # what a win pays back, in basis points of the bet (19800 = x1.98)


class RpsSeen(msgspec.Struct, frozen=True, kw_only=True, tag="rps"):
    choice: str  # rock | paper | scissors
    opponent_choice: str
    opponent_id: int = 0  # 0: the bot


class BlackjackSeen(msgspec.Struct, frozen=True, kw_only=True, tag="blackjack"):
    player: tuple[int, ...]  # card ids, see fair.py
    dealer: tuple[int, ...]
    player_total: int
    dealer_total: int
    doubled: bool
    natural: bool  # the player's first two cards made 21
    dealer_natural: bool
    timed_out: bool = False


Seen = CoinflipSeen | RouletteSeen | SlotsSeen | DiceSeen | RpsSeen | BlackjackSeen


class GameResult(msgspec.Struct, frozen=True, kw_only=True):
    game: str
    bet: int
    payout: int
    outcome: str
    seen: Seen


def outcome_of(bet: int, payout: int) -> str:
    """More back than staked is a win, the stake back a push, less a loss."""
    if payout > bet:
        return WIN
    if payout == bet:
        return PUSH
    return LOSE


def result(game: str, bet: int, payout: int, seen: Seen) -> GameResult:
    # Invariant: 0 <= payout, and the outcome label agrees with bet and payout.
    if bet < 1 or payout < 0:
        raise ValueError(f"bet {bet} and payout {payout} must be positive")
    return GameResult(game=game, bet=bet, payout=payout, outcome=outcome_of(bet, payout), seen=seen)


def scaled(bet: int, numerator: int, denominator: int = 1) -> int:
    """``bet * numerator / denominator`` in whole points, rounded down (the house keeps the
    fraction: at most one point a game)."""
    return bet * numerator // denominator
