"""The proof hash: a resized or re-encoded copy of a screenshot is the same proof; a different
screenshot, even one of the same app with the same layout, is not."""

from __future__ import annotations

import io
import random
from functools import cache

import features.vouches.vouches_screens as screens
import pytest
from PIL import Image

from vouchy.features.vouches import proof
from vouchy.features.vouches.proof import (
    MATCH_DISTANCE,
    ProofMatch,
    ProofUnreadable,
    distance,
    find_match,
    from_signed,
    proof_hash,
    same_proof,
    to_signed,
)


@cache
def shots() -> dict[str, Image.Image]:
    rng = random.Random(5)
    return {
        "receipt": screens.receipt("#48213-AX", "12 Mar 2024, 14:02", "$12.50", "Netflix 1 month"),
        # Same app, same layout, same amount and item: another order on another day.
        "receipt_other_order": screens.receipt(
            "#50112-BD", "02 Apr 2024, 22:17", "$12.50", "Netflix 1 month"
        ),
        "receipt_other_purchase": screens.receipt(
            "#48977-QP", "15 Mar 2024, 09:41", "$45.00", "Spotify 1 year"
        ),
        # One digit of the amount changed: an edited screenshot, not the same proof.
        "receipt_one_digit": screens.receipt(
            "#48213-AX", "12 Mar 2024, 14:02", "$13.50", "Netflix 1 month"
        ),
        "chat": screens.random_chat(rng),
        "chat_other": screens.random_chat(rng),
        "trade": screens.trade(rng),
        "trade_other": screens.trade(rng),
    }


@cache
def hashed(name: str) -> int:
    return proof_hash(screens.png(shots()[name]))


@pytest.mark.parametrize("name", ["receipt", "receipt_other_purchase", "chat", "trade"])
def test_resized_and_re_encoded_copies_are_the_same_proof(name: str) -> None:
    original = hashed(name)
    far = {
        copy: distance(original, proof_hash(data))
        for copy, data in screens.copies(shots()[name]).items()
    }
    assert max(far.values()) <= MATCH_DISTANCE, far


def test_the_same_bytes_always_give_the_same_hash() -> None:
    data = screens.jpeg(shots()["receipt"], 80)
    assert proof_hash(data) == proof_hash(data)
    assert 0 <= proof_hash(data) < 2**64


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("receipt", "receipt_other_order"),
        ("receipt", "receipt_other_purchase"),
        ("receipt", "receipt_one_digit"),
        ("chat", "chat_other"),
        ("trade", "trade_other"),
    ],
)
def test_different_screenshots_with_the_same_layout_are_not_the_same_proof(a: str, b: str) -> None:
    # Measured on this fixture set: 30, 30, 25, 28 and 28 bits apart (threshold 12).
    assert distance(hashed(a), hashed(b)) > MATCH_DISTANCE + 6


def test_unrelated_screenshots_are_about_half_their_bits_apart() -> None:
    assert distance(hashed("receipt"), hashed("chat")) >= 24
    assert distance(hashed("receipt"), hashed("trade")) >= 24


def test_a_copy_of_a_near_duplicate_still_matches_its_own_original_not_the_other() -> None:
    copy = proof_hash(screens.jpeg(screens.resized(shots()["receipt_other_order"], 0.75), 75))
    earlier = [
        ("receipt", hashed("receipt")),
        ("receipt_other_order", hashed("receipt_other_order")),
    ]
    match = find_match(copy, earlier)
    assert match is not None and match.reference == "receipt_other_order"


def test_a_photo_whose_exif_says_rotate_matches_the_upright_original() -> None:
    original = shots()["trade"]
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    original.rotate(90, expand=True).save(out, "JPEG", quality=90, exif=exif)
    assert same_proof(proof_hash(out.getvalue()), hashed("trade"))


def test_a_transparent_png_is_read_on_white() -> None:
    rgba = shots()["receipt"].convert("RGBA")
    assert same_proof(proof_hash(screens.png(rgba)), hashed("receipt"))


def test_a_grey_jpeg_and_a_palette_gif_are_read() -> None:
    grey = screens.jpeg(shots()["chat"].convert("L"), 90)
    out = io.BytesIO()
    shots()["chat"].convert("P").save(out, "GIF")
    assert same_proof(proof_hash(grey), hashed("chat"))
    assert same_proof(proof_hash(out.getvalue()), hashed("chat"))


