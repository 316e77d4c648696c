"""Blackjack's rules, played on decks stacked card by card.

A deck is dealt player, dealer (up), player, dealer (hole), then the player's hits, then the
dealer's draws.
"""

from __future__ import annotations

import msgspec
import pytest

from vouchy.core.errors import InvalidInput, Refused
from vouchy.features.games import blackjack as bj

PLAYER = 42
OTHER = 43


def cards(*ranks: str) -> tuple[int, ...]:
    """Card ids for ranks ("A", "2" .. "10", "J", "Q", "K"), suits going round."""
    return tuple(bj.RANKS.index(rank) + 13 * (i % 4) for i, rank in enumerate(ranks))


def deal(*ranks: str, bet: int = 100) -> bj.BlackjackHand:
    return bj.deal(PLAYER, bet, cards(*ranks), now_ms=1_000)


def test_the_dealer_stands_on_soft_17() -> None:
    # You 10 8 (18), dealer A 6 (soft 17); a 4 would give the dealer 21 if they drew.
    hand = bj.stand(deal("10", "A", "8", "6", "4"), PLAYER, now_ms=2_000)
    assert len(hand.dealer) == 2
    assert bj.total(hand.dealer) == (17, True)
    assert hand.payout == 200
    assert bj.result_of(hand).outcome == "win"


def test_the_dealer_draws_on_soft_16_and_on_hard_16() -> None:
    soft = bj.stand(deal("10", "A", "8", "5", "3"), PLAYER, now_ms=2_000)
    assert bj.total(soft.dealer)[0] == 19 and len(soft.dealer) == 3
    hard = bj.stand(deal("10", "10", "8", "6", "5"), PLAYER, now_ms=2_000)
    assert bj.total(hard.dealer)[0] == 21 and hard.payout == 0


def test_a_natural_pays_3_to_2_at_the_deal() -> None:
    hand = deal("A", "9", "K", "7")
    assert hand.status == bj.SETTLED
    assert hand.payout == 250  # the 100 staked and 150 won
    result = bj.result_of(hand)
    assert (result.bet, result.payout, result.outcome) == (100, 250, "win")
    assert result.seen.natural


def test_a_natural_on_an_odd_bet_rounds_the_half_point_down() -> None:
    assert deal("A", "9", "K", "7", bet=15).payout == 15 + 22


def test_a_natural_against_a_dealer_natural_is_a_push() -> None:
    hand = deal("A", "A", "K", "Q")
    assert hand.status == bj.SETTLED
    assert bj.result_of(hand).outcome == "push"
    assert hand.payout == 100


def test_a_dealer_natural_ends_the_hand_before_the_player_acts() -> None:
    hand = deal("10", "A", "9", "K")
    assert hand.status == bj.SETTLED and hand.payout == 0
    assert bj.result_of(hand).seen.dealer_natural
    with pytest.raises(Refused) as refused:
        bj.hit(hand, PLAYER, now_ms=2_000)
    assert refused.value.key == "games.blackjack.hand_over"


def test_equal_totals_push_and_refund_the_stake() -> None:
    hand = bj.stand(deal("10", "10", "8", "8"), PLAYER, now_ms=2_000)
    result = bj.result_of(hand)
    assert (result.payout, result.outcome) == (100, "push")


def test_a_double_stakes_twice_takes_one_card_and_stands() -> None:
    # You 6 5 (11) against 10 7; the double draws a 9 (20).
    hand = bj.double(deal("6", "10", "5", "7", "9", "2"), PLAYER, now_ms=2_000)
    assert hand.status == bj.SETTLED and hand.doubled
    assert len(hand.player) == 3
    result = bj.result_of(hand)
    assert (result.bet, result.payout, result.outcome) == (200, 400, "win")
    assert result.seen.doubled


