"""docs/fairness.md: its worked example is recomputed here, number by number."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from vouchy.features.games import blackjack, fair, verify

DOC = Path(__file__).resolve().parents[3] / "docs" / "fairness.md"
SEED = "074542e53cb56bcfe7158c2643cba64be791cd323d2d332936d5a1d3fa24345f"
CLIENT, NONCE = "ma-graine", 7


def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_the_example_seed_its_hash_and_its_first_block_are_the_ones_printed() -> None:
    text = doc()
    assert SEED in text
    assert fair.hash_server_seed(SEED) in text
    assert fair.block_hex(SEED, CLIENT, NONCE) in text
    assert f"`{CLIENT}:{NONCE}:0`" in text


def test_the_example_words_are_the_first_block_cut_in_four_bytes() -> None:
    text = doc()
    block = fair.block_hex(SEED, CLIENT, NONCE)
    for k in range(4):
        word = block[8 * k : 8 * k + 8]
        assert f"| {k} | `{word}` | {int(word, 16)} |" in text


def test_each_games_outcome_in_the_example_is_what_vouchy_computes() -> None:
    text = doc()
    assert verify.outcome("coinflip", SEED, CLIENT, NONCE).shows == "heads"
    assert "= 0: **heads**" in text
    assert verify.outcome("roulette", SEED, CLIENT, NONCE).shows == "6 black"
    assert "= 6: pocket **6**, black" in text
    assert verify.outcome("dice", SEED, CLIENT, NONCE).shows == "38.62"
    assert "a roll of **38.62**" in text
    assert verify.outcome("rps", SEED, CLIENT, NONCE).shows == "scissors"
    assert "Vouchy plays **scissors**" in text
    slots = verify.outcome("slots", SEED, CLIENT, NONCE)
    assert slots.draws == (2, 18, 5)
    assert "**orange | plum | lemon**" in text and slots.shows == "orange | plum | lemon"


def test_the_example_blackjack_deal_and_its_ending() -> None:
    text = doc()
    cards = verify.outcome("blackjack", SEED, CLIENT, NONCE)
    first = cards.draws[:4]
    assert first == (26, 37, 45, 14)
    for i, (draw, label) in enumerate(zip(first, cards.shows.split()[:4], strict=True)):
        assert (
            f"i = {i}: " in text
            and f"= {draw}, j = {i + draw}: card {i + draw} = **{label}**" in text
        )
    ended = verify.replay("blackjack", SEED, CLIENT, NONCE, bet=100, actions=("stand",))
    assert not isinstance(ended, blackjack.BlackjackHand)
    assert ended.outcome == "lose"
    assert [blackjack.card_label(c) for c in ended.seen.dealer] == ["K♦", "5♥", "6♥"]
    assert ended.seen.dealer_total == 21 and ended.seen.player_total == 20


def test_the_python_in_the_doc_runs_and_prints_what_vouchy_computes() -> None:
    code = re.search(r"```python\n(.*?)```", doc(), re.S)
    assert code is not None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code.group(1), {})
    lines = out.getvalue().splitlines()
    assert lines[0] == fair.hash_server_seed(SEED)
    assert lines[1] == "6"
    assert lines[2] == "['AD', 'KD', '9C', '5H', '6H']"


def test_the_rejection_limits_in_the_doc_are_exact() -> None:
    text = doc()
    for n in (2, 3, 20, 37, 52, 10000):
        assert f"| {n} | {2**32 - 2**32 % n} |" in text
