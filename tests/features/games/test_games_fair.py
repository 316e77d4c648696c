"""Provably fair draws: the HMAC stream, unbiased draws, shuffles, seeds and their rotation."""

from __future__ import annotations

import hashlib
import hmac
import inspect
import random
import re
from collections import Counter
from itertools import permutations

import pytest

from vouchy.core.errors import InvalidInput, Refused
from vouchy.features.games import blackjack, coinflip, dice, fair, roulette, rps, slots, verify
from vouchy.features.games.results import GameResult

SEED = "074542e53cb56bcfe7158c2643cba64be791cd323d2d332936d5a1d3fa24345f"


def chi_square(counts: Counter[int], n: int, draws: int) -> float:
    expected = draws / n
    return sum((counts[k] - expected) ** 2 / expected for k in range(n))


def test_the_stream_is_hmac_sha256_of_the_seeds_read_as_big_endian_words() -> None:
    stream = fair.FairStream(SEED, "ma-graine", 7)
    words = [stream.word() for _ in range(16)]
    blocks = b"".join(
        hmac.new(SEED.encode(), f"ma-graine:7:{r}".encode(), hashlib.sha256).digest()
        for r in (0, 1)
    )
    assert words == [int.from_bytes(blocks[k : k + 4], "big") for k in range(0, 64, 4)]


def test_another_nonce_or_client_seed_gives_other_outcomes() -> None:
    first = [fair.FairStream(SEED, "a", 0).word() for _ in range(1)]
    assert first != [fair.FairStream(SEED, "a", 1).word()]
    assert first != [fair.FairStream(SEED, "b", 0).word()]


def test_a_word_at_or_above_the_limit_is_skipped_not_folded() -> None:
    # n = 3: limit = 2**32 - 1, so the word 0xFFFFFFFF is rejected and the next one is used.
    stream = fair.BytesStream(bytes.fromhex("ffffffff00000005"))
    assert stream.below(3) == 2
    assert stream.words_read == 2
    # The largest word under the limit is kept.
    assert fair.BytesStream((2**32 - 2).to_bytes(4, "big")).below(3) == (2**32 - 2) % 3


def test_draws_in_zero_to_three_are_uniform() -> None:
    stream = fair.FairStream(SEED, "uniform", 0)
    draws = 60_000
    counts = Counter(stream.below(3) for _ in range(draws))
    # chi-square with 2 degrees of freedom: 13.8 is its 99.9th percentile.
    assert chi_square(counts, 3, draws) < 13.8


def test_a_range_that_does_not_divide_2_32_shows_no_modulo_bias() -> None:
    # n = 3 * 2**30: word mod n would give values below 2**30 half of the time (twice as
    # often as fair); rejection gives them a third of the time.
    n = 3 * 2**30
    stream = fair.FairStream(SEED, "bias", 0)
    draws = 30_000
    low = sum(stream.below(n) < 2**30 for _ in range(draws))
    third = draws / 3
    sd = (draws * (1 / 3) * (2 / 3)) ** 0.5
    assert abs(low - third) < 4 * sd
    # and it paid for it with the rejected words (a quarter of all words)
    assert stream.words_read > draws


def test_the_draw_never_takes_a_remainder_of_an_unchecked_word() -> None:
    source = inspect.getsource(fair.WordStream.below)
    assert "if x < limit:" in source
    assert source.index("if x < limit:") < source.index("x % n")


def test_a_shuffle_gives_every_order_equally_often() -> None:
    stream = fair.FairStream(SEED, "shuffle", 0)
    draws = 30_000
    counts = Counter(tuple(fair.shuffle(stream, "abc")) for _ in range(draws))
    orders = {"".join(p) for p in permutations("abc")}
    assert {"".join(o) for o in counts} == orders
    index = {o: i for i, o in enumerate(sorted(counts))}
    # 5 degrees of freedom: 20.5 is the 99.9th percentile.
    assert chi_square(Counter({index[o]: c for o, c in counts.items()}), 6, draws) < 20.5


def test_shuffling_only_the_first_cards_gives_the_whole_shuffles_first_cards() -> None:
    whole = fair.shuffled_deck(fair.FairStream(SEED, "deck", 3), decks=2)
    first = fair.shuffled_deck(fair.FairStream(SEED, "deck", 3), decks=2, first=10)
    assert first == whole[:10]
    assert sorted(whole) == sorted(list(range(52)) * 2)