def test_a_double_after_a_hit_is_refused() -> None:
    hand = bj.hit(deal("2", "10", "3", "7", "4"), PLAYER, now_ms=2_000)
    assert bj.allowed(hand) == ("hit", "stand")
    with pytest.raises(Refused) as refused:
        bj.double(hand, PLAYER, now_ms=3_000)
    assert refused.value.key == "games.blackjack.double_after_hit"


def test_a_timeout_stands_without_drawing() -> None:
    # You 10 6 against 10 7; a 5 would have given you 21.
    hand = bj.timeout(deal("10", "10", "6", "7", "5"), now_ms=200_000)
    assert hand.status == bj.SETTLED and hand.timed_out
    assert len(hand.player) == 2
    result = bj.result_of(hand)
    assert (result.outcome, result.seen.timed_out) == ("lose", True)


def test_a_timeout_of_a_finished_hand_is_refused() -> None:
    hand = bj.stand(deal("10", "10", "8", "8"), PLAYER, now_ms=2_000)
    with pytest.raises(Refused) as refused:
        bj.timeout(hand, now_ms=3_000)
    assert refused.value.key == "games.blackjack.hand_over"


def test_a_hand_expires_after_its_timeout_from_the_last_click() -> None:
    config = bj.BlackjackConfig(timeout_s=120)
    hand = bj.hit(deal("2", "10", "3", "7", "4"), PLAYER, now_ms=5_000)
    assert bj.expires_at_ms(hand, config) == 125_000


def test_a_bust_loses_at_once_and_the_dealer_does_not_draw() -> None:
    hand = bj.hit(deal("10", "10", "6", "6", "K", "5"), PLAYER, now_ms=2_000)
    assert hand.status == bj.SETTLED and hand.payout == 0
    assert len(hand.dealer) == 2


def test_reaching_21_by_hitting_stands_by_itself() -> None:
    hand = bj.hit(deal("5", "10", "6", "8", "K", "3"), PLAYER, now_ms=2_000)
    assert hand.status == bj.SETTLED
    assert bj.total(hand.player)[0] == 21
    assert hand.payout == 200


def test_another_members_click_is_refused_and_changes_nothing() -> None:
    hand = deal("10", "10", "6", "7", "5")
    for action in bj.ACTIONS:
        with pytest.raises(Refused) as refused:
            bj.act(hand, action, OTHER, now_ms=2_000)
        assert refused.value.key == "games.blackjack.not_your_hand"
    assert hand.status == bj.PLAYING and hand.position == 4


def test_an_unknown_button_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        bj.act(deal("10", "10", "6", "7"), "split", PLAYER, now_ms=2_000)
    assert refused.value.key == "games.blackjack.bad_action"


def test_the_hole_card_stays_hidden_until_the_hand_ends() -> None:
    hand = deal("10", "9", "6", "7", "5")
    assert bj.dealer_showing(hand) == hand.dealer[:1]
    done = bj.stand(hand, PLAYER, now_ms=2_000)
    assert bj.dealer_showing(done) == done.dealer


def test_a_hand_stored_and_read_back_plays_on_the_same() -> None:
    hand = bj.hit(deal("2", "10", "3", "7", "4", "9", "8"), PLAYER, now_ms=2_000)
    row = msgspec.json.encode(hand)
    restored = msgspec.json.decode(row, type=bj.BlackjackHand)
    assert restored == hand
    assert bj.stand(restored, PLAYER, now_ms=3_000) == bj.stand(hand, PLAYER, now_ms=3_000)


def test_a_result_round_trips_through_json() -> None:
    from vouchy.features.games.results import GameResult

    result = bj.result_of(deal("A", "9", "K", "7"))
    assert msgspec.json.decode(msgspec.json.encode(result), type=GameResult) == result


def test_card_labels_and_totals() -> None:
    assert [bj.card_label(c) for c in cards("A", "10", "Q")] == ["A♠", "10♥", "Q♦"]
    assert bj.total(cards("A", "A", "9")) == (21, True)
    assert bj.total(cards("A", "6", "10")) == (17, False)
