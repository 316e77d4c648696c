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
import warnings
from array import array
from collections.abc import Iterable
from functools import cache

import msgspec
from PIL import Image, ImageMath, ImageOps, _imaging

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
def _patterns() -> tuple[Image.Image, tuple[int, ...], tuple[float, ...]]:
    """The 64 patterns as one ``SIDE`` x ``SIDE * BITS`` float mask (1 on a pattern's +1
    pixels, 0 on its -1 ones; pattern ``bit`` is the ``bit``-th square from the top), how many
    +1 pixels each has, and each bit's dither offset."""
    size = SIDE * SIDE
    stream = hashlib.shake_256(_LABEL).digest(BITS * size + BITS * 8)
    ones = array("f")
    counts, offsets = [], []
    for bit in range(BITS):
        chunk = stream[bit * size : (bit + 1) * size]
        picked = chunk.translate(_PICK)  # 1 where the byte is below 128, else 0
        ones.extend(float(b) for b in picked)
        counts.append(picked.count(1))
        raw = stream[BITS * size + bit * 8 : BITS * size + bit * 8 + 8]
        offsets.append(int.from_bytes(raw, "big") / 2**64)
    masks = Image.frombytes("F", (SIDE, SIDE * BITS), ones.tobytes())
    return masks, tuple(counts), tuple(offsets)


_PICK = bytes(1 if b < 128 else 0 for b in range(256))


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
    quantising. Exposed for the figures script and for tests.

    The arithmetic runs in Pillow's C code (about 1 ms a hash once the image is decoded, where
    a loop in Python took 7): the map's mean and spread from box reductions, and the 64 sums
    over each pattern's +1 pixels from one product of the map, tiled 64 times, with the masks.
    A pattern is +1 on its picked pixels and -1 elsewhere and the centred map sums to zero, so
    a projection is twice the centred sum over the picked pixels, over the map's length."""
    grey = _grey(data).convert("F")
    small = grey.resize((SIDE, SIDE), Image.Resampling.LANCZOS)
    blur = small.resize((BLUR_SIDE, BLUR_SIDE), Image.Resampling.BOX).resize(
        (SIDE, SIDE), Image.Resampling.BILINEAR
    )
    detail = ImageMath.lambda_eval(lambda v: v["a"] - v["b"], a=small, b=blur)
    squares = ImageMath.lambda_eval(lambda v: v["a"] * v["a"], a=detail)
    size = SIDE * SIDE
    mean = float(detail.reduce(SIDE).getpixel((0, 0)))
    mean_square = float(squares.reduce(SIDE).getpixel((0, 0)))
    norm = math.sqrt(max(size * (mean_square - mean * mean), 0.0)) or 1.0
    masks, counts, _ = _patterns()
    tiled = Image.frombytes("F", masks.size, detail.tobytes() * BITS)
    picked = ImageMath.lambda_eval(lambda v: v["a"] * v["b"], a=tiled, b=masks)
    means = array("f", picked.reduce((SIDE, SIDE)).tobytes())
    return [2.0 * (m * size - mean * c) / norm for m, c in zip(means, counts, strict=True)]


def quantise(values: Iterable[float], step: float = STEP) -> int:
    """64 projections -> the 64-bit hash (bit 63 from the first projection)."""
    bits = 0
    for value, offset in zip(values, _patterns()[2], strict=True):
        bits = (bits << 1) | (math.floor(value / step + offset) & 1)
    return bits


def proof_hash(data: bytes) -> int:
    """The 64-bit perceptual hash of an image's bytes (unsigned); ``ProofUnreadable`` if they
    are not a readable image."""
    return quantise(projections(data))


# Pillow's cache of image memory in a hashing worker: a hash makes and frees several 4 MiB
# images (the tiled map and its product with the masks); without a cache each one is fresh
# memory from the system, page faults included, and a hash took 7.5-9.7 ms where it takes
# 1.3 ms with one (measured in a worker process). At most 8 x 4 MiB are kept.
WORKER_BLOCK_SIZE = 4 << 20
WORKER_BLOCKS = 8


def prepare_worker() -> None:
    """The hashing worker's start (``ProcessPoolExecutor(initializer=...)``)."""
    _imaging.set_block_size(WORKER_BLOCK_SIZE)
    _imaging.set_blocks_max(WORKER_BLOCKS)