def test_new_seeds_show_the_hash_of_the_secret_seed() -> None:
    seeds = fair.new_seeds(random.Random(1).randbytes)
    assert re.fullmatch(r"[0-9a-f]{64}", seeds.server_seed)
    assert seeds.server_seed_hash == hashlib.sha256(seeds.server_seed.encode()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{32}", seeds.client_seed)
    assert seeds.nonce == 0


def test_each_game_takes_the_next_nonce() -> None:
    seeds = fair.new_seeds(random.Random(2).randbytes)
    _, first, seeds = fair.next_game(seeds)
    _, second, seeds = fair.next_game(seeds)
    assert (first.nonce, second.nonce, seeds.nonce) == (0, 1, 2)
    assert first.server_seed_hash == seeds.server_seed_hash


def test_setting_a_client_seed_keeps_counting_nonces() -> None:
    seeds = fair.new_seeds(random.Random(3).randbytes)
    _, _, seeds = fair.next_game(seeds)
    seeds = fair.with_client_seed(seeds, "my-lucky_seed")
    assert (seeds.client_seed, seeds.nonce) == ("my-lucky_seed", 1)


@pytest.mark.parametrize("bad", ["", "a" * 65, "deux mots", "a:b", "é", 12])
def test_a_client_seed_outside_the_allowed_characters_is_refused(bad: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        fair.check_client_seed(bad)
    assert refused.value.key == "games.fair.bad_client_seed"


def test_rotation_reveals_the_old_seed_and_its_hash_matches_what_was_shown() -> None:
    seeds = fair.new_seeds(random.Random(4).randbytes)
    shown = seeds.server_seed_hash
    for _ in range(3):
        _, _, seeds = fair.next_game(seeds)
    fresh, revealed = fair.rotate(seeds, entropy=random.Random(5).randbytes)
    assert revealed.games == 3
    assert fair.seed_matches(revealed.server_seed, shown)
    assert fresh.server_seed != revealed.server_seed
    assert (fresh.nonce, fresh.client_seed) == (0, seeds.client_seed)
    assert fresh.server_seed_hash == fair.hash_server_seed(fresh.server_seed)


def test_rotation_is_refused_while_a_game_on_the_seed_is_open() -> None:
    seeds = fair.new_seeds(random.Random(6).randbytes)
    with pytest.raises(Refused) as refused:
        fair.rotate(seeds, open_games=1)
    assert refused.value.key == "games.fair.rotate_while_playing"


def test_a_rotated_seed_reproduces_every_game_it_decided() -> None:
    seeds = fair.new_seeds(random.Random(7).randbytes)
    seeds = fair.with_client_seed(seeds, "round-trip")
    shown = seeds.server_seed_hash
    plays = [
        ("coinflip", "heads", ()),
        ("roulette", "colour:red", ()),
        ("roulette", "number:17", ()),
        ("dice", "50", ()),
        ("slots", "", ()),
        ("rps", "paper", ()),
        ("blackjack", "", ("hit", "stand")),
        ("blackjack", "", ("double",)),
        ("blackjack", "", ("timeout",)),
    ]
    recorded: list[tuple[str, str, tuple[str, ...], fair.GameSeed, GameResult]] = []
    for game, choice, wanted in plays:
        stream, ticket, seeds = fair.next_game(seeds)
        # Played live: the game draws from the stream it was handed.
        outcome, actions = _play_live(game, stream, choice, wanted)
        recorded.append((game, choice, actions, ticket, outcome))
    _, revealed = fair.rotate(seeds, entropy=random.Random(8).randbytes)

    assert fair.seed_matches(revealed.server_seed, shown)
    assert revealed.games == len(plays)
    for game, choice, actions, ticket, outcome in recorded:
        again = verify.replay(
            game,
            revealed.server_seed,
            ticket.client_seed,
            ticket.nonce,
            bet=100,
            choice=choice,
            actions=actions,
        )
        assert again == outcome


def _play_live(
    game: str, stream: fair.FairStream, choice: str, wanted: tuple[str, ...]
) -> tuple[GameResult, tuple[str, ...]]:
    """The game as a member plays it, and the blackjack buttons they could press."""
    if game == "coinflip":
        return coinflip.play(stream, 100, choice), ()
    if game == "roulette":
        kind, _, pick = choice.partition(":")
        return roulette.play(stream, 100, roulette.check_bet_on(kind, pick)), ()
    if game == "dice":
        return dice.play(stream, 100, int(choice)), ()
    if game == "slots":
        return slots.play(stream, 100), ()
    if game == "rps":
        return rps.play(stream, 100, choice), ()
    hand = blackjack.deal(1, 100, fair.shuffled_deck(stream), now_ms=1_000)
    pressed: list[str] = []
    for action in wanted:
        if hand.status != blackjack.PLAYING:
            break
        if action == "timeout":
            hand = blackjack.timeout(hand, now_ms=2_000)
        else:
            hand = blackjack.act(hand, action, 1, now_ms=2_000)
        pressed.append(action)
    return blackjack.result_of(hand), tuple(pressed)


def test_verifying_names_a_bad_server_seed() -> None:
    with pytest.raises(InvalidInput) as refused:
        verify.outcome("roulette", "not-hex", "c", 0)
    assert refused.value.key == "games.fair.bad_server_seed"
    with pytest.raises(InvalidInput) as refused:
        verify.outcome("poker", SEED, "c", 0)
    assert refused.value.key == "games.unknown_game"
    with pytest.raises(InvalidInput) as refused:
        verify.outcome("dice", SEED, "c", -1)
    assert refused.value.key == "games.fair.bad_nonce"
