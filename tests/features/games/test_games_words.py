"""The games in words, in English and in French."""

from __future__ import annotations

import random

import pytest

from vouchy.features.games import (
    blackjack,
    coinflip,
    dice,
    fair,
    odds,
    roulette,
    rps,
    slots,
    words,
)
from vouchy.features.games.fair import BytesStream
from vouchy.features.games.results import GameResult
from vouchy.features.games.rules import settle


def draws(*values: int) -> BytesStream:
    return BytesStream(b"".join(v.to_bytes(4, "big") for v in values))


def hand(*ranks: str) -> blackjack.BlackjackHand:
    deck = tuple(blackjack.RANKS.index(r) + 13 * (i % 4) for i, r in enumerate(ranks))
    return blackjack.deal(1, 100, deck, now_ms=0)


def everything(result: GameResult, locale: str, multiplier: int = 1) -> str:
    return "\n".join(words.describe(result, settle(result, multiplier, xp=15), locale))


def test_a_coinflip_reads_in_both_languages() -> None:
    won = coinflip.play(draws(0), 100, "heads")
    assert everything(won, "en") == (
        "You called **Heads**; the coin shows **Heads**.\n"
        "You win: 200 points paid back (+100).\n+15 XP"
    )
    assert everything(won, "fr") == (
        "Tu as choisi **Face** ; la pièce tombe sur **Face**.\n"
        "Tu gagnes : 200 points te reviennent (+100).\n+15 XP"
    )


def test_a_dice_roll_and_its_multiplier_use_the_languages_decimal_mark() -> None:
    result = dice.play(draws(3862), 100, 50)
    assert "You roll **38.62**: under 50 wins x1.98." in everything(result, "en")
    assert "Tu fais **38,62** : moins de 50 gagne x1,98." in everything(result, "fr")
    assert words.times(141_428, "en") == "14.1428"
    assert words.times(20_000, "fr") == "2"


def test_a_roulette_bet_is_named_as_a_player_would() -> None:
    result = roulette.play(draws(14), 10, roulette.check_bet_on("dozen", "2"))
    assert "The ball lands on **14** (red). Your bet: Dozen 2 (13-24)." in everything(result, "en")
    assert "La bille s'arrête sur le **14** (rouge). Ta mise : Douzaine 2 (13-24)." in everything(
        result, "fr"
    )


def test_a_multiplier_is_told_with_the_winnings_it_made() -> None:
    result = rps.play(draws(2), 100, "rock")
    text = everything(result, "en", multiplier=2)
    assert "You win: 300 points paid back (+200)." in text
    assert "x2 multiplier: your winnings become 200 points." in text
    assert "multiplier" not in everything(rps.play(draws(1), 100, "rock"), "en", multiplier=2)


def test_a_push_and_a_loss_read_as_such() -> None:
    assert "Push: your 100 points are returned." in everything(
        rps.play(draws(0), 100, "rock"), "en"
    )
    assert "Tu perds tes 100 points." in everything(rps.play(draws(1), 100, "rock"), "fr")


def test_slots_show_the_symbols() -> None:
    reel = slots.SlotsConfig().reels[0]
    seven = reel.index("seven")
    text = everything(slots.play(draws(seven, seven, seven), 10), "fr")
    assert text.startswith(" ".join([slots.EMOJI["seven"]] * 3))
    assert "Ligne gagnante : x200." in text


def test_a_blackjack_hand_shows_only_the_up_card_while_played() -> None:
    playing = hand("A", "10", "6", "7", "5")
    lines = words.hand_lines(playing, 120, "fr")
    assert lines[0] == "Ta main : A♠ 6♦ (17 souple)"
    assert lines[1] == "Croupier : 10♥ ⬛ (10)"
    assert lines[2] == "Tire, reste ou double d'ici 2 min, sinon ta main reste telle quelle."


def test_a_settled_blackjack_hand_tells_what_happened() -> None:
    natural = blackjack.result_of(hand("A", "9", "K", "7"))
    assert "Blackjack! It pays 3 to 2." in everything(natural, "en")
    doubled = blackjack.result_of(
        blackjack.double(hand("6", "10", "5", "6", "9", "K"), 1, now_ms=1)
    )
    text = everything(doubled, "en")
    assert "You doubled: 200 points at stake." in text
    assert "The dealer goes over 21." in text
    timed_out = blackjack.result_of(blackjack.timeout(hand("10", "10", "6", "7"), now_ms=1))
    assert "Temps écoulé : ta main reste telle quelle." in everything(timed_out, "fr")


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_every_state_of_a_challenge_reads_without_a_gap(locale: str) -> None:
    ch = rps.challenge(1, 2, 50, "rock", now_ms=0)
    won, _, _ = rps.answer(ch, 2, "scissors", now_ms=1)
    drawn, _, _ = rps.answer(ch, 2, "rock", now_ms=1)
    states = [
        ch,
        won,
        drawn,
        rps.decline(ch, 2, now_ms=1),
        rps.decline(ch, 1, now_ms=1),
        rps.expire(ch, now_ms=ch.expires_at_ms),
    ]
    texts = [words.challenge_text(state, 300, locale) for state in states]
    assert all("{" not in t and "<@1>" in t for t in texts)
    assert len(set(texts)) == len(texts)
    assert "<@1>" in texts[1].rsplit(":", 1)[1]  # the challenger won with rock


def test_seeds_and_rotation_read_in_both_languages() -> None:
    seeds = fair.new_seeds(random.Random(1).randbytes)
    fresh, revealed = fair.rotate(seeds, entropy=random.Random(2).randbytes)
    for locale in ("en", "fr"):
        assert seeds.server_seed_hash in words.seeds_text(seeds, locale)
        text = words.rotated_text(revealed, fresh, locale)
        assert revealed.server_seed in text and fresh.server_seed_hash in text
        assert fresh.server_seed not in text
        assert seeds.client_seed in words.client_seed_text(seeds, locale)
    _, ticket, _ = fair.next_game(seeds)
    assert "nonce 0" in words.game_seed_text(ticket, "en")


def test_odds_lines() -> None:
    colour = odds.roulette_returns()[0]
    assert words.odds_line(colour, "en") == "Roulette (Colour): 97.30% returned to players (exact)"
    assert words.odds_line(colour, "fr") == (
        "Roulette (Couleur) : 97,30 % reversés aux joueurs (exact)"
    )
    simulated = odds.SimulatedReturn(
        game="blackjack", variant="", rounds=100_000, rtp=0.99601, se=0.00352, sd=1.11
    )
    assert words.odds_line(simulated, "fr") == (
        "Blackjack : 99,60 % ± 0,35 % reversés aux joueurs (simulé sur 100\u202f000 mains)"
    )
