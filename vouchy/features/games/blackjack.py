"""Blackjack as a state machine on a serializable hand: deal, hit, stand, double, timeout.

Rules: one shuffled deck per hand by default (``decks``), dealt player, dealer, player, dealer
(the dealer's second card is the hole card). A natural (21 on the first two cards) pays 3 to 2
(rounded down); the dealer looks at the hole card at once, so a dealer natural settles the hand
at the deal: the player loses the bet, or pushes with a natural of their own. The player may hit,
stand, or double on the first two cards (one more card, the stake doubled, then stand). A hand
reaching 21 stands by itself. The dealer draws to 17 and stands on every 17, soft 17 included.
A win pays twice the stake back, a push refunds it. No split, no insurance, no surrender.

A hand left alone resolves with ``timeout``, which stands. Every action names the member who
clicked, and is refused with a named reason when it is not theirs or not allowed. The hand holds
the whole deck order and the next position, so it is a row that outlives the process: it is
settled from its own fields, never from memory. Doubling takes a second stake: the caller checks
and takes it (``rules.check_extra_stake``) before calling ``double``.
"""

from __future__ import annotations

from typing import Annotated, Final

import msgspec

from vouchy.core.errors import InvalidInput, Refused
from vouchy.features.games.results import BlackjackSeen, GameResult, result
from vouchy.features.games.rules import GameLimits

PLAYING: Final = "playing"
SETTLED: Final = "settled"
ACTIONS: Final = ("hit", "stand", "double")
RANKS: Final = ("A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K")
SUITS: Final = (
    "\N{BLACK SPADE SUIT}",
    "\N{BLACK HEART SUIT}",
    "\N{BLACK DIAMOND SUIT}",
    "\N{BLACK CLUB SUIT}",
)
# The most cards one hand can use: before their last card the player's add up to 20 at most (a
# hand stands at 21), so 20 cards, and the dealer's to 16, so 16 cards; plus one last card each.
MAX_CARDS_PER_HAND: Final = 21 + 17


class DeckExhausted(RuntimeError):
    """The deck given had too few cards (only a simulation's short deck can run out)."""


class BlackjackConfig(GameLimits, frozen=True, kw_only=True, forbid_unknown_fields=True):
    decks: Annotated[int, msgspec.Meta(ge=1, le=8)] = 1
    # A hand left alone this long stands by itself.
    timeout_s: Annotated[int, msgspec.Meta(ge=10, le=86_400)] = 120


class BlackjackHand(msgspec.Struct, frozen=True, kw_only=True):
    player_id: int
    bet: int  # the first stake; a double stakes it again
    deck: tuple[int, ...]  # card ids in dealing order (see fair.py)
    position: int  # the next card to deal
    player: tuple[int, ...]
    dealer: tuple[int, ...]  # dealer[1] is the hole card, hidden while playing
    doubled: bool = False
    status: str = PLAYING
    timed_out: bool = False
    payout: int = 0  # the total paid back, once settled
    last_action_ms: int


_VALUES: Final = tuple(min(card % 13 + 1, 10) for card in range(52))


def card_value(card: int) -> int:
    """An ace counts 1 here (``total`` makes it 11 when that does not bust)."""
    return _VALUES[card]


def card_label(card: int) -> str:
    return f"{RANKS[card % 13]}{SUITS[card // 13 % 4]}"


def total(cards: tuple[int, ...]) -> tuple[int, bool]:
    """The best total and whether it is soft (an ace counted as 11)."""
    hard = 0
    ace = False
    for card in cards:
        value = _VALUES[card]
        hard += value
        ace = ace or value == 1
    if ace and hard <= 11:
        return hard + 10, True
    return hard, False


def is_natural(cards: tuple[int, ...]) -> bool:
    return len(cards) == 2 and total(cards)[0] == 21


def stake(hand: BlackjackHand) -> int:
    """Everything the player has staked on the hand."""
    return hand.bet * 2 if hand.doubled else hand.bet


def dealer_showing(hand: BlackjackHand) -> tuple[int, ...]:
    """The dealer's cards the player may see: the up card only while the hand is played."""
    return hand.dealer[:1] if hand.status == PLAYING else hand.dealer


def allowed(hand: BlackjackHand) -> tuple[str, ...]:
    """The buttons to show."""
    if hand.status != PLAYING:
        return ()
    return ACTIONS if len(hand.player) == 2 else ACTIONS[:2]


def deal(player_id: int, bet: int, deck: tuple[int, ...], *, now_ms: int) -> BlackjackHand:
    """The first four cards; a natural on either side settles the hand at once."""
    if len(deck) < 4:
        raise ValueError("a deck needs at least four cards")
    hand = BlackjackHand(
        player_id=player_id,
        bet=bet,
        deck=deck,
        position=4,
        player=(deck[0], deck[2]),
        dealer=(deck[1], deck[3]),
        last_action_ms=now_ms,
    )
    if is_natural(hand.player) or is_natural(hand.dealer):
        return _settle(hand)
    return hand


