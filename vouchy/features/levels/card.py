"""The rank card: a member's level, rank and progress as a PNG, and the same facts as text.

``render_card`` draws a 900x250 card with Pillow (the avatar as a circle when its bytes are
given, else the member's initials; the name, level, rank, XP into the level, a progress bar)
in light text on a dark panel. It takes bytes, never a URL, so it never waits on the network;
it is CPU work of a few milliseconds, to be run off the event loop (``asyncio.to_thread``).
It uses only the font Pillow ships (``ImageFont.load_default``), so it renders the same in a
slim container; that font covers ASCII only, so accented letters are drawn without their
accents and other characters a name may hold (emoji, other scripts) are left out of the
image. ``card_text`` says everything in full, for screen readers and for when no image can
be made: a card always has its text beside it.
"""

from __future__ import annotations

import functools
import hashlib
import io
import unicodedata

import msgspec
from PIL import Image, ImageDraw, ImageFont, ImageOps

from vouchy.core import i18n
from vouchy.features.levels.curve import MEE6, Curve, progress
from vouchy.features.levels.rules import Counters

WIDTH, HEIGHT = 900, 250
AVATAR = 180
MAX_AVATAR_BYTES = 8 * 1024 * 1024
MAX_AVATAR_SIDE = 4096  # larger images are refused before they are decoded

# Colours: light text on a dark panel (contrast above 7:1 for the main text).
BACKGROUND = (30, 31, 34, 255)
PANEL = (43, 45, 49, 255)
TEXT = (242, 243, 245, 255)
MUTED = (181, 186, 193, 255)
ACCENT = (88, 101, 242, 255)
TRACK = (78, 80, 88, 255)
INITIALS_COLOURS = (
    (88, 101, 242),
    (59, 165, 93),
    (250, 166, 26),
    (237, 66, 69),
    (235, 69, 158),
    (26, 188, 156),
)


class CardFacts(msgspec.Struct, frozen=True, kw_only=True):
    """What a rank card shows."""

    display_name: str
    username: str = ""  # drawn instead when the display name has nothing the font can draw
    level: int
    rank: int | None  # 1 for the first; None when the member is not ranked
    xp: int  # total
    into: int  # XP into the level
    needed: int  # XP the level costs
    counters: Counters | None = None

    @property
    def percent(self) -> int:
        """Whole percent of the level done, rounded down: 100 only once the level is up."""
        return self.into * 100 // self.needed if self.needed else 100


def card_facts(
    *,
    display_name: str,
    xp: int,
    rank: int | None,
    curve: Curve = MEE6,
    counters: Counters | None = None,
    username: str = "",
) -> CardFacts:
    """The card's facts from a member's total XP and rank under the guild's curve."""
    p = progress(xp, curve)
    return CardFacts(
        display_name=display_name,
        username=username,
        level=p.level,
        rank=rank,
        xp=xp,
        into=p.into,
        needed=p.needed,
        counters=counters,
    )


def _name(facts: CardFacts) -> str:
    return facts.display_name.strip() or facts.username or "?"


def card_text(facts: CardFacts, locale: str = "en") -> str:
    """Every fact of the card as a sentence or two, in ``locale``."""
    rank = (
        i18n.text("levels.card.rank_text", locale, rank=facts.rank)
        if facts.rank is not None
        else i18n.text("levels.card.unranked_text", locale)
    )
    text = i18n.text(
        "levels.card.text",
        locale,
        name=_escape_markdown(_name(facts)),
        level=facts.level,
        rank=rank,
        into=facts.into,
        needed=facts.needed,
        percent=facts.percent,
        to_next=facts.needed - facts.into,
        next=facts.level + 1,
        total=facts.xp,
    )
    if facts.counters is not None:
        text += " " + _counters(facts.counters, locale)
    return text


def _voice(seconds: int, locale: str) -> str:
    if seconds <= 0:
        return i18n.text("levels.card.no_voice", locale)
    return i18n.duration(seconds, locale)


def _counters(counters: Counters, locale: str) -> str:
    return i18n.text(
        "levels.card.counters",
        locale,
        messages=counters.messages,
        voice=_voice(counters.voice_seconds, locale),
        reactions=counters.reactions_received,
    )


def _escape_markdown(text: str) -> str:
    for ch in "\\*_`~|>":
        text = text.replace(ch, "\\" + ch)
    return text


# ---- drawing ----


@functools.lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


@functools.lru_cache(maxsize=1)
def _missing_glyph() -> tuple[tuple[int, int], bytes]:
    mask = _font(40).getmask("\ue000")  # a private-use character: the font's empty box
    return mask.size, bytes(mask)


@functools.lru_cache(maxsize=4096)
def _has_glyph(ch: str) -> bool:
    if ch == " ":
        return True
    mask = _font(40).getmask(ch)
    return (mask.size, bytes(mask)) != _missing_glyph()


@functools.lru_cache(maxsize=1024)
def drawable(text: str) -> str:
    """``text`` reduced to what the font can draw: no-break spaces become spaces, accented
    letters lose their accents (``Élodie`` -> ``Elodie``), anything else is left out."""
    out = []
    for ch in text:
        if ch in "\u00a0\u202f\u2009\u2007":
            out.append(" ")
        elif _has_glyph(ch):
            out.append(ch)
        else:
            out.extend(c for c in unicodedata.normalize("NFKD", ch) if _has_glyph(c))
    return " ".join("".join(out).split())


def _fit(draw: ImageDraw.ImageDraw, text: str, size: int, width: int) -> str:
    """``text`` cut with an ellipsis so it is at most ``width`` pixels wide."""
    font = _font(size)
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…"


