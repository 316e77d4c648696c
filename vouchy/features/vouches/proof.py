"""Proof fingerprints: a 64-bit perceptual hash of a vouch's screenshot, and the rule for
"the same proof".

``proof_hash(data)`` reads an image (PNG, JPEG, WebP, GIF: the first frame) and returns a
64-bit unsigned int. Two hashes are the same proof when ``distance(a, b) <= MATCH_DISTANCE``
(Hamming distance, 12). What it promises, measured by
``tests/features/vouches/vouches_proof_figures.py`` on generated screenshots (payment receipts,
dark and light chat windows, game trade windows; figures in ``MATCH_DISTANCE``'s comment):

- a copy of the same screenshot re-encoded (JPEG at quality 50 and up, PNG to JPEG, JPEG to
  JPEG again) or resized (half size to 1.5x, any common filter) lands within the threshold:
  1,986 of 2,000 measured copies, the other 14 at 13 or 14 bits;
- two different screenshots, even of the same app with the same layout (two receipts that
  differ in their order number and date only), land beyond it: 1,899 of 1,900 measured pairs;
  unrelated images differ in about 32 bits, as two random hashes do;
- it does not promise to catch a crop, a rotation, an edit that paints over part of the
  screenshot, or a copy shrunk below about a third of its size.

How. The image is reduced to a 128x128 grey map in floating point (rounding to 8 bits was the
largest noise source on dark screenshots), minus its own blur (a 32x32 box average brought back
up), so flat backgrounds and layout blocks weigh nothing and text and edges carry the signal.
The map is centred and scaled to unit length (brightness and contrast do not matter), then
projected on 64 fixed pseudo-random +-1 patterns: each projection is a number of about unit
size that moves by about the angle between two maps. Each bit is the parity of that number cut
into steps of ``STEP`` from a fixed offset per bit (a dithered quantiser): a small move flips a
bit with probability about ``0.8 * move / STEP``, a large one with probability 1/2. The sign of
a projection (the usual "SimHash") flips only with probability angle/pi: 1 or 2 bits between two
receipts whose maps differ by 6 degrees when a JPEG copy already moves 2-3 degrees. The quantiser
spends the 64 bits on that difference instead.

The patterns and offsets come from SHAKE-256 of a fixed label, so every Vouchy computes the
same hash for the same pixels; ``VERSION`` names this algorithm so stored hashes can be
recomputed if it ever changes.
"""

from __future__ import annotations

import hashlib
import io
import math
import operator
import warnings
from array import array
from collections.abc import Callable, Iterable
from functools import cache

import msgspec
from PIL import Image, ImageOps

from vouchy.core.errors import InvalidInput

VERSION = 1
BITS = 64
# The grey map's side: enough to tell the digits of a receipt apart once reduced, little
# enough that a resized or recompressed copy lands on nearly the same map.
SIDE = 128
# The blur subtracted from the map, as the side of the box-averaged copy (4 pixels a box).
BLUR_SIDE = 32
# The quantiser's step, in units of the projections' spread (see the module docstring): a
# smaller step separates same-layout screenshots better and lets copies drift further.
STEP = 0.25
# Same proof when at most this many of the 64 bits differ. Why 12, from the figures script
# (seeds 2024 and 1, 20 screenshots of each of 5 kinds, 10 copies of each screenshot):
# - copies within the promise: mean 2-6 bits; 14 of 2,000 above 12, none above 14 (JPEG 50,
#   "0.8x, JPEG 80, then JPEG 70", bilinear 0.6x, 0.75x + JPEG 75, all of receipts or chats);
# - same layout, different screenshot: 1 of 1,900 pairs at or below 12 (two receipts with the
#   same amount and item, differing in order number and date only, at exactly 12); mean 26-32;
# - unrelated images: mean 32, never below 18 in 8,000 pairs.
# 13 would catch 10 more of those copies, 14 all; but a threshold also sets how often a new proof
# matches an unrelated one by chance, and that grows with the guild's number of proofs: two
# unrelated hashes are within 12 bits with probability 2.3e-7 (with 10,000 earlier proofs, 1 new
# proof in ~440 would be refused by chance), within 14 with 3.5e-6 (1 in 28), within 16 with
# 3.9e-5 (1 in 3).
MATCH_DISTANCE = 12
# Refused before decoding: larger files are no screenshot, and decoding them costs memory.
MAX_BYTES = 25 * 1024 * 1024
MAX_PIXELS = 40_000_000
MIN_SIDE = 16

_LABEL = b"vouchy proof hash v1"


class ProofUnreadable(InvalidInput):
    """The bytes are not an image Vouchy can read (or too large, or too small)."""

    code = "proof_unreadable"


class ProofMatch(msgspec.Struct, frozen=True, kw_only=True):
    """An earlier proof that matches: the label the caller gave it (the earlier vouch's
    message link, which the refusal shows; ``rules.proof_label``) and how close it is."""

    reference: str
    distance: int