def hash_in_worker(data: bytes) -> tuple[int | None, str, dict[str, object]]:
    """``proof_hash`` for a worker process: the hash, or the refusal's key and values (an
    exception crossing the process boundary would lose its values)."""
    try:
        return proof_hash(data), "", {}
    except ProofUnreadable as e:
        return None, e.key, dict(e.params)


def distance(a: int, b: int) -> int:
    """How many of the 64 bits differ."""
    return (a ^ b).bit_count()


def same_proof(a: int, b: int) -> bool:
    return distance(a, b) <= MATCH_DISTANCE


def find_match(
    proof: int, earlier: Iterable[tuple[str, int]], max_distance: int = MATCH_DISTANCE
) -> ProofMatch | None:
    """The closest earlier proof among ``(label, hash)`` pairs within ``max_distance``, the
    first listed on a tie; None when none matches. A plain scan (``ProofIndex`` answers the
    same without one)."""
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


class ProofIndex:
    """A guild's proofs, answering ``find_match`` without comparing with every one of them.

    The 64 bits are cut into ``CHUNKS`` pieces (13, 13, 13, 13 and 12 bits). Two hashes at
    most ``max_distance`` bits apart (12) differ in at most ``max_distance // 5`` bits (2) of
    at least one piece: were every piece 3 bits apart, they would be 15 apart. So the
    candidates are the proofs filed under a value within 2 bits of the new proof's piece, in
    some piece: 5 x 92 look-ups of buckets that hold one proof in 8,192 each, where a scan
    compares with all of them. Each candidate is then measured whole.

    Entries are keyed (a vouch's reference): ``add`` files one, ``discard`` removes it, and
    ``match`` answers as ``find_match`` over the entries in the order they were added.
    """

    CHUNKS = (13, 13, 13, 13, 12)

    def __init__(self, max_distance: int = MATCH_DISTANCE) -> None:
        self.max_distance = max_distance
        radius = max_distance // len(self.CHUNKS)
        self._shifts: list[tuple[int, int]] = []  # (shift, width) of each piece
        shift = BITS
        for width in self.CHUNKS:
            shift -= width
            self._shifts.append((shift, width))
        # Every way to flip at most ``radius`` bits of a piece, per width.
        self._flips = {w: _flips(w, radius) for w in set(self.CHUNKS)}
        self._buckets: list[dict[int, dict[str, None]]] = [{} for _ in self.CHUNKS]
        self._entries: dict[str, tuple[int, str, int]] = {}  # key -> (hash, label, order)
        self._order = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def _pieces(self, proof: int) -> list[int]:
        return [(proof >> shift) & ((1 << width) - 1) for shift, width in self._shifts]

    def add(self, key: str, proof: int, label: str) -> None:
        """File ``proof`` under ``key`` (replacing what ``key`` held), shown as ``label``."""
        self.discard(key)
        self._order += 1
        self._entries[key] = (proof, label, self._order)
        for bucket, piece in zip(self._buckets, self._pieces(proof), strict=True):
            bucket.setdefault(piece, {})[key] = None

    def discard(self, key: str) -> None:
        found = self._entries.pop(key, None)
        if found is None:
            return
        for bucket, piece in zip(self._buckets, self._pieces(found[0]), strict=True):
            keys = bucket[piece]
            del keys[key]
            if not keys:
                del bucket[piece]

    def match(self, proof: int) -> ProofMatch | None:
        """The closest filed proof within ``max_distance``, the earliest filed on a tie."""
        # Invariant: the same answer as find_match over every entry (see the class docstring).
        candidates: set[str] = set()
        for bucket, (shift, width) in zip(self._buckets, self._shifts, strict=True):
            piece = (proof >> shift) & ((1 << width) - 1)
            # The filed pieces within the radius of this one (the loops run in C).
            for near in filter(bucket.__contains__, map(piece.__xor__, self._flips[width])):
                candidates.update(bucket[near])
        best: tuple[int, int, str] | None = None  # (distance, order, label)
        for key in candidates:
            other, label, order = self._entries[key]
            d = (proof ^ other).bit_count()
            if d <= self.max_distance and (best is None or (d, order) < best[:2]):
                best = (d, order, label)
        return None if best is None else ProofMatch(reference=best[2], distance=best[0])


def _flips(width: int, radius: int) -> tuple[int, ...]:
    """Every ``width``-bit mask with at most ``radius`` bits set, fewest first."""
    masks = [0]
    frontier = [0]
    for _ in range(radius):
        frontier = sorted({m | (1 << b) for m in frontier for b in range(width) if not m >> b & 1})
        masks += frontier
    return tuple(masks)