def _check_turn(hand: BlackjackHand, by_user_id: int) -> None:
    if by_user_id != hand.player_id:
        raise Refused("games.blackjack.not_your_hand")
    if hand.status != PLAYING:
        raise Refused("games.blackjack.hand_over")


def _draw(hand: BlackjackHand) -> tuple[int, int]:
    if hand.position >= len(hand.deck):
        raise DeckExhausted(hand.position)  # never with a whole deck: MAX_CARDS_PER_HAND
    return hand.deck[hand.position], hand.position + 1


def hit(hand: BlackjackHand, by_user_id: int, *, now_ms: int) -> BlackjackHand:
    """One more card; a bust settles the hand, 21 stands."""
    _check_turn(hand, by_user_id)
    card, position = _draw(hand)
    hand = msgspec.structs.replace(
        hand, player=(*hand.player, card), position=position, last_action_ms=now_ms
    )
    if total(hand.player)[0] >= 21:
        return _settle(hand)
    return hand


def stand(hand: BlackjackHand, by_user_id: int, *, now_ms: int) -> BlackjackHand:
    _check_turn(hand, by_user_id)
    return _settle(msgspec.structs.replace(hand, last_action_ms=now_ms))


def double(hand: BlackjackHand, by_user_id: int, *, now_ms: int) -> BlackjackHand:
    """Double the stake on the first two cards, take one card, stand."""
    _check_turn(hand, by_user_id)
    if len(hand.player) != 2:
        raise Refused("games.blackjack.double_after_hit")
    card, position = _draw(hand)
    hand = msgspec.structs.replace(
        hand, player=(*hand.player, card), position=position, doubled=True, last_action_ms=now_ms
    )
    return _settle(hand)


def timeout(hand: BlackjackHand, *, now_ms: int) -> BlackjackHand:
    """A hand left alone past its time stands (whoever runs the clock may call this)."""
    if hand.status != PLAYING:
        raise Refused("games.blackjack.hand_over")
    return _settle(msgspec.structs.replace(hand, timed_out=True, last_action_ms=now_ms))


def expires_at_ms(hand: BlackjackHand, config: BlackjackConfig) -> int:
    return hand.last_action_ms + config.timeout_s * 1000


def act(hand: BlackjackHand, action: str, by_user_id: int, *, now_ms: int) -> BlackjackHand:
    """A button: ``hit``, ``stand`` or ``double``."""
    if action == "hit":
        return hit(hand, by_user_id, now_ms=now_ms)
    if action == "stand":
        return stand(hand, by_user_id, now_ms=now_ms)
    if action == "double":
        return double(hand, by_user_id, now_ms=now_ms)
    raise InvalidInput("games.blackjack.bad_action")


def _settle(hand: BlackjackHand) -> BlackjackHand:
    """The dealer plays if needed, and the payout is fixed."""
    # Invariant: a settled hand has its payout and never changes again.
    bet = stake(hand)
    player_total = total(hand.player)[0]
    natural, dealer_natural = is_natural(hand.player), is_natural(hand.dealer)
    if natural or dealer_natural:
        if natural and dealer_natural:
            payout = bet
        elif natural:
            payout = bet + bet * 3 // 2
        else:
            payout = 0
        return msgspec.structs.replace(hand, status=SETTLED, payout=payout)
    if player_total > 21:
        return msgspec.structs.replace(hand, status=SETTLED, payout=0)
    dealer, position = hand.dealer, hand.position
    while total(dealer)[0] < 17:  # stands on every 17, soft 17 included
        if position >= len(hand.deck):
            raise DeckExhausted(position)
        dealer, position = (*dealer, hand.deck[position]), position + 1
    dealer_total = total(dealer)[0]
    if dealer_total > 21 or player_total > dealer_total:
        payout = 2 * bet
    elif player_total == dealer_total:
        payout = bet
    else:
        payout = 0
    return msgspec.structs.replace(
        hand, dealer=dealer, position=position, status=SETTLED, payout=payout
    )


def result_of(hand: BlackjackHand) -> GameResult:
    """The settled hand as a game result (the bet is the whole stake, doubled or not)."""
    if hand.status != SETTLED:
        raise ValueError("the hand is still being played")
    seen = BlackjackSeen(
        player=hand.player,
        dealer=hand.dealer,
        player_total=total(hand.player)[0],
        dealer_total=total(hand.dealer)[0],
        doubled=hand.doubled,
        natural=is_natural(hand.player),
        dealer_natural=is_natural(hand.dealer),
        timed_out=hand.timed_out,
    )
    return result("blackjack", stake(hand), hand.payout, seen)
