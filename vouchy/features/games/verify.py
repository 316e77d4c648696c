"""Recomputing a game from its seeds: what ``fair verify`` and a curious member run.

``outcome`` gives what the randomness decided (the coin, the pocket, the roll, the reel stops,
the bot's move, the order of the cards), which needs no choice of the player's; ``replay``
plays the whole game again from the seeds, the bet and the player's choices (the bet on the
roulette table, the dice target, the blackjack buttons in order) and gives its result, which
must equal the one recorded.
"""

from __future__ import annotations

from typing import Final

import msgspec

from vouchy.core.errors import InvalidInput
from vouchy.features.games import blackjack, coinflip, dice, roulette, rps, slots
from vouchy.features.games.config import GamesSettings
from vouchy.features.games.fair import (
    FairStream,
    block_hex,
    check_client_seed,
    check_nonce,
    check_server_seed,
    hash_server_seed,
    shuffled_deck,
)
from vouchy.features.games.results import GAMES, GameResult

SHOWN_CARDS: Final = 12  # the first cards of a deck that ``outcome`` lists by name


class Recorder:
    """Draws that remember every number they gave (shown so a member can follow along)."""

    def __init__(self, stream: FairStream) -> None:
        self.stream = stream
        self.values: list[int] = []

    def below(self, n: int) -> int:
        value = self.stream.below(n)
        self.values.append(value)
        return value


class FairOutcome(msgspec.Struct, frozen=True, kw_only=True):
    game: str
    server_seed_hash: str
    client_seed: str
    nonce: int
    block0: str  # the first HMAC block in hex, as any HMAC tool prints it
    draws: tuple[int, ...]  # every number drawn, in order
    words_read: int  # 4-byte words read (more than draws only if a word was rejected)
    shows: str  # what the randomness decided, in plain symbols


def _stream(game: str, server_seed: str, client_seed: str, nonce: int) -> FairStream:
    if game not in GAMES:
        raise InvalidInput("games.unknown_game", game=game)
    return FairStream(
        check_server_seed(server_seed), check_client_seed(client_seed), check_nonce(nonce)
    )


def _seed(server_seed: str) -> str:
    return check_server_seed(server_seed)


def outcome(
    game: str,
    server_seed: str,
    client_seed: str,
    nonce: int,
    config: GamesSettings | None = None,
) -> FairOutcome:
    """What the seeds decided for ``game``, whatever the player chose."""
    config = config or GamesSettings()
    stream = _stream(game, server_seed, client_seed, nonce)
    draws = Recorder(stream)
    shows: str
    if game == "coinflip":
        shows = coinflip.flip(draws)
    elif game == "roulette":
        pocket = roulette.spin(draws)
        shows = f"{pocket} {roulette.colour_of(pocket)}"
    elif game == "dice":
        rolled = dice.roll(draws)
        shows = f"{rolled // 100:02d}.{rolled % 100:02d}"
    elif game == "slots":
        stops = slots.spin(draws, config.slots)
        shows = " | ".join(reel[s] for reel, s in zip(config.slots.reels, stops, strict=True))
    elif game == "rps":
        shows = rps.bot_choice(draws)
    else:
        deck = shuffled_deck(draws, config.blackjack.decks)
        shows = " ".join(blackjack.card_label(c) for c in deck[:SHOWN_CARDS])
    return FairOutcome(
        game=game,
        server_seed_hash=hash_server_seed(_seed(server_seed)),
        client_seed=client_seed,
        nonce=nonce,
        block0=block_hex(_seed(server_seed), client_seed, nonce),
        draws=tuple(draws.values),
        words_read=stream.words_read,
        shows=shows,
    )


def replay(
    game: str,
    server_seed: str,
    client_seed: str,
    nonce: int,
    *,
    bet: int,
    choice: str = "",
    actions: tuple[str, ...] = (),
    player_id: int = 1,
    config: GamesSettings | None = None,
) -> GameResult | blackjack.BlackjackHand:
    """The game played again. ``choice``: ``heads``/``tails``, a roulette bet as
    ``kind:choice`` (``colour:red``, ``number:17``), a dice target, ``rock``/``paper``/
    ``scissors``; ``actions``: the blackjack buttons in order (``hit``, ``stand``, ``double``;
    ``timeout`` for a hand that timed out). A blackjack hand the actions leave unfinished is
    returned as it stands."""
    config = config or GamesSettings()
    draws = _stream(game, server_seed, client_seed, nonce)
    if game == "coinflip":
        return coinflip.play(draws, bet, choice, config.coinflip)
    if game == "roulette":
        kind, _, pick = choice.partition(":")
        return roulette.play(draws, bet, roulette.check_bet_on(kind, pick))
    if game == "dice":
        target = int(choice) if choice.isdigit() else -1
        return dice.play(draws, bet, dice.check_target(target, config.dice), config.dice)
    if game == "slots":
        return slots.play(draws, bet, config.slots)
    if game == "rps":
        return rps.play(draws, bet, choice)
    hand = blackjack.deal(player_id, bet, shuffled_deck(draws, config.blackjack.decks), now_ms=0)
    for action in actions:  # an action after the hand ended is refused, as it was in play
        if action == "timeout":
            hand = blackjack.timeout(hand, now_ms=0)
        else:
            hand = blackjack.act(hand, action, player_id, now_ms=0)
    if hand.status == blackjack.SETTLED:
        return blackjack.result_of(hand)
    return hand
