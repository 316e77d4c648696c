"""Published odds: each game's return to player, exact where it can be computed, else simulated.

Exact: roulette (per bet kind), coinflip, dice (per target), rock-paper-scissors against the bot
and slots (by enumerating the reels), each from its exact payout distribution, with the standard
deviation of one round's return (per point staked). Blackjack: a simulation of the real state
machine played with basic strategy, with its standard error, and ``blackjack_exact``, the exact
value of the same strategy on a freshly shuffled shoe (slow: seconds; for the record).

Every value is a return per point staked before rounding payouts down to whole points (which
takes at most one point a game); for blackjack, per point of the first stake, as is usual (a
doubled hand's whole profit or loss counts against its first stake). Functions return plain
data for ``python -m vouchy games rtp GAME [--rounds N]`` and ``/games odds``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from fractions import Fraction
from typing import Final

import msgspec

from vouchy.features.games import blackjack, coinflip, dice, roulette, rps, slots
from vouchy.features.games.config import GamesSettings
from vouchy.features.games.fair import (
    Draws,
    FairStream,
    RandomStream,
    shuffle_positions,
    shuffled_deck,
)
from vouchy.features.games.results import GAMES, GameResult

_SHORT_DECK: Final = 10  # cards shuffled per simulated hand: enough for 99.99% of hands
UNIT: Final = 1_000_000  # the stake simulations use, so rounding down costs < 1e-6 a round


class ExactReturn(msgspec.Struct, frozen=True, kw_only=True):
    game: str
    variant: str  # the bet kind, the target..., "" when the game has one
    numerator: int  # the return to player is numerator / denominator, exactly
    denominator: int
    rtp: float
    sd: float  # standard deviation of one round's return per point staked


class SimulatedReturn(msgspec.Struct, frozen=True, kw_only=True):
    game: str
    variant: str
    rounds: int
    rtp: float  # 1 + mean profit per first stake (a doubled hand's profit counts in full)
    se: float  # its standard error: sd / sqrt(rounds)
    sd: float  # measured standard deviation of one round's return


def _exact(game: str, variant: str, distribution: dict[Fraction, Fraction]) -> ExactReturn:
    """From {paid back per point staked: probability}."""
    if sum(distribution.values()) != 1:
        raise ValueError("the probabilities must add up to 1")
    mean = sum((m * p for m, p in distribution.items()), start=Fraction(0))
    second = sum((m * m * p for m, p in distribution.items()), start=Fraction(0))
    return ExactReturn(
        game=game,
        variant=variant,
        numerator=mean.numerator,
        denominator=mean.denominator,
        rtp=float(mean),
        sd=math.sqrt(float(second - mean * mean)),
    )


def roulette_returns() -> list[ExactReturn]:
    """One entry per bet kind: each is exactly 36/37."""
    out = []
    for kind, choices in roulette.KINDS.items():
        on = roulette.RouletteBet(kind=kind, choice=choices[0])
        p = Fraction(roulette.winning_pockets(on), roulette.POCKETS)
        out.append(_exact("roulette", kind, {Fraction(roulette.PAYS[kind]): p, Fraction(0): 1 - p}))
    return out


def coinflip_return(config: coinflip.CoinflipConfig | None = None) -> ExactReturn:
    config = config or coinflip.CoinflipConfig()
    paid = Fraction(config.payout_bp, coinflip.BP)
    return _exact("coinflip", "", {paid: Fraction(1, 2), Fraction(0): Fraction(1, 2)})


def dice_return(target: int, config: dice.DiceConfig | None = None) -> ExactReturn:
    config = config or dice.DiceConfig()
    p = Fraction(*dice.win_chance(target))
    paid = Fraction(dice.multiplier_bp(target, config), dice.BP)
    return _exact("dice", str(target), {paid: p, Fraction(0): 1 - p})


def dice_returns(config: dice.DiceConfig | None = None) -> list[ExactReturn]:
    """Every allowed target."""
    config = config or dice.DiceConfig()
    return [dice_return(t, config) for t in range(config.min_target, config.max_target + 1)]


def rps_return() -> ExactReturn:
    """Against the bot: win, draw and loss each 1/3."""
    third = Fraction(1, 3)
    return _exact("rps", "bot", {Fraction(2): third, Fraction(1): third, Fraction(0): third})


def slots_return(config: slots.SlotsConfig | None = None) -> ExactReturn:
    config = config or slots.SlotsConfig()
    distribution = slots.pays_distribution(config)
    return _exact("slots", "", {Fraction(pays): p for pays, p in distribution.items()})


# -- Blackjack: basic strategy ----------------------------------------------------------------

HIT: Final = "hit"
STAND: Final = "stand"
DOUBLE: Final = "double"


def basic_strategy(cards: tuple[int, ...], dealer_up: int, can_double: bool) -> str:
    """Basic strategy for these rules (dealer stands on soft 17, double on any first two
    cards, no split): the usual multi-deck S17 tables, pairs played by their total. Where the
    table says double but the hand has more than two cards, hit (soft 18: stand)."""
    player, soft = blackjack.total(cards)
    up = blackjack.card_value(dealer_up)
    up = 11 if up == 1 else up
    if soft:
        if player >= 19:
            return STAND
        if player == 18:
            if 3 <= up <= 6:
                return DOUBLE if can_double else STAND
            return STAND if up in (2, 7, 8) else HIT
        lowest_double = {17: 3, 16: 4, 15: 4, 14: 5, 13: 5}.get(player, 99)
        return DOUBLE if can_double and lowest_double <= up <= 6 else HIT
    if player >= 17:
        return STAND
    if player >= 13:
        return STAND if up <= 6 else HIT
    if player == 12:
        return STAND if 4 <= up <= 6 else HIT
    if can_double and (
        (player == 11 and up <= 10) or (player == 10 and up <= 9) or (player == 9 and 3 <= up <= 6)
    ):
        return DOUBLE
    return HIT


def play_basic_strategy(deck: tuple[int, ...], bet: int = UNIT) -> GameResult:
    """One hand of the real state machine, played by basic strategy."""
    hand = blackjack.deal(1, bet, deck, now_ms=0)
    while hand.status == blackjack.PLAYING:
        move = basic_strategy(hand.player, hand.dealer[0], len(hand.player) == 2)
        hand = blackjack.act(hand, move, 1, now_ms=0)
    return blackjack.result_of(hand)


def blackjack_simulation(
    rounds: int, *, seed: int = 0, config: blackjack.BlackjackConfig | None = None
) -> SimulatedReturn:
    """``rounds`` hands of basic strategy, each on a freshly shuffled shoe."""
    config = config or blackjack.BlackjackConfig()
    draws = RandomStream(random.Random(seed))
    decks = config.decks
    ordered = list(range(52)) * decks
    longest = min(len(ordered), blackjack.MAX_CARDS_PER_HAND)

    def play() -> GameResult:
        # Shuffle only the first cards (forward Fisher-Yates): enough for almost every hand.
        # A hand that needs more goes on shuffling from there and is dealt again: it gets
        # exactly the cards a whole shuffled deck would have given it.
        cards = ordered.copy()
        shuffle_positions(draws, cards, 0, _SHORT_DECK)
        try:
            return play_basic_strategy(tuple(cards[:_SHORT_DECK]))
        except blackjack.DeckExhausted:
            shuffle_positions(draws, cards, _SHORT_DECK, longest)
            return play_basic_strategy(tuple(cards[:longest]))

    return _measure("blackjack", f"{decks} deck(s), basic strategy", rounds, play)


# -- Simulating any game ----------------------------------------------------------------------


def _measure(
    game: str, variant: str, rounds: int, play: Callable[[], GameResult]
) -> SimulatedReturn:
    if rounds < 2:
        raise ValueError("at least two rounds")
    total = 0.0
    squares = 0.0
    for _ in range(rounds):
        played = play()
        r = 1 + (played.payout - played.bet) / UNIT  # a doubled hand staked 2 * UNIT
        total += r
        squares += r * r
    mean = total / rounds
    variance = max(0.0, (squares - rounds * mean * mean) / (rounds - 1))
    sd = math.sqrt(variance)
    return SimulatedReturn(
        game=game, variant=variant, rounds=rounds, rtp=mean, se=sd / math.sqrt(rounds), sd=sd
    )


def simulate(
    game: str,
    rounds: int,
    *,
    seed: int = 0,
    server_seed: str = "",
    variant: str = "",
    config: GamesSettings | None = None,
) -> SimulatedReturn:
    """Play ``rounds`` rounds of ``game`` with a stake of ``UNIT``, the player's choices drawn
    at random, and measure the return per point staked. The outcomes come from a seeded
    ``random.Random``, or with ``server_seed`` from the fair stream exactly as in play (client
    seed ``odds``, round ``i`` on nonce ``i``). ``variant`` picks a roulette bet kind or a dice
    target (default: random ones)."""
    config = config or GamesSettings()
    rng = random.Random(seed)
    fast = RandomStream(random.Random(seed + 1))
    nonces = iter(range(rounds))

    def draws() -> Draws:
        if server_seed:
            return FairStream(server_seed, "odds", next(nonces))
        return fast

    play: Callable[[], GameResult]
    if game == "coinflip":

        def play() -> GameResult:
            return coinflip.play(draws(), UNIT, rng.choice(coinflip.SIDES), config.coinflip)

    elif game == "roulette":

        def play() -> GameResult:
            kind = variant or rng.choice(list(roulette.KINDS))
            on = roulette.RouletteBet(kind=kind, choice=rng.choice(roulette.KINDS[kind]))
            return roulette.play(draws(), UNIT, on)

    elif game == "dice":
        low, high = config.dice.min_target, config.dice.max_target

        def play() -> GameResult:
            target = int(variant) if variant else rng.randint(low, high)
            return dice.play(draws(), UNIT, target, config.dice)

    elif game == "slots":

        def play() -> GameResult:
            return slots.play(draws(), UNIT, config.slots)

    elif game == "rps":

        def play() -> GameResult:
            return rps.play(draws(), UNIT, rng.choice(rps.CHOICES))

    elif game == "blackjack":
        decks = config.blackjack.decks
        first = min(decks * 52, blackjack.MAX_CARDS_PER_HAND)

        def play() -> GameResult:
            return play_basic_strategy(shuffled_deck(draws(), decks, first))

    else:
        raise ValueError(f"unknown game {game!r}")
    return _measure(game, variant, rounds, play)


def exact_returns(game: str, config: GamesSettings | None = None) -> list[ExactReturn]:
    """Every exact return of ``game`` ([] for blackjack: see ``blackjack_exact``)."""
    config = config or GamesSettings()
    if game == "roulette":
        return roulette_returns()
    if game == "coinflip":
        return [coinflip_return(config.coinflip)]
    if game == "dice":
        return dice_returns(config.dice)
    if game == "rps":
        return [rps_return()]
    if game == "slots":
        return [slots_return(config.slots)]
    if game == "blackjack":
        return []
    raise ValueError(f"unknown game {game!r}")


def rtp(
    game: str, rounds: int = 0, *, seed: int = 0, config: GamesSettings | None = None
) -> list[ExactReturn | SimulatedReturn]:
    """What ``games rtp GAME [--rounds N]`` prints: the exact returns, and a simulation of
    ``rounds`` rounds when asked (always for blackjack: 100,000 rounds by default)."""
    if game not in GAMES:
        raise ValueError(f"unknown game {game!r}")
    config = config or GamesSettings()
    out: list[ExactReturn | SimulatedReturn] = list(exact_returns(game, config))
    if game == "blackjack":
        out.append(blackjack_simulation(rounds or 100_000, seed=seed, config=config.blackjack))
    elif rounds:
        out.append(simulate(game, rounds, seed=seed, config=config))
    return out


def overview(
    config: GamesSettings | None = None,
    *,
    blackjack_rounds: int = 100_000,
    seed: int = 0,
    blackjack_odds: SimulatedReturn | None = None,
) -> list[ExactReturn | SimulatedReturn]:
    """One line per game for ``/games odds``: roulette (every bet is the same), coinflip, the
    dice target that returns least, slots, rock-paper-scissors against the bot, and blackjack
    simulated with basic strategy (about a second for 100,000 hands: compute it once and keep
    it, rather than on every command: ``blackjack_odds`` is that kept simulation)."""
    config = config or GamesSettings()
    roulette_all = msgspec.structs.replace(roulette_returns()[0], variant="")
    worst_dice = min(dice_returns(config.dice), key=lambda r: r.rtp)
    return [
        coinflip_return(config.coinflip),
        roulette_all,
        worst_dice,
        slots_return(config.slots),
        rps_return(),
        blackjack_odds
        or blackjack_simulation(blackjack_rounds, seed=seed, config=config.blackjack),
    ]


# -- Blackjack: the exact value ---------------------------------------------------------------


def blackjack_exact(decks: int = 1) -> float:
    """The exact return of ``basic_strategy`` on a freshly shuffled shoe of ``decks`` decks,
    by enumerating every card the player and the dealer can draw, with the cards already seen
    removed. Takes about 10 seconds and a few hundred megabytes for one deck."""
    return _BlackjackExact(decks).value()


# The dealer's final total as a distribution: 17, 18, 19, 20, 21, bust.
_FINAL: Final = tuple(tuple(1.0 if k == i else 0.0 for k in range(6)) for i in range(6))


class _BlackjackExact:
    """Counts are remaining cards by value (index 0: aces .. index 9: tens and faces).

    The cards of a shuffled shoe are exchangeable, so the hole card may be drawn after the
    player's cards, from what they left: each value below is the hand's value times the chance
    that the hole card makes no dealer natural (such hands settled at the deal and are counted
    apart)."""

    def __init__(self, decks: int) -> None:
        self.full = tuple([4 * decks] * 9 + [16 * decks])
        self.dealer_cache: dict[tuple[tuple[int, ...], int, bool, bool], tuple[float, ...]] = {}
        self.player_cache: dict[tuple[tuple[int, ...], int, bool, int], float] = {}
        self.up = 0
        # A card of each value (as card ids: 0 = ace, 1 = two .. 9 = ten), for basic_strategy.
        self.card = tuple(range(10))

    @staticmethod
    def _best(hard: int, soft: bool) -> int:
        return hard + 10 if soft and hard <= 11 else hard

    def _no_natural(self, counts: tuple[int, ...]) -> float:
        n = sum(counts)
        if self.up == 1:
            return 1 - counts[9] / n
        if self.up == 10:
            return 1 - counts[0] / n
        return 1.0

    def _dealer(
        self, counts: tuple[int, ...], hard: int, soft: bool, hole: bool
    ) -> tuple[float, ...]:
        """P(dealer ends on 17, 18, 19, 20, 21, bust) times P(no dealer natural)."""
        best = self._best(hard, soft)
        if best >= 17:
            return _FINAL[best - 17 if best <= 21 else 5]
        key = (counts, hard, soft, hole)
        cached = self.dealer_cache.get(key)
        if cached is not None:
            return cached
        n = sum(counts)
        acc = [0.0] * 6
        for i, c in enumerate(counts):
            value = i + 1
            if not c or (
                hole and ((self.up == 1 and value == 10) or (self.up == 10 and value == 1))
            ):
                continue
            rest = counts[:i] + (c - 1,) + counts[i + 1 :]
            sub = self._dealer(rest, hard + value, soft or value == 1, False)
            for k in range(6):
                acc[k] += c / n * sub[k]
        self.dealer_cache[key] = final = tuple(acc)
        return final

    def _stand(self, counts: tuple[int, ...], player: int) -> float:
        d = self._dealer(counts, self.up, self.up == 1, True)
        ev = d[5]
        for k in range(5):
            if player > 17 + k:
                ev += d[k]
            elif player < 17 + k:
                ev -= d[k]
        return ev

    def _hand(self, cards: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(self.card[v - 1] for v in cards)

    def _play(self, counts: tuple[int, ...], cards: tuple[int, ...]) -> float:
        """The value of the hand ``cards`` (values) times P(no dealer natural)."""
        hard = sum(cards)
        soft = 1 in cards
        best = self._best(hard, soft)
        if best > 21:
            return -self._no_natural(counts)
        key = (counts, hard, soft and hard <= 11, len(cards) if len(cards) == 2 else 3)
        cached = self.player_cache.get(key)
        if cached is not None:
            return cached
        move = basic_strategy(self._hand(cards), self.card[self.up - 1], len(cards) == 2)
        if move == STAND or best == 21:
            ev = self._stand(counts, best)
        else:
            n = sum(counts)
            ev = 0.0
            for i, c in enumerate(counts):
                if not c:
                    continue
                rest = counts[:i] + (c - 1,) + counts[i + 1 :]
                more = (*cards, i + 1)
                if move == DOUBLE:
                    after = self._best(sum(more), 1 in more)
                    ev += (
                        c
                        / n
                        * 2
                        * (self._stand(rest, after) if after <= 21 else -self._no_natural(rest))
                    )
                else:
                    ev += c / n * self._play(rest, more)
        self.player_cache[key] = ev
        return ev

    def value(self) -> float:
        full = self.full
        n0 = sum(full)
        ev = 0.0
        for u in range(10):
            self.up = u + 1
            self.dealer_cache.clear()
            self.player_cache.clear()
            c1 = full[:u] + (full[u] - 1,) + full[u + 1 :]
            for a in range(10):
                if not c1[a]:
                    continue
                c2 = c1[:a] + (c1[a] - 1,) + c1[a + 1 :]
                for b in range(10):
                    if not c2[b]:
                        continue
                    c3 = c2[:b] + (c2[b] - 1,) + c2[b + 1 :]
                    p = full[u] / n0 * c1[a] / (n0 - 1) * c2[b] / (n0 - 2)
                    natural = {a + 1, b + 1} == {1, 10}
                    dealer_natural = 1 - self._no_natural(c3)
                    if natural:
                        value = (1 - dealer_natural) * 1.5
                    else:
                        value = -dealer_natural + self._play(c3, (a + 1, b + 1))
                    ev += p * value
        return 1 + ev