def test_bytes_that_are_not_an_image_are_refused() -> None:
    with pytest.raises(ProofUnreadable) as caught:
        proof_hash(b"<html>not found</html>")
    assert caught.value.key == "vouches.proof_unreadable"


def test_a_truncated_image_is_refused() -> None:
    data = screens.jpeg(shots()["receipt"], 80)
    with pytest.raises(ProofUnreadable):
        proof_hash(data[: len(data) // 3])


def test_a_tiny_image_is_refused() -> None:
    with pytest.raises(ProofUnreadable) as caught:
        proof_hash(screens.png(Image.new("RGB", (8, 200), "white")))
    assert caught.value.key == "vouches.proof_too_small"


def test_an_image_too_large_to_decode_is_refused_before_decoding() -> None:
    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, "PNG")  # 48 million pixels, a few kilobytes
    with pytest.raises(ProofUnreadable) as caught:
        proof_hash(out.getvalue())
    assert caught.value.key == "vouches.proof_too_large"


def test_a_file_over_the_byte_limit_is_refused_unread() -> None:
    with pytest.raises(ProofUnreadable):
        proof_hash(b"\x89PNG" + bytes(proof.MAX_BYTES))


def test_a_blank_image_hashes_like_any_other_blank_image() -> None:
    white = proof_hash(screens.png(Image.new("RGB", (300, 300), "white")))
    grey = proof_hash(screens.jpeg(Image.new("RGB", (500, 200), (90, 90, 90)), 70))
    assert white == grey


def test_find_match_returns_the_closest_earlier_proof_within_the_threshold() -> None:
    base = 0x0123_4567_89AB_CDEF
    earlier = [("far", base ^ (2**13 - 1)), ("near", base ^ 0b111), ("nearer", base ^ 0b1)]
    assert find_match(base, earlier) == ProofMatch(reference="nearer", distance=1)
    assert find_match(base, [("far", base ^ (2**13 - 1))]) is None  # 13 bits apart
    assert find_match(base, [("edge", base ^ (2**12 - 1))]) == ProofMatch(
        reference="edge", distance=12
    )


def test_hashes_fit_a_signed_64_bit_column_and_come_back() -> None:
    for value in (0, 1, 2**63 - 1, 2**63, 2**64 - 1):
        stored = to_signed(value)
        assert -(2**63) <= stored < 2**63
        assert from_signed(stored) == value


def flipped(rng: random.Random, value: int, bits: int) -> int:
    for b in rng.sample(range(64), bits):
        value ^= 1 << b
    return value


def test_the_index_finds_what_a_full_scan_finds_for_near_and_far_proofs() -> None:
    rng = random.Random(11)
    index = proof.ProofIndex()
    earlier: list[tuple[str, int]] = []
    for n in range(3000):
        value = rng.getrandbits(64)
        earlier.append((f"vouch:{n}", value))
        index.add(f"vouch:{n}", value, f"vouch:{n}")
    queries = [rng.getrandbits(64) for _ in range(200)]
    # Copies of earlier proofs from 0 to 16 bits away: every distance around the threshold.
    queries += [flipped(rng, earlier[rng.randrange(3000)][1], d % 17) for d in range(600)]
    for query in queries:
        assert index.match(query) == find_match(query, earlier), hex(query)
    assert sum(index.match(q) is not None for q in queries) >= 400


def test_the_index_forgets_a_discarded_proof_and_prefers_the_earliest_on_a_tie() -> None:
    index = proof.ProofIndex()
    base = 0x0123_4567_89AB_CDEF
    index.add("a", base ^ 0b11, "first")
    index.add("b", base ^ 0b1100, "second")  # as far from base as "a"
    assert index.match(base) == ProofMatch(reference="first", distance=2)
    index.discard("a")
    assert "a" not in index and len(index) == 1
    assert index.match(base) == ProofMatch(reference="second", distance=2)
    index.add("b", base ^ (2**13 - 1), "moved")  # a key filed again replaces its proof
    assert index.match(base) is None and len(index) == 1  # 13 bits away: not the same proof
    assert index.match(base ^ 1) == ProofMatch(reference="moved", distance=12)
    index.discard("b")
    index.discard("b")  # discarding twice is harmless
    assert len(index) == 0 and index.match(base) is None
