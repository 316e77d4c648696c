"""Slots: reels and a paytable given as configuration, one payline, an exact return to player.

Each reel is a strip of symbols; a spin stops each reel on one of its positions, uniformly, and
the payline reads the symbol at each stop. The paytable is read from the top: the first line
whose symbols match (``"*"`` matches any symbol) pays ``pays`` times the bet back (the stake
included: 1 gives the stake back). No line matching pays nothing.

Draws: one draw per reel, in reel order: ``below(len(reel))`` is the stop.

The return to player is computed exactly by enumerating every combination of symbols on the
payline, each weighted by how many stops show it (``exact_return``): 387/400 = 96.75% for the
defaults.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from itertools import product
from typing import Annotated, Final

import msgspec

from vouchy.features.games.fair import Draws
from vouchy.features.games.results import GameResult, SlotsSeen, result
from vouchy.features.games.rules import GameLimits

ANY: Final = "*"
MAX_PAYS: Final = 10_000
MAX_REELS: Final = 6
MAX_STOPS: Final = 100
MAX_LINES: Final = 50

Symbol = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
Reel = Annotated[tuple[Symbol, ...], msgspec.Meta(min_length=1, max_length=MAX_STOPS)]

EMOJI: Final[dict[str, str]] = {
    "cherry": "\N{CHERRIES}",
    "lemon": "\N{LEMON}",
    "orange": "\N{TANGERINE}",
    "plum": "\N{GRAPES}",
    "bell": "\N{BELL}",
    "bar": "\N{CHOCOLATE BAR}",
    "seven": "7\N{VARIATION SELECTOR-16}\N{COMBINING ENCLOSING KEYCAP}",
}

_REEL: Final = (
    "cherry", "lemon", "orange", "cherry", "plum", "lemon", "bell", "orange", "cherry", "bar",
    "lemon", "orange", "plum", "seven", "cherry", "lemon", "bell", "orange", "plum", "bar",
)  # fmt: skip


class SlotsLine(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    symbols: tuple[Symbol, ...]  # one per reel; "*" matches any symbol
    # Times the bet paid back, the stake included.
    pays: Annotated[int, msgspec.Meta(ge=0, le=MAX_PAYS)]


DEFAULT_PAYTABLE: Final = (
    SlotsLine(symbols=("seven", "seven", "seven"), pays=200),
    SlotsLine(symbols=("bar", "bar", "bar"), pays=50),
    SlotsLine(symbols=("bell", "bell", "bell"), pays=25),
    SlotsLine(symbols=("plum", "plum", "plum"), pays=20),
    SlotsLine(symbols=("orange", "orange", "orange"), pays=12),
    SlotsLine(symbols=("lemon", "lemon", "lemon"), pays=12),
    SlotsLine(symbols=("cherry", "cherry", "cherry"), pays=12),
    SlotsLine(symbols=("cherry", "cherry", ANY), pays=6),
    SlotsLine(symbols=("cherry", ANY, ANY), pays=2),
)


class SlotsConfig(GameLimits, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reels: Annotated[tuple[Reel, ...], msgspec.Meta(min_length=1, max_length=MAX_REELS)] = (
        _REEL,
        _REEL,
        _REEL,
    )
    paytable: Annotated[tuple[SlotsLine, ...], msgspec.Meta(max_length=MAX_LINES)] = (
        DEFAULT_PAYTABLE
    )


def line_matches(line: SlotsLine, symbols: tuple[str, ...]) -> bool:
    return all(want in (ANY, got) for want, got in zip(line.symbols, symbols, strict=True))


def paying_line(symbols: tuple[str, ...], paytable: tuple[SlotsLine, ...]) -> int:
    """The index of the first paytable line the payline matches, -1 if none."""
    for index, line in enumerate(paytable):
        if line_matches(line, symbols):
            return index
    return -1


def spin(draws: Draws, config: SlotsConfig) -> tuple[int, ...]:
    return tuple(draws.below(len(reel)) for reel in config.reels)


def settle(bet: int, stops: tuple[int, ...], config: SlotsConfig) -> GameResult:
    symbols = tuple(reel[stop] for reel, stop in zip(config.reels, stops, strict=True))
    index = paying_line(symbols, config.paytable)
    pays = config.paytable[index].pays if index >= 0 else 0
    seen = SlotsSeen(stops=stops, symbols=symbols, line=index, pays=pays)
    return result("slots", bet, bet * pays, seen)


def play(draws: Draws, bet: int, config: SlotsConfig | None = None) -> GameResult:
    config = config or SlotsConfig()
    return settle(bet, spin(draws, config), config)


def pays_distribution(config: SlotsConfig) -> dict[int, Fraction]:
    """Each amount paid (times the bet) and its exact probability, by enumerating every
    combination of symbols on the payline weighted by the stops that show it."""
    counts = [Counter(reel) for reel in config.reels]
    total = 1
    for reel in config.reels:
        total *= len(reel)
    weights: Counter[int] = Counter()
    for combo in product(*(sorted(c.items()) for c in counts)):
        symbols = tuple(symbol for symbol, _ in combo)
        weight = 1
        for _, n in combo:
            weight *= n
        index = paying_line(symbols, config.paytable)
        weights[config.paytable[index].pays if index >= 0 else 0] += weight
    return {pays: Fraction(w, total) for pays, w in sorted(weights.items())}


def exact_return(config: SlotsConfig) -> Fraction:
    """The exact return to player: the expected amount paid back per point staked."""
    return sum((pays * p for pays, p in pays_distribution(config).items()), start=Fraction(0))