@functools.lru_cache(maxsize=4)
def _circle_mask(size: int) -> Image.Image:
    big = Image.new("L", (size * 4, size * 4), 0)
    ImageDraw.Draw(big).ellipse((0, 0, size * 4 - 1, size * 4 - 1), fill=255)
    return big.resize((size, size), Image.Resampling.LANCZOS)


def _avatar(data: bytes | None) -> Image.Image | None:
    """The avatar as a square RGBA image, or None when the bytes are not a usable image."""
    if not data or len(data) > MAX_AVATAR_BYTES:
        return None
    try:
        with Image.open(io.BytesIO(data)) as img:
            if max(img.size) > MAX_AVATAR_SIDE:
                return None
            img.draft("RGB", (AVATAR * 2, AVATAR * 2))  # JPEG: decode at a reduced scale
            square = ImageOps.fit(img.convert("RGBA"), (AVATAR, AVATAR), Image.Resampling.LANCZOS)
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        return None
    return square


def initials(facts: CardFacts) -> str:
    """Up to two letters for a member without an avatar (``?`` when none can be drawn)."""
    words = drawable(facts.display_name).split() or drawable(facts.username).split()
    letters = "".join(w[0] for w in words if w[0].isalnum())[:2]
    return letters.upper() or "?"


def _initials_avatar(facts: CardFacts) -> Image.Image:
    seed = hashlib.sha256(_name(facts).encode()).digest()[0]
    colour = INITIALS_COLOURS[seed % len(INITIALS_COLOURS)]
    img = Image.new("RGBA", (AVATAR, AVATAR), (*colour, 255))
    draw = ImageDraw.Draw(img)
    draw.text((AVATAR / 2, AVATAR / 2), initials(facts), font=_font(72), fill=TEXT, anchor="mm")
    return img


def render_card(facts: CardFacts, avatar: bytes | None = None, locale: str = "en") -> bytes:
    """The rank card as PNG bytes (900x250). Bytes that are not an image, or too large,
    give the initials instead: the card is always made."""
    lang = i18n.pick(locale)
    card = Image.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
    draw = ImageDraw.Draw(card)
    draw.rounded_rectangle((0, 0, WIDTH - 1, HEIGHT - 1), radius=24, fill=BACKGROUND)
    draw.rounded_rectangle((12, 12, WIDTH - 13, HEIGHT - 13), radius=18, fill=PANEL)

    face = _avatar(avatar) or _initials_avatar(facts)
    x0, y0 = 35, (HEIGHT - AVATAR) // 2
    draw.ellipse((x0 - 5, y0 - 5, x0 + AVATAR + 4, y0 + AVATAR + 4), fill=ACCENT)
    card.paste(face, (x0, y0), _circle_mask(AVATAR))

    left, right = 250, WIDTH - 40
    # Level and rank, right-aligned on the top line: "RANK #3   LEVEL 12".
    cursor = right
    pieces = [("levels.card.level", i18n.number(facts.level, lang))]
    if facts.rank is not None:
        pieces.append(("levels.card.rank", "#" + i18n.number(facts.rank, lang)))
    for label_key, value in pieces:
        value = drawable(value)
        draw.text((cursor, 82), value, font=_font(52), fill=ACCENT, anchor="rs")
        cursor -= int(draw.textlength(value, font=_font(52))) + 8
        label = drawable(i18n.text(label_key, lang))
        draw.text((cursor, 82), label, font=_font(22), fill=MUTED, anchor="rs")
        cursor -= int(draw.textlength(label, font=_font(22))) + 28

    # The name, and on the same line, right-aligned, the XP into the level.
    xp = drawable(
        i18n.text(
            "levels.card.xp",
            lang,
            into=i18n.number(facts.into, lang),
            needed=i18n.number(facts.needed, lang),
        )
    )
    draw.text((right, 135), xp, font=_font(24), fill=MUTED, anchor="rs")
    name = drawable(facts.display_name) or drawable(facts.username) or "?"
    room = right - left - int(draw.textlength(xp, font=_font(24))) - 24
    draw.text((left, 135), _fit(draw, name, 38, room), font=_font(38), fill=TEXT, anchor="ls")

    # The progress bar: the level's share done, never full before the level is reached.
    top, bottom = 158, 190
    radius = (bottom - top) // 2
    draw.rounded_rectangle((left, top, right, bottom), radius=radius, fill=TRACK)
    done = facts.into / facts.needed if facts.needed else 1.0
    fill_to = left + round((right - left) * min(1.0, max(0.0, done)))
    if facts.into > 0:
        fill_to = max(fill_to, left + 2 * radius)  # a visible cap for any progress
        draw.rounded_rectangle((left, top, fill_to, bottom), radius=radius, fill=ACCENT)

    footer = drawable(
        i18n.text("levels.card.total", lang, total=i18n.number(facts.xp, lang))
        if facts.counters is None
        else _card_stats(facts.counters, facts.xp, lang)
    )
    footer = _fit(draw, footer, 20, right - left)
    draw.text((left, 222), footer, font=_font(20), fill=MUTED, anchor="ls")

    out = io.BytesIO()
    card.save(out, "PNG", compress_level=1)
    return out.getvalue()


def _card_stats(counters: Counters, xp: int, lang: str) -> str:
    return i18n.text(
        "levels.card.stats",
        lang,
        total=xp,
        messages=counters.messages,
        voice=_voice(counters.voice_seconds, lang),
        reactions=counters.reactions_received,
    )