@cache
def _patterns() -> tuple[tuple[Callable[[tuple[float, ...]], tuple[float, ...]], float], ...]:
    """64 (+1 half picker, offset) pairs: a pattern's +1 pixels and the bit's dither offset."""
    size = SIDE * SIDE
    stream = hashlib.shake_256(_LABEL).digest(BITS * size + BITS * 8)
    out = []
    for bit in range(BITS):
        chunk = stream[bit * size : (bit + 1) * size]
        picker = operator.itemgetter(*[i for i, b in enumerate(chunk) if b < 128])
        raw = stream[BITS * size + bit * 8 : BITS * size + bit * 8 + 8]
        offset = int.from_bytes(raw, "big") / 2**64
        out.append((picker, offset))
    return tuple(out)


def _grey(data: bytes) -> Image.Image:
    """The image as 8-bit grey, upright, transparency laid on white; refused if unreadable."""
    # Invariant: nothing larger than MAX_BYTES or MAX_PIXELS is ever decoded.
    if len(data) > MAX_BYTES:
        raise ProofUnreadable("vouches.proof_too_large", megabytes=MAX_BYTES // 2**20)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
            width, height = opened.size
            if width * height > MAX_PIXELS:
                raise ProofUnreadable("vouches.proof_too_large", megabytes=MAX_BYTES // 2**20)
            if opened.format == "JPEG":
                # Decode big photos at a reduced scale (never below 1024 px a side): the map is
                # 128 px, and a full decode of a 50 MP photo is slow.
                opened.draft("RGB", (1024, 1024))
            opened.load()
            image: Image.Image = ImageOps.exif_transpose(opened)
    except ProofUnreadable:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ProofUnreadable("vouches.proof_too_large", megabytes=MAX_BYTES // 2**20) from None
    except (OSError, ValueError, SyntaxError) as e:
        raise ProofUnreadable("vouches.proof_unreadable", detail=type(e).__name__) from None
    if min(image.size) < MIN_SIDE:
        raise ProofUnreadable("vouches.proof_too_small", pixels=MIN_SIDE)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return image.convert("L")


def projections(data: bytes) -> list[float]:
    """The 64 projections of the image's detail map (each about unit size): the hash before
    quantising. Exposed for the figures script and for tests."""
    grey = _grey(data).convert("F")
    small = grey.resize((SIDE, SIDE), Image.Resampling.LANCZOS)
    blur = small.resize((BLUR_SIDE, BLUR_SIDE), Image.Resampling.BOX).resize(
        (SIDE, SIDE), Image.Resampling.BILINEAR
    )
    pixels, blurred = array("f", small.tobytes()), array("f", blur.tobytes())
    values = [a - b for a, b in zip(pixels, blurred, strict=True)]
    mean = sum(values) / len(values)
    centred = tuple(v - mean for v in values)
    norm = math.sqrt(sum(v * v for v in centred)) or 1.0
    # The pattern is +1 on its picked pixels and -1 elsewhere; the centred map sums to zero,
    # so the projection is twice the sum over the picked pixels.
    return [2.0 * sum(picker(centred)) / norm for picker, _ in _patterns()]


def quantise(values: Iterable[float], step: float = STEP) -> int:
    """64 projections -> the 64-bit hash (bit 63 from the first projection)."""
    bits = 0
    for value, (_, offset) in zip(values, _patterns(), strict=True):
        bits = (bits << 1) | (math.floor(value / step + offset) & 1)
    return bits


def proof_hash(data: bytes) -> int:
    """The 64-bit perceptual hash of an image's bytes (unsigned); ``ProofUnreadable`` if they
    are not a readable image."""
    return quantise(projections(data))


def distance(a: int, b: int) -> int:
    """How many of the 64 bits differ."""
    return (a ^ b).bit_count()


def same_proof(a: int, b: int) -> bool:
    return distance(a, b) <= MATCH_DISTANCE


def find_match(
    proof: int, earlier: Iterable[tuple[str, int]], max_distance: int = MATCH_DISTANCE
) -> ProofMatch | None:
    """The closest earlier proof among ``(label, hash)`` pairs within ``max_distance``, the
    first listed on a tie; None when none matches. A plain scan (see the figures for its cost)."""
    best: ProofMatch | None = None
    for reference, other in earlier:
        d = (proof ^ other).bit_count()
        if d <= max_distance and (best is None or d < best.distance):
            best = ProofMatch(reference=reference, distance=d)
    return best


def to_signed(proof: int) -> int:
    """The hash as a signed 64-bit int, for an SQLite INTEGER column."""
    return proof - (1 << 64) if proof >= 1 << 63 else proof


def from_signed(stored: int) -> int:
    """Back from ``to_signed``."""
    return stored + (1 << 64) if stored < 0 else stored
