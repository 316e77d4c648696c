"""The rank card: a PNG of sensible size with the avatar or initials, and its text twin."""

import io

import pytest
from PIL import Image

from vouchy.features.levels.card import (
    ACCENT,
    AVATAR,
    HEIGHT,
    INITIALS_COLOURS,
    TRACK,
    WIDTH,
    CardFacts,
    card_facts,
    card_text,
    drawable,
    initials,
    render_card,
)
from vouchy.features.levels.rules import Counters

FACTS = card_facts(
    display_name="Élodie",
    xp=12_345,
    rank=3,
    counters=Counters(messages=321, voice_seconds=3 * 3600 + 300, reactions_received=45),
)
AVATAR_CENTRE = (35 + AVATAR // 2, (HEIGHT - AVATAR) // 2 + AVATAR // 2)


def png(colour=(200, 120, 40), size=(256, 256), fmt="PNG", mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, fmt)
    return out.getvalue()


def open_card(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    Image.open(io.BytesIO(data)).verify()
    return Image.open(io.BytesIO(data)).convert("RGBA")


def test_the_card_is_a_valid_png_of_sensible_size():
    data = render_card(FACTS, png())
    card = open_card(data)
    assert card.size == (WIDTH, HEIGHT) == (900, 250)
    assert 5_000 < len(data) < 300_000


def test_the_avatar_is_drawn_in_a_circle():
    card = open_card(render_card(FACTS, png((200, 120, 40))))
    assert card.getpixel(AVATAR_CENTRE)[:3] == (200, 120, 40)
    corner = (35 + 3, (HEIGHT - AVATAR) // 2 + 3)  # inside the square, outside the circle
    assert card.getpixel(corner)[:3] != (200, 120, 40)


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP", "GIF"])
def test_avatars_in_discords_formats_are_drawn(fmt):
    card = open_card(render_card(FACTS, png((30, 200, 30), fmt=fmt)))
    r, g, b, _ = card.getpixel(AVATAR_CENTRE)
    assert g > 150 and r < 90 and b < 90


@pytest.mark.parametrize(
    "avatar", [None, b"", b"not an image", png(1, size=(5_000, 5_000), mode="1")]
)
def test_without_a_usable_avatar_the_card_shows_initials(avatar):
    card = open_card(render_card(FACTS, avatar))
    assert card.size == (WIDTH, HEIGHT)
    below_letters = (AVATAR_CENTRE[0], AVATAR_CENTRE[1] + 70)
    assert card.getpixel(below_letters)[:3] in [c for c in INITIALS_COLOURS]
    assert initials(FACTS) == "E"


def test_the_progress_bar_fills_with_the_level_and_is_empty_at_its_start():
    empty = open_card(render_card(card_facts(display_name="a", xp=0, rank=None)))
    assert empty.getpixel((260, 174))[:3] == TRACK[:3]
    half = open_card(render_card(card_facts(display_name="a", xp=50, rank=1)))  # 50 of 100
    assert half.getpixel((260, 174))[:3] == ACCENT[:3]
    assert half.getpixel((500, 174))[:3] == ACCENT[:3]
    assert half.getpixel((800, 174))[:3] == TRACK[:3]


def test_a_card_renders_whatever_the_name_holds():
    for name in ("", "中文", "😀" * 50, "x" * 500, "@everyone <@&1>"):
        facts = card_facts(display_name=name, username="fallback", xp=10**9, rank=10**6)
        assert open_card(render_card(facts, None, "fr")).size == (WIDTH, HEIGHT)


def test_the_font_draws_accents_as_plain_letters_and_drops_what_it_cannot_draw():
    assert drawable("Élodie ✨ François") == "Elodie Francois"
    assert drawable("1\u202f234") == "1 234"
    assert (
        initials(
            CardFacts(
                display_name="中文", username="bob", level=0, rank=None, xp=0, into=0, needed=100
            )
        )
        == "B"
    )


def test_the_text_carries_every_fact_of_the_card_in_english():
    text = card_text(FACTS, "en")
    # Level 15 begins at 11,825 XP and costs 1,975: 520 into it, 1,455 to go.
    for fact in (
        "Élodie",
        "level 15",
        "rank #3",
        "520 / 1,975 XP",
        "26%",
        "1,455 XP to level 16",
        "12,345 XP",
        "321 messages",
        "3h 5m in voice",
        "45 reactions",
    ):
        assert fact in text


def test_the_text_carries_every_fact_of_the_card_in_french():
    text = card_text(FACTS, "fr")
    for fact in (
        "Élodie",
        "niveau 15",
        "rang n° 3",
        "520 / 1\u202f975 XP",
        "26 %",
        "12\u202f345 XP au total",
        "321 messages",
        "3 h 5 min en vocal",
        "45 réactions",
    ):
        assert fact in text


def test_the_text_of_an_unranked_member_says_so_and_escapes_markdown():
    facts = card_facts(display_name="*bold*_name", xp=0, rank=None)
    assert "not ranked yet" in card_text(facts, "en")
    assert "pas encore classé" in card_text(facts, "fr")
    assert "\\*bold\\*\\_name" in card_text(facts, "en")
